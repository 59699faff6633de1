package ipam

import (
	"math/bits"
	"net/netip"
)

// u128 is an unsigned 128-bit integer: an address, or an offset in an address
// space. IPv4 addresses occupy the low 32 bits.
type u128 struct {
	hi, lo uint64
}

func (u u128) cmp(v u128) int {
	switch {
	case u.hi < v.hi:
		return -1
	case u.hi > v.hi:
		return 1
	case u.lo < v.lo:
		return -1
	case u.lo > v.lo:
		return 1
	}
	return 0
}

func (u u128) less(v u128) bool { return u.hi < v.hi || (u.hi == v.hi && u.lo < v.lo) }

// add returns u+v and the carry out of bit 127.
func (u u128) add(v u128) (u128, uint64) {
	lo, c := bits.Add64(u.lo, v.lo, 0)
	hi, c := bits.Add64(u.hi, v.hi, c)
	return u128{hi, lo}, c
}

// sub returns u-v and the borrow.
func (u u128) sub(v u128) (u128, uint64) {
	lo, b := bits.Sub64(u.lo, v.lo, 0)
	hi, b := bits.Sub64(u.hi, v.hi, b)
	return u128{hi, lo}, b
}

func (u u128) addOne() (u128, uint64) { return u.add(u128{0, 1}) }
func (u u128) subOne() u128 {
	r, _ := u.sub(u128{0, 1})
	return r
}

func (u u128) and(v u128) u128 { return u128{u.hi & v.hi, u.lo & v.lo} }
func (u u128) or(v u128) u128  { return u128{u.hi | v.hi, u.lo | v.lo} }
func (u u128) not() u128       { return u128{^u.hi, ^u.lo} }

// shl returns u<<n for n in [0, 127].
func (u u128) shl(n uint) u128 {
	switch {
	case n == 0:
		return u
	case n >= 64:
		return u128{u.lo << (n - 64), 0}
	}
	return u128{u.hi<<n | u.lo>>(64-n), u.lo << n}
}

// lowMask returns a value with the low n bits set, n in [0, 128].
func lowMask(n uint) u128 {
	switch {
	case n == 0:
		return u128{}
	case n < 64:
		return u128{0, 1<<n - 1}
	case n < 128:
		return u128{1<<(n-64) - 1, ^uint64(0)}
	}
	return u128{^uint64(0), ^uint64(0)}
}

// trailingZeros returns the number of trailing zero bits; 128 for zero.
func (u u128) trailingZeros() uint {
	if u.lo != 0 {
		return uint(bits.TrailingZeros64(u.lo))
	}
	if u.hi != 0 {
		return 64 + uint(bits.TrailingZeros64(u.hi))
	}
	return 128
}

// bitLen returns the number of bits needed to represent u; 0 for zero.
func (u u128) bitLen() uint {
	if u.hi != 0 {
		return 64 + uint(bits.Len64(u.hi))
	}
	return uint(bits.Len64(u.lo))
}

// u128From returns the address a as an integer. IPv4 addresses use the low
// 32 bits.
func u128From(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	return u128{beUint64(b[:8]), beUint64(b[8:])}
}

func beUint64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// addr returns u as an address of the family with the given bit length (32 or 128).
func (u u128) addr(familyBits int) netip.Addr {
	if familyBits == 32 {
		v := uint32(u.lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := range 8 {
		b[i] = byte(u.hi >> (56 - 8*i))
		b[8+i] = byte(u.lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b)
}
