package ipam

import (
	"fmt"
	"net/netip"
)

// Strategy chooses where [Space.Allocate] places blocks.
type Strategy uint8

const (
	// Lowest places each block at the lowest-addressed free aligned
	// position ("first fit"). Blocks come out in ascending address order and
	// are packed from the bottom of the pools, which keeps plans
	// predictable: the same pools and used prefixes always give the same
	// answer, and that answer is the one a person would pick reading the
	// plan from the top. It is the zero Strategy.
	Lowest Strategy = iota
	// BestFit places each block inside the smallest free CIDR that holds it
	// (the lowest-addressed such CIDR on ties), at that CIDR's start, as
	// netipx.IPSet.RemoveFreePrefix does. It fills small holes first and
	// keeps large free blocks whole for large requests.
	BestFit
)

// String returns "lowest" or "best-fit".
func (st Strategy) String() string {
	switch st {
	case Lowest:
		return "lowest"
	case BestFit:
		return "best-fit"
	}
	return fmt.Sprintf("Strategy(%d)", uint8(st))
}

// Next returns the count lowest-addressed free aligned blocks of prefix
// length bits, in ascending address order; it is Allocate with [Lowest].
func (s Space) Next(bits, count int) ([]netip.Prefix, error) {
	return s.Allocate(bits, count, Lowest)
}

// Allocate returns count free, aligned, pairwise disjoint blocks of prefix
// length bits, placed by strategy, in the order they were placed. Each block
// is chosen as if the ones before it were already used, and the space itself
// does not change.
//
// The cost does not depend on the size of the free space: O(n + count) for
// [Lowest] and O(n·b + count·(b + log n)) for [BestFit], where n is the
// number of free ranges and b the address length — one pass, never a rebuild
// per block, and never a walk over candidate blocks. Finding the first /28 in
// an empty /8 looks at one candidate, not a million.
//
// When fewer than count blocks fit, Allocate returns no blocks and an
// [*InsufficientSpaceError] that says how many fit. A length outside the
// family's range, or longer than the family allows, gives an error wrapping
// [ErrBadBits]; a count below 1 one wrapping [ErrBadCount]; a strategy other
// than [Lowest] and [BestFit] one wrapping [ErrBadStrategy].
func (s Space) Allocate(bits, count int, strategy Strategy) ([]netip.Prefix, error) {
	if count < 1 {
		return nil, fmt.Errorf("allocate %d blocks: %w", count, ErrBadCount)
	}
	if s.familyBits == 0 { // no pools: nothing fits, whatever the family
		if bits < 0 || bits > 128 {
			return nil, fmt.Errorf("allocate /%d blocks: want a length from 0 to 128: %w", bits, ErrBadBits)
		}
		return nil, &InsufficientSpaceError{Bits: bits, Want: count}
	}
	if bits < 0 || bits > s.familyBits {
		return nil, fmt.Errorf("allocate /%d blocks in %s space: want a length from 0 to %d: %w", bits, familyName(s.familyBits), s.familyBits, ErrBadBits)
	}
	var out []netip.Prefix
	switch strategy {
	case Lowest:
		out = s.lowest(bits, count)
	case BestFit:
		out = s.bestFit(bits, count)
	default:
		return nil, fmt.Errorf("allocate: unknown %v (want Lowest or BestFit): %w", strategy, ErrBadStrategy)
	}
	if len(out) < count {
		return nil, &InsufficientSpaceError{Bits: bits, Want: count, Fit: len(out)}
	}
	return out, nil
}

func (s Space) lowest(bits, count int) []netip.Prefix {
	var out []netip.Prefix
	k := uint(s.familyBits - bits)
	step := u128{0, 1}.shl(k % 128) // k is 128 only for ::/0, which holds one block
	for _, x := range s.free {
		start, ok := firstAligned(x.lo, x.hi, k)
		for ok {
			out = append(out, netip.PrefixFrom(start.addr(s.familyBits), bits))
			if len(out) == count {
				return out
			}
			next, carry := start.add(step)
			if carry != 0 || k == 128 {
				break
			}
			start, ok = firstAligned(next, x.hi, k)
		}
	}
	return out
}

func (s Space) bestFit(bits, count int) []netip.Prefix {
	// Every free CIDR of the minimal decomposition, bucketed by length. The
	// decomposition is in ascending order, so each bucket starts out as a
	// valid min-heap of start addresses.
	var buckets [129]addrHeap
	for _, x := range s.free {
		decompose(x, s.familyBits, func(start u128, k uint) {
			l := s.familyBits - int(k)
			buckets[l] = append(buckets[l], start)
		})
	}
	var out []netip.Prefix
	for len(out) < count {
		// The smallest free CIDR that holds a /bits is the longest one not
		// longer than bits.
		l := bits
		for l >= 0 && len(buckets[l]) == 0 {
			l--
		}
		if l < 0 {
			break
		}
		start := buckets[l].pop()
		out = append(out, netip.PrefixFrom(start.addr(s.familyBits), bits))
		// Taking the first /bits of a /l frees its buddies /bits … /(l+1).
		for j := bits; j > l; j-- {
			buddy, _ := start.add(u128{0, 1}.shl(uint(s.familyBits - j)))
			buckets[j].push(buddy)
		}
	}
	return out
}

// addrHeap is a binary min-heap of addresses.
type addrHeap []u128

func (h *addrHeap) push(v u128) {
	*h = append(*h, v)
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a[i].less(a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *addrHeap) pop() u128 {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a[l].less(a[m]) {
			m = l
		}
		if r < n && a[r].less(a[m]) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
