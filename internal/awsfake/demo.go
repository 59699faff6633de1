package awsfake

import "fmt"

// Demo account IDs and access keys of the world [Demo] builds.
const (
	DemoManagementAccount = "111111111111" // management account, in the root
	DemoNetworkAccount    = "222222222222" // owns the IPAM; delegated administrator
	DemoProdAccount       = "333333333333" // in Prod OU
	DemoDevAccount        = "444444444444" // in SDLC OU
	DemoTestAccount       = "555555555555" // in SDLC OU
	DemoNetworkAccessKey  = "AKIADEMONETWORK00001"
	DemoTopicName         = "ipam-alerts" // an SNS topic of the management account in us-east-1
)

// Demo builds the demonstration organization: a management account, a
// networking account that owns an IPAM (home us-east-1, operating in
// us-east-1 and us-west-2) and is a delegated administrator, and workload
// accounts in "Prod OU" and "SDLC OU". The private scope holds the pool
// hierarchy of the Control Tower sample: 192.168.0.0/16 at the top, a /20
// per region, a /21 per environment with the allocation tag Env. VPCs were
// allocated from the environment pools; others were not (10.0.0.0/8), and a
// few subnets are close to exhaustion. Every member account has
// OrganizationAccountAccessRole, assumable from the management account.
// The management account has the SNS topic [DemoTopicName] in us-east-1.
// [DefaultAccessKeyID] acts in the management account and
// [DemoNetworkAccessKey] in the networking account.
//
// A few subnets have been filling for months, and the history the
// monitor would have published (GetMetricData of IpAddressTotal and
// IpAddressAvailable) says so: Prod OU-us-east-1-b runs out in about 29
// days, SDLC OU-us-west-2-a in 7, and legacy's 10.0.0.0/24 in 22 (see
// demoGrowth).
func Demo() *World {
	b := NewBuilder(DemoManagementAccount)
	infra := b.OU(b.Root(), "Infrastructure")
	workloads := b.OU(b.Root(), "Workloads")
	envOU := map[string]string{"Prod OU": b.OU(workloads, "Prod OU"), "SDLC OU": b.OU(workloads, "SDLC OU")}
	b.Account(infra, DemoNetworkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(DemoNetworkAccount)
	b.AccessKey(DemoNetworkAccessKey, DemoNetworkAccount, "network-admin")
	b.Account(envOU["Prod OU"], DemoProdAccount, "prod", "prod@example.com")
	b.Account(envOU["SDLC OU"], DemoDevAccount, "dev", "dev@example.com")
	b.Account(envOU["SDLC OU"], DemoTestAccount, "test", "test@example.com")

	ipam := b.IPAM(DemoNetworkAccount, "us-east-1", "us-east-1", "us-west-2")
	scope := b.Scope(ipam, "private")
	top := b.Pool(PoolSpec{Scope: scope, Description: "top-level", Tags: map[string]string{"Name": "top-level"}})
	b.ProvisionCIDR(top, "192.168.0.0/16")

	type env struct{ name, account, cidr string }
	regions := []struct {
		name, cidr string
		envs       []env
	}{
		{"us-west-2", "192.168.0.0/20", []env{{"Prod OU", DemoProdAccount, "192.168.0.0/21"}, {"SDLC OU", DemoTestAccount, "192.168.8.0/21"}}},
		{"us-east-1", "192.168.16.0/20", []env{{"Prod OU", DemoProdAccount, "192.168.16.0/21"}, {"SDLC OU", DemoDevAccount, "192.168.24.0/21"}}},
	}
	for _, r := range regions {
		regional := b.Pool(PoolSpec{Scope: scope, Parent: top, Locale: r.name, Description: r.name, Tags: map[string]string{"Name": r.name}})
		b.ProvisionCIDR(regional, r.cidr)
		for _, e := range r.envs {
			pool := b.Pool(PoolSpec{
				Scope: scope, Parent: regional, Locale: r.name, Description: r.name + " " + e.name,
				AllocationMinNetmaskLength: 22, AllocationMaxNetmaskLength: 28, AllocationDefaultNetmask: 24,
				AllocationResourceTags: map[string]string{"Env": e.name},
				Tags:                   map[string]string{"Name": r.name + "-" + e.name},
			})
			b.ProvisionCIDR(pool, e.cidr)
			// One VPC allocated from the pool, its /24 carved into four /26s;
			// the first is nearly full.
			vpcCIDR := e.cidr[:len(e.cidr)-3] + "/24"
			vpc := b.VPC(e.account, r.name, vpcCIDR)
			b.Allocate(pool, vpcCIDR, vpc)
			b.Tag(vpc, "Name", fmt.Sprintf("%s-%s", e.name, r.name))
			b.Tag(vpc, "Env", e.name)
			base := vpcCIDR[:len(vpcCIDR)-4]
			for i, used := range []int{57, 30, 4, 0} {
				sn := b.Subnet(vpc, fmt.Sprintf("%s%d/26", base, i*64), used)
				b.Tag(sn, "Name", fmt.Sprintf("%s-%s-%c", e.name, r.name, 'a'+i))
				if g, ok := demoGrowth[fmt.Sprintf("%s-%s-%c", e.name, r.name, 'a'+i)]; ok {
					b.Growth(sn, g)
				}
			}
		}
	}
	// VPCs outside IPAM's pools: a legacy dual-stack network and an
	// overlapping copy of it in another account.
	legacy := b.VPC(DemoDevAccount, "us-east-1", "10.0.0.0/16", "fd00:10::/56")
	b.Tag(legacy, "Name", "legacy")
	b.Growth(b.Subnet(legacy, "10.0.0.0/24", 240), 0.5)
	b.Subnet(legacy, "10.0.1.0/24", 12)
	b.Subnet(legacy, "fd00:10::/64", 0)
	overlap := b.VPC(DemoTestAccount, "us-east-1", "10.0.0.0/20")
	b.Tag(overlap, "Name", "legacy-copy")
	b.Subnet(overlap, "10.0.0.0/28", 11)
	// The topic the demo's alerts go to: 'ipamctl usage --notify
	// sns=arn:aws:sns:us-east-1:111111111111:ipam-alerts', as the
	// management account.
	b.Topic(DemoManagementAccount, "us-east-1", DemoTopicName)

	w, err := b.Build()
	if err != nil {
		// The demo world is fixed: failing to build it is a programming error.
		panic(fmt.Sprintf("awsfake: build demo world: %v", err))
	}
	return w
}

// demoGrowth is the addresses a day some demo subnets have been filling at,
// by Name tag.
var demoGrowth = map[string]float64{
	"Prod OU-us-east-1-b": 1,   // 29 of 59 left: about 29 days
	"SDLC OU-us-west-2-a": 0.3, // 2 left: about 7 days
}
