package awsfake

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/encoding/xml"
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

var ec2DescribeIpams = op("ec2", "DescribeIpams", decodeDescribe("IpamId"), func(s *Server, c *call, in describeInput) (any, error) {
	st := s.st
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
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamSet", len(ipams), func(k int, item xml.Value) {
			i := ipams[k]
			xstr(item, "ownerId", i.account)
			xstr(item, "ipamId", i.id)
			xstr(item, "ipamArn", i.arn())
			xstr(item, "ipamRegion", i.region)
			xstr(item, "publicDefaultScopeId", i.publicScope)
			xstr(item, "privateDefaultScopeId", i.privateScope)
			xstr(item, "defaultResourceDiscoveryId", i.discovery)
			xint(item, "scopeCount", int64(st.scopeCount(i.id)))
			xlist(item, "operatingRegionSet", len(i.operating), func(r int, o xml.Value) { xstr(o, "regionName", i.operating[r]) })
			xstr(item, "state", i.state)
			xstr(item, "tier", i.tier)
			xtags(item, "tagSet", st.tagsOf(i.id))
		})
		xopt(v, "nextToken", next)
	}), nil
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

var ec2DescribeIpamScopes = op("ec2", "DescribeIpamScopes", decodeDescribe("IpamScopeId"), func(s *Server, c *call, in describeInput) (any, error) {
	st := s.st
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
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamScopeSet", len(scopes), func(k int, item xml.Value) {
			sc := scopes[k]
			i := st.ipams[sc.ipam]
			xstr(item, "ownerId", i.account)
			xstr(item, "ipamScopeId", sc.id)
			xstr(item, "ipamScopeArn", st.scopeARN(sc))
			xstr(item, "ipamArn", i.arn())
			xstr(item, "ipamRegion", i.region)
			xstr(item, "ipamScopeType", sc.scopeType)
			xbool(item, "isDefault", sc.isDefault)
			xint(item, "poolCount", int64(st.poolCount(sc.id)))
			xstr(item, "state", sc.state)
			xtags(item, "tagSet", st.tagsOf(sc.id))
		})
		xopt(v, "nextToken", next)
	}), nil
})

func (st *state) poolCount(scopeID string) int {
	n := 0
	for _, p := range st.pools {
		if p.scope == scopeID {
			n++
		}
	}
	return n
}

var ec2DescribeIpamPools = op("ec2", "DescribeIpamPools", decodeDescribe("IpamPoolId"), func(s *Server, c *call, in describeInput) (any, error) {
	st := s.st
	pools, next, err := describe(c, in, st.pools, sortedKeys(st.pools),
		func(p *ipamPool) bool { return c.visibleIPAM(st.ipams[p.ipam]) && p.status.state != "delete-complete" },
		st.poolFields, st.tagsOf, ipamPoolIDPattern, malformed("InvalidIpamPoolId"), notFoundPool, ec2IPAM)
	if err != nil {
		return nil, err
	}
	states := make([]string, len(pools))
	for k, p := range pools {
		states[k] = p.status.observe()
	}
	st.sweep()
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamPoolSet", len(pools), func(k int, item xml.Value) {
			encodeXML(item, ec2Out, reflect.ValueOf(st.sdkPool(pools[k], states[k])).Elem())
		})
		xopt(v, "nextToken", next)
	}), nil
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
		State: types.IpamPoolState(state), AutoImport: aws.Bool(p.autoImport), PubliclyAdvertisable: aws.Bool(false),
		AddressFamily: types.AddressFamily(p.family), AllocationMinNetmaskLength: optInt32(p.minLen),
		AllocationMaxNetmaskLength: optInt32(p.maxLen), AllocationDefaultNetmaskLength: optInt32(p.defLen),
		SourceIpamPoolId: optString(p.parent), StateMessage: optString(p.stateMessage), Description: optString(p.description),
		AllocationResourceTags: make([]types.IpamResourceTag, len(p.allocTags)), Tags: sdkTags(st.tagsOf(p.id))}
	for k, t := range p.allocTags {
		out.AllocationResourceTags[k] = types.IpamResourceTag{Key: aws.String(t.key), Value: aws.String(t.value)}
	}
	return out
}

// sweep forgets what has finished deleting.
func (st *state) sweep() {
	for id, p := range st.pools {
		if p.status.state == "delete-complete" && p.status.settle == "" {
			delete(st.pools, id)
			delete(st.tags, id)
		}
	}
	for _, p := range st.pools {
		p.cidrs = slices.DeleteFunc(p.cidrs, func(c *poolCIDR) bool { return c.status.state == "deprovisioned" && c.status.settle == "" })
	}
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

// getPoolInput is the input of GetIpamPoolCidrs and GetIpamPoolAllocations.
type getPoolInput struct {
	poolID, allocationID string
	filters              []filter
	page                 pageRequest
}

func decodeGetPool(c *call) (getPoolInput, error) {
	if err := dryRun(c); err != nil {
		return getPoolInput{}, err
	}
	id, err := c.required("IpamPoolId")
	if err != nil {
		return getPoolInput{}, err
	}
	page, err := ec2Page(c)
	if err != nil {
		return getPoolInput{}, err
	}
	return getPoolInput{poolID: id, allocationID: c.str("IpamPoolAllocationId"), filters: c.filters(), page: page}, nil
}

var ec2GetIpamPoolCidrs = op("ec2", "GetIpamPoolCidrs", decodeGetPool, func(s *Server, c *call, in getPoolInput) (any, error) {
	p, err := c.visiblePool(s.st, in.poolID)
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
	if err := checkFilters(in.filters, fields(nil)); err != nil {
		return nil, err
	}
	var cidrs []*poolCIDR
	for _, pc := range p.cidrs {
		if matchFilters(in.filters, fields(pc), nil) {
			cidrs = append(cidrs, pc)
		}
	}
	slices.SortFunc(cidrs, func(a, b *poolCIDR) int { return strings.Compare(addrKey(a.prefix), addrKey(b.prefix)) })
	page, next, err := paginate(c, cidrs, func(pc *poolCIDR) string { return addrKey(pc.prefix) }, in.page, ec2IPAM)
	if err != nil {
		return nil, err
	}
	states := make([]string, len(page))
	for k, pc := range page {
		states[k] = pc.status.observe()
	}
	s.st.sweep()
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamPoolCidrSet", len(page), func(k int, item xml.Value) {
			xstr(item, "ipamPoolCidrId", page[k].id)
			xstr(item, "cidr", page[k].prefix.String())
			xstr(item, "state", states[k])
			xint(item, "netmaskLength", int64(page[k].prefix.Bits()))
			if page[k].failure != "" && states[k] != "pending-deprovision" {
				xstruct(item, "failureReason", func(f xml.Value) { xstr(f, "message", page[k].failure) })
			}
		})
		xopt(v, "nextToken", next)
	}), nil
})

var ec2GetIpamPoolAllocations = op("ec2", "GetIpamPoolAllocations", decodeGetPool, func(s *Server, c *call, in getPoolInput) (any, error) {
	p, err := c.visiblePool(s.st, in.poolID)
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
	if err := checkFilters(in.filters, fields(nil)); err != nil {
		return nil, err
	}
	if in.allocationID != "" {
		if a := s.st.allocs[in.allocationID]; a == nil || a.pool != p.id {
			return nil, badRequest("InvalidIpamPoolAllocationId.NotFound", "The ipam pool allocation ID '%s' does not exist", in.allocationID)
		}
	}
	var allocs []*allocation
	for _, a := range s.st.allocationsOf(p.id) {
		if (in.allocationID == "" || a.id == in.allocationID) && matchFilters(in.filters, fields(a), nil) {
			allocs = append(allocs, a)
		}
	}
	key := func(a *allocation) string { return addrKey(a.prefix) }
	slices.SortFunc(allocs, func(a, b *allocation) int { return strings.Compare(key(a), key(b)) })
	page, next, err := paginate(c, allocs, key, in.page, ec2Allocations)
	if err != nil {
		return nil, err
	}
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamPoolAllocationSet", len(page), func(k int, item xml.Value) {
			a := page[k]
			xstr(item, "cidr", a.prefix.String())
			xstr(item, "ipamPoolAllocationId", a.id)
			xopt(item, "description", a.description)
			xopt(item, "resourceId", a.resourceID)
			xstr(item, "resourceType", a.resourceType)
			xopt(item, "resourceRegion", a.resourceRegion)
			xstr(item, "resourceOwner", a.resourceOwner)
		})
		xopt(v, "nextToken", next)
	}), nil
})

// resourceCIDRsInput is the input of GetIpamResourceCidrs.
type resourceCIDRsInput struct {
	scopeID, poolID, resourceID, resourceType, owner string
	tag                                              *tag
	filters                                          []filter
	page                                             pageRequest
}

var resourceTypes = []string{"vpc", "subnet", "eip", "public-ipv4-pool", "ipv6-pool", "eni", "anycast-ip-list"}

var ec2GetIpamResourceCidrs = op("ec2", "GetIpamResourceCidrs",
	func(c *call) (resourceCIDRsInput, error) {
		if err := dryRun(c); err != nil {
			return resourceCIDRsInput{}, err
		}
		id, err := c.required("IpamScopeId")
		if err != nil {
			return resourceCIDRsInput{}, err
		}
		page, err := ec2Page(c)
		if err != nil {
			return resourceCIDRsInput{}, err
		}
		in := resourceCIDRsInput{scopeID: id, poolID: c.str("IpamPoolId"), resourceID: c.str("ResourceId"),
			resourceType: c.str("ResourceType"), owner: c.str("ResourceOwner"), filters: c.filters(), page: page}
		if in.resourceType != "" && !slices.Contains(resourceTypes, in.resourceType) {
			return in, badRequest("InvalidParameterValue", "Value (%s) for parameter resourceType is invalid.", in.resourceType)
		}
		if c.has("ResourceTag.Key") {
			in.tag = &tag{key: c.str("ResourceTag.Key"), value: c.str("ResourceTag.Value")}
		}
		return in, nil
	},
	func(s *Server, c *call, in resourceCIDRsInput) (any, error) {
		st := s.st
		if !ipamScopeIDPattern.MatchString(in.scopeID) {
			return nil, malformed("InvalidIpamScopeId")(in.scopeID)
		}
		sc := st.scopes[in.scopeID]
		if sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
			return nil, notFoundScope(in.scopeID)
		}
		if in.poolID != "" {
			if _, err := c.visiblePool(st, in.poolID); err != nil {
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
		if err := checkFilters(in.filters, fields(nil)); err != nil {
			return nil, err
		}
		match := func(r *resourceCIDR) bool {
			switch {
			case in.poolID != "" && r.pool != in.poolID,
				in.resourceID != "" && r.resourceID != in.resourceID,
				in.resourceType != "" && r.resourceType != in.resourceType,
				in.owner != "" && r.owner != in.owner,
				in.tag != nil && r.tags[in.tag.key] != in.tag.value:
				return false
			}
			return len(in.filters) == 0 || matchFilters(in.filters, fields(r), r.tags)
		}
		page, next, err := paginateScan(c, st.resourceCIDRs(sc), func(r resourceCIDR) string { return r.key }, match, in.page, ec2IPAM)
		if err != nil {
			return nil, err
		}
		return xmlMembers(func(v xml.Value) {
			xlist(v, "ipamResourceCidrSet", len(page), func(k int, item xml.Value) {
				r := page[k]
				xstr(item, "ipamId", r.ipam)
				xstr(item, "ipamScopeId", r.scope)
				xopt(item, "ipamPoolId", r.pool)
				xstr(item, "resourceRegion", r.region)
				xstr(item, "resourceOwnerId", r.owner)
				xstr(item, "resourceId", r.resourceID)
				xopt(item, "resourceName", r.tags["Name"])
				xstr(item, "resourceCidr", r.prefix.String())
				xstr(item, "resourceType", r.resourceType)
				xtags(item, "resourceTagSet", r.tags)
				if r.hasUsage {
					item.MemberElement(el("ipUsage")).Double(r.usage)
				}
				xstr(item, "complianceStatus", r.compliance)
				xstr(item, "managementState", r.management)
				xstr(item, "overlapStatus", r.overlap)
				xstr(item, "vpcId", r.vpcID)
				xopt(item, "availabilityZoneId", r.azID)
			})
			xopt(v, "nextToken", next)
		}), nil
	})
