package ipam

import (
	"bufio"
	"bytes"
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
// a user can fix a file in one pass. A failure to read r ends the list and
// is returned with its line number; a line longer than 64 KiB is such a
// failure, matching [bufio.ErrTooLong].
//
// A good line costs no allocation beyond its share of the result: it is
// parsed where it was read. Only a bad line is copied, into its error.
func ParseCIDRList(r io.Reader) ([]netip.Prefix, error) {
	var (
		out  prefixChunks
		errs []error
		line int
	)
	lr := lineReader{r: r, buf: make([]byte, maxLine)}
	for {
		text, ok := lr.next()
		if !ok {
			break
		}
		line++
		if p, ok := parseCanonical(text); ok { // most lines: a CIDR, with no blank or comment
			out.add(p)
			continue
		}
		if i := bytes.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		if p, ok := parseCanonical(text); ok {
			out.add(p)
			continue
		}
		// A bad line: ParseCIDR says why.
		p, err := ParseCIDR(string(text))
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				pe.Line = line
			}
			errs = append(errs, err)
			continue
		}
		out.add(packPrefix(p)) // not reached while parseCanonical takes all ParseCIDR takes
	}
	if err := lr.err(); err != nil {
		errs = append(errs, readError(line+1, err))
	}
	return out.all(), errors.Join(errs...)
}

// readError returns the error of a failure to read line n of a list. A line
// too long for any CIDR says so, and hints at the likely cause; it still
// matches [bufio.ErrTooLong].
func readError(n int, err error) error {
	if err == bufio.ErrTooLong {
		return lineTooLongError{n}
	}
	return fmt.Errorf("line %d: %w", n, err)
}

// lineTooLongError reports a line of a list longer than maxLine: a binary
// file, or one that is not a list of CIDRs.
type lineTooLongError struct{ line int }

func (e lineTooLongError) Error() string {
	return fmt.Sprintf("line %d is longer than %d KiB: is this a text file of CIDRs?", e.line, maxLine>>10)
}

func (lineTooLongError) Unwrap() error { return bufio.ErrTooLong }

// lineReader splits its input into lines exactly as a [bufio.Scanner] with
// [bufio.ScanLines] and a buffer of maxLine bytes does, errors included, at
// half the cost a line: lines are found with one search of the buffer each.
type lineReader struct {
	r          io.Reader
	buf        []byte // maxLine bytes; a line must fit with its newline
	start, end int    // the unread data in buf
	readErr    error  // the first error from r, io.EOF included
}

// next returns the next line without its "\n" or "\r\n", valid until the
// following call, and false at the end of the input or on an error.
func (lr *lineReader) next() ([]byte, bool) {
	empties := 0
	for {
		if i := bytes.IndexByte(lr.buf[lr.start:lr.end], '\n'); i >= 0 {
			line := lr.buf[lr.start : lr.start+i]
			lr.start += i + 1
			return dropCR(line), true
		}
		if lr.readErr != nil {
			if lr.start == lr.end {
				return nil, false
			}
			line := lr.buf[lr.start:lr.end] // the last line, without a newline
			lr.start = lr.end
			return dropCR(line), true
		}
		lr.end = copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.start = 0
		if lr.end == len(lr.buf) {
			lr.readErr, lr.start, lr.end = bufio.ErrTooLong, 0, 0
			return nil, false
		}
		n, err := lr.r.Read(lr.buf[lr.end:])
		if n < 0 || n > len(lr.buf)-lr.end {
			lr.readErr = bufio.ErrBadReadCount
			continue
		}
		lr.end += n
		switch {
		case err != nil:
			lr.readErr = err
		case n > 0:
			empties = 0
		case empties == 100: // as many empty reads in a row as a Scanner allows
			lr.readErr = io.ErrNoProgress
		default:
			empties++
		}
	}
}

// err returns the error that ended the input; nil at its end.
func (lr *lineReader) err() error {
	if lr.readErr == io.EOF {
		return nil
	}
	return lr.readErr
}

// dropCR drops a terminal '\r' from line, as bufio.ScanLines does.
func dropCR(line []byte) []byte {
	if len(line) > 0 && line[len(line)-1] == '\r' {
		return line[:len(line)-1]
	}
	return line
}

// packedPrefix is a valid [netip.Prefix] as plain integers, as
// parseCanonical returns it and prefixChunks stores it, without the zone
// pointer that a netip.Addr carries.
type packedPrefix struct {
	addr u128 // IPv4 in the low 32 bits
	bits uint8
	is6  bool
}

func packPrefix(p netip.Prefix) packedPrefix {
	return packedPrefix{u128From(p.Addr()), uint8(p.Bits()), p.Addr().Is6()}
}

func (p packedPrefix) unpack() netip.Prefix {
	if p.is6 {
		return netip.PrefixFrom(p.addr.addr(128), int(p.bits))
	}
	return netip.PrefixFrom(p.addr.addr(32), int(p.bits))
}

// prefixChunks collects a list of unknown length in chunks that stay where
// they were filled, and unpacks them once into a slice of the final length.
// Appending to one slice of netip.Prefix would copy a million of them about
// four times as it grew, each copy a new block for the garbage collector to
// clear and scan.
//
// A chunk is a run of words without pointers: an IPv4 prefix takes one,
// bits<<32 | address; an IPv6 prefix takes three, 1<<63 | bits and then its
// address. A million IPv4 prefixes take 8 MB on their way to the 32 MB
// that the result takes.
type prefixChunks struct {
	full [][]uint64
	cur  []uint64
	n    int // prefixes
}

// maxChunk bounds the length of a chunk: 64Ki words, 512 KiB.
const maxChunk = 1 << 16

const chunkIs6 = 1 << 63

func (c *prefixChunks) add(p packedPrefix) {
	if cap(c.cur)-len(c.cur) < 3 {
		if c.cur != nil {
			c.full = append(c.full, c.cur)
		}
		c.cur = make([]uint64, 0, min(max(2*cap(c.cur), 64), maxChunk))
	}
	if p.is6 {
		c.cur = append(c.cur, chunkIs6|uint64(p.bits), p.addr.hi, p.addr.lo)
	} else {
		c.cur = append(c.cur, uint64(p.bits)<<32|p.addr.lo)
	}
	c.n++
}

// all returns the prefixes in the order added; nil if there are none.
func (c *prefixChunks) all() []netip.Prefix {
	if c.n == 0 {
		return nil
	}
	out := make([]netip.Prefix, 0, c.n)
	for _, ch := range append(c.full, c.cur) {
		for i := 0; i < len(ch); i++ {
			w := ch[i]
			if w&chunkIs6 == 0 {
				out = append(out, netip.PrefixFrom(u128{0, w & 0xffffffff}.addr(32), int(w>>32)))
				continue
			}
			out = append(out, netip.PrefixFrom(u128{ch[i+1], ch[i+2]}.addr(128), int(w&0xff)))
			i += 2
		}
	}
	return out
}

// parseCanonical parses b as [ParseCIDR] does and reports whether it
// succeeded, without allocating and without saying why not. It accepts
// exactly what ParseCIDR accepts: FuzzParseCIDR holds it to that, with
// netip's parser as the reference.
func parseCanonical(b []byte) (packedPrefix, bool) {
	slash := bytes.LastIndexByte(b, '/')
	if slash < 0 {
		return packedPrefix{}, false
	}
	bits, ok := parseBits(b[slash+1:])
	if !ok {
		return packedPrefix{}, false
	}
	a := b[:slash]
	for _, c := range a { // the family is decided by the first '.' or ':', as in netip.ParseAddr
		switch c {
		case '.':
			v, ok := parseIPv4(a)
			if !ok || bits > 32 || v&uint32(lowMask(uint(32-bits)).lo) != 0 { // bad, too long, or host bits set
				return packedPrefix{}, false
			}
			return packedPrefix{addr: u128{0, uint64(v)}, bits: uint8(bits)}, true
		case ':':
			u, ok := parseIPv6(a)
			if !ok || bits > 128 || u.and(lowMask(uint(128-bits))) != (u128{}) {
				return packedPrefix{}, false
			}
			return packedPrefix{addr: u, bits: uint8(bits), is6: true}, true
		case '%':
			return packedPrefix{}, false
		}
	}
	return packedPrefix{}, false
}

// parseBits parses a prefix length as netip.ParsePrefix does: decimal
// digits without a sign or a leading zero. It fails above 128.
func parseBits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 3 || len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 128
}

// parseIPv4 parses dotted decimal with the rules of netip.ParseAddr: four
// fields of one to three digits, without a leading zero, none above 255.
func parseIPv4(b []byte) (uint32, bool) {
	var v, n uint32 // the fields so far, the current one
	digits, dots := 0, 0
	for _, c := range b {
		if d := c - '0'; d <= 9 {
			if digits == 1 && n == 0 {
				return 0, false // leading zero
			}
			n = n*10 + uint32(d)
			digits++
			if n > 255 {
				return 0, false
			}
		} else if c == '.' && digits > 0 && dots < 3 {
			v, n, digits = v<<8|n, 0, 0
			dots++
		} else {
			return 0, false
		}
	}
	if dots != 3 || digits == 0 {
		return 0, false
	}
	return v<<8 | n, true
}

// parseIPv6 parses b as an IPv6 address without a zone, with the rules of
// netip.ParseAddr: groups of one to four hex digits, at most one "::", and
// dotted decimal in place of the last two groups.
func parseIPv6(b []byte) (u128, bool) {
	var ip [16]byte
	ellipsis := -1 // where "::" stands in ip
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		b = b[2:]
		if len(b) == 0 {
			return u128{}, true // "::"
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, uint32(0)
	digits:
		for ; off < len(b); off++ {
			c := b[off]
			switch {
			case c >= '0' && c <= '9':
				acc = acc<<4 | uint32(c-'0')
			case c >= 'a' && c <= 'f':
				acc = acc<<4 | uint32(c-'a'+10)
			case c >= 'A' && c <= 'F':
				acc = acc<<4 | uint32(c-'A'+10)
			default:
				break digits
			}
			if off > 3 {
				return u128{}, false // more than four digits
			}
		}
		if off == 0 {
			return u128{}, false // a group without digits
		}
		if off < len(b) && b[off] == '.' { // dotted decimal for the last 32 bits
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return u128{}, false
			}
			v, ok := parseIPv4(b)
			if !ok {
				return u128{}, false
			}
			ip[i], ip[i+1], ip[i+2], ip[i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
			b = nil
			i += 4
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		b = b[off:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' || len(b) == 1 {
			return u128{}, false
		}
		b = b[1:]
		if b[0] == ':' {
			if ellipsis >= 0 {
				return u128{}, false // a second "::"
			}
			ellipsis = i
			b = b[1:]
			if len(b) == 0 {
				break
			}
		}
	}
	if len(b) != 0 {
		return u128{}, false // trailing text
	}
	if i < 16 {
		if ellipsis < 0 {
			return u128{}, false // too few groups
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return u128{}, false // a "::" that stands for no group
	}
	return u128{beUint64(ip[:8]), beUint64(ip[8:])}, true
}
