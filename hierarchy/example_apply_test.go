package hierarchy_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/ipamkit/ipamkit/hierarchy"
)

func ExampleLive_PlanOptions() {
	// What Read returns for an empty scope of an IPAM operating in two
	// regions.
	live := hierarchy.Live{Scope: hierarchy.LiveScope{
		ID: "ipam-scope-0123", Type: hierarchy.Private, IPAMID: "ipam-0456",
		AccountID: "111111111111", Region: "us-east-1", Regions: []string{"us-east-1", "us-west-2"},
	}}
	spec := hierarchy.ControlTowerSpec(func(p *hierarchy.ControlTowerParams) {
		p.Regions = []string{"us-west-2", "eu-west-1"}
	})
	_, err := hierarchy.Plan(spec, live, live.PlanOptions)
	fmt.Println(errors.Is(err, hierarchy.ErrLocale))

	cs, err := hierarchy.Plan(hierarchy.ControlTowerSpec(), live, live.PlanOptions)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cs.ScopeID, len(cs.Ops), cs.Ops[0].ClientToken == hierarchy.ClientToken("ipam-scope-0123", "/top", hierarchy.KindCreatePool, ""))
	// Output:
	// true
	// ipam-scope-0123 14 true
}

func ExampleApplyError() {
	// What Apply returns when IPAM reports a provision failed, as ipamctl
	// prints it.
	var err error = &hierarchy.ApplyError{
		Op: hierarchy.Op{
			Kind: hierarchy.KindProvisionCIDR, Action: hierarchy.Create, Path: "/top/us-east-1/prod",
			PoolID: "ipam-pool-0abc", CIDR: netip.MustParsePrefix("10.1.0.0/16"),
		},
		Index: 3, Done: 3, Total: 9,
		Err: &hierarchy.StateError{
			PoolID: "ipam-pool-0abc", CIDR: netip.MustParsePrefix("10.1.0.0/16"), State: "failed-provision",
			Reason: "The CIDR is not available in the source pool",
		},
	}
	fmt.Println(err)
	var se *hierarchy.StateError
	if errors.As(err, &se) {
		fmt.Println(se.State)
	}
	// Output:
	// failed at + cidr /top/us-east-1/prod 10.1.0.0/16 (provision-cidr, ipam-pool-0abc): CIDR 10.1.0.0/16 of pool ipam-pool-0abc is failed-provision: The CIDR is not available in the source pool; 3 of 9 operations done; run apply again to resume
	// failed-provision
}
