package usage_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/internal/awsfake"
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

// probe goes first in the page's head for the browser test: it records
// uncaught errors, console.error calls and Content-Security-Policy
// violations (anything the page tried to load), then works the page's
// script (sorts the findings by utilization, filters, collapses) and
// writes what it saw into the DOM, which --dump-dom prints.
const probe = `<script>
(function () {
	var errors = [];
	window.addEventListener("error", function (e) { errors.push("error: " + e.message); });
	window.addEventListener("securitypolicyviolation", function (e) { errors.push("csp: " + e.violatedDirective + " " + e.blockedURI); });
	var consoleError = console.error;
	console.error = function () { errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
	window.addEventListener("load", function () {
		var out = {};
		try {
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
		} catch (e) {
			errors.push("probe: " + e);
		}
		var pre = document.createElement("pre");
		pre.id = "probe";
		pre.textContent = JSON.stringify({errors: errors, results: out});
		document.body.appendChild(pre);
	});
}());
</script>
`

// TestHTMLInBrowser loads the demo organization's report in headless
// Chromium: it checks the DOM (a row per finding, a map per pool and VPC)
// and that the page ran without an error nor an attempt to load
// anything, and takes a screenshot (kept with -html-screenshot FILE).
func TestHTMLInBrowser(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("chromium is not installed (Debian: apt-get install -y chromium); skipping the browser test of the HTML report")
	}
	rep := scanDemo(t)
	var page bytes.Buffer
	require.NoError(t, rep.WriteHTML(&page, usage.HTMLOptions{Title: "Demo organization: IP address usage"}))
	dir := t.TempDir()
	clean := filepath.Join(dir, "report.html")
	require.NoError(t, os.WriteFile(clean, page.Bytes(), 0o644))
	probed := filepath.Join(dir, "probed.html")
	require.NoError(t, os.WriteFile(probed, []byte(strings.Replace(page.String(), "<head>\n", "<head>\n"+probe, 1)), 0o644))

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	chromium := func(args ...string) []byte {
		args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
			"--hide-scrollbars", "--user-data-dir=" + filepath.Join(dir, "profile")}, args...)
		cmd := exec.CommandContext(ctx, browser, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s %s\n%s", browser, strings.Join(args, " "), stderr.String())
		return out
	}

	dom := string(chromium("--dump-dom", "file://"+probed))
	m := regexp.MustCompile(`<pre id="probe">(.*?)</pre>`).FindStringSubmatch(dom)
	require.NotNil(t, m, "the probe ran and wrote its results:\n%.2000s", dom)
	assert.Equal(t, `{"errors":[],"results":{"sortedAscending":true,"mapsShownByFilter":2,"openAfterCollapse":0}}`,
		strings.ReplaceAll(m[1], "&quot;", `"`), "console errors, CSP violations and the script's effects")

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

	png := filepath.Join(dir, "report.png")
	if *screenshot != "" {
		png = *screenshot
	}
	chromium("--window-size=1200,1400", "--force-device-scale-factor=0.75", "--screenshot="+png, "file://"+clean)
	b, err := os.ReadFile(png)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
	t.Logf("screenshot: %s, %d bytes", png, len(b))
}
