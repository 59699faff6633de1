package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCIDRSplit(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "split-v4", args: args("cidr split 10.0.0.0/22 --bits 24")},
		{name: "split-v4-flags-first", args: args("cidr split --bits 26 --limit 3 10.0.0.0/16")},
		{name: "split-v4-limit", args: args("cidr split 10.0.0.0/8 --bits 28 --limit 5")},
		{name: "split-v4-limit-beyond-end", args: args("cidr split 10.0.0.0/30 --bits 31 --limit 10")},
		{name: "split-v4-same-length", args: args("cidr split 10.0.0.0/24 --bits 24")},
		{name: "split-v4-host-routes", args: args("cidr split 192.0.2.252/30 --bits 32")},
		{name: "split-v4-whole-space", args: args("cidr split 0.0.0.0/0 --bits 2")},
		{name: "split-v6", args: args("cidr split 2001:db8::/62 --bits 64")},
		{name: "split-v6-limit", args: args("cidr split 2001:db8::/32 --bits 128 --limit 3")},
		{name: "split-after-double-dash", args: args("cidr split --bits 25 -- 10.0.0.0/24")},

		{name: "split-missing-cidr", args: args("cidr split --bits 24"), code: 1, names: []string{"CIDR"}},
		{name: "split-missing-bits", args: args("cidr split 10.0.0.0/16"), code: 1, names: []string{"--bits"}},
		{name: "split-bits-too-short", args: args("cidr split 10.0.0.0/16 --bits 8"), code: 1, names: []string{"--bits 8", "10.0.0.0/16"}},
		{name: "split-bits-too-long", args: args("cidr split 10.0.0.0/16 --bits 33"), code: 1, names: []string{"--bits 33"}},
		{name: "split-v6-bits-too-long", args: args("cidr split 2001:db8::/32 --bits 129"), code: 1, names: []string{"--bits 129"}},
		{name: "split-host-bits", args: args("cidr split 10.0.0.1/16 --bits 24"), code: 1, names: []string{`"10.0.0.1/16"`, "10.0.0.0/16"}},
		{name: "split-not-cidr", args: args("cidr split 10.0.0.0/40 --bits 24"), code: 1, names: []string{`"10.0.0.0/40"`}},
		{name: "split-two-cidrs", args: args("cidr split 10.0.0.0/16 10.1.0.0/16 --bits 24"), code: 1, names: []string{`"10.1.0.0/16"`}},
		{name: "split-negative-limit", args: args("cidr split 10.0.0.0/16 --bits 24 --limit -1"), code: 1, names: []string{"--limit -1"}},
	})
}

// lineCounter is an io.Writer that counts lines and keeps the last one,
// holding no more than that.
type lineCounter struct {
	lines int
	last  []byte
	cur   []byte
}

func (w *lineCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			w.lines++
			w.last, w.cur = append(w.last[:0], w.cur...), w.cur[:0]
			continue
		}
		w.cur = append(w.cur, b)
	}
	return len(p), nil
}

// TestCIDRSplitStreams splits a /8 into a million /28s and checks that the
// run allocates a small, fixed amount: the children are never gathered in
// a slice.
// It does not run in parallel: AllocsPerRun counts the whole process.
func TestCIDRSplitStreams(t *testing.T) {
	argv := args("cidr split 10.0.0.0/8 --bits 28")
	var out lineCounter
	var stderr bytes.Buffer
	allocs := testing.AllocsPerRun(1, func() {
		out = lineCounter{}
		require.Equal(t, 0, run(t.Context(), argv, strings.NewReader(""), &out, &stderr), stderr.String())
	})
	assert.Equal(t, 1<<20, out.lines, "lines printed by ipamctl cidr split 10.0.0.0/8 --bits 28")
	assert.Equal(t, "10.255.255.240/28", string(out.last), "last line")
	assert.Less(t, allocs, 1000.0, "allocations of one run; a slice of children would take at least one per child")
}

func TestCIDRSplitInterrupted(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args("cidr split 10.0.0.0/8 --bits 32"), strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String(), "stdout after an interrupt before the first line")
	assert.Equal(t, "ipamctl cidr split: interrupted after 0 CIDRs: context canceled\n", stderr.String())
}

// failWriter accepts n bytes and then fails every write.
type failWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestWriteErrors checks that a failing standard output is reported and
// that split stops writing at the first failure.
func TestWriteErrors(t *testing.T) {
	t.Parallel()
	for _, argv := range [][]string{
		args("cidr split 10.0.0.0/8 --bits 32"),
		args("cidr free --pool 10.0.0.0/8 --used 10.0.0.0/32"),
		args("cidr next --pool 10.0.0.0/8 --bits 24 --count 5000"),
		args("cidr usage --pool 10.0.0.0/8"),
		args("cidr usage --pool 10.0.0.0/8 -o json"),
		args("cidr overlaps 10.0.0.0/8 10.0.0.0/9"),
		args("cidr --help"),
	} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			code := run(t.Context(), argv, strings.NewReader(""), &failWriter{n: 10}, &stderr)
			assert.Equal(t, 1, code, "exit code of ipamctl %s", strings.Join(argv, " "))
			assert.Contains(t, stderr.String(), errDiskFull.Error(), "ipamctl %s", strings.Join(argv, " "))
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
		})
	}
}
