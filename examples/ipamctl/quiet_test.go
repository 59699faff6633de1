package main

import (
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuietApply checks that -q silences the steps of hierarchy apply and
// share apply, which are written without it, and keeps what they did.
func TestQuietApply(t *testing.T) {
	t.Parallel()
	const ct = "hierarchy apply -f testdata/hierarchy-control-tower.yaml --yes"
	for _, quiet := range []bool{false, true} {
		args := ct
		if quiet {
			args += " -q"
		}
		h := newHierarchyIPAM(t)
		code, stdout, stderr := h.run(t.Context(), strings.NewReader(""), args)
		require.Equal(t, 0, code, "%s: %s", args, stderr)
		assert.Equal(t, !quiet, strings.Contains(stderr, "/14] "), "%s: the steps on standard error: %q", args, stderr)
		assert.NotEmpty(t, stdout, "%s: the result", args)
		assert.NotEmpty(t, h.writes(), "%s: applied", args)
	}

	for _, quiet := range []bool{false, true} {
		args := "share apply --all --yes"
		if quiet {
			args += " --quiet"
		}
		d := newShareDemo(t)
		code, _, stderr := d.run(t.Context(), awsfake.DemoNetworkAccessKey, strings.NewReader(""), args)
		require.Equal(t, 0, code, "%s: %s", args, stderr)
		assert.Equal(t, !quiet, strings.Contains(stderr, "  share created: "), "%s: the steps on standard error: %q", args, stderr)
		assert.NotEmpty(t, d.writes(), "%s: applied", args)
	}
}
