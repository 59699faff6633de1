package ipam

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCIDR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // canonical form; empty when an error is expected
		wantErr error
		msg     string // the error text must contain this
	}{
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: "0.0.0.0/0", want: "0.0.0.0/0"},
		{in: "192.168.1.7/32", want: "192.168.1.7/32"},
		{in: "2001:db8::/32", want: "2001:db8::/32"},
		{in: "::/0", want: "::/0"},
		{in: "2001:db8::1/128", want: "2001:db8::1/128"},
		{in: "::ffff:10.0.0.0/104", want: "::ffff:10.0.0.0/104"},
		{in: "10.0.0.1/8", wantErr: ErrHostBitsSet, msg: `"10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)`},
		{in: "2001:db8::1/64", wantErr: ErrHostBitsSet, msg: "did you mean 2001:db8::/64?"},
		{in: "10.0.0.0", wantErr: ErrSyntax, msg: `"10.0.0.0": missing prefix length (did you mean 10.0.0.0/32?)`},
		{in: "2001:db8::", wantErr: ErrSyntax, msg: "did you mean 2001:db8::/128?"},
		{in: "10.0.0.0/33", wantErr: ErrSyntax, msg: `"10.0.0.0/33"`},
		{in: "10.0.0.0/-1", wantErr: ErrSyntax},
		{in: "10.0.0/8", wantErr: ErrSyntax},
		{in: "010.0.0.0/8", wantErr: ErrSyntax},
		{in: " 10.0.0.0/8", wantErr: ErrSyntax},
		{in: "fe80::1%eth0/64", wantErr: ErrSyntax},
		{in: "", wantErr: ErrSyntax},
		{in: "/8", wantErr: ErrSyntax},
		{in: "vpc-0abc", wantErr: ErrSyntax, msg: "want address/length"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCIDR(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr, "ParseCIDR(%q)", tt.in)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.in, pe.Input)
				assert.Zero(t, pe.Line)
				assert.ErrorContains(t, err, tt.msg)
				assert.Equal(t, netip.Prefix{}, got)
				return
			}
			require.NoError(t, err, "ParseCIDR(%q)", tt.in)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestParseCIDRMasked(t *testing.T) {
	t.Parallel()
	got, err := ParseCIDRMasked("10.1.2.3/16")
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("10.1.0.0/16"), got)
	got, err = ParseCIDRMasked("2001:db8::ff/120")
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("2001:db8::/120"), got)
	_, err = ParseCIDRMasked("10.1.2.3")
	require.ErrorIs(t, err, ErrSyntax)

	assert.Equal(t, netip.MustParsePrefix("10.0.0.0/8"), MustParseCIDR("10.0.0.0/8"))
	assert.Panics(t, func() { MustParseCIDR("10.0.0.1/8") })
}

func TestParseCIDRList(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"# used by team A",
		"10.0.0.0/24",
		"",
		"  10.0.1.0/24   # trailing comment",
		"10.0.2.1/24",
		"bogus",
		"\t2001:db8::/64",
		"10.0.3.0/24",
	}, "\n")
	got, err := ParseCIDRList(strings.NewReader(in))
	assert.Equal(t, []netip.Prefix{
		MustParseCIDR("10.0.0.0/24"),
		MustParseCIDR("10.0.1.0/24"),
		MustParseCIDR("2001:db8::/64"),
		MustParseCIDR("10.0.3.0/24"),
	}, got, "the good lines are kept")
	require.Error(t, err)
	assert.Equal(t, `line 5: "10.0.2.1/24": host bits set (did you mean 10.0.2.0/24?)`+"\n"+
		`line 6: "bogus": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)`,
		err.Error(), "every bad line, numbered")

	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 5, pe.Line, "the first bad line")
	assert.ErrorIs(t, err, ErrHostBitsSet)
	assert.ErrorIs(t, err, ErrSyntax)

	got, err = ParseCIDRList(strings.NewReader("# nothing\n\n"))
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = ParseCIDRList(iotest.ErrReader(errors.New("disk on fire")))
	require.ErrorContains(t, err, "disk on fire")

	_, err = ParseCIDRList(strings.NewReader("10.0.0.0/8\n" + strings.Repeat("1", maxLine+1)))
	require.EqualError(t, err, "line 2 is longer than 64 KiB: is this a text file of CIDRs?")
	assert.ErrorIs(t, err, bufio.ErrTooLong)
}

// parseCIDRListRef is the reference for [ParseCIDRList], as simple as it can
// be: each line a string, each CIDR through [ParseCIDR]. It was the
// implementation before the fast path, which FuzzParseCIDRList holds to it.
func parseCIDRListRef(r io.Reader) ([]netip.Prefix, error) {
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
		errs = append(errs, readError(line+1, err))
	}
	return out, errors.Join(errs...)
}

func TestParseCIDRListLongLines(t *testing.T) {
	t.Parallel()
	for _, n := range []int{maxLine - 2, maxLine - 1, maxLine, maxLine + 1, 2 * maxLine} {
		// A CIDR padded with blanks to n bytes, then the newline.
		in := "10.0.0.0/8\n" + strings.Repeat(" ", n-len("10.1.0.0/16")) + "10.1.0.0/16\n10.2.0.0/16\n"
		got, err := ParseCIDRList(strings.NewReader(in))
		want, werr := parseCIDRListRef(strings.NewReader(in))
		assert.Equal(t, want, got, "line of %d bytes", n)
		assert.Equal(t, werr, err, "line of %d bytes", n)
	}
}

func TestParseCIDRListAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts every goroutine's allocations.
	for _, s := range []string{"10.0.0.0/8", "192.168.255.240/28", "2001:db8::/32", "::ffff:10.0.0.0/104", "1:2:3:4:5:6:7:8/128"} {
		b := []byte(s)
		allocs := testing.AllocsPerRun(100, func() {
			if _, ok := parseCanonical(b); !ok {
				t.Fatalf("parseCanonical(%q) failed", s)
			}
		})
		assert.Zero(t, allocs, "parseCanonical(%q) allocates", s)
	}
	// A list costs its scanner and the growth of its result, not a line.
	text := benchList(10_000)
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := ParseCIDRList(bytes.NewReader(text)); err != nil {
			t.Fatal(err)
		}
	})
	assert.Less(t, allocs, 40.0, "allocations for 10,000 lines")
}

// TestParseCIDRListMixed crosses many chunk boundaries with IPv4 and IPv6
// prefixes of every length, which take one and three words of a chunk.
func TestParseCIDRListMixed(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*oracleSeed, 7))
	var text []byte
	for range maxChunk { // about two words each: the growing chunks and two full ones
		var a netip.Addr
		if r.IntN(2) == 0 {
			a = netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		} else {
			a = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(r.Uint32())})
		}
		p := netip.PrefixFrom(a, r.IntN(a.BitLen()+1)).Masked()
		text = append(p.AppendTo(text), '\n')
	}
	got, err := ParseCIDRList(bytes.NewReader(text))
	require.NoError(t, err)
	want, err := parseCIDRListRef(bytes.NewReader(text))
	require.NoError(t, err)
	require.Len(t, got, len(want))
	if !slices.Equal(want, got) { // find the first difference
		for i := range want {
			require.Equal(t, want[i], got[i], "first difference at line %d", i+1)
		}
	}
}

// stuckReader returns its data, then nothing and no error, forever.
type stuckReader struct{ data string }

func (r *stuckReader) Read(p []byte) (int, error) {
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// liarReader claims to have read more than it was given room for.
type liarReader struct{}

func (liarReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// TestParseCIDRListBadReaders covers the reader failures that a
// bufio.Scanner reports, against the reference.
func TestParseCIDRListBadReaders(t *testing.T) {
	t.Parallel()
	for name, newReader := range map[string]func() io.Reader{
		"no progress":      func() io.Reader { return &stuckReader{"10.0.0.0/8\n10.1.0.0/16"} },
		"impossible count": func() io.Reader { return liarReader{} },
	} {
		got, err := ParseCIDRList(newReader())
		want, werr := parseCIDRListRef(newReader())
		assert.Equal(t, want, got, name)
		assert.Equal(t, werr, err, name)
		assert.Error(t, err, name)
	}
}
