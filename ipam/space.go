package ipam

import (
	"fmt"
	"net/netip"
	"slices"
)

// Space is the free address space of one address family: a set of pools
// minus the prefixes used inside them. It answers the questions asked of an
// address plan: what is free ([Space.Free]), where the next blocks go
// ([Space.Next], [Space.Allocate]), what the largest free block is
// ([Space.Largest], [Space.Fits]) and how full the pools are
// ([Space.Usage]).
//
// A Space is immutable once built by [NewSpace] and safe for concurrent use.
// Its memory is proportional to the number of pools and used prefixes, never
// to the amount of free space. The zero Space has no pools: nothing is free
// and nothing fits.
type Space struct {
	familyBits int    // 32 or 128; 0 for the zero Space
	pools      []span // normalized
	free       []span // normalized
	total      Count
	used       Count
}

// NewSpace returns the space of pools minus used. Pools may overlap or
// repeat; so may used prefixes, which are also clipped to the pools: a used
// prefix partly or wholly outside every pool only counts where it is inside
// one. Host bits of any prefix are ignored.
//
// All pools must be of one address family and every used prefix of that
// family; otherwise the error wraps [ErrFamilyMismatch]. An invalid prefix
// gives an error wrapping [ErrInvalidPrefix]. With no pools the result is
// the zero Space.
//
// NewSpace runs in O(n log n) for n pools and used prefixes.
func NewSpace(pools, used []netip.Prefix) (Space, error) {
	if len(pools) == 0 {
		for i, u := range used {
			if !u.IsValid() {
				return Space{}, fmt.Errorf("used prefix %d: %w", i+1, ErrInvalidPrefix)
			}
		}
		return Space{}, nil
	}
	fam, err := familyOf("pool", pools)
	if err != nil {
		return Space{}, err
	}
	ps := make([]span, len(pools))
	for i, p := range pools {
		ps[i] = spanOf(p)
	}
	for i, u := range used {
		if !u.IsValid() {
			return Space{}, fmt.Errorf("used prefix %d: %w", i+1, ErrInvalidPrefix)
		}
		if u.Addr().BitLen() != fam {
			return Space{}, fmt.Errorf("used prefix %v is %s but the pools are %s: %w", u, familyName(u.Addr().BitLen()), familyName(fam), ErrFamilyMismatch)
		}
	}
	var us []span
	if fam == 32 {
		us = normalize4(used)
	} else {
		us = make([]span, len(used))
		for i, u := range used {
			us[i] = spanOf(u)
		}
		us = normalize(us)
	}
	return newSpaceFromSpans(fam, normalize(ps), us), nil
}

// newSpaceFromSpans builds a Space from normalized pools and used spans.
func newSpaceFromSpans(fam int, pools, used []span) Space {
	free := subtract(make([]span, 0, len(used)+len(pools)), pools, used)
	total := totalCount(pools)
	return Space{
		familyBits: fam,
		pools:      pools,
		free:       free,
		total:      total,
		used:       total.Sub(totalCount(free)),
	}
}

// familyOf checks that prefixes are valid and all of one family, and
// returns its bit length.
func familyOf(what string, prefixes []netip.Prefix) (int, error) {
	fam := 0
	for i, p := range prefixes {
		if !p.IsValid() {
			return 0, fmt.Errorf("%s %d: %w", what, i+1, ErrInvalidPrefix)
		}
		switch b := p.Addr().BitLen(); {
		case fam == 0:
			fam = b
		case b != fam:
			return 0, fmt.Errorf("%s %v is %s but %s %v is %s: %w", what, p, familyName(b), what, prefixes[0], familyName(fam), ErrFamilyMismatch)
		}
	}
	return fam, nil
}

func familyName(bits int) string {
	if bits == 32 {
		return "IPv4"
	}
	return "IPv6"
}

// Is4 reports whether the space holds IPv4 pools.
func (s Space) Is4() bool { return s.familyBits == 32 }

// Is6 reports whether the space holds IPv6 pools.
func (s Space) Is6() bool { return s.familyBits == 128 }

// Free returns the free space as the minimal list of CIDRs, in ascending
// address order.
func (s Space) Free() []netip.Prefix { return s.AppendFree(nil) }

// AppendFree appends the CIDRs that [Space.Free] returns to dst and returns
// the extended slice.
func (s Space) AppendFree(dst []netip.Prefix) []netip.Prefix {
	return appendPrefixes(dst, s.familyBits, s.free...)
}

// Pools returns the pools as the minimal list of CIDRs, in ascending address
// order: overlapping and adjacent pools are merged.
func (s Space) Pools() []netip.Prefix {
	return appendPrefixes(nil, s.familyBits, s.pools...)
}

// Usage returns how many addresses the pools hold, how many of them are used
// and how many are free.
func (s Space) Usage() Usage {
	return Usage{Total: s.total, Used: s.used, Free: s.total.Sub(s.used)}
}

// IsFree reports whether every address of p is free. Host bits of p are
// ignored; a prefix of the other family is never free. O(log n).
func (s Space) IsFree(p netip.Prefix) bool {
	if !p.IsValid() || p.Addr().BitLen() != s.familyBits {
		return false
	}
	x := spanOf(p)
	// The last free span starting at or before x.lo.
	i, _ := slices.BinarySearchFunc(s.free, x.lo, func(f span, lo u128) int { return f.lo.cmp(lo) })
	if i < len(s.free) && s.free[i].lo == x.lo {
		return !s.free[i].hi.less(x.hi)
	}
	if i == 0 {
		return false
	}
	f := s.free[i-1]
	return !f.hi.less(x.hi)
}

// Largest returns the largest free CIDR, the lowest-addressed one when
// several are equally large, and false when nothing is free. It answers the
// headroom question a percentage cannot: "30% free" may still hold no /24.
// O(n) in the number of free ranges.
func (s Space) Largest() (netip.Prefix, bool) {
	best, bestBits, found := u128{}, uint(0), false
	for _, x := range s.free {
		start, k := largestIn(x.lo, x.hi)
		if !found || k > bestBits {
			best, bestBits, found = start, k, true
		}
	}
	if !found {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(best.addr(s.familyBits), s.familyBits-int(bestBits)), true
}

// Fits reports whether a free, aligned block of prefix length bits exists:
// "does a /24 still fit?". It is false for a length outside the family's
// range and for the zero Space.
func (s Space) Fits(bits int) bool {
	p, ok := s.Largest()
	return ok && bits >= p.Bits() && bits <= s.familyBits
}
