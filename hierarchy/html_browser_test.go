package hierarchy

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLiveHTMLInBrowser loads a scope's pool tree (htmlLive, with a
// hostile description) in headless Chromium: it runs without an error nor
// an attempt to load anything, draws a strip per provisioned CIDR, and its
// filter and collapse buttons work.
func TestLiveHTMLInBrowser(t *testing.T) {
	browser := browsertest.New(t)
	live := htmlLive()
	var page bytes.Buffer
	require.NoError(t, live.WriteHTML(&page))

	dom, got := browser.Probe(page.Bytes(), `
			out.strips = document.querySelectorAll(".strip").length;
			out.scripts = document.querySelectorAll("script").length;
			var f = document.getElementById("filter");
			f.value = "us-west-2";
			f.dispatchEvent(new Event("input"));
			out.poolsShownByFilter = document.querySelectorAll("details.pool:not([hidden])").length;
			f.value = "";
			f.dispatchEvent(new Event("input"));
			document.querySelector("button[data-open='0']").click();
			out.openAfterCollapse = document.querySelectorAll("details[open]").length;
`)
	strips := 0
	for _, p := range live.Pools {
		strips += len(p.CIDRs)
	}
	// The filter keeps us-west-2 and the pool it sits in (the top pool);
	// two scripts: the probe and the page's own, none from a description.
	assert.Equal(t, `{"errors":[],"results":{"strips":`+strconv.Itoa(strips)+`,"scripts":2,"poolsShownByFilter":2,"openAfterCollapse":0}}`,
		got, "console errors, CSP violations and the script's effects")
	assert.Contains(t, dom, `&lt;script&gt;alert(1)&lt;/script&gt;`, "the hostile description is text")
	assert.False(t, strings.Contains(dom, "<script>alert(1)"), "and never markup")
	browser.Screenshot(page.Bytes(), "")
}
