package ipam

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"strconv"
)

// Count is an exact number of IP addresses, from 0 to 2^128 inclusive: an
// IPv6 /0 holds 2^128 addresses, one more than 128 bits hold, so Count keeps a
// 129th bit.
//
// The zero value is 0. Counts are small values: comparable with ==, usable as
// map keys and safe to copy and to use concurrently. Arithmetic never
// allocates and never uses floating point; the one float is a percentage,
// from [Count.Percent].
type Count struct {
	hi, lo uint64
	full   bool // exactly 2^128; hi and lo are then zero
}

// maxCountString is 2^128 in decimal.
const maxCountString = "340282366920938463463374607431768211456"

// MaxCount is 2^128, the number of addresses in ::/0 and the largest Count.
var MaxCount = Count{full: true}

// NewCount returns n as a Count.
func NewCount(n uint64) Count { return Count{lo: n} }

// Size returns the number of addresses in p: 2^(32-p.Bits()) for IPv4 and
// 2^(128-p.Bits()) for IPv6. Host bits do not matter. Size returns 0 for an
// invalid prefix. It does not allocate.
func Size(p netip.Prefix) Count {
	if !p.IsValid() {
		return Count{}
	}
	return countOfHostBits(uint(p.Addr().BitLen() - p.Bits()))
}

// countOfHostBits returns 2^n for n in [0, 128].
func countOfHostBits(n uint) Count {
	if n == 128 {
		return MaxCount
	}
	return Count{}.fromU128(u128{0, 1}.shl(n), 0)
}

// fromU128 returns the count carry*2^128 + u, where carry is 0 or 1 and u is
// zero when carry is 1.
func (Count) fromU128(u u128, carry uint64) Count {
	if carry != 0 {
		return MaxCount
	}
	return Count{hi: u.hi, lo: u.lo}
}

// spanCount returns hi-lo+1, the number of addresses in the inclusive range.
func spanCount(lo, hi u128) Count {
	d, _ := hi.sub(lo)
	d, c := d.addOne()
	return Count{}.fromU128(d, c)
}

// IsZero reports whether c is 0.
func (c Count) IsZero() bool { return c == Count{} }

// Compare returns -1, 0 or +1 as c is less than, equal to or greater than d.
func (c Count) Compare(d Count) int {
	switch {
	case c.full || d.full:
		if c.full == d.full {
			return 0
		}
		if c.full {
			return 1
		}
		return -1
	}
	return u128{c.hi, c.lo}.cmp(u128{d.hi, d.lo})
}

// Add returns c+d. The sum saturates at [MaxCount]: the addresses of disjoint
// sets of one family never add up to more, so saturation only ever happens
// when adding counts of overlapping sets.
func (c Count) Add(d Count) Count {
	if c.full || d.full {
		return MaxCount
	}
	s, carry := u128{c.hi, c.lo}.add(u128{d.hi, d.lo})
	if carry != 0 {
		return MaxCount
	}
	return Count{hi: s.hi, lo: s.lo}
}

// Sub returns c-d, or 0 when d is greater than c.
func (c Count) Sub(d Count) Count {
	switch c.Compare(d) {
	case -1, 0:
		return Count{}
	}
	if c.full {
		if d.IsZero() {
			return c
		}
		// 2^128 - d, with 0 < d < 2^128: the two's complement of d.
		r, _ := u128{}.sub(u128{d.hi, d.lo})
		return Count{hi: r.hi, lo: r.lo}
	}
	r, _ := u128{c.hi, c.lo}.sub(u128{d.hi, d.lo})
	return Count{hi: r.hi, lo: r.lo}
}

// Fraction returns the share f of c, c×f rounded to the nearest integer (ties
// away from zero), for f from 0 to 1: how many addresses a reported usage
// fraction such as IPAM's IpUsage stands for. A NaN or negative f gives 0, an
// f above 1 gives c. The product is exact: f is read as the binary fraction
// it is, multiplied into 182 bits, then rounded once. It does not allocate.
func (c Count) Fraction(f float64) Count {
	switch {
	case !(f > 0): // also NaN
		return Count{}
	case f >= 1:
		return c
	}
	// f = mant × 2^-shift with a 53-bit integer mantissa.
	frac, exp := math.Frexp(f) // f = frac × 2^exp, frac in [0.5, 1)
	mant := uint64(frac * (1 << 53))
	shift := uint(53 - exp) // exp <= 0, so shift >= 53
	// c × mant as a 3-limb number (c < 2^129 and mant < 2^53).
	var hi, lo uint64 = c.hi, c.lo
	var top uint64
	if c.full {
		top = 1 // bit 128
		hi, lo = 0, 0
	}
	p1h, p0 := bits.Mul64(lo, mant)
	p2h, p1l := bits.Mul64(hi, mant)
	p1, carry := bits.Add64(p1h, p1l, 0)
	p2 := p2h + top*mant + carry
	// Round to nearest: add half of 2^shift, then shift right.
	if shift >= 192 {
		return Count{}
	}
	half := [3]uint64{}
	half[(shift-1)/64] = 1 << ((shift - 1) % 64)
	var c0, c1 uint64
	p0, c0 = bits.Add64(p0, half[0], 0)
	p1, c1 = bits.Add64(p1, half[1], c0)
	p2, _ = bits.Add64(p2, half[2], c1)
	limbs := [3]uint64{p0, p1, p2}
	var out [3]uint64
	word, bit := shift/64, shift%64
	for i := range 3 {
		j := i + int(word)
		if j < 3 {
			out[i] = limbs[j] >> bit
			if bit != 0 && j+1 < 3 {
				out[i] |= limbs[j+1] << (64 - bit)
			}
		}
	}
	if out[2] != 0 {
		return MaxCount // only when c is 2^128 and f rounds to 1
	}
	return Count{hi: out[1], lo: out[0]}
}

// Uint64 returns c as a uint64, and whether it fits.
func (c Count) Uint64() (uint64, bool) {
	if c.full || c.hi != 0 {
		return 0, false
	}
	return c.lo, true
}

// float64 returns the nearest float64 to c. It is not exported: a float64
// holds integers exactly only up to 2^53, so floats appear only as
// percentages.
func (c Count) float64() float64 {
	if c.full {
		return 0x1p128
	}
	return float64(c.hi)*0x1p64 + float64(c.lo)
}

// Percent returns c as a percentage of total, from 0 to 100 when c does not
// exceed total. It returns 0 when total is 0.
func (c Count) Percent(total Count) float64 {
	if total.IsZero() {
		return 0
	}
	return c.float64() / total.float64() * 100
}

// String returns c in decimal.
func (c Count) String() string { return string(c.AppendTo(nil)) }

// AppendTo appends the decimal form of c, as generated by [Count.String], to
// b and returns the extended buffer.
func (c Count) AppendTo(b []byte) []byte {
	if c.full {
		return append(b, maxCountString...)
	}
	if c.hi == 0 {
		return strconv.AppendUint(b, c.lo, 10)
	}
	// Split into base-10^19 digits: at most three for 128 bits.
	const base = 1e19
	var chunks [3]uint64
	n := 0
	hi, lo := c.hi, c.lo
	for hi != 0 || lo != 0 {
		var r uint64
		hi, r = bits.Div64(0, hi, base)
		lo, r = bits.Div64(r, lo, base)
		chunks[n] = r
		n++
	}
	b = strconv.AppendUint(b, chunks[n-1], 10)
	for i := n - 2; i >= 0; i-- {
		var tmp [20]byte
		d := strconv.AppendUint(tmp[:0], chunks[i], 10)
		for range 19 - len(d) {
			b = append(b, '0')
		}
		b = append(b, d...)
	}
	return b
}

// MarshalText implements [encoding.TextMarshaler]: the decimal digits of
// [Count.String]. JSON therefore carries a Count as a string, which keeps
// precision that a JSON number would lose past 2^53.
func (c Count) MarshalText() ([]byte, error) { return c.AppendTo(nil), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] with the rules of
// [ParseCount].
func (c *Count) UnmarshalText(text []byte) error {
	v, err := ParseCount(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// ErrCountSyntax is returned, wrapped, by [ParseCount] for input that is not
// a decimal count from 0 to 2^128.
var ErrCountSyntax = errors.New("not a decimal count from 0 to 2^128")

// ParseCount parses a decimal count from 0 to 2^128 as produced by
// [Count.String]: ASCII digits only, no sign, no leading zeros. Errors wrap
// [ErrCountSyntax].
func ParseCount(s string) (Count, error) {
	bad := func(why string) (Count, error) {
		return Count{}, fmt.Errorf("parse count %q: %s: %w", s, why, ErrCountSyntax)
	}
	switch {
	case s == "":
		return bad("empty")
	case len(s) > 1 && s[0] == '0':
		return bad("leading zero")
	}
	var v u128
	full := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '0' || ch > '9' {
			return bad(fmt.Sprintf("unexpected character %q", ch))
		}
		if full {
			return bad("greater than 2^128")
		}
		// v = v*10 + digit, watching the carry out of bit 127.
		h1, l1 := bits.Mul64(v.lo, 10)
		h2, l2 := bits.Mul64(v.hi, 10)
		hi, c := bits.Add64(h1, l2, 0)
		top := h2 + c
		lo, c := bits.Add64(l1, uint64(ch-'0'), 0)
		hi, c = bits.Add64(hi, 0, c)
		top += c
		switch {
		case top == 0:
			v = u128{hi, lo}
		case top == 1 && hi == 0 && lo == 0:
			full = true
			v = u128{}
		default:
			return bad("greater than 2^128")
		}
	}
	if full {
		return MaxCount, nil
	}
	return Count{hi: v.hi, lo: v.lo}, nil
}
