package awsfake

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 IPAM read operations (ec2query).

var (
	ipamIDPattern      = lazyPattern(`^ipam-[0-9a-f]{8,17}$`)
	ipamScopeIDPattern = lazyPattern(`^ipam-scope-[0-9a-f]{8,17}$`)
	ipamPoolIDPattern  = lazyPattern(`^ipam-pool-[0-9a-f]{8,17}$`)
)

// visibleIPAM reports whether the caller sees an IPAM: its owner, in its
// home region.
func (c *call) visibleIPAM(i *ipam) bool {
	return i != nil && i.account == c.account() && i.region == c.region
}

func notFoundIpam(id string) error {
	return badRequest("InvalidIpamId.NotFound", "The ipam ID '%s' does not exist", id)
}

func notFoundScope(id string) error {
	return badRequest("InvalidIpamScopeId.NotFound", "The ipam scope ID '%s' does not exist", id)
}

func notFoundPool(id string) error {
	return badRequest("InvalidIpamPoolId.NotFound", "The ipam pool ID '%s' does not exist", id)
}

func malformed(kind string) func(string) error {
	return func(id string) error { return badRequest(kind+".Malformed", "Invalid id: \"%s\"", id) }
}

var ec2DescribeIpams = model("ec2", "DescribeIpams", func(st *state, c *call, req *ec2.DescribeIpamsInput) (*ec2.DescribeIpamsOutput, error) {
	in, err := describeOf("IpamId", req.IpamIds, req.Filters, req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	fields := func(i *ipam) fieldsFunc {
		return func(name string) ([]string, bool) {
			if i == nil {
				i = &ipam{}
			}
			switch name {
			case "ipam-id":
				return one(i.id), true
			case "owner-id":
				return one(i.account), true
			case "ipam-region":
				return one(i.region), true
			case "tier":
				return one(i.tier), true
			case "state":
				return one(i.state), true
			case "operating-region":
				return i.operating, true
			}
			return nil, false
		}
	}
	ipams, next, err := describe(c, in, st.ipams, sortedKeys(st.ipams), c.visibleIPAM, fields, st.tagsOf,
		ipamIDPattern, malformed("InvalidIpamId"), notFoundIpam, ec2IPAM)
	if err != nil {
		return nil, err
	}
	out := &ec2.DescribeIpamsOutput{Ipams: make([]types.Ipam, len(ipams)), NextToken: optString(next)}
	for k, i := range ipams {
		out.Ipams[k] = types.Ipam{OwnerId: aws.String(i.account), IpamId: aws.String(i.id), IpamArn: aws.String(i.arn()),
			IpamRegion: aws.String(i.region), PublicDefaultScopeId: aws.String(i.publicScope), PrivateDefaultScopeId: aws.String(i.privateScope),
			DefaultResourceDiscoveryId: aws.String(i.discovery), ScopeCount: aws.Int32(int32(st.scopeCount(i.id))),
			OperatingRegions: make([]types.IpamOperatingRegion, len(i.operating)), State: types.IpamState(i.state),
			Tier: types.IpamTier(i.tier), Tags: sdkTags(st.tagsOf(i.id))}
		for r, name := range i.operating {
			out.Ipams[k].OperatingRegions[r] = types.IpamOperatingRegion{RegionName: aws.String(name)}
		}
	}
	return out, nil
})

func (st *state) scopeCount(ipamID string) int {
	n := 0
	for _, sc := range st.scopes {
		if sc.ipam == ipamID {
			n++
		}
	}
	return n
}

var ec2DescribeIpamScopes = model("ec2", "DescribeIpamScopes", func(st *state, c *call, req *ec2.DescribeIpamScopesInput) (*ec2.DescribeIpamScopesOutput, error) {
	in, err := describeOf("IpamScopeId", req.IpamScopeIds, req.Filters, req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	fields := func(sc *ipamScope) fieldsFunc {
		return func(name string) ([]string, bool) {
			if sc == nil {
				return nil, slices.Contains([]string{"ipam-scope-id", "ipam-id", "ipam-arn", "ipam-scope-type", "is-default", "owner-id", "state", "ipam-region"}, name)
			}
			i := st.ipams[sc.ipam]
			switch name {
			case "ipam-scope-id":
				return one(sc.id), true
			case "ipam-id":
				return one(i.id), true
			case "ipam-arn":
				return one(i.arn()), true
			case "ipam-scope-type":
				return one(sc.scopeType), true
			case "is-default":
				return one(strconv.FormatBool(sc.isDefault)), true
			case "owner-id":
				return one(i.account), true
			case "state":
				return one(sc.state), true
			case "ipam-region":
				return one(i.region), true
			}
			return nil, false
		}
	}
	scopes, next, err := describe(c, in, st.scopes, sortedKeys(st.scopes),
		func(sc *ipamScope) bool { return c.visibleIPAM(st.ipams[sc.ipam]) }, fields, st.tagsOf,
		ipamScopeIDPattern, malformed("InvalidIpamScopeId"), notFoundScope, ec2IPAM)
	if err != nil {
		return nil, err
	}
	out := &ec2.DescribeIpamScopesOutput{IpamScopes: make([]types.IpamScope, len(scopes)), NextToken: optString(next)}
	for k, sc := range scopes {
		i := st.ipams[sc.ipam]
		out.IpamScopes[k] = types.IpamScope{OwnerId: aws.String(i.account), IpamScopeId: aws.String(sc.id), IpamScopeArn: aws.String(st.scopeARN(sc)),
			IpamArn: aws.String(i.arn()), IpamRegion: aws.String(i.region), IpamScopeType: types.IpamScopeType(sc.scopeType),
			IsDefault: aws.Bool(sc.isDefault), PoolCount: aws.Int32(int32(st.poolCount(sc.id))), State: types.IpamScopeState(sc.state),
			Tags: sdkTags(st.tagsOf(sc.id))}
	}
	return out, nil
})

// poolCount counts the pools of a scope, but those that failed or are
// being deleted.
func (st *state) poolCount(scopeID string) int {
	n := 0
	for _, p := range st.pools {
		switch p.status.state {
		case "create-failed", "delete-in-progress", "delete-complete":
		default:
			if p.scope == scopeID {
				n++
			}
		}
	}
	return n
}

var ec2DescribeIpamPools = model("ec2", "DescribeIpamPools", func(st *state, c *call, req *ec2.DescribeIpamPoolsInput) (*ec2.DescribeIpamPoolsOutput, error) {
	in, err := describeOf("IpamPoolId", req.IpamPoolIds, req.Filters, req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	pools, next, err := describe(c, in, st.pools, sortedKeys(st.pools),
		func(p *ipamPool) bool {
			return p.status.state != "delete-complete" && (c.visibleIPAM(st.ipams[p.ipam]) || st.sharedPool(p, c.account(), c.region))
		},
		st.poolFields, st.tagsOf, ipamPoolIDPattern, malformed("InvalidIpamPoolId"), notFoundPool, ec2IPAM)
	if err != nil {
		return nil, err
	}
	out := &ec2.DescribeIpamPoolsOutput{IpamPools: make([]types.IpamPool, len(pools)), NextToken: optString(next)}
	for k, p := range pools {
		out.IpamPools[k] = *st.sdkPool(p, p.status.observe())
	}
	st.sweep()
	return out, nil
})

// poolFields answers the DescribeIpamPools filters.
func (st *state) poolFields(p *ipamPool) fieldsFunc {
	names := []string{"ipam-pool-id", "ipam-scope-id", "ipam-scope-arn", "ipam-arn", "ipam-id", "ipam-scope-type",
		"address-family", "locale", "state", "source-ipam-pool-id", "owner-id", "description", "pool-depth", "auto-import"}
	return func(name string) ([]string, bool) {
		if p == nil {
			return nil, slices.Contains(names, name)
		}
		sc, i := st.scopes[p.scope], st.ipams[p.ipam]
		switch name {
		case "ipam-pool-id":
			return one(p.id), true
		case "ipam-scope-id":
			return one(p.scope), true
		case "ipam-scope-arn":
			return one(st.scopeARN(sc)), true
		case "ipam-arn":
			return one(i.arn()), true
		case "ipam-id":
			return one(i.id), true
		case "ipam-scope-type":
			return one(sc.scopeType), true
		case "address-family":
			return one(p.family), true
		case "locale":
			return one(localeOf(p)), true
		case "state":
			return one(p.status.state), true
		case "source-ipam-pool-id":
			return one(p.parent), true
		case "owner-id":
			return one(i.account), true
		case "description":
			return one(p.description), true
		case "pool-depth":
			return one(strconv.Itoa(st.depth(p))), true
		case "auto-import":
			return one(strconv.FormatBool(p.autoImport)), true
		}
		return nil, false
	}
}

// localeOf is a pool's locale as AWS reports it: "None" when it has none.
func localeOf(p *ipamPool) string {
	if p.locale == "" {
		return "None"
	}
	return p.locale
}

// sdkPool is a pool as EC2 answers it, in the given state.
func (st *state) sdkPool(p *ipamPool, state string) *types.IpamPool {
	sc, i := st.scopes[p.scope], st.ipams[p.ipam]
	out := &types.IpamPool{OwnerId: aws.String(i.account), IpamPoolId: aws.String(p.id), IpamPoolArn: aws.String(st.poolARN(p)),
		IpamScopeArn: aws.String(st.scopeARN(sc)), IpamScopeType: types.IpamScopeType(sc.scopeType), IpamArn: aws.String(i.arn()),
		IpamRegion: aws.String(i.region), Locale: aws.String(localeOf(p)), PoolDepth: aws.Int32(int32(st.depth(p))),
		State: types.IpamPoolState(state), AutoImport: aws.Bool(p.autoImport), PubliclyAdvertisable: aws.Bool(p.advertisable),
		PublicIpSource: types.IpamPoolPublicIpSource(p.publicSource), AwsService: types.IpamPoolAwsService(p.awsService),
		AddressFamily: types.AddressFamily(p.family), AllocationMinNetmaskLength: optInt32(p.minLen),
		AllocationMaxNetmaskLength: optInt32(p.maxLen), AllocationDefaultNetmaskLength: optInt32(p.defLen),
		SourceIpamPoolId: optString(p.parent), StateMessage: optString(p.stateMessage), Description: optString(p.description),
		AllocationResourceTags: make([]types.IpamResourceTag, len(p.allocTags)), Tags: sdkTags(st.tagsOf(p.id))}
	for k, t := range p.allocTags {
		out.AllocationResourceTags[k] = types.IpamResourceTag{Key: aws.String(t.key), Value: aws.String(t.value)}
	}
	return out
}

// sweep forgets what has finished deleting, but for client tokens: a
// token replayed after the deletion answers the pool or CIDR it made, in
// its final state, as EC2 does for a token it still holds.
func (st *state) sweep() {
	for id, p := range st.pools {
		if p.status.state == "delete-complete" && !p.status.busy() {
			delete(st.pools, id)
			delete(st.tags, id)
			st.gonePools[id] = p
		}
	}
	for _, p := range st.pools {
		p.cidrs = slices.DeleteFunc(p.cidrs, func(c *poolCIDR) bool {
			if c.status.state == "deprovisioned" && !c.status.busy() {
				st.goneCIDRs[c.id] = c
				return true
			}
			return false
		})
	}
}

// poolEver returns the pool with an ID, even one deleted and swept.
func (st *state) poolEver(id string) *ipamPool {
	if p := st.pools[id]; p != nil {
		return p
	}
	return st.gonePools[id]
}

// cidrEver returns a pool's CIDR with an ID, even one deprovisioned and swept.
func (st *state) cidrEver(p *ipamPool, id string) *poolCIDR {
	if i := slices.IndexFunc(p.cidrs, func(pc *poolCIDR) bool { return pc.id == id }); i >= 0 {
		return p.cidrs[i]
	}
	return st.goneCIDRs[id]
}

// addrKey orders prefixes by address, then length, as a string.
func addrKey(p netip.Prefix) string {
	a := p.Addr().As16()
	return fmt.Sprintf("%x/%03d", a, p.Bits())
}

// visiblePool finds a pool the caller sees (and may change): one of an IPAM
// it owns, asked for in the IPAM's home region.
func (c *call) visiblePool(st *state, id string) (*ipamPool, error) {
	if !ipamPoolIDPattern.MatchString(id) {
		return nil, malformed("InvalidIpamPoolId")(id)
	}
	p := st.pools[id]
	if p == nil || !c.visibleIPAM(st.ipams[p.ipam]) || p.status.state == "delete-complete" {
		return nil, notFoundPool(id)
	}
	return p, nil
}

var ec2GetIpamPoolCidrs = model("ec2", "GetIpamPoolCidrs", func(st *state, c *call, in *ec2.GetIpamPoolCidrsInput) (*ec2.GetIpamPoolCidrsOutput, error) {
	if err := required(c, "IpamPoolId", in.IpamPoolId != nil); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	fields := func(pc *poolCIDR) fieldsFunc {
		return func(name string) ([]string, bool) {
			if pc == nil {
				return nil, slices.Contains([]string{"cidr", "state", "ipam-pool-cidr-id"}, name)
			}
			switch name {
			case "cidr":
				return one(pc.prefix.String()), true
			case "state":
				return one(pc.status.state), true
			case "ipam-pool-cidr-id":
				return one(pc.id), true
			}
			return nil, false
		}
	}
	filters := filtersOf(in.Filters)
	if err := checkFilters(filters, fields(nil)); err != nil {
		return nil, err
	}
	var cidrs []*poolCIDR
	for _, pc := range p.cidrs {
		if matchFilters(filters, fields(pc), nil) {
			cidrs = append(cidrs, pc)
		}
	}
	key := func(pc *poolCIDR) string { return addrKey(pc.prefix) + "/" + pc.id }
	slices.SortFunc(cidrs, func(a, b *poolCIDR) int { return strings.Compare(key(a), key(b)) })
	pg, next, err := paginate(c, cidrs, key, page(in.MaxResults, in.NextToken), ec2IPAM)
	if err != nil {
		return nil, err
	}
	out := &ec2.GetIpamPoolCidrsOutput{IpamPoolCidrs: make([]types.IpamPoolCidr, len(pg)), NextToken: optString(next)}
	for k, pc := range pg {
		out.IpamPoolCidrs[k] = *sdkPoolCIDR(pc, pc.status.observe())
	}
	st.sweep()
	return out, nil
})

var ec2GetIpamPoolAllocations = model("ec2", "GetIpamPoolAllocations", func(st *state, c *call, in *ec2.GetIpamPoolAllocationsInput) (*ec2.GetIpamPoolAllocationsOutput, error) {
	if err := required(c, "IpamPoolId", in.IpamPoolId != nil); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	fields := func(a *allocation) fieldsFunc {
		return func(name string) ([]string, bool) {
			names := []string{"cidr", "ipam-pool-allocation-id", "resource-id", "resource-type", "resource-owner", "resource-region", "description"}
			if a == nil {
				return nil, slices.Contains(names, name)
			}
			switch name {
			case "cidr":
				return one(a.prefix.String()), true
			case "ipam-pool-allocation-id":
				return one(a.id), true
			case "resource-id":
				return one(a.resourceID), true
			case "resource-type":
				return one(a.resourceType), true
			case "resource-owner":
				return one(a.resourceOwner), true
			case "resource-region":
				return one(a.resourceRegion), true
			case "description":
				return one(a.description), true
			}
			return nil, false
		}
	}
	filters, allocationID := filtersOf(in.Filters), aws.ToString(in.IpamPoolAllocationId)
	if err := checkFilters(filters, fields(nil)); err != nil {
		return nil, err
	}
	if allocationID != "" {
		if a := st.allocs[allocationID]; a == nil || a.pool != p.id {
			return nil, badRequest("InvalidIpamPoolAllocationId.NotFound", "The ipam pool allocation ID '%s' does not exist", allocationID)
		}
	}
	var allocs []*allocation
	for _, a := range st.allocationsOf(p.id) {
		if (allocationID == "" || a.id == allocationID) && matchFilters(filters, fields(a), nil) {
			allocs = append(allocs, a)
		}
	}
	key := func(a *allocation) string { return addrKey(a.prefix) }
	slices.SortFunc(allocs, func(a, b *allocation) int { return strings.Compare(key(a), key(b)) })
	pg, next, err := paginate(c, allocs, key, page(in.MaxResults, in.NextToken), ec2Allocations)
	if err != nil {
		return nil, err
	}
	out := &ec2.GetIpamPoolAllocationsOutput{IpamPoolAllocations: make([]types.IpamPoolAllocation, len(pg)), NextToken: optString(next)}
	for k, a := range pg {
		out.IpamPoolAllocations[k] = types.IpamPoolAllocation{Cidr: aws.String(a.prefix.String()), IpamPoolAllocationId: aws.String(a.id),
			Description: optString(a.description), ResourceId: optString(a.resourceID), ResourceType: types.IpamPoolAllocationResourceType(a.resourceType),
			ResourceRegion: optString(a.resourceRegion), ResourceOwner: aws.String(a.resourceOwner)}
	}
	return out, nil
})

var resourceTypes = []string{"vpc", "subnet", "eip", "public-ipv4-pool", "ipv6-pool", "eni", "anycast-ip-list"}

var ec2GetIpamResourceCidrs = model("ec2", "GetIpamResourceCidrs", func(st *state, c *call, in *ec2.GetIpamResourceCidrsInput) (*ec2.GetIpamResourceCidrsOutput, error) {
	scopeID, poolID, resourceID, owner := aws.ToString(in.IpamScopeId), aws.ToString(in.IpamPoolId), aws.ToString(in.ResourceId), aws.ToString(in.ResourceOwner)
	if err := required(c, "IpamScopeId", scopeID != ""); err != nil {
		return nil, err
	}
	if in.ResourceType != "" && !slices.Contains(resourceTypes, string(in.ResourceType)) {
		return nil, badRequest("InvalidParameterValue", "Value (%s) for parameter resourceType is invalid.", in.ResourceType)
	}
	if !ipamScopeIDPattern.MatchString(scopeID) {
		return nil, malformed("InvalidIpamScopeId")(scopeID)
	}
	sc := st.scopes[scopeID]
	if sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
		return nil, notFoundScope(scopeID)
	}
	if poolID != "" {
		if _, err := c.visiblePool(st, poolID); err != nil {
			return nil, err
		}
	}
	fields := func(r *resourceCIDR) fieldsFunc {
		return func(name string) ([]string, bool) {
			names := []string{"management-state", "compliance-status", "overlap-status", "resource-id", "resource-type",
				"resource-owner", "resource-region", "vpc-id", "ipam-pool-id", "resource-cidr"}
			if r == nil {
				return nil, slices.Contains(names, name)
			}
			switch name {
			case "management-state":
				return one(r.management), true
			case "compliance-status":
				return one(r.compliance), true
			case "overlap-status":
				return one(r.overlap), true
			case "resource-id":
				return one(r.resourceID), true
			case "resource-type":
				return one(r.resourceType), true
			case "resource-owner":
				return one(r.owner), true
			case "resource-region":
				return one(r.region), true
			case "vpc-id":
				return one(r.vpcID), true
			case "ipam-pool-id":
				return one(r.pool), true
			case "resource-cidr":
				return one(r.prefix.String()), true
			}
			return nil, false
		}
	}
	filters := filtersOf(in.Filters)
	if err := checkFilters(filters, fields(nil)); err != nil {
		return nil, err
	}
	match := func(r *resourceCIDR) bool {
		switch {
		case poolID != "" && r.pool != poolID,
			resourceID != "" && r.resourceID != resourceID,
			in.ResourceType != "" && r.resourceType != string(in.ResourceType),
			owner != "" && r.owner != owner,
			in.ResourceTag != nil && r.tags[aws.ToString(in.ResourceTag.Key)] != aws.ToString(in.ResourceTag.Value):
			return false
		}
		return len(filters) == 0 || matchFilters(filters, fields(r), r.tags)
	}
	pg, next, err := paginateScan(c, st.resourceCIDRs(sc), func(r resourceCIDR) string { return r.key }, match, page(in.MaxResults, in.NextToken), ec2IPAM)
	if err != nil {
		return nil, err
	}
	out := &ec2.GetIpamResourceCidrsOutput{IpamResourceCidrs: make([]types.IpamResourceCidr, len(pg)), NextToken: optString(next)}
	for k, r := range pg {
		rc := types.IpamResourceCidr{IpamId: aws.String(r.ipam), IpamScopeId: aws.String(r.scope), IpamPoolId: optString(r.pool),
			ResourceRegion: aws.String(r.region), ResourceOwnerId: aws.String(r.owner), ResourceId: aws.String(r.resourceID),
			ResourceName: optString(r.tags["Name"]), ResourceCidr: aws.String(r.prefix.String()), ResourceType: types.IpamResourceType(r.resourceType),
			ResourceTags: make([]types.IpamResourceTag, 0, len(r.tags)), ComplianceStatus: types.IpamComplianceStatus(r.compliance),
			ManagementState: types.IpamManagementState(r.management), OverlapStatus: types.IpamOverlapStatus(r.overlap),
			VpcId: aws.String(r.vpcID), AvailabilityZoneId: optString(r.azID)}
		for _, key := range sortedKeys(r.tags) {
			rc.ResourceTags = append(rc.ResourceTags, types.IpamResourceTag{Key: aws.String(key), Value: aws.String(r.tags[key])})
		}
		if r.hasUsage {
			rc.IpUsage = aws.Float64(r.usage)
		}
		out.IpamResourceCidrs[k] = rc
	}
	return out, nil
})
