package hierarchy

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
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
	place    string // "/0/1": its index among its siblings, and its parent's; for a parsed spec only
	parent   *node
	depth    int
	family   Family
	locale   string
	strategy ipam.Strategy // for its children
	children []*node
	// alloc is the pool's allocation rules as IPAM keeps them: a maximum
	// netmask as long as the family's addresses (/32, /128) is no maximum,
	// which is how Read reads it back.
	alloc Allocation

	cidrs   []netip.Prefix // desired, ascending; a stand-in when !known
	known   bool           // false under an Amazon-provided pool not yet provisioned
	origin  string
	bad     bool // its space is undefined because of a problem: no children carved
	live    *LivePool
	adopted bool
	why     string // why it was adopted
}

func (n *node) hasSpace() bool { return !n.bad && len(n.cidrs) > 0 }

// builder turns a spec (and optionally the live tree) into placed nodes.
type builder struct {
	spec     Spec
	opts     Options
	idx      *liveIndex
	ps       problems
	warnings []Warning
	avoid    []netip.Prefix // disallowed plus Options.Avoid
	lines    map[string]int // the YAML line of each path, when known
}

// build checks the spec, matches it with live (nil for none) and carves
// every pool. It returns the top nodes and every problem found.
func build(s Spec, live *Live, o Options) ([]*node, problems, []Warning) {
	o = o.withDefaults()
	b := &builder{spec: s, opts: o, lines: map[string]int{}}
	b.idx = indexLive(live, o.PathTagKey, &b.ps)
	b.checkSpec()
	roots := b.nodes(nil, s.Pools)
	b.place(nil, roots)
	b.walk(roots)
	if max := b.maxPools(); s.Count() > max {
		b.ps.add("", ErrQuota, "the spec has %d pools but the scope allows %d: ask for a higher \"Pools per scope\" quota in Service Quotas and set maxPools, or remove pools", s.Count(), max)
	}
	for i := range b.ps {
		if p := &b.ps[i]; p.Line == 0 && p.Path != "" {
			p.Line = b.lines[p.Path]
		}
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

// nodes makes and checks the nodes of one sibling group.
func (b *builder) nodes(parent *node, pools []Pool) []*node {
	seen := map[string]bool{}
	var out []*node
	for i := range pools {
		p := &pools[i]
		n := &node{pool: p, parent: parent, depth: 1, family: p.Family, locale: p.Locale}
		prefix, place := "", ""
		n.strategy, _ = strategyOf(b.spec.Carve)
		if parent != nil {
			prefix, place = parent.path, parent.place
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
		line := 0
		if b.spec.lines != nil { // a spec from ParseSpec
			n.place = place + "/" + strconv.Itoa(i)
			if pl, ok := b.spec.lines[n.place]; ok && pl.name == p.Name {
				line = pl.line
			}
		}
		n.alloc = p.Allocation
		if n.alloc.MaxNetmask == n.family.Bits() {
			n.alloc.MaxNetmask = 0
		}
		if seen[p.Name] {
			b.ps.add(n.path, ErrDuplicateName, "another pool under %s has the name %q: give each sibling its own name", pathOrTop(prefix), p.Name)
			b.ps[len(b.ps)-1].Line = line
			continue
		}
		seen[p.Name] = true
		if line > 0 {
			b.lines[n.path] = line
		}
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
