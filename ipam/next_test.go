package ipam

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go4.org/netipx"
)

func TestAllocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pools, used []string
		bits, count int
		strategy    Strategy
		want        []string
	}{
		{"first /28 of an empty /8", []string{"10.0.0.0/8"}, nil, 28, 1, Lowest, []string{"10.0.0.0/28"}},
		{"three /24 after used", []string{"10.0.0.0/16"}, []string{"10.0.0.0/24", "10.0.2.0/24"}, 24, 3, Lowest, []string{"10.0.1.0/24", "10.0.3.0/24", "10.0.4.0/24"}},
		{"aligned past an odd hole", []string{"10.0.0.0/24"}, []string{"10.0.0.0/30"}, 26, 2, Lowest, []string{"10.0.0.64/26", "10.0.0.128/26"}},
		{"lowest skips to the next pool", []string{"10.0.0.0/24", "10.9.0.0/24"}, []string{"10.0.0.0/25", "10.0.0.192/26"}, 25, 2, Lowest, []string{"10.9.0.0/25", "10.9.0.128/25"}},
		{"lowest uses the small hole", []string{"10.0.0.0/24"}, []string{"10.0.0.0/28"}, 28, 2, Lowest, []string{"10.0.0.16/28", "10.0.0.32/28"}},
		{"best fit keeps the big block whole", []string{"10.0.0.0/24"}, []string{"10.0.0.0/26", "10.0.0.96/27"}, 28, 3, BestFit, []string{"10.0.0.64/28", "10.0.0.80/28", "10.0.0.128/28"}},
		{"lowest breaks the big block", []string{"10.0.0.0/23"}, []string{"10.0.0.0/24", "10.0.1.0/25", "10.0.1.128/26"}, 27, 1, Lowest, []string{"10.0.1.192/27"}},
		{"best fit picks the small hole", []string{"10.0.0.0/16"}, []string{"10.0.0.0/24", "10.0.1.0/25", "10.0.1.192/26"}, 27, 1, BestFit, []string{"10.0.1.128/27"}},
		{"whole IPv4", []string{"0.0.0.0/0"}, nil, 0, 1, Lowest, []string{"0.0.0.0/0"}},
		{"top of IPv4", []string{"255.255.255.0/24"}, []string{"255.255.255.0/25"}, 26, 2, Lowest, []string{"255.255.255.128/26", "255.255.255.192/26"}},
		{"last IPv4 addresses", []string{"255.255.255.252/30"}, nil, 32, 4, Lowest, []string{"255.255.255.252/32", "255.255.255.253/32", "255.255.255.254/32", "255.255.255.255/32"}},
		{"IPv6 /64s", []string{"2001:db8::/56"}, []string{"2001:db8::/64"}, 64, 2, Lowest, []string{"2001:db8:0:1::/64", "2001:db8:0:2::/64"}},
		{"whole IPv6", []string{"::/0"}, nil, 0, 1, Lowest, []string{"::/0"}},
		{"whole IPv6 best fit", []string{"::/0"}, nil, 0, 1, BestFit, []string{"::/0"}},
		{"IPv6 halves", []string{"::/0"}, nil, 1, 2, Lowest, []string{"::/1", "8000::/1"}},
		{"last IPv6 addresses", []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"}, nil, 128, 2, Lowest, []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}},
		{"last IPv6 addresses best fit", []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"}, nil, 128, 2, BestFit, []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSpace(prefixes(tt.pools...), prefixes(tt.used...))
			require.NoError(t, err)
			got, err := s.Allocate(tt.bits, tt.count, tt.strategy)
			require.NoError(t, err)
			assert.Equal(t, prefixes(tt.want...), got, "Allocate(/%d x%d, %v)", tt.bits, tt.count, tt.strategy)
			if tt.strategy == Lowest {
				got, err := s.Next(tt.bits, tt.count)
				require.NoError(t, err)
				assert.Equal(t, prefixes(tt.want...), got, "Next")
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	t.Parallel()
	v4, err := NewSpace(prefixes("10.0.0.0/24"), prefixes("10.0.0.0/25"))
	require.NoError(t, err)
	v6, err := NewSpace(prefixes("2001:db8::/64"), nil)
	require.NoError(t, err)
	tests := []struct {
		name     string
		s        Space
		bits     int
		count    int
		strategy Strategy
		wantErr  error
		msg      string
	}{
		{"too few", v4, 26, 3, Lowest, ErrInsufficientSpace, "asked for 3 free /26 blocks but only 2 fit"},
		{"too few best fit", v4, 26, 3, BestFit, ErrInsufficientSpace, "only 2 fit"},
		{"none", v4, 24, 1, Lowest, ErrInsufficientSpace, "no free /24 left"},
		{"bits too long for IPv4", v4, 33, 1, Lowest, ErrBadBits, "allocate /33 blocks in IPv4 space: want a length from 0 to 32"},
		{"negative bits", v4, -1, 1, Lowest, ErrBadBits, "/-1"},
		{"bits too long for IPv6", v6, 129, 1, BestFit, ErrBadBits, "IPv6 space"},
		{"zero count", v4, 26, 0, Lowest, ErrBadCount, "allocate 0 blocks"},
		{"unknown strategy", v4, 26, 1, Strategy(9), ErrBadStrategy, "unknown Strategy(9) (want Lowest or BestFit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.s.Allocate(tt.bits, tt.count, tt.strategy)
			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.msg)
			assert.Nil(t, got, "no blocks on error")
		})
	}
	_, err = v4.Next(26, 3)
	var ie *InsufficientSpaceError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, InsufficientSpaceError{Bits: 26, Want: 3, Fit: 2}, *ie)
}

func TestStrategyString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "lowest", Lowest.String())
	assert.Equal(t, "best-fit", BestFit.String())
	assert.Equal(t, "Strategy(7)", Strategy(7).String())
	assert.Equal(t, Lowest, Strategy(0), "the zero Strategy is Lowest")
}

// TestBestFitMatchesNetipx checks BestFit against repeated
// netipx.IPSet.RemoveFreePrefix, an independent implementation of the same
// rule, on spaces too large to enumerate.
func TestBestFitMatchesNetipx(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 2))
	for i := range 300 {
		v6 := i%2 == 1
		pool, fam := MustParseCIDR("10.0.0.0/8"), 32
		if v6 {
			pool, fam = MustParseCIDR("2001:db8::/32"), 128
		}
		used := make([]netip.Prefix, r.IntN(60))
		for j := range used {
			bits := pool.Bits() + 4 + r.IntN(fam-pool.Bits()-3)
			addr := randAddrIn(r, pool)
			used[j] = netip.PrefixFrom(addr, bits).Masked()
		}
		bits := pool.Bits() + 2 + r.IntN(12)
		count := 1 + r.IntN(20)
		in := fmt.Sprintf("seed %d case %d: /%d x%d in %v used %v", *oracleSeed, i, bits, count, pool, used)

		set := netipxFree(t, []netip.Prefix{pool}, used)
		var want []netip.Prefix
		for range count {
			p, next, ok := set.RemoveFreePrefix(uint8(bits))
			if !ok {
				break
			}
			want, set = append(want, p), next
		}

		s, err := NewSpace([]netip.Prefix{pool}, used)
		require.NoError(t, err)
		got, err := s.Allocate(bits, count, BestFit)
		if len(want) < count {
			require.ErrorIs(t, err, ErrInsufficientSpace, in)
			continue
		}
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
}

// netipxFree returns pools minus used as computed by netipx, an independent
// implementation of the same set algebra.
func netipxFree(tb testing.TB, pools, used []netip.Prefix) *netipx.IPSet {
	tb.Helper()
	var b netipx.IPSetBuilder
	for _, p := range pools {
		b.AddPrefix(p)
	}
	for _, u := range used {
		b.RemovePrefix(u)
	}
	set, err := b.IPSet()
	if err != nil {
		tb.Fatalf("netipx: %v", err)
	}
	return set
}

func randAddrIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits() / 8; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
