package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoTour runs "ipamctl demo" in-process and checks it shows what the
// demo organization implies, each step with its command.
func TestDemoTour(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"demo"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Empty(t, stderr.String())
	out := stdout.String()
	for _, want := range []string{
		"$ ipamctl cidr usage --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20",
		"largest  192.168.128.0/17 (32768 addresses)",
		"192.168.32.0/20\n192.168.48.0/20\n",
		"$ ipamctl usage --org --source ec2 --regions us-east-1,us-west-2 --warning 50",
		"subnet-062db9575368070c8                        subnet  10.0.0.0/28", // a subnet at 100%
		"vpc-0bc32b230b64ac4d2 (legacy)",                                      // space IPAM does not manage
		"10.0.128.0/17",                                                       // headroom of a VPC
		"$ " + tourPoolsLine,
		"ipam-pool-0f954bc03c00bac4a (top-level)",
		"## Slack (Block Kit, incoming webhook): the JSON posted",
		"## Microsoft Teams (Adaptive Card, workflow webhook): the JSON posted",
		"Subject: [CRITICAL] 14 resources over threshold (10 critical, 4 warning)",
		"no free block",
		"'ipamctl demo serve'",
	} {
		assert.Contains(t, out, want)
	}
	var emf int
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, `{"_aws":`) {
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &doc), "an EMF line is one JSON object")
			assert.Contains(t, doc, "PercentAssigned")
			emf++
		}
	}
	assert.Equal(t, 14, emf, "one EMF line per finding")

	// Step 2 is rendered from the tour's own scan: it must be what the
	// command it names prints.
	e, cmdOut, cmdErr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	require.Equal(t, 0, e.run(t.Context(), strings.Fields(tourScanArgs)), cmdErr.String())
	assert.Contains(t, out, "$ ipamctl "+tourScanArgs+"\n"+cmdOut.String(), "step 2 shows what the command prints")
}

// demoTour runs "ipamctl demo" in-process and returns its output.
func demoTour(t *testing.T) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"demo"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s", stderr.String())
	require.Empty(t, stderr.String())
	return stdout.String()
}

// TestDemoTourControlTower checks the Control Tower chapter whole: the
// sample's tree planned (only adoptions), applied and drawn, the event
// handled, the share, the VPC, the reports.
func TestDemoTourControlTower(t *testing.T) {
	t.Parallel()
	out := demoTour(t)
	start := strings.Index(out, "\n# The Control Tower sample")
	end := strings.Index(out, "\nTry any of these")
	require.True(t, start >= 0 && end > start, "the chapter is there, before the closing line")
	chapter := out[start+1 : end]
	checkGolden(t, "demo-control-tower", chapter, "the Control Tower chapter of ipamctl demo")
	for _, want := range []string{
		"Plan: 0 to create, 0 to change, 0 to destroy, 7 to adopt.", // only adoptions
		"[7/7] <= pool /top/us-east-1/SDLC OU ipam-pool-05515f5a899344a4b: done",
		"7 pools, 7 managed (tagged ipamkit:path).",
		"share ipamShare-333333333333 (",
		"  + pool ipam-pool-0c56d898c0b720267\n",
		"Applied: 1 share created, 2 associations added, 0 removed.\n-> The same event delivered again, as EventBridge may: Nothing changed.\n", // one share, however often the event comes
		" 192.168.17.0/24, allocated by IPAM from the pool",
		"ok        25.0%   [#####.............]  ipam-pool-0c56d898c0b720267 (us-east-1-Prod OU)",
		"(new-prod)           vpc   192.168.17.0/24  333333333333",
	} {
		assert.Contains(t, chapter, want)
	}
	assert.Equal(t, 2, strings.Count(out, "$ "+tourPoolsLine+"\n"), "the pools' report, before and after")
}

// TestDemoTourEventIsTheLambdas checks that the tour hands the account
// Lambda's handler path the real event of its tests.
func TestDemoTourEventIsTheLambdas(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("../../" + tourEventFile)
	require.NoError(t, err)
	assert.Equal(t, string(want), tourEvent, "tourEvent is %s, byte for byte", tourEventFile)
}

// TestDemoTourCommandsAsPrinted replays the tour against a fresh demo
// organization, as a reader would against 'ipamctl demo serve': every
// printed command line goes through a shell's reading of it (an
// AWS_ACCESS_KEY_ID=KEY before a command, pipes) to the real entry point
// and the standard AWS configuration chain, with the environment that
// demo serve exports; the steps that are not commands (the account
// Lambda, the member account's VPC) run as the tour runs them. Each must
// print what the tour shows under it.
func TestDemoTourCommandsAsPrinted(t *testing.T) {
	out := demoTour(t) // before the environment changes
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	exported := map[string]string{ // what 'ipamctl demo serve' prints to export
		"AWS_ENDPOINT_URL":      srv.URL(),
		"AWS_ACCESS_KEY_ID":     awsfake.DefaultAccessKeyID,
		"AWS_SECRET_ACCESS_KEY": awsfake.DefaultSecretAccessKey,
		"AWS_REGION":            "us-east-1",
		"AWS_DEFAULT_REGION":    "us-east-1",
	}
	for k, v := range exported {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_PROFILE", "")

	body, _, ok := strings.Cut(out, "\n\nTry any of these")
	require.True(t, ok)
	sections := strings.Split(body, "\n\n# ")[1:]
	var ran []string
	var plan, poolID, report string
	for _, sec := range sections {
		title, _, _ := strings.Cut(sec, "\n")
		var cmd, shown string
		for line := range strings.Lines(sec) {
			if c, ok := strings.CutPrefix(line, "$ "); ok {
				cmd = strings.TrimSuffix(c, "\n")
				_, shown, _ = strings.Cut(sec, line)
				break
			}
		}
		switch {
		case strings.HasPrefix(title, "8. "):
			var got bytes.Buffer
			poolID, err = tourAccountLambda(t.Context(), &got, srv)
			require.NoError(t, err)
			assert.Equal(t, "# "+sec+"\n", got.String()[1:], "step 8 replayed")
			continue
		case strings.HasPrefix(title, "9. "):
			var got bytes.Buffer
			require.NoError(t, tourMemberVPC(t.Context(), &got, srv, poolID))
			assert.Equal(t, "# "+sec+"\n", got.String()[1:], "step 9 replayed")
			continue
		case cmd == "":
			// The chapter's introduction; what the alert's receivers get.
			continue
		}
		stdout, stderr := shellRun(t, cmd, exported)
		ran = append(ran, cmd)
		switch {
		case strings.HasPrefix(title, "2. "):
			report = stdout
		case strings.HasPrefix(title, "4. "):
			require.NotEmpty(t, report)
			require.True(t, strings.HasPrefix(stdout, report), "step 4 prints the report of step 2 first, as the tour says")
			stdout = tourAgain(stdout, report, "2")
			stdout, shown = emfTimestamp().ReplaceAllString(stdout, "T"), emfTimestamp().ReplaceAllString(shown, "T")
			assert.Len(t, srv.Messages(), 1, "step 4 published its alert")
		case strings.HasPrefix(title, "5. "):
			plan = stdout
		}
		if strings.Contains(cmd, "hierarchy apply") {
			require.NotEmpty(t, plan)
			assert.True(t, strings.HasPrefix(stderr, plan), "apply prints the plan of step 5 again, as the tour says:\n%s", stderr)
			stdout = tourStderr(stderr) + stdout
		} else {
			assert.Empty(t, stderr, "standard error of %s", cmd)
		}
		assert.Equal(t, shown, strings.TrimSuffix(stdout, "\n"), "output of $ %s", cmd)
	}
	assert.Equal(t, []string{
		"ipamctl cidr usage --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20",
		"ipamctl cidr next --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20 --bits 20 --count 2",
		"ipamctl " + tourScanArgs, tourForecastLine,
		tourPoolsLine, tourAlertLine, tourPlanLine, tourApplyLine, tourShowLine, tourPoolsLine, tourVPCsLine,
	}, ran, "every command the tour prints was replayed")
	var commands int
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "$ ") {
			commands++
		}
	}
	assert.Equal(t, len(ran), commands, "every line with a prompt is a command that was replayed")
}

// emfTimestamp matches the time of an EMF line, which differs from run to
// run.
var emfTimestamp = lazyRegexp(`"Timestamp":[0-9]+`)

// shellRun runs a printed command line as sh would, with the exported
// environment: stages joined by " | ", each a command with NAME=VALUE
// assignments before it that hold for that command alone. Every word must
// be plain (no quotes, no expansions), so that splitting on spaces is
// what sh does. It returns the last stage's standard output and every
// stage's standard error.
func shellRun(t *testing.T, line string, exported map[string]string) (stdout, stderr string) {
	t.Helper()
	require.NotContains(t, line, "'", "a word the tour prints needs no quoting")
	require.NotContains(t, line, `"`)
	require.NotContains(t, line, "$")
	var in []byte
	var errs strings.Builder
	for stage := range strings.SplitSeq(line, " | ") {
		words := strings.Fields(stage)
		var set []string
		for len(words) > 0 && strings.Contains(words[0], "=") {
			k, v, _ := strings.Cut(words[0], "=")
			t.Setenv(k, v)
			set = append(set, k)
			words = words[1:]
		}
		require.NotEmpty(t, words, "a command in %q", stage)
		require.Equal(t, "ipamctl", words[0], "the tour prints ipamctl commands only: %q", stage)
		var o, e bytes.Buffer
		code := run(t.Context(), words[1:], bytes.NewReader(in), &o, &e)
		require.Contains(t, []int{0, exitFindings}, code, "exit code of %s; stderr: %s", stage, e.String())
		for _, k := range set {
			t.Setenv(k, exported[k])
		}
		in = o.Bytes()
		errs.Write(e.Bytes())
	}
	return string(in), errs.String()
}

// TestDemoTourREADME checks that the tour the README shows is the tour:
// each of its lines, "..." aside, is a line of the output, in order.
func TestDemoTourREADME(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "```console\n$ go run ./examples/ipamctl demo\n")
	require.True(t, ok, "the README shows the tour")
	block, _, ok = strings.Cut(block, "```\n")
	require.True(t, ok)
	out := strings.Split(demoTour(t), "\n")
	i := 0
	for want := range strings.Lines(block) {
		want = strings.TrimSuffix(want, "\n")
		if want == "..." {
			continue
		}
		for i < len(out) && out[i] != want {
			i++
		}
		if !assert.Less(t, i, len(out), "README line %q is not the tour's output, or not in its order", want) {
			return
		}
		i++
	}
}
