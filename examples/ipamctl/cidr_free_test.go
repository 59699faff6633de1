package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCIDRFree(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "free-v4", args: args("cidr free --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.4.0/22")},
		{name: "free-v4-repeated-flags", args: args("cidr free --pool 10.0.0.0/24 --pool 10.0.1.0/24,10.0.3.0/24 --used 10.0.0.0/25 --used 10.0.1.128/25")},
		{name: "free-v4-used-outside-pool", args: args("cidr free --pool 10.0.0.0/24 --used 10.0.0.128/25,192.168.0.0/16,10.0.1.0/24")},
		{name: "free-v4-used-covers-pool", args: args("cidr free --pool 10.0.0.0/24 --used 10.0.0.128/25,10.0.0.0/8")},
		{name: "free-v4-nothing-used", args: args("cidr free --pool 10.0.0.0/8")},
		{name: "free-v4-full", args: args("cidr free --pool 10.0.0.0/24 --used 10.0.0.0/25,10.0.0.128/25")},
		{name: "free-v4-used-file", args: args("cidr free --pool 10.0.0.0/16 --used-file testdata/used-v4.txt --used 10.0.128.0/17")},
		{name: "free-v4-stdin", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: "10.0.0.0/24\n\n# comment\n10.0.4.0/22\n"},
		{name: "free-v6", args: args("cidr free --pool 2001:db8::/48 --used 2001:db8::/56,2001:db8:0:100::/64")},
		{name: "free-v6-used-file", args: args("cidr free --pool 2001:db8::/52 --used-file testdata/used-v6.txt")},
		{name: "free-v6-whole-space", args: args("cidr free --pool ::/0 --used 2001:db8::/32")},

		{name: "free-missing-pool", args: args("cidr free --used 10.0.0.0/24"), code: 1, names: []string{"--pool"}},
		{name: "free-pool-host-bits", args: args("cidr free --pool 10.0.0.1/8"), code: 1, names: []string{`"10.0.0.1/8"`, "10.0.0.0/8"}},
		{name: "free-pool-v6-host-bits", args: args("cidr free --pool 2001:db8::1/64"), code: 1, names: []string{`"2001:db8::1/64"`, "2001:db8::/64"}},
		{name: "free-pool-not-cidr", args: args("cidr free --pool 10.0.0.0"), code: 1, names: []string{`"10.0.0.0"`, "10.0.0.0/32"}},
		{name: "free-used-bad-in-list", args: args("cidr free --pool 10.0.0.0/8 --used 10.0.0.0/24,subnet-a"), code: 1, names: []string{`"subnet-a"`}},
		{name: "free-used-empty-entry", args: args("cidr free --pool 10.0.0.0/8 --used 10.0.0.0/24,"), code: 1, names: []string{`"10.0.0.0/24,"`, "empty"}},
		{name: "free-family-mismatch", args: args("cidr free --pool 10.0.0.0/8 --used 2001:db8::/64"), code: 1, names: []string{"2001:db8::/64", "IPv6"}},
		{name: "free-mixed-pools", args: args("cidr free --pool 10.0.0.0/8,2001:db8::/32"), code: 1, names: []string{"2001:db8::/32", "IPv4"}},
		{name: "free-bad-file-lines", args: args("cidr free --pool 10.0.0.0/16 --used-file testdata/used-bad.txt"), code: 1, errLines: 2,
			names: []string{"line 3", `"10.0.4.1/22"`, "10.0.4.0/22", "line 4", `"subnet-a"`}},
		{name: "free-bad-stdin", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: "10.0.0.0/24\n10.0.0.300/24\n", code: 1,
			names: []string{"stdin", "line 2", `"10.0.0.300/24"`}},
		{name: "free-missing-file", args: args("cidr free --pool 10.0.0.0/16 --used-file testdata/no-such-file.txt"), code: 1,
			names: []string{"testdata/no-such-file.txt"}},
		{name: "free-positional", args: args("cidr free 10.0.0.0/16"), code: 1, names: []string{`"10.0.0.0/16"`, "--pool 10.0.0.0/16"}},

		// Input that is not a list of CIDRs: a few lines say so, not megabytes.
		{name: "free-binary-stdin", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: binaryInput(), code: 1, errLines: 2,
			names: []string{"line 1 is not text: is this a text file of CIDRs?", "… and 98 more bad lines"}},
		{name: "free-many-bad-lines", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: strings.Repeat("subnet-a\n", 25), code: 1, errLines: 11,
			names: []string{"line 10", "… and 15 more bad lines"}},
		{name: "free-long-bad-line", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: "10.0.0.0/24\n" + strings.Repeat("ab", 5000) + "/24\n", code: 1,
			names: []string{"line 2", "(10003 bytes)"}},
		{name: "free-huge-line", args: args("cidr free --pool 10.0.0.0/16 --used-file -"), stdin: "10.0.0.0/24\n" + strings.Repeat("1", 20<<20) + "\n", code: 1,
			names: []string{"line 2 is longer than 64 KiB: is this a text file of CIDRs?"}},
	})
}

// binaryInput returns 100 lines of what an executable holds: bytes that
// are not text, 4 KiB a line. One line holds a '#' early enough to leave
// only blanks before it, so 99 lines are bad.
func binaryInput() string {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("\x7fELF\x02\x01\x01\x00")
	for range 100 {
		for range 4096 {
			if c := byte(r.Uint32()); c != '\n' {
				b.WriteByte(c)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// BenchmarkCIDRFree runs "cidr free" in-process over a file of n used
// prefixes, /24 to /32 at random aligned places in 10.0.0.0/8: reading,
// parsing, building the space and writing the result, without the process
// start. BENCHMARKS.md has the whole-process timings beside it.
func BenchmarkCIDRFree(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		name := filepath.Join(b.TempDir(), "used.txt")
		require.NoError(b, os.WriteFile(name, usedFile(n), 0o644))
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code := run(b.Context(), []string{"cidr", "free", "--pool", "10.0.0.0/8", "--used-file", name}, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit code %d", code)
				}
			}
		})
	}
}

// usedFile returns n used prefixes in 10.0.0.0/8 as a --used-file, from a
// fixed seed.
func usedFile(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 42))
	var buf []byte
	for range n {
		hostBits := r.IntN(9)
		off := r.Uint32N(1<<24) &^ (1<<hostBits - 1)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(off >> 16), byte(off >> 8), byte(off)}), 32-hostBits)
		buf = append(p.AppendTo(buf), '\n')
	}
	return buf
}
