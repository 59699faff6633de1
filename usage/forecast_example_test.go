package usage_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

func ExampleReport_WithForecasts() {
	// Today's scan found a /26 subnet with 40 of its 59 addresses in use;
	// the monitor's metrics (usage.CloudWatchHistory) say it gained two a
	// day for the last two weeks.
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	subnet := usage.Resource{
		ID: "subnet-0abc", Name: "app", Type: usage.TypeSubnet, AccountID: "111111111111", Region: "eu-west-1",
		CIDR: netip.MustParsePrefix("10.0.0.0/26"), Known: true,
		Total: ipam.NewCount(59), Used: ipam.NewCount(40), Available: ipam.NewCount(19),
	}
	var history []usage.Sample
	for d := -14; d < 0; d++ {
		history = append(history, usage.Sample{Time: now.AddDate(0, 0, d), Used: ipam.NewCount(uint64(40 + 2*d)), Total: ipam.NewCount(59)})
	}
	rep := usage.Report{Resources: []usage.Resource{subnet}, Scan: usage.ScanInfo{Finished: now}}
	rep, err := rep.WithForecasts([][]usage.Sample{history}, usage.ForecastOptions{},
		usage.Policy{Exhaustion: usage.ExhaustionDays{Warning: 30, Critical: 14}})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := rep.Resources[0].Forecast
	fmt.Printf("%s at %.1f a day, about %s\n", f.Status, f.Rate, f.Exhaustion.Format(time.DateOnly))
	a, _ := rep.Alert("example")
	fmt.Println(a.Title)
	fmt.Println(a.Resources[0].Note)
	// Output:
	// exhausts at 2.0 a day, about 2026-12-10
	// 1 resource over threshold (1 critical, 0 warning)
	// runs out in 9 days, about 2026-12-10; critical, runs out within 14 days
}

func ExampleForecastAll() {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	grow := func(perDay uint64) []usage.Sample {
		var s []usage.Sample
		for i := range 30 {
			s = append(s, usage.Sample{Time: start.AddDate(0, 0, i), Used: ipam.NewCount(100 + perDay*uint64(i)), Total: ipam.NewCount(1000)})
		}
		return s
	}
	for _, f := range usage.ForecastAll([][]usage.Sample{grow(10), grow(0), nil}, usage.ForecastOptions{}) {
		fmt.Println(f.Status, f.Rate, f.Exhaustion.Format(time.DateOnly))
	}
	// Output:
	// exhausts 10 2027-01-30
	// notGrowing 0 0001-01-01
	// insufficientHistory 0 0001-01-01
}
