package awsfake

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMarkOverlapsOracle checks the sweep against comparing every pair.
func TestMarkOverlapsOracle(t *testing.T) {
	const seed = 42
	rnd := rand.New(rand.NewPCG(seed, seed))
	for round := range 500 {
		blocks := make([]resourceCIDR, 1+rnd.IntN(12))
		for i := range blocks {
			bits := 20 + rnd.IntN(9)
			addr := netip.AddrFrom4([4]byte{10, 0, byte(rnd.IntN(64)), 0})
			blocks[i].prefix = netip.PrefixFrom(addr, bits).Masked()
		}
		want := make([]string, len(blocks))
		for i := range blocks {
			want[i] = "nonoverlapping"
			for j := range blocks {
				if i != j && blocks[i].prefix.Overlaps(blocks[j].prefix) {
					want[i] = "overlapping"
				}
			}
		}
		markOverlaps(blocks)
		got := make([]string, len(blocks))
		for i, b := range blocks {
			got[i] = b.overlap
		}
		if !assert.Equal(t, want, got, "seed %d round %d: %v", seed, round, blocks) {
			return
		}
	}
}
