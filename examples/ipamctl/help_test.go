package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamples runs every example shown in the help and checks that it
// prints what the help says it prints. Commands that call AWS run against
// the demo organization, as the networking account; an example without
// Output is only checked to parse and run.
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
				e, stdout, stderr, _ := fakeEnv(t, awsfake.DemoNetworkAccessKey, "us-east-1")
				e.stdin = strings.NewReader(stdin)
				if strings.Contains(ex.Args, "--org") {
					e, stdout, stderr, _ = fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
				}
				ctx := t.Context()
				out := func() string { return stdout.String() }
				if strings.HasPrefix(ex.Args, "demo serve") && !strings.Contains(ex.Args, "--help") {
					// It serves until interrupted: interrupt it once it
					// has printed what to export, as a reader would.
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					defer cancel()
					w := &cancelAfter{cancel: cancel, marker: "export AWS_DEFAULT_REGION="}
					e.stdout, out = w, w.String
				}
				code := e.run(ctx, strings.Fields(ex.Args))
				if strings.Contains(ex.Args, "--fail-on-findings") {
					require.Contains(t, []int{0, exitFindings}, code, "exit code of ipamctl %s: %s", ex.Args, stderr.String())
				} else {
					require.Equal(t, 0, code, "exit code of ipamctl %s: %s", ex.Args, stderr.String())
				}
				if ex.Output != "" {
					assert.Equal(t, ex.Output, out(), "ipamctl %s", ex.Args)
				} else {
					assert.NotEmpty(t, out(), "ipamctl %s", ex.Args)
				}
			})
		}
	}
	require.Positive(t, n)
}

// TestHelpWidth keeps help readable in an 80-column terminal; only
// examples, which show real command lines and output, may be wider.
func TestHelpWidth(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"cidr", "--help"},
		{"cidr", "free", "--help"}, {"cidr", "next", "--help"}, {"cidr", "usage", "--help"},
		{"cidr", "overlaps", "--help"}, {"cidr", "split", "--help"}, {"usage", "--help"},
	} {
		var stdout bytes.Buffer
		require.Equal(t, 0, run(t.Context(), args, strings.NewReader(""), &stdout, &bytes.Buffer{}))
		inExample := false
		for line := range strings.Lines(stdout.String()) {
			line = strings.TrimSuffix(line, "\n")
			switch {
			case strings.HasPrefix(line, "  $ "):
				inExample = true // an example's command line and its output
			case line == "":
				inExample = false
			}
			if inExample {
				continue
			}
			assert.LessOrEqual(t, len(line), 80, "line of ipamctl %s:\n%s", strings.Join(args, " "), line)
		}
	}
}
