package hierarchy

import "net/netip"

// ControlTowerParams are the parameters of the Control Tower sample
// (aws-samples/integrate-control-tower-with-ipam); each field's comment
// names the sample's parameter. The zero value means the sample's defaults.
type ControlTowerParams struct {
	// TopLevelPoolCIDR is TopLevelPoolCidr; zero means 192.168.0.0/16.
	TopLevelPoolCIDR netip.Prefix
	// Regions is RegionSelection, one regional pool each, in this order;
	// nil means us-west-2, us-east-1.
	Regions []string
	// RegionalNetmask is IpamPoolPrefixLength; 0 means 20.
	RegionalNetmask int
	// EnvironmentNetmask is AccPoolPrefixLength; 0 means 21.
	EnvironmentNetmask int
	// Environments is AccEnvName, the OU names, one pool each in every
	// region; nil means "Prod OU", "SDLC OU".
	Environments []string
	// TagKey is the allocation tag key whose value is the OU name; "" means
	// Env, which the sample hard-codes.
	TagKey string
	// TopName names the top pool in paths; "" means "top". The sample's
	// pools have no names, so this only shapes the paths.
	TopName string
}

// ControlTowerSpec returns the tree the Control Tower sample builds, from
// its parameters: a top pool with TopLevelPoolCidr and no locale; one pool
// per region with that locale and a RegionalNetmask block; in each, one pool
// per environment with an EnvironmentNetmask block and the allocation tag
// TagKey=<environment>. Like the sample, it states no descriptions, tags or
// netmask rules, so a plan against a tree the sample built shows only
// adoptions, even where descriptions or rules were added to its pools since
// (a spec leaves such fields as they are: see the package documentation).
// With the defaults the carving is the sample's:
//
//	/top                    192.168.0.0/16
//	/top/us-west-2          192.168.0.0/20
//	/top/us-west-2/Prod OU  192.168.0.0/21
//	/top/us-west-2/SDLC OU  192.168.8.0/21
//	/top/us-east-1          192.168.16.0/20
//	/top/us-east-1/Prod OU  192.168.16.0/21
//	/top/us-east-1/SDLC OU  192.168.24.0/21
//
// Unlike the sample, a region or environment too many is a validation
// problem that says how much space is missing ([Spec.Validate]), not an
// exception that leaves a stack hanging.
func ControlTowerSpec(optFns ...func(*ControlTowerParams)) Spec {
	var p ControlTowerParams
	for _, fn := range optFns {
		fn(&p)
	}
	if !p.TopLevelPoolCIDR.IsValid() {
		p.TopLevelPoolCIDR = netip.MustParsePrefix("192.168.0.0/16")
	}
	if p.Regions == nil {
		p.Regions = []string{"us-west-2", "us-east-1"}
	}
	if p.RegionalNetmask == 0 {
		p.RegionalNetmask = 20
	}
	if p.EnvironmentNetmask == 0 {
		p.EnvironmentNetmask = 21
	}
	if p.Environments == nil {
		p.Environments = []string{"Prod OU", "SDLC OU"}
	}
	if p.TagKey == "" {
		p.TagKey = "Env"
	}
	if p.TopName == "" {
		p.TopName = "top"
	}
	top := Pool{Name: p.TopName, Family: IPv4, CIDRs: []netip.Prefix{p.TopLevelPoolCIDR}}
	for _, r := range p.Regions {
		reg := Pool{Name: r, Locale: r, Netmask: p.RegionalNetmask}
		for _, e := range p.Environments {
			reg.Pools = append(reg.Pools, Pool{
				Name:       e,
				Netmask:    p.EnvironmentNetmask,
				Allocation: Allocation{Tags: map[string]string{p.TagKey: e}},
			})
		}
		top.Pools = append(top.Pools, reg)
	}
	return Spec{Pools: []Pool{top}}
}
