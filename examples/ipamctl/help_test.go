package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamples runs every example shown in the help and checks that it
// prints what the help says it prints.
func TestExamples(t *testing.T) {
	t.Parallel()
	root := rootCommand()
	n := 0
	for _, l := range leaves([]*Command{root}) {
		cmd := l.path[len(l.path)-1]
		require.NotEmpty(t, cmd.Examples, "%s has no example", commandPath(l.path))
		for _, ex := range cmd.Examples {
			n++
			t.Run(ex.Args, func(t *testing.T) {
				t.Parallel()
				stdin := ""
				if len(ex.Stdin) > 0 {
					stdin = strings.Join(ex.Stdin, "\n") + "\n"
				}
				var stdout, stderr bytes.Buffer
				code := run(t.Context(), strings.Fields(ex.Args), strings.NewReader(stdin), &stdout, &stderr)
				require.Equal(t, 0, code, "exit code of ipamctl %s: %s", ex.Args, stderr.String())
				assert.Equal(t, ex.Output, stdout.String(), "ipamctl %s", ex.Args)
			})
		}
	}
	require.Positive(t, n)
}

// TestHelpWidth keeps help readable in an 80-column terminal; only example
// command lines may be longer.
func TestHelpWidth(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"cidr", "--help"},
		{"cidr", "free", "--help"}, {"cidr", "next", "--help"}, {"cidr", "usage", "--help"},
		{"cidr", "overlaps", "--help"}, {"cidr", "split", "--help"},
	} {
		var stdout bytes.Buffer
		require.Equal(t, 0, run(t.Context(), args, strings.NewReader(""), &stdout, &bytes.Buffer{}))
		for line := range strings.Lines(stdout.String()) {
			line = strings.TrimSuffix(line, "\n")
			if strings.HasPrefix(line, "  $ ") {
				continue // an example's command line
			}
			assert.LessOrEqual(t, len(line), 80, "line of ipamctl %s:\n%s", strings.Join(args, " "), line)
		}
	}
}
