package ipam

import (
	"fmt"
	"iter"
	"net/netip"
)

// Subnets returns an iterator over the children of p that are bits long, in
// ascending address order: 10.0.0.0/8 split into /28s yields 10.0.0.0/28,
// 10.0.0.16/28, … 10.255.255.240/28. Host bits of p are ignored. The
// sequence is lazy: splitting a /8 into a million /28s, or an IPv6 /48 into
// 2^80 /128s, takes constant memory and stops as soon as the caller does.
// Yielding a subnet does not allocate, and the iterator may be used more than
// once.
//
// It reports an error wrapping [ErrInvalidPrefix] for an invalid p, and one
// wrapping [ErrBadBits] if bits is shorter than p or longer than the address
// family allows.
func Subnets(p netip.Prefix, bits int) (iter.Seq[netip.Prefix], error) {
	if !p.IsValid() {
		return nil, fmt.Errorf("split: %w", ErrInvalidPrefix)
	}
	fam := p.Addr().BitLen()
	if bits < p.Bits() || bits > fam {
		return nil, fmt.Errorf("split %v into /%d: want a length from %d to %d: %w", p.Masked(), bits, p.Bits(), fam, ErrBadBits)
	}
	x := spanOf(p)
	k := uint(fam - bits)
	return func(yield func(netip.Prefix) bool) {
		start := x.lo
		for {
			if !yield(netip.PrefixFrom(start.addr(fam), bits)) {
				return
			}
			end := start.or(lowMask(k))
			if end == x.hi {
				return
			}
			start, _ = end.addOne()
		}
	}, nil
}

// Summarize returns the minimal list of CIDRs that covers exactly the
// addresses of prefixes: duplicates and nested prefixes are dropped and
// adjacent ones merged (10.0.0.0/25 and 10.0.0.128/25 become 10.0.0.0/24).
// IPv4 prefixes come first, then IPv6, each in ascending address order.
// Invalid prefixes are ignored and host bits too. O(n log n).
func Summarize(prefixes []netip.Prefix) []netip.Prefix {
	var v4, v6 []span
	for _, p := range prefixes {
		switch {
		case !p.IsValid():
		case p.Addr().Is4():
			v4 = append(v4, spanOf(p))
		default:
			v6 = append(v6, spanOf(p))
		}
	}
	out := appendPrefixes(nil, 32, normalize(v4)...)
	return appendPrefixes(out, 128, normalize(v6)...)
}
