package ipam

import (
	"errors"
	"io"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func FuzzParseCIDR(f *testing.F) {
	for _, s := range []string{
		"10.0.0.0/8", "10.0.0.1/8", "0.0.0.0/0", "255.255.255.255/32", "::/0", "2001:db8::/32",
		"2001:db8::1/64", "::ffff:10.0.0.0/104", "10.0.0.0", "10.0.0.0/33", "fe80::1%eth0/64", "",
		"1.2.3.4/08", "01.2.3.4/8", "::/-0", "10.0.0.0/8 ",
		// For the fast path of ParseCIDRList, which must agree with ParseCIDR.
		"10.0.0.0/+8", "10.0.0.0/", "10.0.0.0/128", "10.0.0.0/0008", "1.2.3.256/32", "1.2..3/32", ".1.2.3/32",
		"1.2.3./32", "1.2.3.4.5/32", "1.2.3/24", "10/8", "::", "::/128", "::1/128", "1::/16", "1::1/128",
		"1:2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7::/112", "::2:3:4:5:6:7:8/128", "1:2:3:4:5:6:7:8::/128",
		"1::2::/64", "12345::/16", "1:/16", ":1::/16", "1:::/16", "::1.2.3.4/128", "::ffff:1.2.3.4/128",
		"1:2:3:4:5:6:1.2.3.4/128", "1:2:3:4:5:6:7:1.2.3.4/128", "1::1.2.3.4/128", "1.2.3.4::/128",
		"::1.2.3/128", "::01.2.3.4/128", "ABCD:ef01::/32", "abcd:EF01::/33", "G::/16", "%/8", "::%/8",
		"fe80::%eth0/64", "::/129", "0.0.0.0/33",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseCIDR(s)
		if fp, ok := parseCanonical([]byte(s)); ok != (err == nil) || ok && fp.unpack() != p {
			t.Fatalf("parseCanonical(%q) = %v, %v; ParseCIDR says %v, %v", s, fp.unpack(), ok, p, err)
		}
		m, merr := ParseCIDRMasked(s)
		_, nerr := netip.ParsePrefix(s)
		if (merr == nil) != (nerr == nil) {
			t.Fatalf("ParseCIDRMasked(%q) err %v, netip.ParsePrefix err %v", s, merr, nerr)
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != s {
				t.Fatalf("ParseCIDR(%q): error %v is not a *ParseError naming the input", s, err)
			}
			if errors.Is(err, ErrHostBitsSet) && merr != nil {
				t.Fatalf("ParseCIDR(%q) says host bits set but ParseCIDRMasked fails: %v", s, merr)
			}
			return
		}
		if p != p.Masked() || p != m {
			t.Fatalf("ParseCIDR(%q) = %v, not canonical (masked %v)", s, p, m)
		}
		back, err := ParseCIDR(p.String())
		if err != nil || back != p {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}

// FuzzParseCIDRList holds ParseCIDRList, which parses most lines in place,
// to the slow reference that parses every line with ParseCIDR: the same
// prefixes and the same errors, line numbers and messages included.
func FuzzParseCIDRList(f *testing.F) {
	for _, s := range []string{
		"", "\n", "10.0.0.0/8", "10.0.0.0/8\n10.0.0.1/8\nbogus\n", "# comment\n\n  10.1.0.0/16  # why\n",
		"10.0.0.0/8\r\n2001:db8::/32\r\n", "10.0.0.0/8#x", "#10.0.0.0/8", "\u00a010.0.0.0/8\u0085",
		"\t::/0\v\f", "\xff10.0.0.0/8", "10.0.0.0/8\xff", "fe80::1%eth0/64\n10.0.0.0", "1.2.3.4/32 5.6.7.8/32",
		"\r", "10.0.0.0/8\n\r\n", "::ffff:10.0.0.0/104\n",
	} {
		f.Add(s)
	}
	// Readers that split the input differently or fail after it. A reader
	// that fails after a number of calls rather than at a place in its data
	// (iotest.TimeoutReader) is left out: the reference reads 4 KiB at a time
	// and ParseCIDRList 64 KiB, so such a reader fails at different places.
	readers := []struct {
		name string
		new  func(string) io.Reader
	}{
		{"whole", func(s string) io.Reader { return strings.NewReader(s) }},
		{"one byte at a time", func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) }},
		{"half", func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) }},
		{"EOF with the data", func(s string) io.Reader { return iotest.DataErrReader(strings.NewReader(s)) }},
		{"error after the data", func(s string) io.Reader {
			return io.MultiReader(strings.NewReader(s), iotest.ErrReader(errors.New("disk on fire")))
		}},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, rd := range readers {
			got, err := ParseCIDRList(rd.new(s))
			want, werr := parseCIDRListRef(rd.new(s))
			if !slices.Equal(got, want) || !reflect.DeepEqual(err, werr) {
				t.Fatalf("ParseCIDRList(%q) read %s = %v, %v; the reference says %v, %v", s, rd.name, got, err, want, werr)
			}
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"0", "1", "18446744073709551616", maxCountString, "340282366920938463463374607431768211457", "01", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCount(s)
		if err != nil {
			if !errors.Is(err, ErrCountSyntax) {
				t.Fatalf("ParseCount(%q): %v does not wrap ErrCountSyntax", s, err)
			}
			return
		}
		if c.String() != s {
			t.Fatalf("ParseCount(%q).String() = %q", s, c.String())
		}
	})
}

// fuzzPrefixes decodes bytes into prefixes of one family: five bytes per
// IPv4 prefix (address, length), seventeen per IPv6 one.
func fuzzPrefixes(data []byte, v6 bool) []netip.Prefix {
	var out []netip.Prefix
	size := 5
	if v6 {
		size = 17
	}
	for len(data) >= size {
		var a netip.Addr
		if v6 {
			a = netip.AddrFrom16([16]byte(data[:16]))
		} else {
			a = netip.AddrFrom4([4]byte(data[:4]))
		}
		out = append(out, netip.PrefixFrom(a, int(data[size-1])%(a.BitLen()+1)).Masked())
		data = data[size:]
	}
	return out
}

// fuzzSpace splits data at its first byte into pools and used prefixes.
func fuzzSpace(data []byte) (pools, used []netip.Prefix) {
	if len(data) == 0 {
		return nil, nil
	}
	v6 := data[0]&1 == 1
	cut := min(int(data[0]>>1)*5, len(data)-1)
	if v6 {
		cut = min(int(data[0]>>1)*17, len(data)-1)
	}
	return fuzzPrefixes(data[1:1+cut], v6), fuzzPrefixes(data[1+cut:], v6)
}

var fuzzSpaceSeeds = [][]byte{
	{2, 10, 0, 0, 0, 8, 10, 0, 0, 0, 16, 10, 1, 0, 0, 24},
	{3, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64},
	{2, 0, 0, 0, 0, 0, 128, 0, 0, 0, 1},
	{4, 10, 0, 0, 0, 24, 10, 0, 0, 128, 25, 10, 0, 0, 7, 32, 10, 0, 0, 200, 30},
	{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
}

func FuzzFree(f *testing.F) {
	for _, s := range fuzzSpaceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pools, used := fuzzSpace(data)
		s, err := NewSpace(pools, used)
		if err != nil {
			t.Fatalf("NewSpace(%v, %v): %v", pools, used, err)
		}
		set := netipxFree(t, pools, used)
		free := s.Free()
		if want := set.Prefixes(); !slices.Equal(free, want) && (len(free) > 0 || len(want) > 0) {
			t.Fatalf("Free(%v, %v) = %v, netipx says %v", pools, used, free, want)
		}
		var sum Count
		for _, p := range free {
			if !s.IsFree(p) {
				t.Fatalf("free %v but IsFree says no", p)
			}
			sum = sum.Add(Size(p))
		}
		u := s.Usage()
		if sum != u.Free || u.Free.Add(u.Used) != u.Total {
			t.Fatalf("counts disagree: free CIDRs hold %v, usage %+v", sum, u)
		}
		if l, ok := s.Largest(); ok != (len(free) > 0) || ok && !slices.ContainsFunc(free, func(p netip.Prefix) bool { return p.Bits() <= l.Bits() && p.Contains(l.Addr()) }) {
			t.Fatalf("Largest() = %v, %v with free %v", l, ok, free)
		}
	})
}

func FuzzAllocate(f *testing.F) {
	for _, s := range fuzzSpaceSeeds {
		f.Add(s, 26, 3, false)
		f.Add(s, 30, 1, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, bits, count int, bestFit bool) {
		pools, used := fuzzSpace(data)
		s, err := NewSpace(pools, used)
		if err != nil {
			t.Fatalf("NewSpace: %v", err)
		}
		count = count % 64 // keep the work bounded
		strategy := Lowest
		if bestFit {
			strategy = BestFit
		}
		got, err := s.Allocate(bits, count, strategy)
		if err != nil {
			var ie *InsufficientSpaceError
			switch {
			case errors.As(err, &ie):
				if ie.Fit >= ie.Want || ie.Want != count {
					t.Fatalf("bad %#v", ie)
				}
			case errors.Is(err, ErrBadBits), errors.Is(err, ErrBadCount):
			default:
				t.Fatalf("Allocate(%d, %d, %v): unexpected error %v", bits, count, strategy, err)
			}
			if got != nil {
				t.Fatalf("blocks %v with error %v", got, err)
			}
			return
		}
		if len(got) != count {
			t.Fatalf("got %d blocks, want %d", len(got), count)
		}
		for i, p := range got {
			if p.Bits() != bits || p != p.Masked() || !s.IsFree(p) {
				t.Fatalf("block %v: not a free aligned /%d", p, bits)
			}
			for _, q := range got[:i] {
				if q.Overlaps(p) {
					t.Fatalf("blocks %v and %v overlap", q, p)
				}
			}
			if strategy == Lowest && i > 0 && ComparePrefix(got[i-1], p) >= 0 {
				t.Fatalf("lowest blocks not ascending: %v", got)
			}
		}
		if !s.Fits(bits) {
			t.Fatalf("allocated /%d but Fits says no", bits)
		}
	})
}

func FuzzOverlaps(f *testing.F) {
	for _, s := range fuzzSpaceSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 40*17 {
			return
		}
		pools, used := fuzzSpace(data)
		ps := append(pools, used...)
		var want []Overlap
		for i := range ps {
			for j := i + 1; j < len(ps); j++ {
				if ps[i].Overlaps(ps[j]) {
					want = append(want, Overlap{A: ps[i], B: ps[j], I: i, J: j})
				}
			}
		}
		if got := Overlaps(ps); !slices.Equal(got, want) {
			t.Fatalf("Overlaps(%v) = %v, want %v", ps, got, want)
		}
	})
}
