package hierarchy

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
)

// Where a node's CIDRs come from.
const (
	originExplicit = "explicit" // listed in the spec
	originKept     = "kept"     // already provisioned in the live pool
	originCarved   = "carved"   // carved from the parent by this plan
	originAmazon   = "amazon"   // Amazon-provided: chosen by AWS at apply
)

// node is one pool of the desired tree, with its CIDRs once placed.
type node struct {
	pool     *Pool
	path     string
	parent   *node
	depth    int
	family   Family
	locale   string
	strategy ipam.Strategy // for its children
	children []*node

	cidrs   []netip.Prefix // desired, ascending; a stand-in when !known
	known   bool           // false under an Amazon-provided pool not yet provisioned
	origin  string
	bad     bool // its space is undefined because of a problem: no children carved
	live    *LivePool
	adopted bool
	why     string // why it was adopted
}

func (n *node) hasSpace() bool { return !n.bad && len(n.cidrs) > 0 }

// liveIndex is the live tree looked up by path tag, ID and parent.
type liveIndex struct {
	tagKey   string
	byID     map[string]*LivePool
	byPath   map[string]*LivePool
	untagged map[string][]*LivePool // by ParentID, ascending by first CIDR then ID
	claimed  map[string]bool
}

func indexLive(l *Live, tagKey string, ps *problems) *liveIndex {
	idx := &liveIndex{
		tagKey:   tagKey,
		byID:     map[string]*LivePool{},
		byPath:   map[string]*LivePool{},
		untagged: map[string][]*LivePool{},
		claimed:  map[string]bool{},
	}
	if l == nil {
		return idx
	}
	for i := range l.Pools {
		p := &l.Pools[i]
		if p.Gone() {
			continue
		}
		idx.byID[p.ID] = p
		path, ok := p.Path(tagKey)
		if !ok {
			idx.untagged[p.ParentID] = append(idx.untagged[p.ParentID], p)
			continue
		}
		if q, dup := idx.byPath[path]; dup {
			a, b := min(p.ID, q.ID), max(p.ID, q.ID)
			ps.add(path, ErrConflict, "pools %s and %s both carry the tag %s=%q: remove the tag from the one that should not be managed", a, b, tagKey, path)
			idx.byPath[path] = idx.byID[a]
			continue
		}
		idx.byPath[path] = p
	}
	for _, c := range idx.untagged {
		slices.SortFunc(c, func(a, b *LivePool) int {
			pa, pb := a.Provisioned(), b.Provisioned()
			switch {
			case len(pa) == 0 && len(pb) > 0:
				return 1
			case len(pb) == 0 && len(pa) > 0:
				return -1
			case len(pa) > 0:
				if c := ipam.ComparePrefix(slices.MinFunc(pa, ipam.ComparePrefix), slices.MinFunc(pb, ipam.ComparePrefix)); c != 0 {
					return c
				}
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return idx
}

// builder turns a spec (and optionally the live tree) into placed nodes.
type builder struct {
	spec     Spec
	opts     Options
	idx      *liveIndex
	ps       problems
	warnings []Warning
	avoid    []netip.Prefix // disallowed plus Options.Avoid
}

// build checks the spec, matches it with live (nil for none) and carves
// every pool. It returns the top nodes and every problem found.
func build(s Spec, live *Live, o Options) ([]*node, problems, []Warning) {
	o = o.withDefaults()
	b := &builder{spec: s, opts: o}
	b.idx = indexLive(live, o.PathTagKey, &b.ps)
	b.checkSpec()
	roots := b.nodes(nil, s.Pools)
	b.place(nil, roots)
	b.walk(roots)
	if max := b.maxPools(); s.Count() > max {
		b.ps.add("", ErrQuota, "the spec has %d pools but the scope allows %d: ask for a higher \"Pools per scope\" quota in Service Quotas and set maxPools, or remove pools", s.Count(), max)
	}
	return roots, b.ps, b.warnings
}

func (b *builder) maxPools() int { return maxPoolsOf(b.spec, b.opts) }

// regions returns the IPAM's operating regions as the caller read them, or
// else as the spec lists them; nil when unknown.
func (b *builder) regions() []string {
	if len(b.opts.Regions) > 0 {
		return b.opts.Regions
	}
	return b.spec.Regions
}

func (b *builder) walk(ns []*node) {
	for _, n := range ns {
		n.children = b.nodes(n, n.pool.Pools)
		b.place(n, n.children)
		b.walk(n.children)
	}
}

func (b *builder) checkSpec() {
	s := b.spec
	switch s.Scope {
	case "", Private, Public:
	default:
		b.ps.add("", ErrInvalid, "scope %q: want private or public", s.Scope)
	}
	if _, ok := strategyOf(s.Carve); !ok {
		b.ps.add("", ErrInvalid, "carve %q: want lowest or best-fit", s.Carve)
	}
	if s.MaxPools < 0 {
		b.ps.add("", ErrInvalid, "maxPools %d: want a positive quota, or 0 for the default of %d", s.MaxPools, DefaultMaxPools)
	}
	for _, r := range s.Regions {
		if r == "" || strings.TrimSpace(r) != r {
			b.ps.add("", ErrInvalid, "regions: %q is not a region name", r)
		}
	}
	for _, d := range s.Disallowed {
		if !d.IsValid() {
			b.ps.add("", ErrInvalid, "disallowed: an invalid CIDR")
			continue
		}
		if d != d.Masked() {
			b.ps.add("", ErrInvalid, "disallowed: %v has host bits set (did you mean %v?)", d, d.Masked())
			continue
		}
		b.avoid = append(b.avoid, d)
	}
	for _, d := range b.opts.Avoid {
		if d.IsValid() {
			b.avoid = append(b.avoid, d.Masked())
		}
	}
}

func strategyOf(s string) (ipam.Strategy, bool) {
	switch s {
	case "", CarveLowest:
		return ipam.Lowest, true
	case CarveBestFit:
		return ipam.BestFit, true
	}
	return ipam.Lowest, false
}

// nodes makes and checks the nodes of one sibling group.
func (b *builder) nodes(parent *node, pools []Pool) []*node {
	seen := map[string]bool{}
	var out []*node
	for i := range pools {
		p := &pools[i]
		n := &node{pool: p, parent: parent, depth: 1, family: p.Family, locale: p.Locale}
		prefix := ""
		n.strategy, _ = strategyOf(b.spec.Carve)
		if parent != nil {
			prefix = parent.path
			n.depth = parent.depth + 1
			n.family = parent.family
			n.strategy = parent.strategy
			if n.locale == "" {
				n.locale = parent.locale
			}
		} else if n.family == "" {
			n.family = IPv4
		}
		if st, ok := strategyOf(p.Carve); ok && p.Carve != "" {
			n.strategy = st
		}
		n.path = prefix + "/" + p.Name
		if seen[p.Name] {
			b.ps.add(n.path, ErrDuplicateName, "another pool under %s has the name %q: give each sibling its own name", pathOrTop(prefix), p.Name)
			continue
		}
		seen[p.Name] = true
		if n.depth > MaxDepth {
			b.ps.add(n.path, ErrTooDeep, "the pool is at depth %d but IPAM allows %d levels: move it up the tree", n.depth, MaxDepth)
			continue
		}
		b.check(n)
		out = append(out, n)
	}
	return out
}

func pathOrTop(p string) string {
	if p == "" {
		return "the scope"
	}
	return p
}

// check reports the problems of one pool on its own and against its parent's
// rules; it marks the node bad when its space is undefined.
func (b *builder) check(n *node) {
	p, path, fam := n.pool, n.path, n.family.Bits()
	add := func(err error, format string, args ...any) { b.ps.add(path, err, format, args...) }
	top := n.parent == nil
	public := b.spec.Scope == Public

	switch {
	case p.Name == "":
		add(ErrInvalid, "a pool has no name: give it one")
	case strings.Contains(p.Name, "/"):
		add(ErrInvalid, "name %q contains \"/\", which separates a path's names: choose another name", p.Name)
	case len(path) > 256:
		add(ErrInvalid, "the path is %d characters long but a tag value holds 256: choose shorter names", len(path))
	}
	switch {
	case p.Family != "" && p.Family != IPv4 && p.Family != IPv6:
		add(ErrInvalid, "family %q: want ipv4 or ipv6", p.Family)
		n.bad = true
	case !top && p.Family != "" && p.Family != n.parent.family:
		add(ErrInvalid, "family %s differs from its parent's (%s): a child pool has its parent's family", p.Family, n.parent.family)
		n.bad = true
	}
	if _, ok := strategyOf(p.Carve); !ok {
		add(ErrInvalid, "carve %q: want lowest or best-fit", p.Carve)
	}

	// Space: CIDRs or a netmask.
	for _, c := range p.CIDRs {
		switch {
		case !c.IsValid():
			add(ErrInvalid, "an invalid CIDR")
			n.bad = true
		case c.Addr().BitLen() != fam:
			add(ErrInvalid, "CIDR %v is not %s like the pool", c, n.family)
			n.bad = true
		case c != c.Masked():
			add(ErrInvalid, "CIDR %v has host bits set (did you mean %v?)", c, c.Masked())
			n.bad = true
		}
	}
	if !n.bad {
		for _, o := range ipam.Overlaps(p.CIDRs) {
			add(ErrOverlap, "its CIDRs %v and %v overlap: list each address once", o.A, o.B)
			n.bad = true
		}
	}
	switch {
	case p.Netmask < 0 || p.Netmask > fam:
		add(ErrNetmask, "netmask %d: want a length from 1 to %d for %s", p.Netmask, fam, n.family)
		n.bad = true
	case len(p.CIDRs) > 0 && p.Netmask != 0:
		add(ErrInvalid, "both cidrs and netmask are given: give cidrs to fix the space, or a netmask to carve it")
		n.bad = true
	case len(p.CIDRs) == 0 && p.Netmask == 0:
		if top {
			add(ErrInvalid, "a top pool needs its cidrs (or, Amazon-provided, a netmask)")
		} else {
			add(ErrInvalid, "no space: give cidrs, or a netmask to carve from %s", n.parent.path)
		}
		n.bad = true
	case top && p.Netmask != 0 && p.PublicIPSource != SourceAmazon:
		add(ErrInvalid, "a top pool has no parent to carve netmask /%d from: give its cidrs", p.Netmask)
		n.bad = true
	}
	// Allocation rules, own and the parent's.
	a := p.Allocation
	lens := []struct {
		name string
		v    int
	}{{"minNetmask", a.MinNetmask}, {"maxNetmask", a.MaxNetmask}, {"defaultNetmask", a.DefaultNetmask}}
	rangeOK := true
	for _, l := range lens {
		if l.v < 0 || l.v > fam {
			add(ErrNetmask, "allocation %s %d: want a length from 0 to %d for %s", l.name, l.v, fam, n.family)
			rangeOK = false
		}
	}
	if rangeOK {
		if a.MinNetmask > 0 && a.MaxNetmask > 0 && a.MaxNetmask <= a.MinNetmask {
			add(ErrNetmask, "allocation maxNetmask /%d must be longer than minNetmask /%d (IPAM's rule)", a.MaxNetmask, a.MinNetmask)
		}
		if d := a.DefaultNetmask; d > 0 && ((a.MinNetmask > 0 && d < a.MinNetmask) || (a.MaxNetmask > 0 && d > a.MaxNetmask)) {
			add(ErrNetmask, "allocation defaultNetmask /%d is outside minNetmask /%d and maxNetmask /%d", d, a.MinNetmask, a.MaxNetmask)
		}
		if own := ownBits(p); own > 0 {
			if a.DefaultNetmask > 0 && a.DefaultNetmask < own {
				add(ErrNetmask, "allocation defaultNetmask /%d is larger than the pool itself (/%d): no default allocation could fit", a.DefaultNetmask, own)
			}
			if a.MaxNetmask > 0 && a.MaxNetmask < own {
				add(ErrNetmask, "allocation maxNetmask /%d is larger than the pool itself (/%d): no allocation could comply", a.MaxNetmask, own)
			}
		}
	}
	if !top {
		pa := n.parent.pool.Allocation
		for _, bits := range childBits(p) {
			if (pa.MinNetmask > 0 && bits < pa.MinNetmask) || (pa.MaxNetmask > 0 && bits > pa.MaxNetmask) {
				add(ErrNetmask, "a /%d contradicts the allocation rules of %s (minNetmask %s, maxNetmask %s): change the netmask or the rules", bits, n.parent.path, lenOrNone(pa.MinNetmask), lenOrNone(pa.MaxNetmask))
				break
			}
		}
	}
	b.checkTags(path, "tag", p.Tags, true)
	b.checkTags(path, "allocation tag", a.Tags, false)

	// Locale.
	switch {
	case !top && p.Locale != "" && n.parent.locale != "" && p.Locale != n.parent.locale:
		add(ErrLocale, "locale %s differs from its parent's (%s): a pool in a regional pool stays in that region; drop the locale or move the pool", p.Locale, n.parent.locale)
	case p.Locale != "" && len(b.regions()) > 0 && !slices.Contains(b.regions(), p.Locale):
		add(ErrLocale, "locale %q is not an operating region of the IPAM (%s): add the region to the IPAM or fix the locale", p.Locale, strings.Join(b.regions(), ", "))
	}
	if p.AutoImport && n.locale == "" {
		add(ErrInvalid, "autoImport needs a locale: set the pool's region")
	}

	// Public scope and IPv6 rules.
	switch {
	case p.PublicIPSource != "" && p.PublicIPSource != SourceAmazon && p.PublicIPSource != SourceBYOIP:
		add(ErrPublicScope, "publicIpSource %q: want amazon or byoip", p.PublicIPSource)
	case p.PublicIPSource != "" && !public:
		add(ErrPublicScope, "publicIpSource is for public-scope pools only: drop it or set scope: public")
	case p.PublicIPSource != "" && !top:
		add(ErrPublicScope, "publicIpSource is set on top pools only; %s gets its space from %s", path, n.parent.path)
	case public && top && p.PublicIPSource == "":
		add(ErrPublicScope, "a public-scope top pool needs publicIpSource: amazon (AWS provides the space) or byoip (your own)")
	case p.PublicIPSource == SourceAmazon:
		if n.locale == "" {
			add(ErrPublicScope, "Amazon-provided space is provisioned only to a pool with a locale: set the pool's region")
		}
		if len(p.CIDRs) > 0 {
			add(ErrPublicScope, "AWS chooses Amazon-provided CIDRs: give a netmask instead of cidrs")
			n.bad = true
		}
	case p.PublicIPSource == SourceBYOIP && top && len(p.CIDRs) == 0:
		add(ErrPublicScope, "a BYOIP top pool is provisioned with its own CIDRs, never a netmask: list them in cidrs")
	}
	if p.PubliclyAdvertisable && (n.family != IPv6 || !public) {
		add(ErrPublicScope, "publiclyAdvertisable is for public-scope IPv6 pools only")
	}
}

func ownBits(p *Pool) int {
	if p.Netmask > 0 {
		return p.Netmask
	}
	own := 0
	for _, c := range p.CIDRs {
		if own == 0 || c.Bits() < own {
			own = c.Bits()
		}
	}
	return own
}

func childBits(p *Pool) []int {
	if p.Netmask > 0 {
		return []int{p.Netmask}
	}
	var out []int
	for _, c := range p.CIDRs {
		out = append(out, c.Bits())
	}
	return out
}

func lenOrNone(n int) string {
	if n == 0 {
		return "none"
	}
	return fmt.Sprintf("/%d", n)
}

func (b *builder) checkTags(path, what string, tags map[string]string, own bool) {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		switch {
		case k == "":
			b.ps.add(path, ErrInvalid, "%s with an empty key", what)
		case len([]rune(k)) > 127:
			b.ps.add(path, ErrInvalid, "%s key %q is longer than 127 characters", what, k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			b.ps.add(path, ErrInvalid, "%s key %q: keys starting with aws: are reserved by AWS", what, k)
		case own && k == b.opts.PathTagKey:
			b.ps.add(path, ErrInvalid, "tag %q is the path tag that the plan sets itself: remove it from the spec", k)
		}
		if len([]rune(v)) > 256 {
			b.ps.add(path, ErrInvalid, "%s %q: value longer than 256 characters", what, k)
		}
	}
}

// place matches a sibling group with live pools and gives each its CIDRs:
// explicit ones, the ones live pools already hold, then carved ones.
func (b *builder) place(parent *node, group []*node) {
	if parent != nil && !parent.hasSpace() {
		return
	}
	b.match(parent, group)

	// Fixed space first: explicit CIDRs and CIDRs live pools hold.
	var fixed []netip.Prefix
	var owner []*node
	for _, n := range group {
		if n.bad {
			continue
		}
		p := n.pool
		switch {
		case len(p.CIDRs) > 0:
			n.cidrs = sortedCopy(p.CIDRs)
			n.origin, n.known = originExplicit, true
			if parent != nil && !parent.known {
				b.ps.add(n.path, ErrPublicScope, "%s gets its CIDR from AWS at apply, so its children cannot list CIDRs: give a netmask", parent.path)
				n.bad = true
				continue
			}
			if n.live != nil && !b.canReprovision(n) {
				continue
			}
		case n.live != nil && len(n.live.Provisioned()) > 0:
			n.cidrs = sortedCopy(n.live.Provisioned())
			n.origin, n.known = originKept, true
			for _, c := range n.cidrs {
				if c.Bits() != p.Netmask {
					b.warn(n.path, "keeps %v although the spec asks for a /%d: IPAM cannot move or resize a pool's CIDR; write cidrs: [%s] (plus any space to add) instead of the netmask, or replace the pool by hand", c, p.Netmask, joinPrefixes(n.cidrs))
					break
				}
			}
		case p.PublicIPSource == SourceAmazon && parent == nil:
			n.cidrs = []netip.Prefix{netip.PrefixFrom(zeroAddr(n.family), p.Netmask)}
			n.origin, n.known = originAmazon, false
			continue
		default:
			continue
		}
		for _, c := range n.cidrs {
			fixed = append(fixed, c)
			owner = append(owner, n)
		}
		if parent != nil && n.origin == originExplicit {
			for _, c := range n.cidrs {
				if !insideAny(c, parent.cidrs) {
					b.ps.add(n.path, ErrOutsideParent, "%v is not inside %s (%s): choose a CIDR inside the parent or grow the parent", c, parent.path, joinPrefixes(parent.cidrs))
					n.bad = true
				}
			}
		}
		if parent != nil && n.origin == originExplicit && len(b.avoid) > 0 {
			for _, c := range n.cidrs {
				for _, d := range b.avoid {
					if c.Overlaps(d) && !(c.Bits() < d.Bits()) {
						b.ps.add(n.path, ErrOverlap, "%v overlaps %v, space the spec disallows or the caller asked to avoid: choose another CIDR", c, d)
						n.bad = true
					}
				}
			}
		}
	}
	for _, o := range ipam.Overlaps(fixed) {
		a, c := owner[o.I], owner[o.J]
		if a == c {
			continue // reported by check
		}
		b.ps.add(c.path, ErrOverlap, "%v overlaps %v of its sibling %s: give siblings disjoint CIDRs", o.B, o.A, a.path)
		c.bad = true
	}
	if parent == nil {
		b.checkOtherTops(group)
		return
	}

	// Space the parent has already handed out to others.
	var allocated []netip.Prefix
	if parent.live != nil {
		mine := map[string]bool{}
		for _, n := range group {
			if n.live != nil {
				mine[n.live.ID] = true
			}
		}
		for _, a := range parent.live.Allocations {
			if !a.CIDR.IsValid() || a.CIDR.Addr().BitLen() != parent.family.Bits() {
				continue
			}
			allocated = append(allocated, a.CIDR.Masked())
			if a.ResourceType == ResourceTypePool && mine[a.ResourceID] {
				continue
			}
			for _, n := range group {
				if n.origin != originExplicit || n.bad {
					continue
				}
				for _, c := range n.cidrs {
					if c.Overlaps(a.CIDR) {
						b.ps.add(n.path, ErrOverlap, "%v overlaps %v, which %s has already allocated to %s %s: choose another CIDR", c, a.CIDR, parent.path, cmp.Or(a.ResourceType, "an allocation"), a.ResourceID)
						n.bad = true
					}
				}
			}
		}
	}

	// Carve the rest, in spec order.
	used := slices.Concat(fixed, allocated, b.avoidFor(parent.family))
	if !parent.known {
		used = fixed // the stand-in for space AWS picks overlaps nothing real
	}
	var unplaced, carved []*node
	for _, n := range group {
		if n.bad || n.origin != "" {
			continue
		}
		bits := n.pool.Netmask
		if bits < ownMinBits(parent.cidrs) {
			b.ps.add(n.path, ErrNetmask, "a /%d is larger than its parent %s (%s): give it a netmask of at least /%d", bits, parent.path, joinPrefixes(parent.cidrs), ownMinBits(parent.cidrs))
			n.bad = true
			continue
		}
		carved = append(carved, n)
		sp, err := ipam.NewSpace(parent.cidrs, used)
		if err == nil {
			var got []netip.Prefix
			if got, err = sp.Allocate(bits, 1, parent.strategy); err == nil {
				n.cidrs, n.origin, n.known = got, originCarved, parent.known
				used = append(used, got...)
				continue
			}
		}
		unplaced = append(unplaced, n)
		n.bad = true
	}
	if len(unplaced) > 0 {
		b.reportNoFit(parent, carved, unplaced, slices.Concat(fixed, allocated, b.avoidFor(parent.family)))
	}
}

// checkOtherTops reports explicit top CIDRs that overlap a top pool of the
// scope that the spec does not keep: pools in one scope cannot overlap
// (overlapping networks take separate scopes), so provisioning would fail.
func (b *builder) checkOtherTops(group []*node) {
	for _, lp := range b.idx.untagged[""] {
		b.checkTopAgainst(group, lp)
	}
	for _, lp := range b.idx.byPath {
		if lp.ParentID == "" {
			b.checkTopAgainst(group, lp)
		}
	}
}

func (b *builder) checkTopAgainst(group []*node, lp *LivePool) {
	if b.idx.claimed[lp.ID] {
		return
	}
	for _, n := range group {
		if n.bad || n.origin != originExplicit || n.live != nil {
			continue
		}
		for _, c := range n.cidrs {
			for _, h := range lp.Provisioned() {
				if c.Overlaps(h) {
					b.ps.add(n.path, ErrOverlap, "%v overlaps %v of pool %s, which the scope already has: pools in one scope cannot overlap; adopt or remove that pool, or use another scope", c, h, lp.ID)
					n.bad = true
				}
			}
		}
	}
}

// canReprovision reports whether the new explicit CIDRs of a live pool can be
// provisioned next to the ones it holds: a pool cannot hold overlapping
// CIDRs, so growing 10.0.0.0/17 into 10.0.0.0/16 means adding 10.0.128.0/17.
func (b *builder) canReprovision(n *node) bool {
	have := n.live.Provisioned()
	ok := true
	for _, c := range n.cidrs {
		if slices.Contains(have, c) {
			continue
		}
		for _, h := range have {
			if slices.Contains(n.cidrs, h) || !c.Overlaps(h) {
				continue
			}
			msg := fmt.Sprintf("%v overlaps %v, which the pool holds and the spec no longer lists: a pool's CIDRs cannot overlap, so", c, h)
			if rest, err := ipam.Free([]netip.Prefix{c}, []netip.Prefix{h}); err == nil && c.Bits() < h.Bits() {
				b.ps.add(n.path, ErrOverlap, "%s to grow it list %s next to %v", msg, joinPrefixes(rest), h)
			} else {
				b.ps.add(n.path, ErrOverlap, "%s deprovision %v first (a separate plan) or keep it", msg, h)
			}
			n.bad, ok = true, false
		}
	}
	return ok
}

func (b *builder) warn(path, format string, args ...any) {
	b.warnings = append(b.warnings, Warning{Path: path, Msg: fmt.Sprintf(format, args...)})
}

// reportNoFit says, for each child that found no room, how much space its
// parent misses and how large the parent would have to be.
func (b *builder) reportNoFit(parent *node, carved, unplaced []*node, taken []netip.Prefix) {
	sp, _ := ipam.NewSpace(parent.cidrs, taken)
	free := sp.Usage().Free
	var need, missing ipam.Count
	for _, n := range carved {
		need = need.Add(sizeOf(n.family, n.pool.Netmask))
	}
	for _, n := range unplaced {
		missing = missing.Add(sizeOf(n.family, n.pool.Netmask))
	}
	// Everything the parent must hold: what is taken already (siblings'
	// fixed CIDRs, allocations, disallowed space) and what is carved.
	u := sp.Usage()
	all := u.Total.Sub(u.Free).Add(need)
	fam := parent.family.Bits()
	grow := fam
	for grow > 0 && sizeOf(parent.family, grow).Compare(all) < 0 {
		grow--
	}
	where := fmt.Sprintf("%s (%s)", parent.path, joinPrefixes(parent.cidrs))
	if !parent.known {
		where = fmt.Sprintf("%s (an Amazon-provided /%d)", parent.path, parent.pool.Netmask)
	}
	for _, n := range unplaced {
		if n.why != "" {
			defer b.ps.add(n.path, ErrNoFit, "not adopted: %s", n.why)
		}
		if need.Compare(free) > 0 {
			b.ps.add(n.path, ErrNoFit, "no room for a /%d in %s: its carved children need %v addresses but %v are free, %v missing; make the parent a /%d or larger, or give it fewer or smaller children", n.pool.Netmask, where, need, free, missing, grow)
		} else {
			b.ps.add(n.path, ErrNoFit, "no room for a /%d in %s: %v addresses are free but no aligned /%d block is left; order the children largest first, use carve: best-fit, or make the parent a /%d or larger", n.pool.Netmask, where, free, n.pool.Netmask, grow)
		}
	}
}

// match finds, for each pool of the group, the live pool that carries its
// path tag, or else an untagged one to adopt.
func (b *builder) match(parent *node, group []*node) {
	idx := b.idx
	wantParent := ""
	if parent != nil {
		if parent.live == nil {
			// A new parent has no live children; a pool that carries one
			// of their paths sits elsewhere.
			for _, n := range group {
				if lp := idx.byPath[n.path]; lp != nil && !n.bad {
					b.ps.add(n.path, ErrConflict, "pool %s carries this path but sits under %s, while %s has no pool yet: IPAM cannot move a pool; retag or delete it by hand", lp.ID, cmp.Or(lp.ParentID, "no parent"), parent.path)
					idx.claimed[lp.ID] = true
					n.bad = true
				}
			}
			return
		}
		wantParent = parent.live.ID
	}
	for _, n := range group {
		lp := idx.byPath[n.path]
		if lp == nil || n.bad {
			continue
		}
		switch {
		case lp.ParentID != wantParent:
			b.ps.add(n.path, ErrConflict, "pool %s carries this path but its parent is %s, not %s: IPAM cannot move a pool; retag or delete it by hand", lp.ID, cmp.Or(lp.ParentID, "none"), cmp.Or(wantParent, "none"))
		case lp.Family != n.family:
			b.ps.add(n.path, ErrConflict, "pool %s is %s but the spec says %s: IPAM cannot change a pool's family", lp.ID, lp.Family, n.family)
		case lp.Locale != n.locale:
			b.ps.add(n.path, ErrConflict, "pool %s has locale %s but the spec says %s: IPAM cannot change a pool's locale; change the spec or replace the pool by hand", lp.ID, cmp.Or(lp.Locale, "none"), cmp.Or(n.locale, "none"))
		default:
			n.live = lp
			idx.claimed[lp.ID] = true
			continue
		}
		n.bad = true
		idx.claimed[lp.ID] = true
	}
	for _, n := range group {
		if n.live != nil || n.bad {
			continue
		}
		for _, lp := range idx.untagged[wantParent] {
			if idx.claimed[lp.ID] || !b.adoptable(n, lp) {
				continue
			}
			n.live, n.adopted = lp, true
			idx.claimed[lp.ID] = true
			n.why = adoptReason(n, lp)
			break
		}
	}
	// Say why the untagged pools left under a live parent were not adopted,
	// so a near miss (a locale or tag edited by hand) is not a mystery.
	if parent == nil {
		return
	}
	for _, n := range group {
		if n.live != nil || n.bad {
			continue
		}
		for _, lp := range idx.untagged[wantParent] {
			if !idx.claimed[lp.ID] && lp.Family == n.family {
				n.why = nearMiss(n, lp)
				break
			}
		}
	}
}

// nearMiss says how an untagged live pool differs from the spec's pool n.
func nearMiss(n *node, lp *LivePool) string {
	p := n.pool
	var diffs []string
	if lp.Locale != n.locale {
		diffs = append(diffs, fmt.Sprintf("locale %s, not %s", cmp.Or(lp.Locale, "none"), cmp.Or(n.locale, "none")))
	}
	if !maps.Equal(lp.Allocation.Tags, p.Allocation.Tags) {
		diffs = append(diffs, fmt.Sprintf("allocation tags %s, not %s", cmp.Or(formatTags(lp.Allocation.Tags), "none"), cmp.Or(formatTags(p.Allocation.Tags), "none")))
	}
	have := sortedCopy(lp.Provisioned())
	switch {
	case len(p.CIDRs) > 0 && len(have) == 0:
		diffs = append(diffs, "no CIDRs, not "+joinPrefixes(sortedCopy(p.CIDRs)))
	case len(p.CIDRs) > 0:
		for _, c := range have {
			if !slices.Contains(p.CIDRs, c) {
				diffs = append(diffs, fmt.Sprintf("CIDR %v, which the spec does not list", c))
				break
			}
		}
	default:
		for _, c := range have {
			if c.Bits() != p.Netmask {
				diffs = append(diffs, fmt.Sprintf("CIDR %v, not a /%d", c, p.Netmask))
				break
			}
		}
	}
	if len(diffs) == 0 {
		return ""
	}
	return fmt.Sprintf("untagged pool %s under the same parent differs: %s", lp.ID, strings.Join(diffs, "; "))
}

// adoptable reports whether an untagged live pool is the spec's pool n: same
// parent (checked by the caller), family, locale and allocation tags, and
// CIDRs that are the spec's (explicit) or of its netmask (carved).
func (b *builder) adoptable(n *node, lp *LivePool) bool {
	p := n.pool
	if lp.Family != n.family || lp.Locale != n.locale || !maps.Equal(lp.Allocation.Tags, p.Allocation.Tags) {
		return false
	}
	if n.parent == nil && lp.PublicIPSource != p.PublicIPSource {
		return false
	}
	have := lp.Provisioned()
	if len(p.CIDRs) > 0 {
		if len(have) == 0 {
			return false
		}
		for _, c := range have {
			if !slices.Contains(p.CIDRs, c) {
				return false
			}
		}
		return true
	}
	for _, c := range have {
		if c.Bits() != p.Netmask {
			return false
		}
	}
	return true
}

func adoptReason(n *node, lp *LivePool) string {
	var parts []string
	if n.parent == nil {
		parts = append(parts, "no parent")
	} else {
		parts = append(parts, "parent "+n.parent.path)
	}
	parts = append(parts, "locale "+cmp.Or(lp.Locale, "none"))
	if have := lp.Provisioned(); len(have) > 0 {
		parts = append(parts, "CIDR "+joinPrefixes(sortedCopy(have)))
	}
	if len(lp.Allocation.Tags) > 0 {
		parts = append(parts, "allocation tags "+formatTags(lp.Allocation.Tags))
	}
	return fmt.Sprintf("untagged pool %s matches by %s", lp.ID, strings.Join(parts, ", "))
}

func (b *builder) avoidFor(f Family) []netip.Prefix {
	var out []netip.Prefix
	for _, d := range b.avoid {
		if d.Addr().BitLen() == f.Bits() {
			out = append(out, d)
		}
	}
	return out
}

func sizeOf(f Family, bits int) ipam.Count {
	return ipam.Size(netip.PrefixFrom(zeroAddr(f), bits))
}

func zeroAddr(f Family) netip.Addr {
	if f == IPv6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

func ownMinBits(ps []netip.Prefix) int {
	m := 128
	for _, p := range ps {
		m = min(m, p.Bits())
	}
	return m
}

func insideAny(c netip.Prefix, in []netip.Prefix) bool {
	for _, p := range in {
		if p.Bits() <= c.Bits() && p.Contains(c.Addr()) {
			return true
		}
	}
	return false
}

func sortedCopy(ps []netip.Prefix) []netip.Prefix {
	out := slices.Clone(ps)
	slices.SortFunc(out, ipam.ComparePrefix)
	return out
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// formatTags writes tags as k=v, sorted by key, comma-separated.
func formatTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return strings.Join(parts, ", ")
}
