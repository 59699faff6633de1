package ipam

import "slices"

// radixMin is the length from which sortSpans uses a radix sort; below it
// the comparison sort is faster.
const radixMin = 256

// sortSpans sorts s by start address. Spans that start at the same address
// may end up in any order, which normalize does not mind.
//
// Large inputs use an LSD radix sort on the start address that skips every
// byte all starts share: used prefixes inside one IPv4 /8 differ in three
// bytes, so three linear passes replace O(n log n) comparisons of 128-bit
// values. The scratch buffer doubles the memory briefly; both are
// proportional to len(s).
func sortSpans(s []span) {
	if len(s) < radixMin {
		slices.SortFunc(s, compareSpans)
		return
	}
	or, and := u128{}, u128{^uint64(0), ^uint64(0)}
	for _, x := range s {
		or, and = or.or(x.lo), and.and(x.lo)
	}
	differ := u128{or.hi ^ and.hi, or.lo ^ and.lo}
	src, dst := s, make([]span, len(s))
	for d := range 16 {
		if byteAt(differ, d) == 0 {
			continue
		}
		var pos [256]int
		for _, x := range src {
			pos[byteAt(x.lo, d)]++
		}
		sum := 0
		for i, n := range pos {
			pos[i] = sum
			sum += n
		}
		for _, x := range src {
			b := byteAt(x.lo, d)
			dst[pos[b]] = x
			pos[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}

// byteAt returns byte d of u, counting from the least significant.
func byteAt(u u128, d int) byte {
	if d < 8 {
		return byte(u.lo >> (8 * d))
	}
	return byte(u.hi >> (8 * (d - 8)))
}
