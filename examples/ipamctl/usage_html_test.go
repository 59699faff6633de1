package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsageHTML runs "usage -o html" over the demo organization: one page
// on stdout, nothing on stderr, a row per finding and a map per pool and
// VPC that the same scan as JSON holds.
func TestUsageHTML(t *testing.T) {
	t.Parallel()
	const args = "usage --org --regions us-east-1,us-west-2 --ipam-account 222222222222 --warning 60"
	run := func(format string) string {
		e, stdout, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
		require.Equal(t, 0, e.run(t.Context(), strings.Fields(args+" -o "+format)), "exit code; stderr: %s", stderr.String())
		assert.Empty(t, stderr.String(), "stderr of -o %s", format)
		return stdout.String()
	}
	var rep usage.Report
	require.NoError(t, json.Unmarshal([]byte(run("json")), &rep))
	page := run("html")

	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>\n"), "a page: %.40q", page)
	assert.True(t, strings.HasSuffix(page, "</html>\n"), "the whole page")
	maps := map[string]bool{}
	for _, r := range rep.Resources {
		if r.Type == usage.TypeVPC || r.Type == usage.TypeIPAMPool {
			maps[r.AccountID+" "+r.Region+" "+r.ID] = true
		}
	}
	require.NotEmpty(t, rep.Findings)
	assert.Equal(t, len(maps), strings.Count(page, `<figure class="map"`), "a map per pool and VPC")
	findings, _, _ := strings.Cut(page, `<section id="maps">`)
	assert.Equal(t, len(rep.Findings), strings.Count(findings, "<tr class=\"sev-"), "a row per finding")
}
