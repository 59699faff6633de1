package usage

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSelectRanks checks the multi-rank quickselect against sorting, on
// random slices with many repeated values and random sets of ranks.
func TestSelectRanks(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 14))
	for c := range 2000 {
		n := 1 + r.IntN(600)
		a := make([]float64, n)
		spread := 1 + r.IntN(n)
		for i := range a {
			a[i] = float64(r.IntN(spread)) - float64(spread)/3
		}
		var ranks []int
		for range 1 + r.IntN(4) {
			ranks = append(ranks, r.IntN(n))
		}
		slices.Sort(ranks)
		ranks = slices.Compact(ranks)
		sorted := slices.Sorted(slices.Values(a))
		selectRanks(a, 0, ranks)
		for _, k := range ranks {
			if a[k] != sorted[k] {
				t.Fatalf("case %d: rank %d of %d: got %v, want %v", c, k, n, a[k], sorted[k])
			}
			if m := slices.Max(a[:k+1]); m != a[k] {
				t.Fatalf("case %d: rank %d: %v before it", c, k, m)
			}
			if m := slices.Min(a[k:]); m != a[k] {
				t.Fatalf("case %d: rank %d: %v after it", c, k, m)
			}
		}
		if !slices.Equal(slices.Sorted(slices.Values(a)), sorted) {
			t.Fatalf("case %d: not a permutation", c)
		}
	}
}
