package awsfake

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"
)

// poolInput is what creating a pool takes, from the builder or CreateIpamPool.
type poolInput struct {
	scope, parent, locale, family, description string
	autoImport, advertisable                   bool
	publicSource, awsService                   string // public scope: amazon or byoip; ec2 or global-services
	minLen, maxLen, defLen                     int    // -1 when unset
	allocTags, tags                            []tag
}

// addIPAM adds an IPAM and its two default scopes, and returns its ID.
func (st *state) addIPAM(accountID, home string, operating []string, tier string) (string, error) {
	if st.accounts[accountID] == nil {
		return "", fmt.Errorf("no account %q", accountID)
	}
	if !slices.Contains(operating, home) {
		return "", fmt.Errorf("home region %q must be one of the operating regions %v", home, operating)
	}
	for _, r := range operating {
		if !st.regionEnabled(r) {
			return "", fmt.Errorf("operating region %q is not enabled", r)
		}
	}
	for _, other := range st.ipams {
		if other.account == accountID && other.region == home {
			return "", fmt.Errorf("account %q already has an IPAM in %q", accountID, home)
		}
	}
	i := &ipam{id: st.newID("ipam"), account: accountID, region: home, tier: tier, state: "create-complete", operating: slices.Clone(operating),
		discovery: st.newID("ipam-res-disco")}
	slices.Sort(i.operating)
	for _, typ := range []string{"private", "public"} {
		sc := &ipamScope{id: st.newID("ipam-scope"), ipam: i.id, scopeType: typ, isDefault: true, state: "create-complete"}
		st.scopes[sc.id] = sc
		if typ == "private" {
			i.privateScope = sc.id
		} else {
			i.publicScope = sc.id
		}
	}
	st.ipams[i.id] = i
	return i.id, nil
}

// addPool validates and adds a pool.
func (st *state) addPool(in poolInput, async bool) (*ipamPool, error) {
	sc := st.scopes[in.scope]
	if sc == nil {
		return nil, badRequest("InvalidIpamScopeId.NotFound", "The ipam scope ID '%s' does not exist", in.scope)
	}
	i := st.ipams[sc.ipam]
	if in.family == "" {
		in.family = "ipv4"
	}
	if in.family != "ipv4" && in.family != "ipv6" {
		return nil, badRequest("InvalidParameterValue", "Value (%s) for parameter AddressFamily is invalid. Valid values: ipv4, ipv6", in.family)
	}
	if err := checkPoolRules(&ipamPool{family: in.family, minLen: in.minLen, maxLen: in.maxLen, defLen: in.defLen}); err != nil {
		return nil, err
	}
	if in.locale != "" && !slices.Contains(i.operating, in.locale) {
		return nil, badRequest("InvalidParameterValue", "The locale %s is not an operating region of %s", in.locale, i.id)
	}
	if in.autoImport && in.locale == "" {
		return nil, badRequest("InvalidParameterValue", "A locale must be set on the pool to enable auto import")
	}
	if in.parent != "" {
		parent := st.pools[in.parent]
		switch {
		case parent == nil:
			return nil, badRequest("InvalidIpamPoolId.NotFound", "The ipam pool ID '%s' does not exist", in.parent)
		case parent.scope != in.scope:
			return nil, badRequest("InvalidParameterCombination", "The source pool %s is not in scope %s", in.parent, in.scope)
		case parent.family != in.family:
			return nil, badRequest("InvalidParameterCombination", "The source pool %s has address family %s, not %s", in.parent, parent.family, in.family)
		case parent.locale != "" && parent.locale != in.locale:
			return nil, badRequest("InvalidParameterCombination", "The locale %q must match the source pool's locale %s", in.locale, parent.locale)
		}
	}
	for _, t := range append(slices.Clone(in.allocTags), in.tags...) {
		if err := validTag(t); err != nil {
			return nil, err
		}
	}
	switch {
	case in.publicSource != "" && sc.scopeType != "public":
		return nil, badRequest("InvalidParameterCombination", "PublicIpSource can be used only for pools in a public scope")
	case in.publicSource != "" && in.parent != "":
		return nil, badRequest("InvalidParameterCombination", "PublicIpSource can be set only on a top-level pool")
	case in.advertisable && in.family != "ipv6":
		return nil, badRequest("InvalidParameterCombination", "PubliclyAdvertisable is not available for pools with AddressFamily ipv4")
	}
	if sc.scopeType == "public" && in.parent == "" && in.publicSource == "" {
		in.publicSource = "byoip"
	}
	p := &ipamPool{
		id: st.newID("ipam-pool"), scope: in.scope, ipam: sc.ipam, parent: in.parent, locale: in.locale,
		family: in.family, description: in.description, autoImport: in.autoImport,
		minLen: in.minLen, maxLen: in.maxLen, defLen: in.defLen, allocTags: slices.Clone(in.allocTags),
		seq: len(st.pools), publicSource: in.publicSource, awsService: in.awsService, advertisable: in.advertisable,
	}
	p.status.state = "create-complete"
	if async {
		outcome, message := "create-complete", ""
		if n := st.limits.poolsPerScope; n > 0 && st.poolCount(in.scope) >= n {
			outcome, message = "create-failed", fmt.Sprintf("You have reached the maximum number of pools (%d) in scope %s. Delete a pool or request a quota increase.", n, in.scope)
		}
		st.begin(&p.status, st.delays.PoolCreate, "create-in-progress", outcome, func() { p.stateMessage = message })
	}
	st.pools[p.id] = p
	st.setTags(p.id, in.tags)
	return p, nil
}

// familyBits is the longest prefix of an address family: 32 or 128.
func familyBits(family string) int {
	if family == "ipv6" {
		return 128
	}
	return 32
}

// depth returns a pool's depth: 1 for a top-level pool.
func (st *state) depth(p *ipamPool) int {
	d := 1
	for q := p; q.parent != "" && st.pools[q.parent] != nil; q = st.pools[q.parent] {
		d++
	}
	return d
}

// usable reports whether a pool can take part in provisioning and allocation.
func (p *ipamPool) usable() bool {
	switch p.status.state {
	case "create-complete", "modify-complete", "modify-in-progress", "modify-failed":
		return true
	}
	return false
}

// holdsSpace reports whether a pool CIDR takes space: provisioned, or on
// its way in or out, but not failed or gone.
func (c *poolCIDR) holdsSpace() bool {
	switch c.status.state {
	case "deprovisioned", "failed-provision":
		return false
	}
	return c.failureCode == ""
}

// provisioned returns the pool's CIDRs that can be allocated from.
func (p *ipamPool) provisioned() []netip.Prefix {
	var out []netip.Prefix
	for _, c := range p.cidrs {
		if c.status.state == "provisioned" {
			out = append(out, c.prefix)
		}
	}
	return out
}

// allocationsOf returns a pool's allocations.
func (st *state) allocationsOf(poolID string) []*allocation {
	var out []*allocation
	for _, a := range st.allocs {
		if a.pool == poolID {
			out = append(out, a)
		}
	}
	return out
}

// freeSet returns the addresses of a pool not yet allocated.
func (st *state) freeSet(p *ipamPool) (*netipx.IPSet, error) {
	var b netipx.IPSetBuilder
	for _, c := range p.provisioned() {
		b.AddPrefix(c)
	}
	for _, a := range st.allocationsOf(p.id) {
		b.RemovePrefix(a.prefix)
	}
	return b.IPSet()
}

// firstFree returns the lowest-addressed free block of a pool with bits
// prefix length.
func (st *state) firstFree(p *ipamPool, bits int) (netip.Prefix, bool) {
	free, err := st.freeSet(p)
	if err != nil {
		return netip.Prefix{}, false
	}
	f := lowestFree(free, bits)
	return f, f.IsValid()
}

// checkRules checks a netmask against a pool's allocation rules.
func (p *ipamPool) checkRules(prefix netip.Prefix) error {
	if p.minLen >= 0 && prefix.Bits() < p.minLen {
		return badRequest("InvalidParameterValue", "The allocation size /%d is too big for pool %s: the minimum netmask length is %d", prefix.Bits(), p.id, p.minLen)
	}
	if p.maxLen >= 0 && prefix.Bits() > p.maxLen {
		return badRequest("InvalidParameterValue", "The allocation size /%d is too small for pool %s: the maximum netmask length is %d", prefix.Bits(), p.id, p.maxLen)
	}
	return nil
}

// complies reports whether a resource CIDR meets a pool's allocation rules:
// its netmask within the pool's range and the pool's allocation resource
// tags among the resource's tags.
func (p *ipamPool) complies(prefix netip.Prefix, tags map[string]string) bool {
	if p.checkRules(prefix) != nil {
		return false
	}
	for _, t := range p.allocTags {
		if v, ok := tags[t.key]; !ok || v != t.value {
			return false
		}
	}
	return true
}

// allocate allocates prefix (or, when it is invalid, the first free block of
// netmask bits) from a pool.
func (st *state) allocate(p *ipamPool, prefix netip.Prefix, bits int, a allocation) (*allocation, error) {
	prefix, err := st.allocationPrefix(p, prefix, bits)
	if err != nil {
		return nil, err
	}
	a.id = st.newID("ipam-pool-alloc")
	a.pool, a.prefix = p.id, prefix
	st.allocs[a.id] = &a
	return &a, nil
}

// allocationPrefix checks that prefix can be allocated from a pool, or
// picks the lowest free block of netmask bits when prefix is invalid (bits
// below zero meaning the pool's default netmask). It changes nothing.
func (st *state) allocationPrefix(p *ipamPool, prefix netip.Prefix, bits int) (netip.Prefix, error) {
	if !p.usable() {
		return netip.Prefix{}, badRequest("IncorrectState", "The pool %s is in state %s", p.id, p.status.state)
	}
	if !prefix.IsValid() {
		if bits < 0 {
			bits = p.defLen
		}
		if bits < 0 {
			return netip.Prefix{}, badRequest("MissingParameter", "Either NetmaskLength or Cidr is required")
		}
		if maxBits := familyBits(p.family); bits > maxBits {
			return netip.Prefix{}, badRequest("InvalidParameterValue", "The netmask length %d is not valid for address family %s (0 to %d)", bits, p.family, maxBits)
		}
		free, ok := st.firstFree(p, bits)
		if !ok {
			return netip.Prefix{}, badRequest("InvalidParameterValue", "There is no free /%d in pool %s", bits, p.id)
		}
		prefix = free
	}
	if prefix.Addr().Is4() != (p.family == "ipv4") {
		return netip.Prefix{}, badRequest("InvalidParameterValue", "The CIDR %s is not of the pool's address family %s", prefix, p.family)
	}
	if err := p.checkRules(prefix); err != nil {
		return netip.Prefix{}, err
	}
	inside := false
	for _, c := range p.provisioned() {
		if c.Bits() <= prefix.Bits() && c.Contains(prefix.Addr()) {
			inside = true
		}
	}
	if !inside {
		return netip.Prefix{}, badRequest("InvalidParameterValue", "The CIDR %s is not within the CIDRs provisioned to pool %s", prefix, p.id)
	}
	for _, other := range st.allocationsOf(p.id) {
		if other.prefix.Overlaps(prefix) {
			return netip.Prefix{}, badRequest("InvalidParameterValue", "The CIDR %s overlaps allocation %s (%s) in pool %s", prefix, other.id, other.prefix, p.id)
		}
	}
	return prefix, nil
}

// amazonIPv6 stands in for the IPv6 space Amazon provides to public-scope
// pools whose PublicIpSource is amazon.
var amazonIPv6 = netip.MustParsePrefix("2600:1f00::/24")

// provisionCIDR provisions a CIDR, or a free block of netmask bits from
// the source pool (or from Amazon's space for an Amazon-provided top-level
// pool), to a pool. Bad parameters are refused at once; a CIDR that is not
// available, or a pool at its CIDR quota, is accepted and ends
// failed-provision with a FailureReason, as in AWS. The builder (async
// false) gets those as errors.
func (st *state) provisionCIDR(poolID, cidr string, bits int, async bool) (*poolCIDR, error) {
	p := st.pools[poolID]
	if p == nil {
		return nil, badRequest("InvalidIpamPoolId.NotFound", "The ipam pool ID '%s' does not exist", poolID)
	}
	if !p.usable() {
		return nil, badRequest("IncorrectState", "The pool %s is in state %s", p.id, p.status.state)
	}
	amazon := p.parent == "" && p.publicSource == "amazon"
	var prefix netip.Prefix
	switch {
	case cidr != "":
		var err error
		if prefix, err = parseCIDR(cidr); err != nil {
			return nil, err
		}
		if prefix.Addr().Is4() != (p.family == "ipv4") {
			return nil, badRequest("InvalidParameterValue", "The CIDR %s is not of the pool's address family %s", prefix, p.family)
		}
		if amazon {
			return nil, badRequest("InvalidParameterCombination", "Amazon chooses the CIDRs of pool %s: provision it with a NetmaskLength", p.id)
		}
	case p.parent == "" && !(amazon && p.family == "ipv6"):
		return nil, badRequest("InvalidParameterCombination", "NetmaskLength can be used only for pools with a source pool, or Amazon-provided IPv6 pools")
	case bits > familyBits(p.family):
		return nil, badRequest("InvalidParameterValue", "The netmask length %d is not valid for address family %s (0 to %d)", bits, p.family, familyBits(p.family))
	}
	for _, c := range p.cidrs {
		if prefix.IsValid() && c.prefix.Overlaps(prefix) && c.holdsSpace() {
			return nil, badRequest("InvalidParameterValue", "The CIDR %s overlaps CIDR %s of pool %s", prefix, c.prefix, p.id)
		}
	}
	if err := st.checkMutations(p, st.pools[p.parent]); err != nil {
		return nil, err
	}
	pc := &poolCIDR{id: "ipam-pool-cidr-0" + st.hexID("ipam-pool-cidr", 16), prefix: prefix, bits: bits}
	if prefix.IsValid() {
		pc.bits = prefix.Bits()
	}
	switch n := st.limits.cidrsPerPool; {
	case n > 0 && len(slices.DeleteFunc(slices.Clone(p.cidrs), func(c *poolCIDR) bool { return !c.holdsSpace() })) >= n:
		pc.failureCode, pc.failure = "limit-exceeded", fmt.Sprintf("The pool %s has reached its quota of %d CIDRs.", p.id, n)
	case p.parent != "":
		a, err := st.allocate(st.pools[p.parent], prefix, bits, allocation{resourceID: p.id, resourceType: "ipam-pool", resourceRegion: p.locale, resourceOwner: st.ipams[p.ipam].account})
		var ae *apiError
		switch {
		case errors.As(err, &ae) && ae.code == "InvalidParameterValue":
			pc.failureCode, pc.failure = "cidr-not-available", ae.message
		case err != nil:
			return nil, err
		default:
			pc.prefix = a.prefix
		}
	case amazon:
		if pc.prefix = st.amazonBlock(bits); !pc.prefix.IsValid() {
			pc.failureCode, pc.failure = "cidr-not-available", fmt.Sprintf("Amazon has no /%d of IPv6 space to provide.", bits)
		}
	default:
		if why := st.topLevelOverlap(p, prefix); why != "" {
			pc.failureCode, pc.failure = "cidr-not-available", why
		}
	}
	outcome := "provisioned"
	if pc.failureCode != "" {
		outcome = "failed-provision"
	}
	pc.status.state = outcome
	if async {
		st.begin(&pc.status, st.delays.Provision, "pending-provision", outcome, nil)
	} else if pc.failure != "" {
		return nil, badRequest("InvalidParameterValue", "%s", pc.failure)
	}
	p.cidrs = append(p.cidrs, pc)
	return pc, nil
}

// amazonBlock returns the lowest block of Amazon's IPv6 space with bits
// prefix length that no Amazon-provided pool holds, or the zero Prefix.
func (st *state) amazonBlock(bits int) netip.Prefix {
	var b netipx.IPSetBuilder
	b.AddPrefix(amazonIPv6)
	for _, q := range st.pools {
		for _, c := range q.cidrs {
			if q.parent == "" && q.publicSource == "amazon" && c.holdsSpace() && c.prefix.IsValid() {
				b.RemovePrefix(c.prefix)
			}
		}
	}
	free, _ := b.IPSet() // never fails: only prefixes were added
	return lowestFree(free, bits)
}

// topLevelOverlap says which CIDR of another top-level pool of the scope
// prefix overlaps, or "" when none does.
func (st *state) topLevelOverlap(p *ipamPool, prefix netip.Prefix) string {
	for _, id := range sortedKeys(st.pools) {
		other := st.pools[id]
		if other.scope != p.scope || other.parent != "" || other.id == p.id {
			continue
		}
		for _, c := range other.cidrs {
			if c.prefix.Overlaps(prefix) && c.holdsSpace() {
				return fmt.Sprintf("The CIDR %s overlaps CIDR %s of pool %s in the same scope.", prefix, c.prefix, other.id)
			}
		}
	}
	return ""
}

// lowestFree returns the lowest-addressed block of a set with bits prefix
// length, or the zero Prefix when none fits.
func lowestFree(set *netipx.IPSet, bits int) netip.Prefix {
	for _, r := range set.Ranges() {
		for _, f := range r.Prefixes() {
			if f.Bits() <= bits {
				return netip.PrefixFrom(f.Addr(), bits)
			}
		}
	}
	return netip.Prefix{}
}

// mutations counts the changes in flight on a pool: its own, its CIDRs',
// and its child pools' creations and provisions from it.
func (st *state) mutations(p *ipamPool) int {
	n := 0
	for _, q := range st.pools {
		if q != p && q.parent != p.id {
			continue
		}
		if q.status.busy() && (q == p || q.status.state == "create-in-progress") {
			n++
		}
		for _, c := range q.cidrs {
			if c.status.busy() && (q == p || c.status.state == "pending-provision") {
				n++
			}
		}
	}
	return n
}

// checkMutations refuses a change to pools (nil ones skipped) that have
// Options.PoolMutations changes in flight already.
func (st *state) checkMutations(pools ...*ipamPool) error {
	for _, p := range pools {
		if n := st.limits.poolMutations; p != nil && n > 0 && st.mutations(p) >= n {
			return badRequest("ConcurrentMutationLimitExceeded", "There are too many concurrent mutations for the requested resource. Try again later.")
		}
	}
	return nil
}

// allocateFor allocates cidr from a pool to a VPC with that block, or as a
// custom allocation when resourceID is empty.
func (st *state) allocateFor(poolID, cidr, resourceID string) (*allocation, error) {
	p := st.pools[poolID]
	if p == nil {
		return nil, fmt.Errorf("no pool %q", poolID)
	}
	prefix, err := parseCIDR(cidr)
	if err != nil {
		return nil, err
	}
	a := allocation{resourceType: "custom", resourceOwner: st.ipams[p.ipam].account}
	if resourceID != "" {
		v := st.vpcs[resourceID]
		if v == nil {
			return nil, fmt.Errorf("resource %q is not a VPC", resourceID)
		}
		if !slices.ContainsFunc(append(slices.Clone(v.ipv4), v.ipv6...), func(b cidrBlock) bool { return b.prefix == prefix }) {
			return nil, fmt.Errorf("VPC %s has no CIDR block %s", resourceID, prefix)
		}
		if p.locale != "" && p.locale != v.region {
			return nil, fmt.Errorf("pool %s has locale %s, VPC %s is in %s", poolID, p.locale, resourceID, v.region)
		}
		a = allocation{resourceID: v.id, resourceType: "vpc", resourceRegion: v.region, resourceOwner: v.account}
	}
	return st.allocate(p, prefix, -1, a)
}

// resourceCIDR is one entry of GetIpamResourceCidrs.
type resourceCIDR struct {
	key                                                                     string // orders entries for paging
	ipam, scope, pool, region, owner, resourceID, resourceType, vpcID, azID string
	prefix                                                                  netip.Prefix
	tags                                                                    map[string]string
	usage                                                                   float64
	hasUsage                                                                bool
	management, compliance, overlap                                         string
}

// resourceView is the resource CIDRs of a scope as of a state version.
type resourceView struct {
	version uint64
	items   []resourceCIDR
}

// resourceCIDRs returns the resource CIDRs of a scope, sorted by key,
// computing them again only after a write; the slice must not be changed.
func (st *state) resourceCIDRs(sc *ipamScope) []resourceCIDR {
	if v, ok := st.resource[sc.id]; ok && v.version == st.version {
		return v.items
	}
	items := st.computeResourceCIDRs(sc)
	st.resource[sc.id] = resourceView{version: st.version, items: items}
	return items
}

// privateRanges are the ranges whose VPC CIDRs an IPAM tracks in its private scope.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("fc00::/7"),
}

func isPrivate(p netip.Prefix) bool {
	return slices.ContainsFunc(privateRanges, func(r netip.Prefix) bool { return r.Overlaps(p) })
}

// monitors reports whether an IPAM sees an account's resources: an IPAM in
// the management account or a delegated administrator sees the whole
// organization, any other IPAM only its own account.
func (st *state) monitors(i *ipam, accountID string) bool {
	if i.account == st.mgmt || st.delegated[i.account] {
		return st.accounts[accountID] != nil
	}
	return accountID == i.account
}

// computeResourceCIDRs computes the resource CIDRs of a scope from the VPCs
// and subnets of the monitored accounts in the IPAM's operating regions.
// O(n log n) in the VPC blocks and subnets.
func (st *state) computeResourceCIDRs(sc *ipamScope) []resourceCIDR {
	i := st.ipams[sc.ipam]
	private := sc.scopeType == "private"
	managedBy := map[string]*allocation{} // vpcID/cidr -> allocation in a pool of this scope
	for _, a := range st.allocs {
		if a.resourceType == "vpc" && st.pools[a.pool] != nil && st.pools[a.pool].scope == sc.id {
			managedBy[a.resourceID+"/"+a.prefix.String()] = a
		}
	}
	var out []resourceCIDR
	var vpcBlocks []resourceCIDR
	for _, id := range sortedKeys(st.vpcs) {
		v := st.vpcs[id]
		if !st.monitors(i, v.account) || !slices.Contains(i.operating, v.region) {
			continue
		}
		for _, b := range append(slices.Clone(v.ipv4), v.ipv6...) {
			if isPrivate(b.prefix) != private {
				continue
			}
			r := resourceCIDR{
				ipam: i.id, scope: sc.id, region: v.region, owner: v.account, resourceID: v.id,
				resourceType: "vpc", vpcID: v.id, prefix: b.prefix, tags: st.tagsOf(v.id),
				management: "unmanaged", compliance: "unmanaged",
			}
			if a := managedBy[v.id+"/"+b.prefix.String()]; a != nil {
				r.pool, r.management, r.compliance = a.pool, "managed", "compliant"
				if !st.pools[a.pool].complies(b.prefix, r.tags) {
					r.compliance = "noncompliant"
				}
			}
			r.usage, r.hasUsage = st.vpcUsage(v, b.prefix), true
			vpcBlocks = append(vpcBlocks, r)
		}
	}
	markOverlaps(vpcBlocks)
	for _, r := range vpcBlocks {
		out = append(out, r)
		for _, sid := range st.vpcs[r.resourceID].subnets {
			s := st.subnets[sid]
			sub := resourceCIDR{
				ipam: i.id, scope: sc.id, region: s.region, owner: s.account, resourceID: s.id,
				resourceType: "subnet", vpcID: s.vpc, azID: azID(s.az), tags: st.tagsOf(s.id),
				management: r.management, compliance: r.compliance, overlap: r.overlap,
			}
			if s.ipv4.IsValid() && r.prefix.Contains(s.ipv4.Addr()) {
				sub.prefix = s.ipv4
				sub.usage, sub.hasUsage = float64(size4(s.ipv4)-s.available())/float64(size4(s.ipv4)), true
				out = append(out, sub)
			}
			for _, b := range s.ipv6 {
				if r.prefix.Contains(b.prefix.Addr()) {
					sub.prefix, sub.usage, sub.hasUsage = b.prefix, 0, false
					out = append(out, sub)
				}
			}
		}
	}
	for i := range out {
		out[i].key = out[i].resourceType + "/" + out[i].resourceID + "/" + addrKey(out[i].prefix)
	}
	slices.SortFunc(out, func(a, b resourceCIDR) int { return strings.Compare(a.key, b.key) })
	return out
}

// markOverlaps sets the overlap status of VPC blocks: overlapping when
// another block shares an address. It sorts the blocks' indices by first
// address and sweeps: two prefixes overlap exactly when the later-starting
// one starts inside the earlier one.
func markOverlaps(blocks []resourceCIDR) {
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
		blocks[i].overlap = "nonoverlapping"
	}
	first := func(i int) netip.Addr { return blocks[i].prefix.Addr() }
	slices.SortFunc(order, func(a, b int) int {
		if c := first(a).Compare(first(b)); c != 0 {
			return c
		}
		return blocks[a].prefix.Bits() - blocks[b].prefix.Bits()
	})
	reach := -1 // the block seen so far that reaches furthest
	for _, i := range order {
		if reach >= 0 && blocks[reach].prefix.Contains(first(i)) {
			blocks[reach].overlap, blocks[i].overlap = "overlapping", "overlapping"
			continue // i ends within reach: reach still reaches furthest
		}
		reach = i
	}
}

// vpcUsage is the share of a VPC CIDR block covered by its subnets, 0 to 1.
func (st *state) vpcUsage(v *vpc, block netip.Prefix) float64 {
	used := 0.0
	for _, id := range v.subnets {
		s := st.subnets[id]
		for _, p := range append([]netip.Prefix{s.ipv4}, prefixesOf(s.ipv6)...) {
			if p.IsValid() && block.Contains(p.Addr()) {
				used += 1 / float64(uint64(1)<<min(p.Bits()-block.Bits(), 63))
			}
		}
	}
	return used
}

func prefixesOf(bs []cidrBlock) []netip.Prefix {
	out := make([]netip.Prefix, len(bs))
	for i, b := range bs {
		out[i] = b.prefix
	}
	return out
}

// azID returns the zone ID of an availability zone name, "us-east-1a" ->
// "use1-az1".
func azID(az string) string {
	if len(az) < 2 {
		return ""
	}
	name, letter := az[:len(az)-1], az[len(az)-1]
	parts := strings.Split(name, "-")
	if len(parts) != 3 {
		return name + "-az1"
	}
	var short string
	switch parts[1] {
	case "east", "west", "north", "south", "central":
		short = parts[1][:1]
	case "northeast", "southeast", "northwest", "southwest":
		short = parts[1][:1] + parts[1][5:6]
	default:
		short = parts[1][:1]
	}
	return fmt.Sprintf("%s%s%s-az%d", parts[0], short, parts[2], letter-'a'+1)
}
