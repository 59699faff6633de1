package hierarchy

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
)

// checkSpec reports the problems of the spec's own fields.
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
	a := n.alloc
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
		pa := n.parent.alloc
		for _, bits := range childBits(p) {
			if (pa.MinNetmask > 0 && bits < pa.MinNetmask) || (pa.MaxNetmask > 0 && bits > pa.MaxNetmask) {
				add(ErrNetmask, "a /%d contradicts the allocation rules of %s (minNetmask %s, maxNetmask %s): change the netmask or the rules", bits, n.parent.path, lenOrNone(pa.MinNetmask), lenOrNone(pa.MaxNetmask))
				break
			}
		}
	}
	for _, f := range p.Clear {
		var set string
		switch f {
		case FieldDescription:
			set = p.Description
		case FieldAutoImport:
			if p.AutoImport {
				set = "true"
			}
		case FieldMinNetmask, FieldMaxNetmask, FieldDefaultNetmask:
			if v := map[Field]int{FieldMinNetmask: p.Allocation.MinNetmask, FieldMaxNetmask: p.Allocation.MaxNetmask, FieldDefaultNetmask: p.Allocation.DefaultNetmask}[f]; v != 0 {
				set = "/" + strconv.Itoa(v)
			}
		default:
			names := make([]string, len(fields))
			for i, f := range fields {
				names[i] = string(f)
			}
			add(ErrInvalid, "clear %q: want one of %s", f, strings.Join(names, ", "))
			continue
		}
		if set != "" {
			add(ErrInvalid, "clear lists %s, which the spec also sets (%s): keep one", f, set)
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
