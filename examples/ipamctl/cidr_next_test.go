package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCIDRNext(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "next-v4", args: args("cidr next --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.2.0/24 --bits 24 --count 3")},
		{name: "next-v4-default-count", args: args("cidr next --pool 10.0.0.0/16 --used 10.0.0.0/24 --bits 28")},
		{name: "next-v4-flags-any-order", args: args("cidr next --bits 26 --count 2 --used-file testdata/used-v4.txt --pool 10.0.0.0/16")},
		{name: "next-v4-stdin", args: args("cidr next --pool 10.0.0.0/16 --used-file - --bits 22"), stdin: "10.0.0.0/22\n10.0.4.0/24\n"},
		{name: "next-v4-lowest", args: args("cidr next --pool 10.0.0.0/21 --used 10.0.4.0/24,10.0.6.0/23 --bits 25 --count 3 --strategy lowest")},
		{name: "next-v4-best-fit", args: args("cidr next --pool 10.0.0.0/21 --used 10.0.4.0/24,10.0.6.0/23 --bits 25 --count 3 --strategy best-fit")},
		{name: "next-v4-whole-pool", args: args("cidr next --pool 10.0.0.0/8 --bits 8")},
		{name: "next-v4-host-routes", args: args("cidr next --pool 192.0.2.0/30 --bits 32 --count 4")},
		{name: "next-v6", args: args("cidr next --pool 2001:db8::/48 --used-file testdata/used-v6.txt --bits 56 --count 2")},
		{name: "next-v6-best-fit", args: args("cidr next --pool 2001:db8::/62 --used 2001:db8:0:2::/64 --bits 64 --count 2 --strategy best-fit")},

		{name: "next-missing-bits", args: args("cidr next --pool 10.0.0.0/16"), code: 1, names: []string{"--bits"}},
		{name: "next-missing-pool", args: args("cidr next --bits 24"), code: 1, names: []string{"--pool"}},
		{name: "next-bits-too-long", args: args("cidr next --pool 10.0.0.0/16 --bits 33"), code: 1, names: []string{"--bits 33"}},
		{name: "next-bits-negative", args: args("cidr next --pool 10.0.0.0/16 --bits -1"), code: 1, names: []string{"--bits -1"}},
		{name: "next-bits-v6-too-long", args: args("cidr next --pool 2001:db8::/32 --bits 129"), code: 1, names: []string{"--bits 129"}},
		{name: "next-bits-not-number", args: args("cidr next --pool 10.0.0.0/16 --bits /24"), code: 1, names: []string{`--bits "/24"`}},
		{name: "next-count-zero", args: args("cidr next --pool 10.0.0.0/16 --bits 24 --count 0"), code: 1, names: []string{"--count 0"}},
		{name: "next-count-not-number", args: args("cidr next --pool 10.0.0.0/16 --bits 24 --count two"), code: 1, names: []string{`--count "two"`}},
		{name: "next-bad-strategy", args: args("cidr next --pool 10.0.0.0/16 --bits 24 --strategy first-fit"), code: 1, names: []string{`"first-fit"`, "best-fit"}},
		{name: "next-too-few-fit", args: args("cidr next --pool 10.0.0.0/22 --used 10.0.1.0/24 --bits 24 --count 4"), code: 1,
			names: []string{"--count 4", "only 3"}},
		{name: "next-one-fits", args: args("cidr next --pool 10.0.0.0/23 --used 10.0.1.0/24 --bits 24 --count 2"), code: 1,
			names: []string{"--count 2", "only 1 free /24 block fits"}},
		{name: "next-none-fit", args: args("cidr next --pool 10.0.0.0/24 --used 10.0.0.64/26,10.0.0.192/26 --bits 25"), code: 1,
			names: []string{"/25", "10.0.0.0/26"}},
		{name: "next-pools-full", args: args("cidr next --pool 2001:db8::/64 --used 2001:db8::/64 --bits 80"), code: 1,
			names: []string{"/80", "full"}},
	})
}

// BenchmarkCIDRNext runs "cidr next" in-process on an empty /8, the
// command without the process start.
func BenchmarkCIDRNext(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(b.Context(), args("cidr next --pool 10.0.0.0/8 --bits 24"), nil, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
}

// TestNextBlocksMatchesAllocate holds the streaming "cidr next" to
// [ipam.Space.Allocate], sorted, over random spaces and both strategies.
func TestNextBlocksMatchesAllocate(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		pools := []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), 0, 0}), 16+r.IntN(8)).Masked()}
		var used []netip.Prefix
		for range r.IntN(12) {
			a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
			used = append(used, netip.PrefixFrom(a, 18+r.IntN(15)).Masked())
		}
		s, err := ipam.NewSpace(pools, used)
		require.NoError(t, err)
		bits, count := 16+r.IntN(17), 1+r.IntN(300)
		for _, st := range []ipam.Strategy{ipam.Lowest, ipam.BestFit} {
			want, werr := s.Allocate(bits, count, st)
			slices.SortFunc(want, ipam.ComparePrefix)
			seq, err := nextBlocks(s, bits, count, st)
			what := fmt.Sprintf("%v of %d /%d in %v minus %v", st, count, bits, pools, used)
			if werr != nil {
				var ise *ipam.InsufficientSpaceError
				require.ErrorAs(t, werr, &ise, what)
				var nse noSpaceError
				require.ErrorAs(t, err, &nse, what)
				assert.Equal(t, *ise, *nse.err, what)
				continue
			}
			require.NoError(t, err, what)
			assert.Equal(t, want, slices.Collect(seq), what)
		}
	}
}

// failAfter is a writer that fails once it has taken n bytes.
type failAfter struct{ n int }

func (w *failAfter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestCIDRNextStreams asks for a billion blocks: they are written as they
// are found, so the first megabyte reaches standard output (here a writer
// that fails then) without the list being built, which would take 32 GB.
func TestCIDRNextStreams(t *testing.T) {
	t.Parallel()
	for _, strategy := range []string{"lowest", "best-fit"} {
		var stderr bytes.Buffer
		w := &failAfter{n: 1 << 20}
		code := run(t.Context(), args("cidr next --pool 2001:db8::/32 --bits 64 --count 1000000000 --strategy "+strategy), nil, w, &stderr)
		assert.Equal(t, 1, code, strategy)
		assert.Equal(t, "ipamctl cidr next: disk full\n", stderr.String(), strategy)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stderr bytes.Buffer
	code := run(ctx, args("cidr next --pool 10.0.0.0/8 --bits 32 --count 16000000"), nil, io.Discard, &stderr)
	assert.Equal(t, exitInterrupted, exitCode(ctx, code))
	assert.Equal(t, "ipamctl cidr next: interrupted after 0 CIDRs: context canceled\n", stderr.String())
}
