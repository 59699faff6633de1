package hierarchy

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

var sentinels = []error{ErrSyntax, ErrInvalid, ErrDuplicateName, ErrTooDeep, ErrNoFit, ErrOverlap,
	ErrOutsideParent, ErrNetmask, ErrLocale, ErrPublicScope, ErrQuota, ErrConflict}

// checkProblems fails unless err is nil or a *ValidationError whose every
// problem has a message and wraps one of the package's sentinels.
func checkProblems(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		t.Fatalf("error %v is not a *ValidationError with problems", err)
	}
	for _, p := range ve.Problems {
		known := false
		for _, s := range sentinels {
			known = known || errors.Is(p, s)
		}
		if p.Msg == "" || !known {
			t.Fatalf("problem %+v has no message or no sentinel", p)
		}
	}
	_ = err.Error()
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(controlTowerYAML))
	f.Add([]byte("pools:\n  - name: a\n    cidr: 10.0.0.0/8\n"))
	f.Add([]byte("scope: public\npools:\n  - name: v6\n    family: ipv6\n    locale: us-east-1\n    publicIpSource: amazon\n    netmask: 52\n    pools: [{name: a, netmask: 56}]\n"))
	f.Add([]byte("disallowed: [10.0.0.1/8]\n"))
	f.Add([]byte("pools: [\n"))
	f.Add([]byte("pools:\n  - name: top\n    cidrs: 10.0.0.0/16\n    pools:\n      - {name: a, netmask: 17}\n      - {name: a, netmask: 17}\n      - {name: b, netmask: 15}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data)
		checkProblems(t, err)
		if err != nil {
			return
		}
		// What parses marshals back to YAML that parses to the same text.
		b, err := yaml.Marshal(s)
		if err != nil {
			t.Fatalf("marshal %+v: %v", s, err)
		}
		back, err := ParseSpec(b)
		if err != nil {
			t.Fatalf("re-parse of\n%s: %v", b, err)
		}
		b2, _ := yaml.Marshal(back)
		if string(b) != string(b2) {
			t.Fatalf("round trip changed\n%s\ninto\n%s", b, b2)
		}
		validThenConverges(t, s)
	})
}

// validThenConverges checks a spec; when valid, it plans it from empty,
// applies the plan and requires the next plan to be empty.
func validThenConverges(t *testing.T, s Spec) {
	t.Helper()
	err := s.Validate()
	checkProblems(t, err)
	if err != nil {
		return
	}
	cs, err := Plan(s, Live{})
	if err != nil {
		t.Fatalf("Validate accepts the spec but Plan from empty says %v", err)
	}
	live := applySim(t, Live{}, cs)
	again, err := Plan(s, live)
	if err != nil || !again.IsEmpty() {
		t.Fatalf("re-plan after apply: %v, %+v", err, again.Ops)
	}
}

// specFromBytes builds a tree from fuzz input, three bytes a pool: which
// earlier pool is the parent, a netmask (any int8, so out of range too),
// and flags that turn on explicit CIDRs, best fit, locales, duplicate names,
// allocation rules, auto-import, a reserved tag and a wrong family.
func specFromBytes(data []byte) Spec {
	if len(data) == 0 {
		return Spec{}
	}
	fam := IPv4
	top := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 0, 0}), 8+int(data[0]%17))
	if data[0]&0x80 != 0 {
		fam = IPv6
		top = netip.PrefixFrom(netip.MustParseAddr("fd00::"), 32+int(data[0]%40))
	}
	s := Spec{MaxPools: 200, Pools: []Pool{{Name: "top", Family: fam, CIDRs: []netip.Prefix{top}}}}
	topCIDR := top
	if data[0]&0x40 != 0 { // public scope: BYOIP, or Amazon-provided
		s.Scope = Public
		s.Pools[0].PublicIPSource = SourceBYOIP
		s.Pools[0].PubliclyAdvertisable = fam == IPv6
		if data[0]&0x20 != 0 {
			s.Pools[0].PublicIPSource = SourceAmazon
			s.Pools[0].CIDRs, s.Pools[0].Netmask, s.Pools[0].Locale = nil, top.Bits(), "us-east-1"
			topCIDR = netip.Prefix{} // unknown before apply: children carve only
		}
	}
	// Children are collected first and attached afterwards, so pointers
	// into slices stay valid while the tree grows.
	nodes := []*Pool{&s.Pools[0]}
	cidrs := []netip.Prefix{topCIDR}
	kids := map[*Pool][]*Pool{}
	data = data[1:]
	for i := 0; i+2 < len(data) && len(nodes) < 60; i += 3 {
		pi := int(data[i]) % len(nodes)
		parent, pc := nodes[pi], cidrs[pi]
		mask, flags := int(int8(data[i+1])), data[i+2]
		p := &Pool{Name: fmt.Sprintf("n%d", len(nodes))}
		var mine netip.Prefix
		if flags&1 != 0 && pc.IsValid() && mask > pc.Bits() && mask <= fam.Bits() {
			mine = netip.PrefixFrom(pc.Addr(), mask)
			p.CIDRs = []netip.Prefix{mine}
		} else {
			p.Netmask = mask
		}
		if flags&2 != 0 {
			p.Carve = CarveBestFit
		}
		if flags&4 != 0 {
			p.Locale = []string{"us-east-1", "eu-west-1"}[int(flags>>6)&1]
		}
		if flags&8 != 0 && len(kids[parent]) > 0 {
			p.Name = kids[parent][0].Name
		}
		if flags&16 != 0 {
			p.Allocation = Allocation{MinNetmask: mask + 1, MaxNetmask: mask + 4, DefaultNetmask: mask + 2, Tags: map[string]string{"Env": p.Name}}
		}
		if flags&32 != 0 {
			p.AutoImport = true
		}
		if flags&64 != 0 && flags&128 != 0 {
			p.Tags = map[string]string{DefaultPathTagKey: "/x"}
		}
		if flags == 0xff {
			p.Family = IPv6
		}
		kids[parent] = append(kids[parent], p)
		nodes = append(nodes, p)
		cidrs = append(cidrs, mine)
	}
	var attach func(p *Pool)
	attach = func(p *Pool) {
		for _, k := range kids[p] {
			attach(k)
			p.Pools = append(p.Pools, *k)
		}
	}
	attach(&s.Pools[0])
	return s
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte{8, 0, 16, 0, 0, 20, 0, 1, 24, 0})
	f.Add([]byte{16, 0, 20, 4, 0, 20, 4, 1, 21, 16, 1, 21, 16, 2, 21, 16})
	f.Add([]byte{0x80, 0, 44, 0, 1, 48, 1, 1, 48, 1, 2, 56, 2})
	f.Add([]byte{8, 0, 9, 0, 0, 9, 8, 0, 9, 0, 0, 200, 0})
	f.Add([]byte{8, 0, 12, 3, 1, 13, 3, 2, 14, 3, 3, 15, 3, 4, 16, 3, 5, 17, 3, 6, 18, 3, 7, 19, 3, 8, 20, 3, 9, 21, 3})
	f.Add([]byte{0xc0, 0, 66, 0, 0, 66, 1, 1, 68, 2}) // public BYOIP IPv6
	f.Add([]byte{0xe0, 0, 58, 0, 0, 58, 0, 1, 60, 2}) // Amazon-provided IPv6
	f.Fuzz(func(t *testing.T, data []byte) {
		validThenConverges(t, specFromBytes(data))
	})
}

// liveFromBytes turns the plan of s, applied, into a live tree edited by
// hand as the input says: pools untagged, retagged, described, given
// allocations, or removed.
func liveFromBytes(t *testing.T, s Spec, edits []byte) Live {
	cs, err := Plan(s, Live{})
	if err != nil {
		return Live{}
	}
	live := applySim(t, Live{}, cs)
	for i := 0; i+1 < len(edits) && len(live.Pools) > 0; i += 2 {
		k := int(edits[i]) % len(live.Pools)
		p := &live.Pools[k]
		switch edits[i+1] % 8 {
		case 0:
			delete(p.Tags, DefaultPathTagKey)
		case 1:
			p.Description = "edited"
		case 2:
			p.Allocation.Tags = map[string]string{"Env": "other"}
		case 3:
			if cs := p.Provisioned(); len(cs) > 0 {
				p.Allocations = append(p.Allocations, LiveAllocation{CIDR: netip.PrefixFrom(cs[0].Addr(), cs[0].Addr().BitLen()), ResourceType: "vpc", ResourceID: "vpc-fuzz"})
			}
		case 4:
			p.Tags[DefaultPathTagKey] = "/gone"
		case 5:
			p.State = "delete-in-progress"
		case 6:
			p.AutoImport = !p.AutoImport
		case 7: // the CIDRs failed to provision: the parent holds nothing for them
			if len(p.Allocations) > 0 {
				break // nothing can be allocated from a CIDR that failed
			}
			p.CIDRs = nil
			id := p.ID
			for j := range live.Pools {
				live.Pools[j].Allocations = slices.DeleteFunc(live.Pools[j].Allocations, func(a LiveAllocation) bool { return a.ResourceID == id })
			}
		}
	}
	return live
}

func FuzzPlan(f *testing.F) {
	f.Add([]byte{16, 0, 20, 4, 0, 20, 4, 1, 21, 16, 1, 21, 16, 2, 21, 16}, []byte{0, 0, 1, 0, 2, 0, 3, 0})
	f.Add([]byte{16, 0, 20, 4, 0, 20, 4, 1, 21, 16, 1, 21, 16, 2, 21, 16}, []byte{3, 3, 3, 4, 1, 1})
	f.Add([]byte{8, 0, 16, 0, 0, 20, 0, 1, 24, 0}, []byte{2, 7, 1, 2})
	f.Add([]byte{16, 0, 20, 4, 1, 21, 16}, []byte{})
	f.Add([]byte{0xe0, 0, 58, 0, 0, 58, 0, 1, 60, 2}, []byte{0, 0, 1, 3})
	f.Fuzz(func(t *testing.T, specBytes, edits []byte) {
		s := specFromBytes(specBytes)
		live := liveFromBytes(t, s, edits)
		// Plan a slightly different spec against the edited tree: one
		// pool fewer, so deletions are planned too.
		target := cloneSpec(s)
		if len(target.Pools) > 0 && len(target.Pools[0].Pools) > 0 {
			target.Pools[0].Pools = target.Pools[0].Pools[1:]
		}
		for _, allow := range []bool{false, true} {
			opt := func(o *Options) { o.AllowDelete = allow }
			cs, err := Plan(target, live, opt)
			checkProblems(t, err)
			if err != nil {
				continue
			}
			after := applySim(t, live, cs)
			again, err := Plan(target, after, opt)
			if err != nil || !again.IsEmpty() {
				t.Fatalf("re-plan after apply (AllowDelete %v): %v, %+v", allow, err, again.Ops)
			}
		}
	})
}
