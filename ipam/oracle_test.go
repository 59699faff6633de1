package ipam

// Brute-force cross-checks: every set operation against a model that
// enumerates each address of a small space (an IPv4 /24 and an IPv6 /120),
// over thousands of random cases from a fixed seed printed on failure.

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var oracleSeed = flag.Uint64("oracle.seed", 1, "seed of the random cases in the oracle tests")

const oracleCases = 3000

// universe is a small space of 256 addresses whose last byte is the offset.
type universe struct {
	name string
	base netip.Prefix // a /24 or a /120
}

var universes = []universe{
	{"IPv4", netip.MustParsePrefix("10.1.2.0/24")},
	{"IPv6", netip.MustParsePrefix("2001:db8::/120")},
}

type bitmap [256]bool

func (u universe) fam() int { return u.base.Addr().BitLen() }

// at returns the address at offset off of the base.
func (u universe) at(off int) netip.Addr {
	if u.base.Addr().Is4() {
		b := u.base.Addr().As4()
		b[3] = byte(off)
		return netip.AddrFrom4(b)
	}
	b := u.base.Addr().As16()
	b[15] = byte(off)
	return netip.AddrFrom16(b)
}

func (u universe) prefix(off, bits int) netip.Prefix {
	return netip.PrefixFrom(u.at(off), bits)
}

// randPrefix returns a prefix inside the base, and now and then one that
// contains it or lies outside it.
func (u universe) randPrefix(r *rand.Rand) netip.Prefix {
	switch r.IntN(20) {
	case 0: // contains the whole universe
		return netip.PrefixFrom(u.base.Addr(), u.base.Bits()-1-r.IntN(4)).Masked()
	case 1: // just outside it
		next := u.base.Addr()
		for range 256 {
			next = next.Next()
		}
		return netip.PrefixFrom(next, u.base.Bits()+r.IntN(9)).Masked()
	}
	hostBits := r.IntN(9) // 0..8
	off := r.IntN(256) &^ (1<<hostBits - 1)
	return u.prefix(off, u.fam()-hostBits)
}

func (u universe) randPrefixes(r *rand.Rand, max int) []netip.Prefix {
	out := make([]netip.Prefix, r.IntN(max+1))
	for i := range out {
		out[i] = u.randPrefix(r)
		if i > 0 && r.IntN(10) == 0 {
			out[i] = out[r.IntN(i)] // a duplicate
		}
	}
	return out
}

// randPools returns pools inside the base, so everything that fits is visible.
func (u universe) randPools(r *rand.Rand) []netip.Prefix {
	out := make([]netip.Prefix, 1+r.IntN(4))
	for i := range out {
		hostBits := r.IntN(9)
		off := r.IntN(256) &^ (1<<hostBits - 1)
		out[i] = u.prefix(off, u.fam()-hostBits)
	}
	return out
}

// mark sets the addresses of p inside the universe, by enumeration.
func (u universe) mark(bm *bitmap, ps ...netip.Prefix) {
	for _, p := range ps {
		for off := range 256 {
			if p.Contains(u.at(off)) {
				bm[off] = true
			}
		}
	}
}

func (u universe) bitmapOf(ps ...netip.Prefix) bitmap {
	var bm bitmap
	u.mark(&bm, ps...)
	return bm
}

// decompose is the obviously correct minimal CIDR list of a bitmap: along
// each run of set bits, the largest aligned block that starts there.
func (u universe) decompose(bm bitmap) []netip.Prefix {
	var out []netip.Prefix
	for off := 0; off < 256; {
		if !bm[off] {
			off++
			continue
		}
		k := 8
		for ; k > 0; k-- {
			if off%(1<<k) == 0 && allSet(bm, off, 1<<k) {
				break
			}
		}
		out = append(out, u.prefix(off, u.fam()-k))
		off += 1 << k
	}
	return out
}

func allSet(bm bitmap, off, n int) bool {
	if off+n > 256 {
		return false
	}
	for i := off; i < off+n; i++ {
		if !bm[i] {
			return false
		}
	}
	return true
}

func count(bm bitmap) int {
	n := 0
	for _, b := range bm {
		if b {
			n++
		}
	}
	return n
}

// randSpace builds a Space from random pools and used prefixes, and the
// model's bitmaps of the pools and of the free addresses.
func (u universe) randSpace(t *testing.T, r *rand.Rand) (pools, used []netip.Prefix, s Space, poolBM, freeBM bitmap) {
	t.Helper()
	pools, used = u.randPools(r), u.randPrefixes(r, 12)
	s, err := NewSpace(pools, used)
	require.NoError(t, err)
	poolBM, usedBM := u.bitmapOf(pools...), u.bitmapOf(used...)
	for off := range 256 {
		freeBM[off] = poolBM[off] && !usedBM[off]
	}
	return pools, used, s, poolBM, freeBM
}

func (u universe) forEachCase(t *testing.T, f func(t *testing.T, r *rand.Rand, i int)) {
	t.Helper()
	r := rand.New(rand.NewPCG(*oracleSeed, 0))
	for i := range oracleCases {
		f(t, r, i)
		if t.Failed() {
			t.Fatalf("%s case %d failed (seed %d; rerun with -oracle.seed=%d)", u.name, i, *oracleSeed, *oracleSeed)
		}
	}
}

func TestOracleSpace(t *testing.T) {
	t.Parallel()
	for _, u := range universes {
		t.Run(u.name, func(t *testing.T) {
			t.Parallel()
			u.forEachCase(t, func(t *testing.T, r *rand.Rand, i int) {
				pools, used, s, poolBM, freeBM := u.randSpace(t, r)
				in := fmt.Sprintf("pools %v used %v", pools, used)

				assert.Equal(t, u.decompose(freeBM), s.Free(), "Free: %s", in)
				assert.Equal(t, u.decompose(poolBM), s.Pools(), "Pools: %s", in)

				total, free := count(poolBM), count(freeBM)
				want := Usage{Total: NewCount(uint64(total)), Used: NewCount(uint64(total - free)), Free: NewCount(uint64(free))}
				assert.Equal(t, want, s.Usage(), "Usage: %s", in)

				// Largest: the biggest aligned free block, lowest first.
				var wantLargest netip.Prefix
			largest:
				for k := 8; k >= 0; k-- {
					for off := 0; off < 256; off += 1 << k {
						if allSet(freeBM, off, 1<<k) {
							wantLargest = u.prefix(off, u.fam()-k)
							break largest
						}
					}
				}
				got, ok := s.Largest()
				assert.Equal(t, wantLargest.IsValid(), ok, "Largest ok: %s", in)
				assert.Equal(t, wantLargest, got, "Largest: %s", in)

				for bits := u.fam() - 10; bits <= u.fam(); bits++ {
					fits := false
					if k := u.fam() - bits; k <= 8 {
						for off := 0; off < 256 && !fits; off += 1 << k {
							fits = allSet(freeBM, off, 1<<k)
						}
					}
					assert.Equal(t, fits, s.Fits(bits), "Fits(%d): %s", bits, in)
				}

				q := u.randPrefix(r)
				qBM := u.bitmapOf(q)
				wantFree := u.base.Bits() <= q.Bits() && u.base.Contains(q.Addr()) // q inside the universe
				for off := range 256 {
					if qBM[off] && !freeBM[off] {
						wantFree = false
					}
				}
				assert.Equal(t, wantFree, s.IsFree(q), "IsFree(%v): %s", q, in)
			})
		})
	}
}

func TestOracleAllocate(t *testing.T) {
	t.Parallel()
	for _, u := range universes {
		t.Run(u.name, func(t *testing.T) {
			t.Parallel()
			u.forEachCase(t, func(t *testing.T, r *rand.Rand, i int) {
				pools, used, s, _, freeBM := u.randSpace(t, r)
				bits := u.fam() - r.IntN(10) // two lengths too big to fit anywhere
				k := u.fam() - bits
				want := 1 + r.IntN(6)
				in := fmt.Sprintf("/%d x%d in pools %v used %v", bits, want, pools, used)

				// Lowest: aligned candidates in ascending order.
				var lowest []netip.Prefix
				if k <= 8 {
					for off := 0; off < 256 && len(lowest) < want; off += 1 << k {
						if allSet(freeBM, off, 1<<k) {
							lowest = append(lowest, u.prefix(off, bits))
						}
					}
				}
				checkAllocation(t, lowest, want, bits, in)(s.Next(bits, want))

				// BestFit: the smallest CIDR of the free decomposition that
				// holds the block, lowest on ties; take its start; repeat.
				var best []netip.Prefix
				bm := freeBM
				for len(best) < want {
					var pick netip.Prefix
					for _, p := range u.decompose(bm) {
						if p.Bits() <= bits && (!pick.IsValid() || p.Bits() > pick.Bits()) {
							pick = p
						}
					}
					if !pick.IsValid() {
						break
					}
					block := netip.PrefixFrom(pick.Addr(), bits)
					best = append(best, block)
					blockBM := u.bitmapOf(block)
					for off := range 256 {
						bm[off] = bm[off] && !blockBM[off]
					}
				}
				checkAllocation(t, best, want, bits, in)(s.Allocate(bits, want, BestFit))
			})
		})
	}
}

// checkAllocation compares an allocation with the model's answer: all
// blocks, or an error saying how many fit.
func checkAllocation(t *testing.T, model []netip.Prefix, want, bits int, in string) func([]netip.Prefix, error) {
	return func(got []netip.Prefix, err error) {
		t.Helper()
		if len(model) == want {
			if assert.NoError(t, err, in) {
				assert.Equal(t, model, got, in)
			}
			return
		}
		var ie *InsufficientSpaceError
		if assert.ErrorAs(t, err, &ie, in) {
			assert.Equal(t, InsufficientSpaceError{Bits: bits, Want: want, Fit: len(model)}, *ie, in)
		}
		assert.True(t, errors.Is(err, ErrInsufficientSpace), in)
		assert.Nil(t, got, in)
	}
}

func TestOracleOverlaps(t *testing.T) {
	t.Parallel()
	u4, u6 := universes[0], universes[1]
	u4.forEachCase(t, func(t *testing.T, r *rand.Rand, i int) {
		// Both families in one list: they must never pair up.
		ps := append(u4.randPrefixes(r, 15), u6.randPrefixes(r, 15)...)
		r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		var want []Overlap
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				if ps[i].Overlaps(ps[j]) {
					want = append(want, Overlap{A: ps[i], B: ps[j], I: i, J: j})
				}
			}
		}
		assert.Equal(t, want, Overlaps(ps), "Overlaps(%v)", ps)
	})
}

func TestOracleSummarize(t *testing.T) {
	t.Parallel()
	u4, u6 := universes[0], universes[1]
	u4.forEachCase(t, func(t *testing.T, r *rand.Rand, i int) {
		a, b := u4.randPrefixes(r, 10), u6.randPrefixes(r, 10)
		// Only prefixes inside the universes, so the model sees everything.
		inside := func(u universe, ps []netip.Prefix) []netip.Prefix {
			return slices.DeleteFunc(ps, func(p netip.Prefix) bool { return p.Bits() < u.base.Bits() || !u.base.Contains(p.Addr()) })
		}
		a, b = inside(u4, a), inside(u6, b)
		in := append(slices.Clone(b), a...)
		want := append(u4.decompose(u4.bitmapOf(a...)), u6.decompose(u6.bitmapOf(b...))...)
		if len(want) == 0 {
			want = nil
		}
		assert.Equal(t, want, Summarize(in), "Summarize(%v)", in)
	})
}

func TestOracleSubnets(t *testing.T) {
	t.Parallel()
	for _, u := range universes {
		for hostBits := range 9 {
			for k := 0; k <= hostBits; k++ {
				p := u.prefix(0, u.fam()-hostBits)
				seq, err := Subnets(p, u.fam()-k)
				require.NoError(t, err)
				var want []netip.Prefix
				for off := 0; off < 1<<hostBits; off += 1 << k {
					want = append(want, u.prefix(off, u.fam()-k))
				}
				assert.Equal(t, want, slices.Collect(seq), "Subnets(%v, %d)", p, u.fam()-k)
			}
		}
	}
}
