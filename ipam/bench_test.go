package ipam

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// Figures go to BENCHMARKS.md with the command that produced them.

var benchSizes = []int{10_000, 100_000, 1_000_000}

var benchPool = []netip.Prefix{MustParseCIDR("10.0.0.0/8")}

// benchUsed returns n prefixes from /24 to /32 at random aligned places in
// 10.0.0.0/8, in random order: some overlap, most space stays fragmented.
func benchUsed(n int) []netip.Prefix {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	out := make([]netip.Prefix, n)
	for i := range out {
		hostBits := r.IntN(9)
		off := r.Uint32N(1<<24) &^ (1<<hostBits - 1)
		out[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(off >> 16), byte(off >> 8), byte(off)}), 32-hostBits)
	}
	return out
}

// benchList returns the prefixes of benchUsed(n) as a CIDR list, one per
// line, as ipamctl reads them from --used-file.
func benchList(n int) []byte {
	var buf []byte
	for _, p := range benchUsed(n) {
		buf = append(p.AppendTo(buf), '\n')
	}
	return buf
}

// BenchmarkParseCIDRList reports the cost of reading a list of used prefixes
// (about 15 bytes a line) per line as well as per list.
func BenchmarkParseCIDRList(b *testing.B) {
	for _, n := range benchSizes {
		text := benchList(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if _, err := ParseCIDRList(bytes.NewReader(text)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/line")
		})
	}
}

// BenchmarkNewSpace measures building the space alone: the sort and merge of
// the used prefixes and the subtraction from the pool.
func BenchmarkNewSpace(b *testing.B) {
	for _, n := range benchSizes {
		used := benchUsed(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewSpace(benchPool, used); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFree(b *testing.B) {
	for _, n := range benchSizes {
		used := benchUsed(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Free(benchPool, used); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("netipx/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = netipxFree(b, benchPool, used).Prefixes()
			}
		})
	}
}

// BenchmarkNext measures the whole question "where do the next blocks go,
// given this list of used prefixes": building the space and allocating.
func BenchmarkNext(b *testing.B) {
	for _, n := range benchSizes {
		used := benchUsed(n)
		for _, k := range []int{1, 1000} {
			b.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s, err := NewSpace(benchPool, used)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.Next(28, k); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("bestfit/n=%d/k=%d", n, k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s, err := NewSpace(benchPool, used)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.Allocate(28, k, BestFit); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		// netipx can only take one block per rebuild of its set
		// (RemoveFreePrefix returns a new set), so k blocks cost k rebuilds.
		for _, k := range []int{1, 10} {
			b.Run(fmt.Sprintf("netipx/n=%d/k=%d", n, k), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s := netipxFree(b, benchPool, used)
					for range k {
						var ok bool
						if _, s, ok = s.RemoveFreePrefix(28); !ok {
							b.Fatal("no /28 left")
						}
					}
				}
			})
		}
	}
}

// BenchmarkNextEmpty shows that the cost does not depend on the free space:
// the first /28 of an empty /8 and the first /64 of an empty /8 of IPv6
// (2^56 candidates) cost the same.
func BenchmarkNextEmpty(b *testing.B) {
	for _, tc := range []struct {
		name string
		pool netip.Prefix
		bits int
	}{
		{"v4/8", MustParseCIDR("10.0.0.0/8"), 28},
		{"v6/8", MustParseCIDR("fd00::/8"), 64},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := NewSpace([]netip.Prefix{tc.pool}, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Next(tc.bits, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOverlaps(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		ps := benchUsed(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			pairs := 0
			for b.Loop() {
				pairs = len(Overlaps(ps))
			}
			b.ReportMetric(float64(pairs), "pairs")
		})
	}
}
