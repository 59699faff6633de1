package hierarchy_test

import (
	"fmt"
	"net/netip"
	"os"

	"github.com/ipamkit/ipamkit/hierarchy"
)

func ExampleParseSpec() {
	spec, err := hierarchy.ParseSpec([]byte(`
pools:
  - name: top
    cidrs: [10.0.0.0/16]
    pools:
      - name: us-east-1
        locale: us-east-1
        netmask: 17
      - name: eu-west-1
        locale: eu-west-1
        netmask: 17
      - name: ap-south-1
        locale: ap-south-1
        netmask: 17
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Validate())
	// Output:
	// 1 problem in the hierarchy spec:
	//   line 12: /top/ap-south-1: no room for a /17 in /top (10.0.0.0/16): its carved children need 98304 addresses but 65536 are free, 32768 missing; make the parent a /15 or larger, or give it fewer or smaller children
}

func ExampleControlTowerSpec() {
	cs, err := hierarchy.Plan(hierarchy.ControlTowerSpec(), hierarchy.Live{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range cs.Pools {
		fmt.Printf("%-24s %v\n", p.Path, p.CIDRs)
	}
	fmt.Printf("%+v\n", cs.Summary())
	// Output:
	// /top                     [192.168.0.0/16]
	// /top/us-west-2           [192.168.0.0/20]
	// /top/us-west-2/Prod OU   [192.168.0.0/21]
	// /top/us-west-2/SDLC OU   [192.168.8.0/21]
	// /top/us-east-1           [192.168.16.0/20]
	// /top/us-east-1/Prod OU   [192.168.16.0/21]
	// /top/us-east-1/SDLC OU   [192.168.24.0/21]
	// {Create:14 Update:0 Delete:0 Adopt:0}
}

func ExamplePlan() {
	// The sample built the top pool and the us-west-2 pool, untagged, then
	// failed; ipamkit adopts both and creates the rest.
	spec := hierarchy.ControlTowerSpec(func(p *hierarchy.ControlTowerParams) {
		p.Regions = []string{"us-west-2"}
		p.Environments = []string{"Prod OU"}
	})
	live := hierarchy.Live{Pools: []hierarchy.LivePool{
		{
			ID: "ipam-pool-0aaa", Family: hierarchy.IPv4, State: "create-complete",
			CIDRs:       []hierarchy.LiveCIDR{{CIDR: netip.MustParsePrefix("192.168.0.0/16"), State: "provisioned"}},
			Allocations: []hierarchy.LiveAllocation{{CIDR: netip.MustParsePrefix("192.168.0.0/20"), ResourceType: "ipam-pool", ResourceID: "ipam-pool-0bbb"}},
		},
		{
			ID: "ipam-pool-0bbb", ParentID: "ipam-pool-0aaa", Family: hierarchy.IPv4, Locale: "us-west-2", State: "create-complete",
			CIDRs: []hierarchy.LiveCIDR{{CIDR: netip.MustParsePrefix("192.168.0.0/20"), State: "provisioned"}},
		},
	}}
	cs, err := hierarchy.Plan(spec, live, func(o *hierarchy.Options) { o.ScopeID = "ipam-scope-0123" })
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := cs.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Pools are recognised by the tag ipamkit:path. Actions are shown with these symbols:
	//   +  create
	//   <= adopt (tag an existing pool)
	//
	// The plan will:
	//
	//   # pool /top will be adopted
	//   # (untagged pool ipam-pool-0aaa matches by no parent, locale none, CIDR 192.168.0.0/16; tagging it instead of creating a duplicate)
	//   <= pool /top  ipam-pool-0aaa
	//       tags.ipamkit:path          : (none) -> /top
	//
	//   # pool /top/us-west-2 will be adopted
	//   # (untagged pool ipam-pool-0bbb matches by parent /top, locale us-west-2, CIDR 192.168.0.0/20; tagging it instead of creating a duplicate)
	//   <= pool /top/us-west-2  ipam-pool-0bbb
	//       tags.ipamkit:path          : (none) -> /top/us-west-2
	//
	//   # pool /top/us-west-2/Prod OU will be created
	//   # (the spec has this pool; no pool in the scope carries ipamkit:path=/top/us-west-2/Prod OU and no untagged pool matches it)
	//   + pool /top/us-west-2/Prod OU
	//       parent                     = /top/us-west-2
	//       family                     = ipv4
	//       locale                     = us-west-2
	//       allocation.tags.Env        = Prod OU
	//       tags.ipamkit:path          = /top/us-west-2/Prod OU
	//
	//   # CIDR 192.168.0.0/21 will be provisioned to /top/us-west-2/Prod OU
	//   # (carved: the lowest free /21 of /top/us-west-2 (192.168.0.0/20), in spec order)
	//   + cidr /top/us-west-2/Prod OU  192.168.0.0/21
	//
	// Plan: 2 to create, 0 to change, 0 to destroy, 2 to adopt.
}
