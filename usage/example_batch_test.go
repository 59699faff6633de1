package usage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
)

// ExampleOrganizationScanner_ScanItems splits the scan of the demo
// organization into batches of four items, as a Step Functions
// distributed map runs them (one Lambda invocation per batch), and merges
// the batches' reports. The last batch stands for one whose invocation
// failed: its targets are reported as failed, not lost.
func ExampleOrganizationScanner_ScanItems() {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	s, err := usage.NewOrganizationScanner(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.IPAMAccount = awsfake.DemoNetworkAccount
		o.Sources = []usage.Source{usage.SourcePools, usage.SourceEC2}
	})
	if err != nil {
		panic(err)
	}
	ctx := context.TODO()
	items, err := s.Items(ctx) // the list step
	if err != nil {
		panic(err)
	}
	batches := slices.Collect(slices.Chunk(items, 4))
	var reports []usage.Report
	for _, batch := range batches[:len(batches)-1] { // the map's children
		rep, err := s.ScanItems(ctx, batch)
		if err != nil {
			panic(err)
		}
		reports = append(reports, rep)
	}
	failed := errors.New("batch failed: States.Timeout")
	reports = append(reports, usage.FailedReport(batches[len(batches)-1], failed))

	merged := usage.Merge(reports...) // the merge step
	fmt.Println(len(items), "items in", len(batches), "batches:", merged.Scan.Targets, "targets,", len(merged.Errors), "failed")
	for _, te := range merged.Errors {
		fmt.Println(te)
	}
	// Output:
	// 11 items in 3 batches: 11 targets, 3 failed
	// account 444444444444 region us-west-2: batch failed: States.Timeout
	// account 555555555555 region us-east-1: batch failed: States.Timeout
	// account 555555555555 region us-west-2: batch failed: States.Timeout
}
