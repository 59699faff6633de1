package usage_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

// ExampleReport_WriteHTML writes the page of a report of one VPC and its
// nearly full subnet: the finding at the top, a map of the VPC with the
// subnet and the free space after it. A program writes the page to a file
// or an HTTP response; the monitor Lambda can put it in an S3 bucket.
func ExampleReport_WriteHTML() {
	vpcCIDR, snCIDR := ipam.MustParseCIDR("10.0.0.0/24"), ipam.MustParseCIDR("10.0.0.0/26")
	vpc := usage.Resource{
		ID: "vpc-0abc", Type: usage.TypeVPC, Name: "app", Source: usage.SourceEC2, AccountID: "012345678901", Region: "eu-west-1", VPCID: "vpc-0abc",
		CIDR: vpcCIDR, Known: true, Total: ipam.Size(vpcCIDR), Used: ipam.NewCount(64), Available: ipam.NewCount(192),
		LargestFree: ipam.MustParseCIDR("10.0.0.128/25"),
	}
	sn := usage.Resource{
		ID: "subnet-0abc", Type: usage.TypeSubnet, Name: "app-a", Source: usage.SourceEC2, AccountID: "012345678901", Region: "eu-west-1", VPCID: "vpc-0abc",
		CIDR: snCIDR, Known: true, Total: ipam.AWSUsable(snCIDR), Used: ipam.NewCount(57), Available: ipam.NewCount(2),
	}
	start := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	rep, err := usage.NewReport([]usage.Resource{vpc, sn}, nil, usage.ScanInfo{Started: start, Finished: start.Add(2 * time.Second), Targets: 1}, usage.Policy{})
	if err != nil {
		panic(err)
	}
	var page bytes.Buffer
	if err := rep.WriteHTML(&page, usage.HTMLOptions{Title: "eu-west-1 address space"}); err != nil {
		panic(err)
	}
	for line := range strings.Lines(page.String()) {
		if strings.Contains(line, `id="summary"`) || strings.Contains(line, `class="strip"`) {
			fmt.Print(line)
		}
	}
	// Output:
	// <p class="summary" id="summary"><b>2</b> resources measured · <b>1</b> over a threshold (1 critical, 0 warning) · <b>0</b> of 1 targets failed · scanned 2026-11-23T06:00:00Z in 2s, 0 API calls</p>
	// <div class="strip" role="img" aria-label="map of 10.0.0.0/24"><span class="b u9" style="width:25.00%" title="subnet-0abc (app-a) 10.0.0.0/26: 57 of 59 used (96.6%)">10.0.0.0/26</span><span class="b free" style="width:75.00%" title="free, no subnet: 10.0.0.64/26 10.0.0.128/25 (192 addresses)">free</span></div>
}
