package usage_test

import (
	"fmt"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

func ExampleEvaluate() {
	subnet := func(id string, used uint64, tags map[string]string) usage.Resource {
		total := ipam.AWSUsable(ipam.MustParseCIDR("10.0.0.0/24")) // 251 usable
		return usage.Resource{
			ID: id, Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111122223333", Region: "eu-west-1",
			CIDR: ipam.MustParseCIDR("10.0.0.0/24"), Known: true,
			Total: total, Used: ipam.NewCount(used), Available: total.Sub(ipam.NewCount(used)), Tags: tags,
		}
	}
	resources := []usage.Resource{
		subnet("subnet-a", 250, nil),
		subnet("subnet-b", 160, nil),
		subnet("subnet-c", 240, map[string]string{usage.TagIgnore: "true"}),
		subnet("subnet-d", 100, nil),
	}
	findings, err := usage.Evaluate(resources, usage.Policy{Thresholds: usage.Thresholds{Warning: 60, Critical: 90}})
	if err != nil {
		panic(err)
	}
	for _, f := range findings {
		fmt.Printf("%-8s %s %.1f%% (threshold %v%%)\n", f.Severity, f.ID, f.Percent(), f.Threshold)
	}
	// Output:
	// critical subnet-a 99.6% (threshold 90%)
	// warning  subnet-b 63.7% (threshold 60%)
}

func ExampleMerge() {
	scan := func(account string, used uint64) usage.Report {
		total := ipam.NewCount(1000)
		r, err := usage.NewReport([]usage.Resource{{
			ID: "ipam-pool-" + account, Type: usage.TypeIPAMPool, Source: usage.SourcePools, AccountID: account, Region: "us-east-1",
			Known: true, Total: total, Used: ipam.NewCount(used), Available: total.Sub(ipam.NewCount(used)),
		}}, nil, usage.ScanInfo{Targets: 1, APICalls: 3}, usage.Policy{})
		if err != nil {
			panic(err)
		}
		return r
	}
	// Two batches of targets, scanned separately, merged into one report.
	all := usage.Merge(scan("222222222222", 900), scan("111111111111", 500))
	for _, r := range all.Resources {
		fmt.Println(r.AccountID, r.ID, r.Percent())
	}
	fmt.Println(len(all.Findings), "finding,", all.Scan.APICalls, "API calls")
	// Output:
	// 111111111111 ipam-pool-111111111111 50
	// 222222222222 ipam-pool-222222222222 90
	// 1 finding, 6 API calls
}
