package usage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// ExampleReport_Deliver sends the alert of a report to two notifiers, one
// of which fails, and the findings' metrics to a sink. A platform tool
// builds the notify.Multi once (SNS, Slack, CloudWatch, ...) and delivers
// each report it scans.
func ExampleReport_Deliver() {
	finished := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	subnet := usage.Resource{
		ID: "subnet-0a1b2c3d", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111111111111", Region: "us-east-1",
		CIDR: ipam.MustParseCIDR("10.0.1.0/24"), Known: true, Total: ipam.NewCount(251), Used: ipam.NewCount(240), Available: ipam.NewCount(11),
	}
	rep, err := usage.NewReport([]usage.Resource{subnet}, nil, usage.ScanInfo{Started: finished, Finished: finished, Targets: 1}, usage.Policy{})
	if err != nil {
		panic(err)
	}
	m := notify.Multi{
		Notifiers: []notify.Notifier{
			notify.Named("stdout", notify.NewWriter(os.Stdout)),
			notify.Named("pager", notify.NotifierFunc(func(context.Context, notify.Alert) error { return errors.New("pager offline") })),
		},
		Sinks: []notify.MetricSink{notify.NamedSink("count", notify.MetricSinkFunc(func(_ context.Context, ms []notify.Metric) error {
			fmt.Println(len(ms), "metrics, the first", ms[0].Name, ms[0].Dimensions[0].Value)
			return nil
		}))},
	}

	d := rep.Deliver(context.TODO(), m, func(o *usage.DeliverOptions) { o.Source = "platform-tool" })

	fmt.Println("due:", d.Due, "notified:", d.Notified, "metrics:", d.Metrics)
	for _, e := range d.Failures() {
		fmt.Println("failed:", e)
	}
	// Output:
	// [CRITICAL] 1 resource over threshold (1 critical, 0 warning)
	// Scanned 1 target: 1 resource measured, 1 over threshold.
	// Source: platform-tool  Time: 2026-11-23T06:00:00Z
	// [###################.]  95.6%  subnet-0a1b2c3d  10.0.1.0/24  111111111111  us-east-1  11 of 251 free  critical at 80%
	// 3 metrics, the first PercentAssigned subnet-0a1b2c3d
	// due: true notified: 1 metrics: 3
	// failed: pager: pager offline
}
