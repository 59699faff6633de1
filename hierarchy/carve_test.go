package hierarchy

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/ipam"
)

// seeded returns a generator from a fixed seed and logs the seed, so a
// failure can be replayed.
func seeded(t *testing.T, seed uint64) *rand.Rand {
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomSpec draws a spec of a few levels, mostly carved, with some explicit
// CIDRs, best-fit pools and disallowed space. Names are unique tree-wide so
// pools can be moved around.
func randomSpec(r *rand.Rand) Spec {
	fam := IPv4
	top := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 0, 0}), 12+r.IntN(10))
	if r.IntN(4) == 0 {
		fam = IPv6
		top = netip.PrefixFrom(netip.MustParseAddr("fd00::"), 40+r.IntN(16))
	}
	names := 0
	var grow func(parent netip.Prefix, explicit bool, depth int) []Pool
	grow = func(parent netip.Prefix, explicit bool, depth int) []Pool {
		if depth > 4 {
			return nil
		}
		var out []Pool
		for range r.IntN(5) {
			names++
			p := Pool{Name: fmt.Sprintf("n%d", names)}
			bits := min(parent.Bits()+1+r.IntN(4), fam.Bits())
			if explicit && r.IntN(4) == 0 {
				p.CIDRs = []netip.Prefix{randomSub(r, parent, bits)}
				p.Pools = grow(p.CIDRs[0], true, depth+1)
			} else {
				p.Netmask = bits
				p.Pools = grow(netip.PrefixFrom(parent.Addr(), bits), false, depth+1)
			}
			if r.IntN(6) == 0 {
				p.Carve = CarveBestFit
			}
			out = append(out, p)
		}
		return out
	}
	s := Spec{MaxPools: 1000, Pools: []Pool{{Name: "top", Family: fam, CIDRs: []netip.Prefix{top}, Pools: grow(top, true, 2)}}}
	if r.IntN(3) == 0 {
		s.Disallowed = []netip.Prefix{randomSub(r, top, min(top.Bits()+2+r.IntN(6), fam.Bits()))}
	}
	return s
}

// randomSub returns a random aligned block of length bits inside p.
func randomSub(r *rand.Rand, p netip.Prefix, bits int) netip.Prefix {
	n := min(bits-p.Bits(), 30)
	off := r.Uint64N(1 << n)
	a := p.Addr().As16()
	// Add off << (family bits - bits) to the address; an IPv4 address sits
	// in the low 32 bits of its IPv4-mapped form.
	shift := p.Addr().BitLen() - bits
	hi, lo := beUint64(a[:8]), beUint64(a[8:])
	if shift >= 64 {
		hi += off << (shift - 64)
	} else {
		lo2 := lo + off<<shift
		if lo2 < lo {
			hi++
		}
		lo = lo2
		if shift > 0 {
			hi += off >> (64 - shift)
		}
	}
	var b [16]byte
	putUint64(b[:8], hi)
	putUint64(b[8:], lo)
	addr := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		addr = addr.Unmap()
	}
	return netip.PrefixFrom(addr, bits).Masked()
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func putUint64(b []byte, v uint64) {
	for i := 7; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

// addRandomNode returns a copy of s with one more pool somewhere: appended
// to a random pool's children, or inserted at a random position when
// anywhere is true.
func addRandomNode(r *rand.Rand, s Spec, anywhere bool) (Spec, string) {
	s = cloneSpec(s)
	var all []*Pool
	var walk func(ps []Pool)
	walk = func(ps []Pool) {
		for i := range ps {
			all = append(all, &ps[i])
			walk(ps[i].Pools)
		}
	}
	walk(s.Pools)
	parent := all[r.IntN(len(all))]
	bits := ownBits(parent) + 1 + r.IntN(3)
	if bits > parent.Family.Bits() && s.Pools[0].Family == IPv4 {
		bits = 32
	}
	n := Pool{Name: "added", Netmask: min(bits, s.Pools[0].Family.Bits())}
	at := len(parent.Pools)
	if anywhere {
		at = r.IntN(len(parent.Pools) + 1)
	}
	parent.Pools = slices.Insert(parent.Pools, at, n)
	return s, n.Name
}

func cloneSpec(s Spec) Spec {
	var clonePools func([]Pool) []Pool
	clonePools = func(ps []Pool) []Pool {
		if ps == nil {
			return nil
		}
		out := slices.Clone(ps)
		for i := range out {
			out[i].Pools = clonePools(out[i].Pools)
		}
		return out
	}
	s.Pools = clonePools(s.Pools)
	return s
}

// checkTree asserts the carving invariants of a plan: every pool inside its
// parent, siblings disjoint, carved pools clear of disallowed space.
func checkTree(t *testing.T, s Spec, cs ChangeSet) {
	t.Helper()
	got := map[string][]netip.Prefix{}
	for _, p := range cs.Pools {
		got[p.Path] = p.CIDRs
	}
	var walk func(parent string, ps []Pool)
	walk = func(parent string, ps []Pool) {
		var siblings []netip.Prefix
		for _, p := range ps {
			path := parent + "/" + p.Name
			mine := got[path]
			require.NotEmpty(t, mine, "%s has no CIDRs", path)
			if parent != "" {
				for _, c := range mine {
					assert.True(t, insideAny(c, got[parent]), "%s: %v outside its parent %v", path, c, got[parent])
				}
			}
			if p.Netmask > 0 && parent != "" {
				for _, c := range mine {
					assert.Equal(t, p.Netmask, c.Bits(), "%s: carved %v, want a /%d", path, c, p.Netmask)
					for _, d := range s.Disallowed {
						assert.False(t, c.Overlaps(d), "%s: carved %v overlaps disallowed %v", path, c, d)
					}
				}
			}
			siblings = append(siblings, mine...)
			walk(path, p.Pools)
		}
		assert.Empty(t, ipam.Overlaps(siblings), "siblings under %s overlap", parent)
	}
	walk("", s.Pools)
}

func TestCarvingProperties(t *testing.T) {
	t.Parallel()
	r := seeded(t, 20261202)
	valid, added, inserted := 0, 0, 0
	for i := range 400 {
		s := randomSpec(r)
		cs, err := Plan(s, Live{})
		if err != nil {
			require.True(t, errors.Is(err, ErrNoFit) || errors.Is(err, ErrNetmask) || errors.Is(err, ErrOverlap), "case %d: unexpected %v", i, err)
			continue
		}
		valid++
		again, err := Plan(s, Live{})
		require.NoError(t, err)
		require.Equal(t, cs, again, "case %d: the same spec plans the same", i)
		checkTree(t, s, cs)
		live := converge(t, s, Live{})
		before := cidrsByPath(cs)

		// Appending a pool (a sibling at the end, or a new level) moves
		// nothing, even before anything is applied.
		s2, _ := addRandomNode(r, s, false)
		if cs2, err := Plan(s2, Live{}); err == nil {
			added++
			checkTree(t, s2, cs2)
			after := cidrsByPath(cs2)
			for path, want := range before {
				assert.Equal(t, want, after[path], "case %d: appending a pool moved %s", i, path)
			}
		}
		// Inserting a pool anywhere moves nothing that exists.
		s3, _ := addRandomNode(r, s, true)
		if cs3, err := Plan(s3, live); err == nil {
			inserted++
			checkTree(t, s3, cs3)
			after := cidrsByPath(cs3)
			for path, want := range before {
				assert.Equal(t, want, after[path], "case %d: inserting a pool moved live %s", i, path)
			}
			for _, op := range cs3.Ops {
				assert.Contains(t, op.Path, "added", "case %d: inserting a pool changed %s (%s)", i, op.Path, op.Kind)
			}
			converge(t, s3, live)
		}
	}
	t.Logf("%d valid specs, %d with a pool appended, %d with a pool inserted", valid, added, inserted)
	require.Greater(t, valid, 100)
	require.Greater(t, added, 50)
	require.Greater(t, inserted, 50)
}

// oracleCarve places children in a /24 by enumerating every address: the
// slow, obvious model of lowest-first and best-fit carving.
func oracleCarve(parent netip.Prefix, fixed []netip.Prefix, netmasks []int, bestFit bool) ([]netip.Prefix, []int) {
	var used [256]bool
	base := parent.Addr().As4()
	off := func(p netip.Prefix) int { return int(p.Addr().As4()[3]) }
	mark := func(p netip.Prefix) {
		for i := off(p); i < off(p)+1<<(32-p.Bits()); i++ {
			used[i] = true
		}
	}
	free := func(start, size int) bool {
		for i := start; i < start+size; i++ {
			if used[i] {
				return false
			}
		}
		return true
	}
	for _, f := range fixed {
		mark(f)
	}
	var out []netip.Prefix
	var unplaced []int
	for k, bits := range netmasks {
		size := 1 << (32 - bits)
		at := -1
		if !bestFit {
			for s := 0; s < 256; s += size {
				if free(s, size) {
					at = s
					break
				}
			}
		} else {
			// The smallest maximal free aligned block that holds size.
			bestSize := 0
			for bsize := size; bsize <= 256; bsize *= 2 {
				for s := 0; s < 256; s += bsize {
					maximal := bsize == 256 || !free(s&^(2*bsize-1), 2*bsize)
					if free(s, bsize) && maximal {
						at, bestSize = s, bsize
						break
					}
				}
				if bestSize > 0 {
					break
				}
			}
		}
		if at < 0 {
			unplaced = append(unplaced, k)
			continue
		}
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], base[2], byte(at)}), bits)
		mark(p)
		out = append(out, p)
	}
	return out, unplaced
}

func TestCarvingOracle(t *testing.T) {
	t.Parallel()
	r := seeded(t, 1202)
	parent := netip.MustParsePrefix("10.1.2.0/24")
	compared, noFitCases := 0, 0
	for i := range 3000 {
		bestFit := r.IntN(2) == 0
		var children []Pool
		var fixed []netip.Prefix
		var netmasks []int
		for k := range 1 + r.IntN(8) {
			name := fmt.Sprintf("c%d", k)
			if r.IntN(4) == 0 {
				c := randomSub(r, parent, 25+r.IntN(6))
				if slices.ContainsFunc(fixed, c.Overlaps) {
					continue
				}
				fixed = append(fixed, c)
				children = append(children, Pool{Name: name, CIDRs: []netip.Prefix{c}})
				continue
			}
			bits := 25 + r.IntN(8)
			netmasks = append(netmasks, bits)
			children = append(children, Pool{Name: name, Netmask: bits})
		}
		s := Spec{Pools: []Pool{{Name: "p", CIDRs: []netip.Prefix{parent}, Pools: children}}}
		if bestFit {
			s.Carve = CarveBestFit
		}
		if r.IntN(3) == 0 {
			d := randomSub(r, parent, 26+r.IntN(5))
			s.Disallowed = []netip.Prefix{d}
			fixed = append(fixed, d)
		}
		want, unplaced := oracleCarve(parent, fixed, netmasks, bestFit)
		cs, err := Plan(s, Live{})
		if len(unplaced) > 0 {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("case %d: oracle leaves %v unplaced, Plan says %v", i, unplaced, err)
			}
			// Explicit children in disallowed space are reported too; the
			// carved ones that find no room must be exactly the oracle's.
			var noFit []string
			for _, p := range ve.Problems {
				if errors.Is(p, ErrNoFit) {
					noFit = append(noFit, p.Path)
				}
			}
			if !slices.ContainsFunc(ve.Problems, func(p Problem) bool { return errors.Is(p, ErrOverlap) }) {
				var wantNoFit []string
				k := 0
				for _, c := range children {
					if c.Netmask > 0 {
						if slices.Contains(unplaced, k) {
							wantNoFit = append(wantNoFit, "/p/"+c.Name)
						}
						k++
					}
				}
				assert.Equal(t, wantNoFit, noFit, "case %d", i)
				noFitCases++
			}
			continue
		}
		if err != nil {
			require.ErrorIs(t, err, ErrOverlap, "case %d", i) // explicit child in disallowed space
			continue
		}
		var got []netip.Prefix
		for _, p := range cs.Pools {
			for _, c := range children {
				if p.Path == "/p/"+c.Name && c.Netmask > 0 {
					got = append(got, p.CIDRs[0])
				}
			}
		}
		assert.Equal(t, want, got, "case %d: best fit %v, fixed %v, netmasks %v", i, bestFit, fixed, netmasks)
		compared++
	}
	t.Logf("%d carvings compared with the oracle, %d children without room", compared, noFitCases)
	require.Greater(t, compared, 1000)
	require.Greater(t, noFitCases, 100)
}
