package ipam

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// ParseCIDR parses s as a CIDR in canonical form, such as "10.0.0.0/16" or
// "2001:db8::/56". Unlike [netip.ParsePrefix], it rejects an address with host
// bits set: "10.0.0.1/8" is an error that names the input and the canonical
// form 10.0.0.0/8, because a typo in an address plan must not silently become
// a different network. Use [ParseCIDRMasked] to mask host bits instead.
//
// Errors are [*ParseError] values wrapping [ErrSyntax] or [ErrHostBitsSet].
func ParseCIDR(s string) (netip.Prefix, error) {
	p, err := parse(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, &ParseError{Input: s, Err: hostBitsError{m}}
	}
	return p, nil
}

// ParseCIDRMasked is like [ParseCIDR] but accepts host bits and clears them:
// "10.0.0.1/8" parses as 10.0.0.0/8. Errors are [*ParseError] values wrapping
// [ErrSyntax].
func ParseCIDRMasked(s string) (netip.Prefix, error) {
	p, err := parse(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

// MustParseCIDR calls [ParseCIDR] and panics on error. It is intended for use
// in tests with hard-coded strings.
func MustParseCIDR(s string) netip.Prefix {
	p, err := ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return p
}

func parse(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err == nil {
		return p, nil
	}
	if a, aerr := netip.ParseAddr(s); aerr == nil && a.Zone() == "" {
		return netip.Prefix{}, &ParseError{Input: s, Err: fmt.Errorf("missing prefix length (did you mean %v?): %w", netip.PrefixFrom(a, a.BitLen()), ErrSyntax)}
	}
	// netip's message starts with its own quoted copy of the input; keep only the reason.
	why := err.Error()
	if i := strings.LastIndex(why, "): "); i >= 0 {
		why = why[i+3:]
	}
	return netip.Prefix{}, &ParseError{Input: s, Err: fmt.Errorf("%s: %w", why, ErrSyntax)}
}

// maxLine bounds one line of a CIDR list; no CIDR is anywhere near as long.
const maxLine = 64 << 10

// ParseCIDRList reads one CIDR per line with the rules of [ParseCIDR].
// Surrounding white space is ignored, as are blank lines and comments: text
// from a '#' to the end of its line.
//
// It returns every CIDR that parsed, in input order, and an error joining a
// [*ParseError] for every line that did not (with its 1-based line number), so
// a user can fix a file in one pass. A failure to read r is returned as is.
func ParseCIDRList(r io.Reader) ([]netip.Prefix, error) {
	var (
		out  []netip.Prefix
		errs []error
		line int
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		p, err := ParseCIDR(text)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Line = line
			}
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("line %d: %w", line+1, err))
	}
	return out, errors.Join(errs...)
}
