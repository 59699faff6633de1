package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// cliCase is one run of ipamctl. On success the golden file holds stdout
// and stderr must be empty; on failure it holds stderr, stdout must be
// empty, and stderr must be errLines lines (1 if zero) that each start
// with the command's name and together contain every string of names.
type cliCase struct {
	name     string
	args     []string
	stdin    string
	code     int
	names    []string // the bad values the error must name
	errLines int
}

// check runs the case in-process and compares its output with
// testdata/<name>.golden.
func (tc cliCase) check(t *testing.T) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
	cmdline := "ipamctl " + strings.Join(tc.args, " ")
	require.Equal(t, tc.code, code, "exit code of %s\nstdout: %s\nstderr: %s", cmdline, stdout.String(), stderr.String())
	got := stdout.String()
	if tc.code == 0 {
		assert.Empty(t, stderr.String(), "stderr of %s", cmdline)
	} else {
		assert.Empty(t, stdout.String(), "stdout of %s, which failed", cmdline)
		got = stderr.String()
		want := max(tc.errLines, 1)
		assert.Equal(t, want, strings.Count(got, "\n"), "stderr lines of %s:\n%s", cmdline, got)
		for line := range strings.Lines(got) {
			assert.True(t, strings.HasPrefix(line, "ipamctl"), "stderr line %q of %s names no command", line, cmdline)
		}
		for _, s := range tc.names {
			assert.Contains(t, got, s, "stderr of %s names the bad value", cmdline)
		}
	}
	checkGolden(t, tc.name, got, cmdline)
}

// checkGolden compares got with testdata/<name>.golden, or rewrites the
// file under -update.
func checkGolden(t *testing.T, name, got, what string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got, "output of %s (testdata/%s.golden)", what, name)
}

func runCases(t *testing.T, cases []cliCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		require.False(t, seen[tc.name], "two cases named %s share a golden file", tc.name)
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

// args splits a command line on spaces.
func args(s string) []string { return strings.Fields(s) }

func TestRunHelpAndDispatch(t *testing.T) {
	t.Parallel()
	cases := []cliCase{
		{name: "help-root", args: []string{"--help"}},
		{name: "help-root-short", args: []string{"-h"}},
		{name: "help-cidr", args: []string{"cidr", "--help"}},
		{name: "help-cidr-free", args: []string{"cidr", "free", "--help"}},
		{name: "help-cidr-next", args: []string{"cidr", "next", "--help"}},
		{name: "help-cidr-usage", args: []string{"cidr", "usage", "-h"}},
		{name: "help-cidr-overlaps", args: []string{"cidr", "overlaps", "--help"}},
		{name: "help-cidr-split", args: []string{"cidr", "split", "--help"}},
		{name: "help-after-positional", args: []string{"cidr", "split", "10.0.0.0/8", "--help"}},
		{name: "no-command", args: nil, code: 1, names: []string{"missing command", "cidr"}},
		{name: "unknown-command", args: []string{"cider"}, code: 1, names: []string{`"cider"`}},
		{name: "unknown-root-flag", args: []string{"--verbose"}, code: 1, names: []string{"unknown flag --verbose "}},
		{name: "unknown-root-flag-one-dash", args: []string{"-verbose"}, code: 1, names: []string{"unknown flag -verbose "}},
		{name: "cidr-no-verb", args: []string{"cidr"}, code: 1, names: []string{"missing command", "free"}},
		{name: "cidr-unknown-verb", args: []string{"cidr", "fre"}, code: 1, names: []string{`"fre"`}},
		{name: "cidr-unknown-flag", args: []string{"cidr", "free", "--pool", "10.0.0.0/8", "--frobnicate"}, code: 1, names: []string{"unknown flag --frobnicate "}},
		{name: "cidr-misspelt-flag", args: []string{"cidr", "free", "--pool", "10.0.0.0/8", "--usde", "10.0.0.0/9"}, code: 1, names: []string{"unknown flag --usde (did you mean --used?)"}},
		{name: "cidr-flag-without-value", args: []string{"cidr", "next", "--pool", "10.0.0.0/8", "--bits"}, code: 1, names: []string{"flag --bits needs a value"}},
		{name: "cidr-every-bad-used", args: []string{"cidr", "free", "--pool", "10.0.0.0/8", "--used", "bad1,bad2", "-used", "10.0.0.1/8"}, code: 1, errLines: 3,
			names: []string{`--used "bad1"`, `--used "bad2"`, `-used "10.0.0.1/8"`}},
		{name: "usage-threshold-101", args: []string{"usage", "--threshold", "101"}, code: 1, names: []string{"--threshold 101: want a percentage from 0 to 100"}},
	}
	runCases(t, cases)
}
