package ipam

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSortSpans(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 3))
	gens := map[string]func() u128{
		"IPv4 in a /8":        func() u128 { return u128{0, 10<<24 | uint64(r.Uint32N(1<<24))} },
		"IPv4 anywhere":       func() u128 { return u128{0, uint64(r.Uint32())} },
		"IPv6 anywhere":       func() u128 { return u128{r.Uint64(), r.Uint64()} },
		"IPv6 in a /32":       func() u128 { return u128{0x20010db8<<32 | uint64(r.Uint32()), r.Uint64()} },
		"few distinct values": func() u128 { return u128{uint64(r.IntN(3)), uint64(r.IntN(3)) << 40} },
		"all equal":           func() u128 { return u128{7, 7} },
	}
	for name, gen := range gens {
		for _, n := range []int{radixMin - 1, radixMin, 1000, 20000} {
			t.Run(fmt.Sprintf("%s/n=%d", name, n), func(t *testing.T) {
				s := make([]span, n)
				for i := range s {
					lo := gen()
					s[i] = span{lo, u128{lo.hi, lo.lo | uint64(r.IntN(4))}}
				}
				want := slices.Clone(s)
				slices.SortFunc(want, compareSpans)
				got := slices.Clone(s)
				sortSpans(got)
				for i := 1; i < n; i++ {
					require.False(t, got[i].lo.less(got[i-1].lo), "not sorted by start at %d", i)
				}
				slices.SortStableFunc(got, compareSpans) // ties may come in any order
				// Compare element by element: a diff of 20,000 spans is unreadable.
				for i := range want {
					require.Equal(t, want[i], got[i], "not a permutation of the input: first difference at %d", i)
				}
			})
		}
	}
}

// TestFreeLargeMatchesNetipx runs the radix-sort path end to end against
// netipx, with thousands of used prefixes.
func TestFreeLargeMatchesNetipx(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 4))
	for _, pool := range []netip.Prefix{MustParseCIDR("10.0.0.0/8"), MustParseCIDR("2001:db8::/32")} {
		for _, n := range []int{300, 5000} {
			used := make([]netip.Prefix, n)
			fam := pool.Addr().BitLen()
			for i := range used {
				used[i] = netip.PrefixFrom(randAddrIn(r, pool), fam-r.IntN(12)).Masked()
			}
			set := netipxFree(t, []netip.Prefix{pool}, used)
			got, err := Free([]netip.Prefix{pool}, used)
			require.NoError(t, err)
			want := set.Prefixes()
			require.Len(t, got, len(want), "Free(%v, %d used)", pool, n)
			for i := range want {
				require.Equal(t, want[i].String(), got[i].String(), "Free(%v, %d used): first difference at %d", pool, n, i)
			}
		}
	}
}

func TestSortKeys4(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 5))
	gens := map[string]func() uint64{
		"in a /8":             func() uint64 { return 10<<24 | uint64(r.Uint32N(1<<24)) },
		"anywhere":            func() uint64 { return uint64(r.Uint32()) },
		"few distinct values": func() uint64 { return uint64(r.IntN(3)) << 20 },
		"all equal":           func() uint64 { return 7 },
	}
	for name, gen := range gens {
		for _, n := range []int{radixMin - 1, radixMin, 1000, 20000} {
			t.Run(fmt.Sprintf("%s/n=%d", name, n), func(t *testing.T) {
				keys := make([]uint64, n)
				for i := range keys {
					start := gen()
					keys[i] = start<<32 | start | uint64(r.IntN(4))
				}
				want := slices.Clone(keys)
				slices.Sort(want)
				got := slices.Clone(keys)
				sortKeys4(got)
				for i := 1; i < n; i++ {
					require.LessOrEqual(t, got[i-1]>>32, got[i]>>32, "not sorted by start at %d", i)
				}
				slices.Sort(got) // ties may come in any order
				require.True(t, slices.Equal(want, got), "not a permutation of the input")
			})
		}
	}
}

// TestNormalize4 holds the IPv4 path of NewSpace to the general one.
func TestNormalize4(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 6))
	for _, n := range []int{0, 1, 2, 10, radixMin - 1, radixMin, 5000} {
		for _, maxHostBits := range []int{8, 32} {
			ps := make([]netip.Prefix, n)
			for i := range ps {
				a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
				if maxHostBits == 32 {
					a = netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
				}
				ps[i] = netip.PrefixFrom(a, 32-r.IntN(maxHostBits+1)) // host bits left set: they must be ignored
			}
			spans := make([]span, n)
			for i, p := range ps {
				spans[i] = spanOf(p)
			}
			want := normalize(spans)
			got := normalize4(ps)
			require.Len(t, got, len(want), "n=%d, up to %d host bits", n, maxHostBits)
			for i := range want {
				require.Equal(t, want[i], got[i], "n=%d, up to %d host bits: first difference at %d", n, maxHostBits, i)
			}
		}
	}
}
