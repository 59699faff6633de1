package main

import (
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHierarchyShowHTML draws the demo IPAM's pools as a page: a section
// per pool, a strip per provisioned CIDR, nothing on stderr.
func TestHierarchyShowHTML(t *testing.T) {
	t.Parallel()
	h := hierarchyWorld(t, awsfake.Demo(), awsfake.DemoNetworkAccessKey)
	code, out, errOut := h.run(t.Context(), strings.NewReader(""), "hierarchy show -o html")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	assert.True(t, strings.HasPrefix(out, "<!DOCTYPE html>\n"), "a page: %.40q", out)
	assert.True(t, strings.HasSuffix(out, "</html>\n"), "the whole page")
	assert.Equal(t, 7, strings.Count(out, `<details class="pool"`), "the demo's 7 pools")
	assert.Equal(t, 7, strings.Count(out, `<div class="strip"`), "one provisioned CIDR each")
	assert.Contains(t, out, `aria-label="map of 192.168.0.0/16"`)
}
