package hierarchy

import (
	"fmt"
	"net/netip"
	"testing"
)

// bigSpec is a top /8, 30 regional /14 pools and 66 environment /22 pools
// in each: 2,011 pools.
func bigSpec() Spec {
	top := Pool{Name: "top", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	for r := range 30 {
		reg := Pool{Name: fmt.Sprintf("region-%02d", r), Locale: fmt.Sprintf("region-%02d", r), Netmask: 14}
		for e := range 66 {
			reg.Pools = append(reg.Pools, Pool{Name: fmt.Sprintf("env-%02d", e), Netmask: 22,
				Allocation: Allocation{Tags: map[string]string{"Env": fmt.Sprintf("env-%02d", e)}}})
		}
		top.Pools = append(top.Pools, reg)
	}
	return Spec{MaxPools: 3000, Pools: []Pool{top}}
}

func BenchmarkPlan(b *testing.B) {
	spec := bigSpec()
	empty, err := Plan(spec, Live{})
	if err != nil {
		b.Fatal(err)
	}
	live := applySim(b, Live{}, empty)
	cases := []struct {
		name string
		live Live
		ops  int
	}{
		{"pools=2011/live=same", live, 0},
		{"pools=2011/live=untagged", untag(live), 2011},
		{"pools=2011/live=empty", Live{}, 2 * 2011},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cs, err := Plan(spec, c.live)
				if err != nil || len(cs.Ops) != c.ops {
					b.Fatalf("%v, %d ops, want %d", err, len(cs.Ops), c.ops)
				}
			}
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	spec := bigSpec()
	b.ReportAllocs()
	for b.Loop() {
		if err := spec.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
