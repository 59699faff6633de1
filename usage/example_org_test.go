package usage_test

import (
	"context"
	"fmt"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
)

// ExampleScanOrganization scans the demo organization that
// internal/awsfake serves, as its management account: the IPAM pools in
// the networking account, and the VPCs and subnets of every account in two
// regions. A real program passes the aws.Config of
// config.LoadDefaultConfig.
func ExampleScanOrganization() {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")

	rep, err := usage.ScanOrganization(context.TODO(), cfg, func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.IPAMAccount = awsfake.DemoNetworkAccount // the IPAM's delegated administrator
		o.Sources = []usage.Source{usage.SourcePools, usage.SourceEC2}
		o.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: 70, Critical: 90}}
	})
	if err != nil {
		panic(err) // nothing scanned: the caller or the organization unreadable
	}
	fmt.Println(rep.Scan.Targets, "targets,", len(rep.Errors), "failed,", len(rep.Findings), "findings; the worst:")
	for _, f := range rep.Findings[:3] {
		fmt.Printf("%-8s %s %s %s %s %.1f%%\n", f.Severity, f.AccountID, f.Region, f.ID, f.CIDR, f.Percent())
	}
	// Output:
	// 11 targets, 0 failed, 12 findings; the worst:
	// critical 222222222222 us-east-1 ipam-pool-07fcc2593df1ee1c9 192.168.16.0/20 100.0%
	// critical 222222222222 us-west-2 ipam-pool-08457d3ab42fcc0f5 192.168.0.0/20 100.0%
	// critical 333333333333 us-east-1 vpc-0dff7ed1616aee7cf 192.168.16.0/24 100.0%
}
