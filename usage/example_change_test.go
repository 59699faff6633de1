package usage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// scanAt is a report of one subnet with used of its 251 addresses in use,
// scanned at t.
func scanAt(t time.Time, used uint64) usage.Report {
	subnet := usage.Resource{
		ID: "subnet-0a1b2c3d", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111111111111", Region: "us-east-1",
		CIDR: ipam.MustParseCIDR("10.0.1.0/24"), Known: true, Total: ipam.NewCount(251), Used: ipam.NewCount(used), Available: ipam.NewCount(251 - used),
	}
	rep, err := usage.NewReport([]usage.Resource{subnet}, nil, usage.ScanInfo{Finished: t, Targets: 1}, usage.Policy{})
	if err != nil {
		panic(err)
	}
	return rep
}

// ExampleCompare compares two runs: the subnet became critical, then
// emptied.
func ExampleCompare() {
	t := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	first := usage.Compare(nil, scanAt(t, 240))
	fmt.Println(first.Baseline)
	second := usage.Compare(&first.Next, scanAt(t.Add(time.Hour), 20))
	for _, c := range second.Changes {
		fmt.Println(c.Kind, c.Finding.ID, c.Reason)
	}
	// Output:
	// first run: no previous state, every finding is reported as new
	// resolved subnet-0a1b2c3d below threshold
}

// ExampleReport_DeliverChange runs a monitor three times with its state in
// a file: only the first and the last run have something to say.
func ExampleReport_DeliverChange() {
	dir, err := os.MkdirTemp("", "ipamkit-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	st := usage.NewFileState(filepath.Join(dir, "state.json"))
	m := notify.Multi{Notifiers: []notify.Notifier{notify.NotifierFunc(func(_ context.Context, a notify.Alert) error {
		fmt.Println("sent:", notify.DefaultSubject(a))
		return nil
	})}}
	t := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	for i, used := range []uint64{240, 241, 20} {
		d, err := scanAt(t.Add(time.Duration(i)*time.Hour), used).DeliverChange(context.TODO(), st, m)
		if err != nil {
			panic(err)
		}
		fmt.Println("run", i+1, "due:", d.Due)
	}
	// Output:
	// sent: [CRITICAL] IP usage changed: 1 new
	// run 1 due: true
	// run 2 due: false
	// sent: [INFO] IP usage changed: 1 resolved
	// run 3 due: true
}
