package notify_test

import (
	"context"
	"fmt"

	"github.com/ipamkit/ipamkit/notify"
)

// ExampleFiltered gives a pager only what became critical.
func ExampleFiltered() {
	pager := notify.Filtered(notify.NotifierFunc(func(_ context.Context, a notify.Alert) error {
		fmt.Println("paged:", a.Title, len(a.Resources))
		return nil
	}), notify.FilterNewCritical)
	alert := notify.Alert{Severity: notify.Critical, Title: "IP usage changed: 1 new, 1 resolved", Resources: []notify.Resource{
		{ID: "subnet-0a", Severity: notify.Critical, Change: notify.ChangeNew},
		{ID: "subnet-0b", Change: notify.ChangeResolved},
	}}
	_ = pager.Notify(context.TODO(), alert)
	_ = pager.Notify(context.TODO(), notify.Alert{Severity: notify.Info, Title: "IP usage changed: 1 resolved"})
	// Output:
	// paged: 1 resource newly critical 1
}
