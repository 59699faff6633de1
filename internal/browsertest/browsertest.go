// Package browsertest loads the HTML pages ipamkit writes in headless
// Chromium, for tests: it checks that a page runs without an error and
// without trying to load anything, and reads the DOM the page's script
// leaves.
//
// Chromium is found on the PATH (chromium, chromium-browser); a test
// without it is skipped with a message that says how to install it
// (Debian: apt-get install -y chromium). .ci/run installs it.
package browsertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Browser is headless Chromium with a profile of its own, in a test's
// temporary directory.
type Browser struct {
	t    testing.TB
	path string
	dir  string
}

// New returns the browser, or skips t when Chromium is not installed.
func New(t testing.TB) *Browser {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return &Browser{t: t, path: p, dir: t.TempDir()}
		}
	}
	t.Skip("chromium is not installed (Debian: apt-get install -y chromium); skipping the browser test of an HTML page")
	return nil
}

// errorsProbe goes first in a page's head: it records uncaught errors,
// console.error calls and Content-Security-Policy violations (anything the
// page tried to load), runs the test's own script on load, and writes both
// into the DOM as {"errors": [...], "results": {...}}.
const errorsProbe = `<script>
(function () {
	var errors = [];
	window.addEventListener("error", function (e) { errors.push("error: " + e.message); });
	window.addEventListener("securitypolicyviolation", function (e) { errors.push("csp: " + e.violatedDirective + " " + e.blockedURI); });
	var consoleError = console.error;
	console.error = function () { errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
	window.addEventListener("load", function () {
		var out = {};
		try {
			(function (out) {
%s
			})(out);
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

var probeOutput = regexp.MustCompile(`<pre id="probe">(.*?)</pre>`)

// Probe loads page with script run on load (JavaScript that sets members
// of the object out), and returns the DOM Chromium dumps and the probe's
// JSON: {"errors": [...], "results": out}. The page must have a "<head>\n"
// line, where the probe goes first.
func (b *Browser) Probe(page []byte, script string) (dom, probe string) {
	b.t.Helper()
	probed := strings.Replace(string(page), "<head>\n", "<head>\n"+strings.Replace(errorsProbe, "%s", script, 1), 1)
	if probed == string(page) {
		b.t.Fatalf("the page has no <head> line for the probe")
	}
	file := b.write("probed.html", []byte(probed))
	dom = string(b.run("--dump-dom", "file://"+file))
	m := probeOutput.FindStringSubmatch(dom)
	if m == nil {
		b.t.Fatalf("the probe did not run or wrote nothing:\n%.2000s", dom)
	}
	return dom, strings.ReplaceAll(m[1], "&quot;", `"`)
}

// Screenshot saves a PNG of page, as it is (without the probe), at png;
// "" saves it in the test's temporary directory. It returns the PNG.
func (b *Browser) Screenshot(page []byte, png string) []byte {
	b.t.Helper()
	if png == "" {
		png = filepath.Join(b.dir, "page.png")
	}
	file := b.write("page.html", page)
	b.run("--window-size=1200,1400", "--force-device-scale-factor=0.75", "--screenshot="+png, "file://"+file)
	out, err := os.ReadFile(png)
	if err != nil {
		b.t.Fatalf("the screenshot: %v", err)
	}
	if !bytes.HasPrefix(out, []byte("\x89PNG\r\n\x1a\n")) {
		b.t.Fatalf("the screenshot %s is no PNG", png)
	}
	return out
}

func (b *Browser) write(name string, page []byte) string {
	b.t.Helper()
	file := filepath.Join(b.dir, name)
	if err := os.WriteFile(file, page, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return file
}

// run runs Chromium headless with args, for at most two minutes.
func (b *Browser) run(args ...string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--hide-scrollbars", "--user-data-dir=" + filepath.Join(b.dir, "profile")}, args...)
	cmd := exec.CommandContext(ctx, b.path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.t.Fatalf("%s %s: %v\n%s", b.path, strings.Join(args, " "), err, stderr.String())
	}
	return out
}
