package ipam

import (
	"errors"
	"fmt"
	"net/netip"
)

// Sentinel errors. Functions wrap them with the offending input; callers
// branch with [errors.Is].
var (
	// ErrSyntax reports text that is not a CIDR at all.
	ErrSyntax = errors.New("not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)")
	// ErrHostBitsSet reports a CIDR whose address has bits set beyond its
	// prefix length, such as 10.0.0.1/8. [ParseCIDRMasked] accepts those.
	ErrHostBitsSet = errors.New("host bits set")
	// ErrInvalidPrefix reports the zero netip.Prefix, or another prefix for
	// which IsValid is false, passed to a function that needs a real one.
	ErrInvalidPrefix = errors.New("invalid prefix")
	// ErrFamilyMismatch reports IPv4 and IPv6 mixed where that makes no sense:
	// pools of both families in one space, or a used prefix or a block length
	// of a family that the pools do not have.
	ErrFamilyMismatch = errors.New("address family mismatch")
	// ErrBadBits reports a prefix length out of range for its use: negative,
	// longer than the address family allows (32 or 128), or shorter than the
	// prefix it must fit inside.
	ErrBadBits = errors.New("prefix length out of range")
	// ErrBadCount reports a block count below one.
	ErrBadCount = errors.New("count must be at least 1")
	// ErrBadStrategy reports a [Strategy] that is neither [Lowest] nor
	// [BestFit].
	ErrBadStrategy = errors.New("unknown allocation strategy")
	// ErrInsufficientSpace is matched by every [*InsufficientSpaceError].
	ErrInsufficientSpace = errors.New("insufficient free space")
)

// ParseError describes a CIDR that could not be parsed: what was given,
// where, and why. Err wraps one of [ErrSyntax] and [ErrHostBitsSet].
type ParseError struct {
	Line  int    // 1-based line number in a list; 0 for a single value
	Input string // the text as given
	Err   error  // why it was rejected
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %q: %v", e.Line, e.Input, e.Err)
	}
	return fmt.Sprintf("%q: %v", e.Input, e.Err)
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// hostBitsError says which canonical CIDR the input probably meant.
type hostBitsError struct{ masked netip.Prefix }

func (e hostBitsError) Error() string {
	return fmt.Sprintf("host bits set (did you mean %v?)", e.masked)
}

func (hostBitsError) Is(target error) bool { return target == ErrHostBitsSet }

// InsufficientSpaceError reports that fewer free blocks of the requested
// length exist than were asked for. It matches [ErrInsufficientSpace].
type InsufficientSpaceError struct {
	Bits int // the requested prefix length
	Want int // how many blocks were asked for
	Fit  int // how many fit; always less than Want
}

func (e *InsufficientSpaceError) Error() string {
	if e.Fit == 0 {
		return fmt.Sprintf("no free /%d left: %v", e.Bits, ErrInsufficientSpace)
	}
	return fmt.Sprintf("asked for %d free /%d blocks but only %d fit: %v", e.Want, e.Bits, e.Fit, ErrInsufficientSpace)
}

// Is reports whether target is [ErrInsufficientSpace].
func (e *InsufficientSpaceError) Is(target error) bool { return target == ErrInsufficientSpace }
