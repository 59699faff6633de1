package hierarchy

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
)

// applySim runs a change set against a Live value the way IPAM would, with
// every state reached at once: the pure stand-in for Apply that the tests
// and fuzz targets use to prove that a re-plan after apply is empty. It
// fails the test where IPAM would refuse an operation.
func applySim(t testing.TB, live Live, cs ChangeSet) Live {
	t.Helper()
	out := Live{Pools: make([]LivePool, len(live.Pools))}
	for i, p := range live.Pools {
		p.Tags = maps.Clone(p.Tags)
		p.CIDRs = slices.Clone(p.CIDRs)
		p.Allocations = slices.Clone(p.Allocations)
		out.Pools[i] = p
	}
	find := func(id string) *LivePool {
		for i := range out.Pools {
			if out.Pools[i].ID == id {
				return &out.Pools[i]
			}
		}
		return nil
	}
	ids := map[string]string{} // path -> ID of pools created here
	poolOf := func(op Op) *LivePool {
		id := op.PoolID
		if id == "" {
			id = ids[op.Path]
		}
		p := find(id)
		if p == nil {
			t.Fatalf("%s %s: no pool %q", op.Kind, op.Path, id)
		}
		return p
	}
	next := len(live.Pools)
	for _, op := range cs.Ops {
		switch op.Kind {
		case KindCreatePool:
			parent := op.ParentID
			if parent == "" && op.ParentPath != "" {
				parent = ids[op.ParentPath]
				if parent == "" {
					t.Fatalf("create %s: parent %s not created before it", op.Path, op.ParentPath)
				}
			}
			next++
			id := fmt.Sprintf("ipam-pool-%05d", next)
			ids[op.Path] = id
			c := op.Config
			a := c.Allocation
			a.Tags = maps.Clone(a.Tags)
			out.Pools = append(out.Pools, LivePool{
				ID: id, ParentID: parent, Family: c.Family, Locale: c.Locale, Description: c.Description,
				Tags: maps.Clone(c.Tags), Allocation: readBack(a, c.Family), AutoImport: c.AutoImport, PublicIPSource: c.PublicIPSource,
				PubliclyAdvertisable: c.PubliclyAdvertisable, State: "create-complete",
			})
		case KindAdoptPool, KindModifyPool:
			p := poolOf(op)
			c := op.Config
			if p.Tags == nil {
				p.Tags = map[string]string{}
			}
			maps.Copy(p.Tags, c.Tags)
			p.Description, p.AutoImport = c.Description, c.AutoImport
			p.Allocation = readBack(c.Allocation, c.Family)
			p.Allocation.Tags = maps.Clone(c.Allocation.Tags)
		case KindProvisionCIDR:
			p := poolOf(op)
			cidr := op.CIDR
			var parent *LivePool
			if p.ParentID != "" {
				parent = find(p.ParentID)
			}
			if !cidr.IsValid() {
				if parent == nil { // Amazon-provided top pool
					cidr = netip.PrefixFrom(netip.MustParseAddr("2600:1f00::"), op.Netmask)
				} else {
					var used []netip.Prefix
					for _, a := range parent.Allocations {
						used = append(used, a.CIDR)
					}
					sp, err := ipam.NewSpace(parent.Provisioned(), used)
					if err != nil {
						t.Fatalf("provision /%d to %s: %v", op.Netmask, op.Path, err)
					}
					got, err := sp.Next(op.Netmask, 1)
					if err != nil {
						t.Fatalf("provision /%d to %s: %v", op.Netmask, op.Path, err)
					}
					cidr = got[0]
				}
			}
			if parent != nil {
				if !insideAny(cidr, parent.Provisioned()) {
					t.Fatalf("provision %v to %s: outside its parent %v", cidr, op.Path, parent.Provisioned())
				}
				// The pool's own allocation of the same CIDR may linger after a
				// deprovision (IPAM releases allocations late): Apply waits for
				// it; here it is simply reused.
				parent.Allocations = slices.DeleteFunc(parent.Allocations, func(a LiveAllocation) bool {
					return a.ResourceType == ResourceTypePool && a.ResourceID == p.ID && a.CIDR == cidr
				})
				for _, a := range parent.Allocations {
					if a.CIDR.Overlaps(cidr) {
						t.Fatalf("provision %v to %s: overlaps allocation %v in the parent", cidr, op.Path, a)
					}
				}
				parent.Allocations = append(parent.Allocations, LiveAllocation{CIDR: cidr, ResourceType: ResourceTypePool, ResourceID: p.ID})
			}
			p.CIDRs = append(p.CIDRs, LiveCIDR{CIDR: cidr, State: "provisioned"})
		case KindDeprovisionCIDR:
			p := poolOf(op)
			for _, a := range p.Allocations {
				if a.CIDR.Overlaps(op.CIDR) {
					t.Fatalf("deprovision %v from %s: allocation %v inside", op.CIDR, op.Path, a)
				}
			}
			p.CIDRs = slices.DeleteFunc(p.CIDRs, func(c LiveCIDR) bool { return c.CIDR == op.CIDR })
			if parent := find(p.ParentID); parent != nil {
				parent.Allocations = slices.DeleteFunc(parent.Allocations, func(a LiveAllocation) bool {
					return a.ResourceID == p.ID && a.CIDR == op.CIDR
				})
			}
		case KindDeletePool:
			p := poolOf(op)
			if len(p.CIDRs) > 0 || len(p.Allocations) > 0 {
				t.Fatalf("delete %s: still has CIDRs %v or allocations %v", op.Path, p.CIDRs, p.Allocations)
			}
			id := p.ID
			out.Pools = slices.DeleteFunc(out.Pools, func(q LivePool) bool { return q.ID == id })
		default:
			t.Fatalf("unknown op kind %q", op.Kind)
		}
	}
	return out
}

// untag returns live with the path tag removed from every pool: the tree as
// a tool that does not tag (the Control Tower sample) leaves it.
func untag(live Live) Live {
	out := Live{Pools: slices.Clone(live.Pools)}
	for i := range out.Pools {
		tags := maps.Clone(out.Pools[i].Tags)
		delete(tags, DefaultPathTagKey)
		if len(tags) == 0 {
			tags = nil
		}
		out.Pools[i].Tags = tags
	}
	return out
}

// cidrsByPath maps each planned pool's path to its CIDRs, written out;
// pools whose CIDRs AWS chooses at apply are left out.
func cidrsByPath(cs ChangeSet) map[string][]string {
	m := map[string][]string{}
	for _, p := range cs.Pools {
		if p.Netmask != 0 {
			continue
		}
		var s []string
		for _, c := range p.CIDRs {
			s = append(s, c.String())
		}
		m[p.Path] = s
	}
	return m
}

// readBack is a pool's allocation rules as Read reads them back: a maximum
// netmask as long as the family's addresses is no maximum.
func readBack(a Allocation, f Family) Allocation {
	if a.MaxNetmask == cmp.Or(f, IPv4).Bits() {
		a.MaxNetmask = 0
	}
	return a
}
