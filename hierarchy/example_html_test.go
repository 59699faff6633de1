package hierarchy_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// ExampleLive_WriteHTML draws a pool with one VPC allocated from it: the
// page's strip shows the VPC and the free space after it. A program reads
// the live tree with hierarchy.Read and writes the page to a file.
func ExampleLive_WriteHTML() {
	live := hierarchy.Live{Pools: []hierarchy.LivePool{{
		ID: "ipam-pool-0a", Locale: "eu-west-1", Description: "prod",
		CIDRs:       []hierarchy.LiveCIDR{{CIDR: netip.MustParsePrefix("10.0.0.0/22"), State: "provisioned"}},
		Allocations: []hierarchy.LiveAllocation{{CIDR: netip.MustParsePrefix("10.0.0.0/24"), ResourceType: "vpc", ResourceID: "vpc-0abc"}},
	}}}
	var page bytes.Buffer
	if err := live.WriteHTML(&page); err != nil {
		panic(err)
	}
	for line := range strings.Lines(page.String()) {
		if strings.HasPrefix(line, `<div class="strip"`) {
			fmt.Print(line)
		}
	}
	// Output:
	// <div class="strip" role="img" aria-label="map of 10.0.0.0/22"><span class="b alloc" style="width:25.00%" title="vpc vpc-0abc 10.0.0.0/24">10.0.0.0/24</span><span class="b free" style="width:75.00%" title="free: 10.0.1.0/24 10.0.2.0/23 (768 addresses)">free</span></div>
}
