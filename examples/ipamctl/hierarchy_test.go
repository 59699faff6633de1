package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hierarchyIPAM is a fake endpoint for the hierarchy commands: by default
// an empty IPAM in the management account, home us-east-1, operating in
// us-east-1, us-west-2 and eu-west-1.
type hierarchyIPAM struct {
	t         *testing.T
	srv       *awsfake.Server
	accessKey string
	scope     string
	public    string // the public scope of newHierarchyIPAM's IPAM
}

func newHierarchyIPAM(t *testing.T) hierarchyIPAM {
	t.Helper()
	b := awsfake.NewBuilder(awsfake.DefaultAccountID)
	id := b.IPAM(awsfake.DefaultAccountID, "us-east-1", "us-east-1", "us-west-2", "eu-west-1")
	scope, public := b.Scope(id, "private"), b.Scope(id, "public")
	world, err := b.Build()
	require.NoError(t, err)
	h := hierarchyWorld(t, world, awsfake.DefaultAccessKeyID)
	h.scope, h.public = scope, public
	return h
}

// hierarchyWorld serves world, acting with accessKey in us-east-1.
func hierarchyWorld(t *testing.T, world *awsfake.World, accessKey string) hierarchyIPAM {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return hierarchyIPAM{t: t, srv: srv, accessKey: accessKey}
}

// env returns an env that reaches the fake, with stdin, and apply's waits
// between reads of a state made short: the fake's states advance with
// reads, not time.
func (h hierarchyIPAM) env(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr,
		awsConfig: func(context.Context) (aws.Config, error) { return h.srv.ClientConfig(h.accessKey, "us-east-1"), nil },
		hierarchyApply: func(o *hierarchy.ApplyOptions) {
			o.MinDelay, o.MaxDelay = time.Microsecond, time.Microsecond
		},
	}
}

// run runs ipamctl with args and returns its exit code, stdout and stderr.
func (h hierarchyIPAM) run(ctx context.Context, stdin io.Reader, args string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := h.env(stdin, &stdout, &stderr).run(ctx, strings.Fields(args))
	return code, stdout.String(), stderr.String()
}

// What a golden file of [hierarchyIPAM.check] holds.
const (
	goldenOut    = iota // stdout; stderr must be empty
	goldenOutErr        // stdout, and stderr in name-stderr
	goldenErr           // stderr; stdout must be empty, as for any failure
)

// check runs args, requires the exit code, and compares the output with
// the golden file name as mode says. It returns stdout and stderr.
func (h hierarchyIPAM) check(name, args string, code, mode int) (string, string) {
	t := h.t
	t.Helper()
	got, stdout, stderr := h.run(t.Context(), strings.NewReader(""), args)
	require.Equal(t, code, got, "exit code of ipamctl %s\nstdout: %s\nstderr: %s", args, stdout, stderr)
	stdout = tookRE.ReplaceAllString(stdout, `"took": 0`) // apply's time per operation varies
	switch mode {
	case goldenOut:
		assert.Empty(t, stderr, "stderr of ipamctl %s", args)
		checkGolden(t, name, stdout, "ipamctl "+args)
	case goldenOutErr:
		checkGolden(t, name, stdout, "ipamctl "+args)
		checkGolden(t, name+"-stderr", stderr, "ipamctl "+args)
	case goldenErr:
		assert.Empty(t, stdout, "stdout of ipamctl %s, which failed", args)
		checkGolden(t, name, stderr, "ipamctl "+args)
	}
	return stdout, stderr
}

var tookRE = regexp.MustCompile(`"took": [0-9]+`)

// writes returns the names of the write calls made to the fake so far.
func (h hierarchyIPAM) writes() []string {
	var out []string
	for _, c := range h.srv.Calls() {
		if !strings.HasPrefix(c.Operation, "Describe") && !strings.HasPrefix(c.Operation, "Get") {
			out = append(out, c.Operation)
		}
	}
	return out
}

func TestHierarchyValidate(t *testing.T) {
	t.Parallel()
	spec, err := os.ReadFile("testdata/hierarchy-control-tower.yaml")
	require.NoError(t, err)
	runCases(t, []cliCase{
		{name: "hierarchy-validate-good", args: args("hierarchy validate -f testdata/hierarchy-control-tower.yaml")},
		{name: "hierarchy-validate-stdin", args: args("hierarchy validate -f -"), stdin: string(spec)},
		{name: "hierarchy-validate-bad-syntax", args: args("hierarchy validate -f testdata/hierarchy-bad-syntax.yaml"), code: 2, errLines: 2,
			names: []string{"testdata/hierarchy-bad-syntax.yaml: line 8", `"locael"`, "line 12", "seventeen"}},
		{name: "hierarchy-validate-bad-tree", args: args("hierarchy validate -f testdata/hierarchy-bad-tree.yaml"), code: 2, errLines: 5,
			names: []string{"/top/us-east-1: a /17", "/top/us-west-2: a /17", `/top/eu-west-1: locale "eu-west-1"`, "16384 missing", `name "us-east-1"`}},
		{name: "hierarchy-validate-no-file", args: args("hierarchy validate"), code: 1, names: []string{"missing -f FILE"}},
		{name: "hierarchy-validate-missing-file", args: args("hierarchy validate -f testdata/no-such-spec.yaml"), code: 1, names: []string{"testdata/no-such-spec.yaml"}},
		{name: "hierarchy-validate-extra-arg", args: args("hierarchy validate -f testdata/hierarchy-control-tower.yaml extra"), code: 1, names: []string{`"extra"`}},
	})
}

func TestHierarchyInit(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "hierarchy-init-control-tower", args: args("hierarchy init --control-tower")},
		{name: "hierarchy-init-params", args: []string{"hierarchy", "init", "--control-tower", "--top-level-pool-cidr", "10.0.0.0/8",
			"--regions", "eu-west-1,eu-central-1", "--regional-netmask", "12", "--environment-netmask", "16",
			"--environments", "Prod OU, SDLC OU,Sandbox OU", "--tag-key", "Environment"}},
		{name: "hierarchy-init-no-template", args: args("hierarchy init"), code: 1, names: []string{"missing --control-tower"}},
		{name: "hierarchy-init-host-bits", args: args("hierarchy init --control-tower --top-level-pool-cidr 10.0.0.1/8"), code: 1,
			names: []string{`--top-level-pool-cidr "10.0.0.1/8"`, "10.0.0.0/8"}},
		{name: "hierarchy-init-no-room", args: args("hierarchy init --control-tower --regions a,b,c --regional-netmask 17"), code: 1,
			names: []string{"/top/c: no room for a /17"}},
	})
}

// TestHierarchyInitRoundTrip parses what init writes back into the spec
// that ControlTowerSpec builds from the same parameters.
func TestHierarchyInitRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args   []string
		params func(*hierarchy.ControlTowerParams)
	}{
		{[]string{"hierarchy", "init", "--control-tower"}, func(*hierarchy.ControlTowerParams) {}},
		{[]string{"hierarchy", "init", "--control-tower", "--top-level-pool-cidr", "10.0.0.0/8", "--regions", "eu-west-1",
			"--regional-netmask", "12", "--environment-netmask", "16", "--environments", "Prod OU,SDLC OU,Sandbox OU", "--tag-key", "Environment"},
			func(p *hierarchy.ControlTowerParams) {
				p.TopLevelPoolCIDR = netipPrefix(t, "10.0.0.0/8")
				p.Regions, p.RegionalNetmask, p.EnvironmentNetmask = []string{"eu-west-1"}, 12, 16
				p.Environments, p.TagKey = []string{"Prod OU", "SDLC OU", "Sandbox OU"}, "Environment"
			}},
	} {
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, run(t.Context(), tt.args, strings.NewReader(""), &stdout, &stderr), stderr.String())
		got, err := hierarchy.ParseSpec(stdout.Bytes())
		require.NoError(t, err)
		assert.Equal(t, hierarchy.ControlTowerSpec(tt.params), got, "ipamctl %s", strings.Join(tt.args, " "))
	}
}

// TestHierarchyLifecycle plans, applies, re-plans, grows and shows a tree
// in an empty IPAM, through the real SDK against the fake.
func TestHierarchyLifecycle(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	const ct = "-f testdata/hierarchy-control-tower.yaml"

	h.check("hierarchy-plan-empty", "hierarchy plan "+ct, 0, goldenOut)
	out, _ := h.check("hierarchy-plan-empty-json", "hierarchy plan "+ct+" -o json", 0, goldenOut)
	var cs hierarchy.ChangeSet
	require.NoError(t, json.Unmarshal([]byte(out), &cs))
	assert.Len(t, cs.Ops, 14)
	assert.Equal(t, h.scope, cs.ScopeID)
	h.check("hierarchy-plan-empty-detailed", "hierarchy plan "+ct+" --detailed-exitcode", 2, goldenOutErr)

	// Refused without --yes: standard input is no terminal.
	h.check("hierarchy-apply-not-terminal", "hierarchy apply "+ct, 1, goldenErr)
	assert.Empty(t, h.writes(), "a refused apply changes nothing")

	h.check("hierarchy-apply-empty", "hierarchy apply "+ct+" --yes", 0, goldenOutErr)
	h.check("hierarchy-plan-no-changes", "hierarchy plan "+ct+" --detailed-exitcode", 0, goldenOut)
	h.check("hierarchy-apply-no-changes", "hierarchy apply "+ct, 0, goldenOut)

	// A new region is carved after the others; nothing existing moves.
	const eu = "-f testdata/hierarchy-control-tower-eu-west-1.yaml"
	h.check("hierarchy-plan-add-region", "hierarchy plan "+eu, 0, goldenOut)
	h.check("hierarchy-apply-add-region", "hierarchy apply "+eu+" --yes -o json", 0, goldenOutErr)
	h.check("hierarchy-plan-add-region-no-changes", "hierarchy plan "+eu+" --detailed-exitcode", 0, goldenOut)

	h.check("hierarchy-show", "hierarchy show", 0, goldenOut)
	out, _ = h.check("hierarchy-show-json", "hierarchy show --scope "+h.scope+" -o json", 0, goldenOut)
	var shown struct {
		Scope hierarchy.LiveScope
		Pools []struct {
			Path  string
			Depth int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &shown))
	assert.Equal(t, h.scope, shown.Scope.ID)
	require.Len(t, shown.Pools, 10)
	assert.Equal(t, "/top", shown.Pools[0].Path)
	assert.Equal(t, 1, shown.Pools[0].Depth)
}

// ttyReader is standard input that says it is a terminal.
type ttyReader struct{ io.Reader }

func (ttyReader) IsTerminal() bool { return true }

func TestHierarchyApplyAsks(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	const args = "hierarchy apply -f testdata/hierarchy-control-tower.yaml"

	code, stdout, stderr := h.run(t.Context(), ttyReader{strings.NewReader("no\n")}, args)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "Plan: 14 to create, 0 to change, 0 to destroy, 0 to adopt.")
	assert.Contains(t, stderr, "Apply these changes to scope "+h.scope+" of ipam-")
	assert.True(t, strings.HasSuffix(stderr, "ipamctl hierarchy apply: apply cancelled: nothing was changed\n"), stderr)
	assert.Empty(t, h.writes())

	code, stdout, stderr = h.run(t.Context(), ttyReader{strings.NewReader("yes\n")}, args)
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "Apply complete: 14 created"), stdout)
	assert.Contains(t, stderr, "[14/14] + cidr /top/us-east-1/SDLC OU 192.168.24.0/21: done")
}

// TestHierarchyApplyInterrupted interrupts an apply (Ctrl-C) after its
// second operation, then runs it again to the end.
func TestHierarchyApplyInterrupted(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	const args = "hierarchy apply -f testdata/hierarchy-control-tower.yaml --yes"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &cancelAfter{cancel: cancel, marker: "[ 2/14]", suffix: ": done"}
	code := h.env(strings.NewReader(""), &stdout, stderr).run(ctx, strings.Fields(args))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	checkGolden(t, "hierarchy-apply-interrupted-stderr", stderr.String(), "ipamctl "+args+" (interrupted)")

	h.check("hierarchy-plan-after-interrupt", "hierarchy plan -f testdata/hierarchy-control-tower.yaml", 0, goldenOut)
	code, out, errOut := h.run(t.Context(), strings.NewReader(""), args)
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "Apply complete: 12 created"), out)
	h.check("hierarchy-plan-no-changes-after-resume", "hierarchy plan -f testdata/hierarchy-control-tower.yaml", 0, goldenOut)
}

// cancelAfter is a stderr that cancels when it is written a line with
// marker and suffix.
type cancelAfter struct {
	mu             sync.Mutex
	b              strings.Builder
	cancel         func()
	marker, suffix string
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := string(p)
	if strings.Contains(s, w.marker) && strings.Contains(s, w.suffix) {
		w.cancel()
	}
	return w.b.Write(p)
}

func (w *cancelAfter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestHierarchyApplyFailure(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	h.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "ProvisionIpamPoolCidr", Kind: awsfake.FaultAccessDenied, Count: 1})
	_, stderr := h.check("hierarchy-apply-failure", "hierarchy apply -f testdata/hierarchy-control-tower.yaml --yes", 1, goldenErr)
	assert.Contains(t, stderr, "failed at + cidr /top 192.168.0.0/16 (provision-cidr)")
	assert.Contains(t, stderr, "1 of 14 operations done; run apply again to resume")
	code, out, errOut := h.run(t.Context(), strings.NewReader(""), "hierarchy apply -f testdata/hierarchy-control-tower.yaml --yes")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "Apply complete: 13 created"), out)
}

// TestHierarchyAdoptDemo plans the sample's spec against the demo IPAM,
// which the sample's calls built: only adoptions.
func TestHierarchyAdoptDemo(t *testing.T) {
	t.Parallel()
	h := hierarchyWorld(t, awsfake.Demo(), awsfake.DemoNetworkAccessKey)
	h.check("hierarchy-show-demo", "hierarchy show", 0, goldenOut)
	// The sample's parameters alone: adoptions, and the demo's
	// descriptions and netmask rules, which the spec does not have, go.
	h.check("hierarchy-plan-demo-control-tower", "hierarchy plan -f testdata/hierarchy-control-tower.yaml", 0, goldenOut)
	// With them: only adoptions.
	const demo = "-f testdata/hierarchy-demo.yaml"
	out, _ := h.check("hierarchy-plan-demo", "hierarchy plan "+demo, 0, goldenOut)
	assert.Contains(t, out, "Plan: 0 to create, 0 to change, 0 to destroy, 7 to adopt.")
	h.check("hierarchy-apply-demo", "hierarchy apply "+demo+" --yes", 0, goldenOutErr)
	assert.Equal(t, []string{"CreateTags", "CreateTags", "CreateTags", "CreateTags", "CreateTags", "CreateTags", "CreateTags"}, h.writes())
	h.check("hierarchy-plan-demo-no-changes", "hierarchy plan "+demo, 0, goldenOut)
	h.check("hierarchy-show-demo-adopted", "hierarchy show", 0, goldenOut)
}

func TestHierarchyErrors(t *testing.T) {
	t.Parallel()
	noIPAM := func(t *testing.T) hierarchyIPAM { return hierarchyWorld(t, nil, awsfake.DefaultAccessKeyID) }
	denied := func(t *testing.T) hierarchyIPAM {
		h := newHierarchyIPAM(t)
		h.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "DescribeIpamPools", Kind: awsfake.FaultAccessDenied})
		return h
	}
	for _, tt := range []struct {
		name  string
		h     func(*testing.T) hierarchyIPAM
		args  string
		code  int
		names []string
	}{
		{"hierarchy-plan-no-ipam", noIPAM, "hierarchy plan -f testdata/hierarchy-control-tower.yaml", 1, []string{"no IPAM in us-east-1"}},
		{"hierarchy-show-no-ipam", noIPAM, "hierarchy show", 1, []string{"no IPAM in us-east-1"}},
		{"hierarchy-plan-bad-scope", newHierarchyIPAM, "hierarchy plan -f testdata/hierarchy-control-tower.yaml --scope ipam-scope-0123456789abcdef0", 1,
			[]string{"scope ipam-scope-0123456789abcdef0 not found", "pass a scope of your IPAM"}},
		{"hierarchy-show-malformed-scope", newHierarchyIPAM, "hierarchy show --scope pool-1", 1, []string{`--scope "pool-1"`}},
		{"hierarchy-plan-denied", denied, "hierarchy plan -f testdata/hierarchy-control-tower.yaml", 1, []string{"permission denied", "ec2:DescribeIpamPools"}},
		{"hierarchy-plan-bad-spec", newHierarchyIPAM, "hierarchy plan -f testdata/hierarchy-bad-tree.yaml", 2, []string{"/top/eu-west-1"}},
		{"hierarchy-plan-bad-spec-detailed", newHierarchyIPAM, "hierarchy plan -f testdata/hierarchy-bad-tree.yaml --detailed-exitcode", 1, []string{"/top/eu-west-1"}},
		{"hierarchy-apply-bad-spec", newHierarchyIPAM, "hierarchy apply -f testdata/hierarchy-bad-syntax.yaml --yes", 2, []string{`"locael"`}},
		{"hierarchy-plan-no-file", newHierarchyIPAM, "hierarchy plan", 1, []string{"missing -f FILE"}},
		{"hierarchy-plan-bad-format", newHierarchyIPAM, "hierarchy plan -f testdata/hierarchy-control-tower.yaml -o yaml", 1, []string{`-o "yaml"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.h(t)
			h.srv.ResetCalls()
			h.t = t
			_, stderr := h.check(tt.name, tt.args, tt.code, goldenErr)
			assert.Empty(t, h.writes())
			for line := range strings.Lines(stderr) {
				assert.True(t, strings.HasPrefix(line, "ipamctl hierarchy "), "stderr line %q names no command", line)
			}
			for _, n := range tt.names {
				assert.Contains(t, stderr, n)
			}
		})
	}
}

func TestHierarchyHelp(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "help-hierarchy", args: args("hierarchy --help")},
		{name: "help-hierarchy-validate", args: args("hierarchy validate --help")},
		{name: "help-hierarchy-plan", args: args("hierarchy plan --help")},
		{name: "help-hierarchy-apply", args: args("hierarchy apply --help")},
		{name: "help-hierarchy-show", args: args("hierarchy show --help")},
		{name: "help-hierarchy-init", args: args("hierarchy init --help")},
		{name: "hierarchy-no-verb", args: args("hierarchy"), code: 1, names: []string{"missing command", "validate, plan, apply, show or init"}},
	})
	// Readable in an 80-column terminal; only examples may be wider.
	for _, verb := range []string{"", "validate", "plan", "apply", "show", "init"} {
		var stdout bytes.Buffer
		a := strings.Fields("hierarchy " + verb + " --help")
		require.Equal(t, 0, run(t.Context(), a, strings.NewReader(""), &stdout, &bytes.Buffer{}))
		inExample := false
		for line := range strings.Lines(stdout.String()) {
			line = strings.TrimSuffix(line, "\n")
			switch {
			case strings.HasPrefix(line, "  $ "):
				inExample = true
			case line == "":
				inExample = false
			}
			if !inExample {
				assert.LessOrEqual(t, len(line), 80, "line of ipamctl %s:\n%s", strings.Join(a, " "), line)
			}
		}
	}
}

func netipPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	require.NoError(t, err)
	return p
}

// TestHierarchyDelete removes a region from the spec: nothing is deleted
// without --allow-delete; with it, the region's pools and CIDRs go,
// children first.
func TestHierarchyDelete(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	const ct, eu = "-f testdata/hierarchy-control-tower.yaml", "-f testdata/hierarchy-control-tower-eu-west-1.yaml"
	code, _, stderr := h.run(t.Context(), strings.NewReader(""), "hierarchy apply "+eu+" --yes")
	require.Equal(t, 0, code, stderr)

	h.check("hierarchy-plan-remove-region", "hierarchy plan "+ct+" --detailed-exitcode", 0, goldenOut)
	h.check("hierarchy-plan-remove-region-allow-delete", "hierarchy plan "+ct+" --allow-delete", 0, goldenOut)
	h.srv.ResetCalls()
	h.check("hierarchy-apply-remove-region", "hierarchy apply "+ct+" --allow-delete --yes", 0, goldenOutErr)
	assert.Equal(t, []string{
		"DeprovisionIpamPoolCidr", "DeleteIpamPool", "DeprovisionIpamPoolCidr", "DeleteIpamPool", "DeprovisionIpamPoolCidr", "DeleteIpamPool",
	}, h.writes())
	h.check("hierarchy-plan-removed-region-no-changes", "hierarchy plan "+ct+" --allow-delete --detailed-exitcode", 0, goldenOut)
}

// TestHierarchyApplyInterruptedAtPrompt interrupts apply (Ctrl-C) while it
// waits for an answer.
func TestHierarchyApplyInterruptedAtPrompt(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe() // nobody answers
	t.Cleanup(func() { pw.Close() })
	var stdout bytes.Buffer
	stderr := &cancelAfter{cancel: cancel, marker: "Only 'yes' will be accepted"}
	code := h.env(ttyReader{pr}, &stdout, stderr).run(ctx, strings.Fields("hierarchy apply -f testdata/hierarchy-control-tower.yaml"))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	assert.True(t, strings.HasSuffix(stderr.String(), "\nipamctl hierarchy apply: interrupted: nothing was changed\n"), stderr.String())
	assert.Empty(t, h.writes())
}

// TestHierarchyScopeType refuses a scope of another type than the spec's.
func TestHierarchyScopeType(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	_, stderr := h.check("hierarchy-plan-scope-type", "hierarchy plan -f testdata/hierarchy-control-tower.yaml --scope "+h.public, 1, goldenErr)
	assert.Contains(t, stderr, "a public scope, but the spec is for a private scope")
}

// TestHierarchyApplyInterruptedInFlight interrupts an apply (Ctrl-C) as
// an operation starts; running it again converges to one pool per path.
func TestHierarchyApplyInterruptedInFlight(t *testing.T) {
	t.Parallel()
	h := newHierarchyIPAM(t)
	const args = "hierarchy apply -f testdata/hierarchy-control-tower.yaml --yes"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &cancelAfter{cancel: cancel, marker: "[ 3/14] + pool /top/us-west-2 ..."}
	code := h.env(strings.NewReader(""), &stdout, stderr).run(ctx, strings.Fields(args))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	assert.True(t, strings.HasSuffix(stderr.String(), "[ 3/14] + pool /top/us-west-2: failed\n"+
		"ipamctl hierarchy apply: interrupted at + pool /top/us-west-2: 2 of 14 operations done; run apply again to resume (it waits for what IPAM is still doing)\n"),
		stderr.String())

	code, _, errOut := h.run(t.Context(), strings.NewReader(""), args)
	require.Equal(t, 0, code, errOut)
	h.check("hierarchy-plan-no-changes-after-in-flight", "hierarchy plan -f testdata/hierarchy-control-tower.yaml --detailed-exitcode", 0, goldenOut)
	out, _ := h.check("hierarchy-show-after-in-flight", "hierarchy show", 0, goldenOut)
	assert.Contains(t, out, ": 7 pools, 7 managed")
}
