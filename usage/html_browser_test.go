package usage_test

import (
	"bytes"
	"flag"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/browsertest"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var screenshot = flag.String("html-screenshot", "", "write the browser test's screenshot of the demo report to this PNG file (docs/html-report.png)")

// scanDemo scans the demo organization of internal/awsfake as its
// management account, from every source, in both of its regions.
func scanDemo(t testing.TB) usage.Report {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	rep, err := usage.ScanOrganization(t.Context(), cfg, func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.IPAMAccount = awsfake.DemoNetworkAccount
		o.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: 70, Critical: 90}}
	})
	require.NoError(t, err)
	return rep
}

// probe works the page's script (sorts the findings by utilization,
// filters, collapses) and records what it saw.
const probe = `
			var th = document.querySelector("#findings-table th:nth-child(2)");
			th.click();
			var v = Array.prototype.map.call(document.querySelectorAll("#findings-table tbody tr td:nth-child(2)"), function (td) { return Number(td.getAttribute("data-v")); });
			out.sortedAscending = v.every(function (x, i) { return i === 0 || v[i - 1] <= x; });
			var f = document.getElementById("filter");
			f.value = "legacy"; // the VPCs legacy and legacy-copy
			f.dispatchEvent(new Event("input"));
			out.mapsShownByFilter = document.querySelectorAll("figure.map:not([hidden])").length;
			document.querySelector("button[data-open='0']").click();
			out.openAfterCollapse = document.querySelectorAll("details[open]").length;
`

// TestHTMLInBrowser loads the demo organization's report in headless
// Chromium: it checks the DOM (a row per finding, a map per pool and VPC)
// and that the page ran without an error nor an attempt to load
// anything, and takes a screenshot (kept with -html-screenshot FILE).
func TestHTMLInBrowser(t *testing.T) {
	browser := browsertest.New(t)
	rep := scanDemo(t)
	var page bytes.Buffer
	require.NoError(t, rep.WriteHTML(&page, usage.HTMLOptions{Title: "Demo organization: IP address usage"}))

	dom, got := browser.Probe(page.Bytes(), probe)
	assert.Equal(t, `{"errors":[],"results":{"sortedAscending":true,"mapsShownByFilter":2,"openAfterCollapse":0}}`,
		got, "console errors, CSP violations and the script's effects")

	findings, rest, ok := strings.Cut(dom, `<section id="maps">`)
	require.True(t, ok, "the maps section")
	assert.Equal(t, len(rep.Findings), strings.Count(findings, `<tr class="sev-`), "a row per finding")
	vpcs, pools := map[string]bool{}, 0
	for _, r := range rep.Resources {
		switch r.Type {
		case usage.TypeVPC:
			vpcs[r.AccountID+" "+r.Region+" "+r.ID] = true
		case usage.TypeIPAMPool:
			pools++
		}
	}
	require.Len(t, vpcs, 6, "the demo's VPCs")
	assert.Equal(t, len(vpcs), strings.Count(rest, `data-kind="VPC"`), "a map per VPC")
	assert.Equal(t, pools, strings.Count(rest, `data-kind="pool"`), "a map per pool")
	assert.Contains(t, rest, `aria-label="map of fd00:10::/56"`, "the legacy VPC's IPv6 CIDR drawn")

	png := browser.Screenshot(page.Bytes(), *screenshot)
	t.Logf("screenshot: %d bytes", len(png))
}
