package hierarchy

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
)

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
