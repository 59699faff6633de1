package usage_test

import (
	"context"
	"fmt"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
)

// ExampleOrganizationScanOptions_fanOut scans a generated organization of
// 100 accounts in two regions with the fan-out spelled out: 32 targets at
// once, at most 2 of one account (its two regions) and 16 of one region.
// The zero options (16, 4, no bound per region) suit most organizations;
// BenchmarkScanScale measures them at 5,000 account-regions.
func ExampleOrganizationScanOptions_fanOut() {
	world, err := awsfake.Generate(awsfake.GenerateOptions{Accounts: 100, Regions: []string{"us-east-1", "us-west-2"}, Subnets: 4, Seed: 1})
	if err != nil {
		panic(err)
	}
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World, o.RateLimits = world, awsfake.AWSRateLimits() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")

	rep, err := usage.ScanOrganization(context.TODO(), cfg, func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.Sources = []usage.Source{usage.SourceEC2}
		o.Concurrency, o.PerAccount, o.PerRegion = 32, 2, 16
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep.Scan.Targets, "targets,", len(rep.Errors), "failed,", len(rep.Resources), "resources,", rep.Scan.APICalls, "API calls")
	// Output:
	// 202 targets, 0 failed, 1000 resources, 504 API calls
}
