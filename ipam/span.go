package ipam

import (
	"cmp"
	"net/netip"
	"slices"
)

// span is an inclusive range of addresses [lo, hi] of one family.
type span struct{ lo, hi u128 }

func spanOf(p netip.Prefix) span {
	lo := u128From(p.Masked().Addr())
	return span{lo, lo.or(lowMask(uint(p.Addr().BitLen() - p.Bits())))}
}

func compareSpans(a, b span) int {
	if c := a.lo.cmp(b.lo); c != 0 {
		return c
	}
	return b.hi.cmp(a.hi) // the larger first
}

// normalize sorts s by start and merges overlapping and adjacent spans in
// place, returning the minimal sorted list of disjoint spans.
func normalize(s []span) []span {
	if len(s) < 2 {
		return s
	}
	if !slices.IsSortedFunc(s, func(a, b span) int { return a.lo.cmp(b.lo) }) {
		sortSpans(s)
	}
	out := s[:1]
	for _, x := range s[1:] {
		last := &out[len(out)-1]
		next, carry := last.hi.addOne()
		if carry != 0 || !next.less(x.lo) { // overlapping or adjacent
			if last.hi.less(x.hi) {
				last.hi = x.hi
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// subtract returns a minus b, both normalized, as normalized spans appended
// to dst. It runs in O(len(a) + len(b)).
func subtract(dst, a, b []span) []span {
	j := 0
	for _, x := range a {
		lo := x.lo
		// Skip b entries wholly below x.
		for j < len(b) && b[j].hi.less(lo) {
			j++
		}
		k := j
		done := false
		for ; k < len(b) && !x.hi.less(b[k].lo); k++ {
			if lo.less(b[k].lo) {
				dst = append(dst, span{lo, b[k].lo.subOne()})
			}
			if !b[k].hi.less(x.hi) {
				done = true
				break
			}
			lo, _ = b[k].hi.addOne()
		}
		if !done {
			dst = append(dst, span{lo, x.hi})
		}
		// b[k] may reach into the next span of a; keep it.
		j = k
	}
	return dst
}

func totalCount(s []span) Count {
	var n Count
	for _, x := range s {
		n = n.Add(spanCount(x.lo, x.hi))
	}
	return n
}

// firstAligned returns the lowest start of an aligned block of 2^hostBits
// addresses inside [lo, hi], and whether one fits.
func firstAligned(lo, hi u128, hostBits uint) (u128, bool) {
	mask := lowMask(hostBits)
	up, carry := lo.add(mask)
	if carry != 0 {
		return u128{}, false
	}
	start := up.and(mask.not())
	end, carry := start.add(mask)
	if carry != 0 || hi.less(end) {
		return u128{}, false
	}
	return start, true
}

// largestIn returns the largest aligned block inside [lo, hi] as its start
// and host bits, the lowest such block when several fit. O(1).
func largestIn(lo, hi u128) (u128, uint) {
	n, _ := hi.sub(lo)
	n, carry := n.addOne()
	if carry != 0 {
		return lo, 128 // the whole IPv6 space
	}
	k := n.bitLen() - 1 // 2^k <= n < 2^(k+1)
	if s, ok := firstAligned(lo, hi, k); ok {
		return s, k
	}
	// A range of n addresses always holds an aligned block of 2^(k-1).
	s, _ := firstAligned(lo, hi, k-1)
	return s, k - 1
}

// decompose calls f for each CIDR of the minimal list covering [lo, hi], in
// ascending order, with its start and host bits: at each step the largest
// aligned block that starts at lo and ends by hi.
func decompose(x span, familyBits int, f func(start u128, hostBits uint)) {
	lo := x.lo
	for {
		size, _ := x.hi.sub(lo)
		size, carry := size.addOne()
		k := lo.trailingZeros()
		if carry == 0 {
			k = min(k, size.bitLen()-1)
		}
		k = min(k, uint(familyBits))
		f(lo, k)
		end := lo.or(lowMask(k))
		if end == x.hi {
			return
		}
		lo, _ = end.addOne()
	}
}

// appendPrefixes appends the CIDRs of each span to dst, sized once: the
// result can hold millions of prefixes, and growing it by doubling would
// copy them all several times.
func appendPrefixes(dst []netip.Prefix, familyBits int, spans ...span) []netip.Prefix {
	n := 0
	for _, x := range spans {
		decompose(x, familyBits, func(u128, uint) { n++ })
	}
	dst = slices.Grow(dst, n)
	for _, x := range spans {
		decompose(x, familyBits, func(start u128, k uint) {
			dst = append(dst, netip.PrefixFrom(start.addr(familyBits), familyBits-int(k)))
		})
	}
	return dst
}

// ComparePrefix orders prefixes by address family (IPv4 first), then by
// address, then by length (the shorter, containing prefix first). Host bits
// count as part of the address. This is address order, which
// netipx.ComparePrefix (family, length, address) is not; use it with
// [slices.SortFunc].
func ComparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}
