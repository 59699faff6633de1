package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shareDemo is the demo organization of 'ipamctl demo serve', served in
// process for the share commands, which act with the networking
// account's key unless a test says otherwise.
type shareDemo struct {
	t   *testing.T
	srv *awsfake.Server
}

func newShareDemo(t *testing.T) shareDemo {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return shareDemo{t: t, srv: srv}
}

// env returns an env that reaches the fake with accessKey, and the
// reconciler's waits between reads of the associations made short: the
// fake's states advance with reads, not time.
func (d shareDemo) env(accessKey string, stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr,
		awsConfig: func(context.Context) (aws.Config, error) { return d.srv.ClientConfig(accessKey, "us-east-1"), nil },
		shareOptions: func(o *share.Options) {
			o.MinDelay, o.MaxDelay = time.Microsecond, time.Microsecond
		},
	}
}

// run runs ipamctl with args as accessKey; it returns the exit code,
// stdout and stderr.
func (d shareDemo) run(ctx context.Context, accessKey string, stdin io.Reader, args string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := d.env(accessKey, stdin, &stdout, &stderr).run(ctx, strings.Fields(args))
	return code, stdout.String(), stderr.String()
}

// check runs args as the networking account with nothing on stdin and
// requires the exit code. A run that succeeds (0, or 2 for changes
// present) has stdout in testdata/name.golden; a failure has an empty
// stdout and its stderr in name.golden. Stderr of a success is in
// name-stderr.golden when withStderr is set, and must be empty otherwise,
// but for the one line of exit code 2.
func (d shareDemo) check(name, args string, code int, withStderr bool) (string, string) {
	d.t.Helper()
	return d.checkAs(awsfake.DemoNetworkAccessKey, name, args, code, withStderr)
}

func (d shareDemo) checkAs(accessKey, name, args string, code int, withStderr bool) (string, string) {
	t := d.t
	t.Helper()
	got, stdout, stderr := d.run(t.Context(), accessKey, strings.NewReader(""), args)
	require.Equal(t, code, got, "exit code of ipamctl %s\nstdout: %s\nstderr: %s", args, stdout, stderr)
	switch {
	case code == 1:
		assert.Empty(t, stdout, "stdout of ipamctl %s, which failed", args)
		if !withStderr { // apply may have shown its plan and progress first
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line on stderr: %s", stderr)
		}
		checkGolden(t, name, stderr, "ipamctl "+args)
	case withStderr:
		checkGolden(t, name, stdout, "ipamctl "+args)
		checkGolden(t, name+"-stderr", stderr, "ipamctl "+args)
	case code == exitFindings:
		checkGolden(t, name, stdout, "ipamctl "+args)
		assert.True(t, strings.HasPrefix(stderr, "ipamctl share plan: changes present: "), stderr)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	default:
		checkGolden(t, name, stdout, "ipamctl "+args)
		assert.Empty(t, stderr, "stderr of ipamctl %s", args)
	}
	return stdout, stderr
}

// writes returns the RAM writes made so far.
func (d shareDemo) writes() []string {
	var out []string
	for _, c := range d.srv.Calls() {
		switch c.Operation {
		case "CreateResourceShare", "AssociateResourceShare", "DisassociateResourceShare":
			out = append(out, c.Operation)
		}
	}
	return out
}

// shares returns the networking account's active shares: name to ARN.
func (d shareDemo) shares() map[string][]string {
	t := d.t
	t.Helper()
	client := ram.NewFromConfig(d.srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1"))
	out := map[string][]string{}
	p := ram.NewGetResourceSharesPaginator(client, &ram.GetResourceSharesInput{ResourceOwner: "SELF", ResourceShareStatus: "ACTIVE"})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, s := range page.ResourceShares {
			out[aws.ToString(s.Name)] = append(out[aws.ToString(s.Name)], aws.ToString(s.ResourceShareArn))
		}
	}
	return out
}

// TestShareLifecycle plans the whole demo organization from nothing,
// applies, and plans again: no changes.
func TestShareLifecycle(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.check("share-plan-all", "share plan --all", 0, false)
	out, _ := d.check("share-plan-all-json", "share plan --all -o json", 0, false)
	var p share.Plan
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	assert.Equal(t, share.ModeAccount, p.Mode)
	d.check("share-plan-all-detailed", "share plan --all --detailed-exitcode", exitFindings, false)
	assert.Empty(t, d.writes(), "plan changes nothing")

	d.check("share-apply-all", "share apply --all --yes", 0, true)
	assert.Equal(t, []string{"CreateResourceShare", "CreateResourceShare", "CreateResourceShare"}, d.writes())
	assert.Len(t, d.shares(), 3)

	d.check("share-plan-all-no-changes", "share plan --all --detailed-exitcode", 0, false)
	d.check("share-apply-all-no-changes", "share apply --all", 0, false)
	d.check("share-apply-all-no-changes-json", "share apply --all -o json", 0, false)
	assert.Len(t, d.writes(), 3, "nothing more to write")
}

// TestShareManagementAccount plans from the management account, through
// a role in the networking account; without a role it can assume, the
// error says which credentials to use.
func TestShareManagementAccount(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-plan-account",
		"share plan --account 333333333333 --network-account 222222222222 --role-name OrganizationAccountAccessRole", 0, false)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-plan-cannot-assume-role", "share plan --all --network-account 222222222222", 1, false)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-plan-management-no-network", "share plan --all", 0, true)
}

// TestShareExplain explains the decisions for a Prod account, for the
// networking account, and with rules given.
func TestShareExplain(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.check("share-explain-prod", "share explain --account 333333333333", 0, false)
	out, _ := d.check("share-explain-prod-json", "share explain --account 333333333333 -o json", 0, false)
	var x explanation
	require.NoError(t, json.Unmarshal([]byte(out), &x))
	assert.Equal(t, 2, x.Matched)
	d.check("share-explain-network", "share explain --account 222222222222", 0, false)
	d.check("share-explain-rules", "share explain --account 444444444444 --rule ou-path@us-west-2 --rule ou-id", 0, false)
	d.check("share-explain-unknown-account", "share explain --account 012345678901", 1, false)
}

// TestShareModeOU shares with the OUs: one share per OU, the OU as its
// principal.
func TestShareModeOU(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.check("share-plan-ou", "share plan --all --mode ou", 0, false)
	d.check("share-apply-ou", "share apply --all --mode ou --yes -o json", 0, true)
	d.check("share-plan-ou-no-changes", "share plan --all --mode ou --detailed-exitcode", 0, false)
}

// TestSharePrune gives the prod account's sample-made share a pool of
// SDLC OU: plans show it kept, and only --prune disassociates it.
func TestSharePrune(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.sampleShare("333333333333", "Prod OU", "SDLC OU")
	d.check("share-plan-extra-pool", "share plan --account 333333333333 --detailed-exitcode", exitFindings, false)
	code, stdout, stderr := d.run(t.Context(), awsfake.DemoNetworkAccessKey, strings.NewReader(""), "share apply --account 333333333333 --yes")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "Applied: 0 shares created, 1 association added, 0 removed.")
	d.check("share-plan-extra-pool-kept", "share plan --account 333333333333 --detailed-exitcode", 0, false)
	d.check("share-plan-extra-pool-prune", "share plan --account 333333333333 --prune --detailed-exitcode", exitFindings, false)
	d.srv.ResetCalls()
	d.check("share-apply-extra-pool-prune", "share apply --account 333333333333 --prune --yes", 0, true)
	assert.Equal(t, []string{"DisassociateResourceShare"}, d.writes())
	d.check("share-plan-pruned", "share plan --account 333333333333 --prune --detailed-exitcode", 0, false)
}

// sampleShare makes the share the Control Tower sample makes for account:
// named ipamShare-<account>, without a tag or client token, with the
// us-east-1 pools of the environments envs.
func (d shareDemo) sampleShare(account string, envs ...string) {
	t := d.t
	t.Helper()
	ctx := t.Context()
	net := d.srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1")
	pools, err := ec2.NewFromConfig(net).DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
	require.NoError(t, err)
	var arns []string
	for _, env := range envs {
		for _, p := range pools.IpamPools {
			if aws.ToString(p.Locale) == "us-east-1" && hasTag(p.AllocationResourceTags, "Env", env) {
				arns = append(arns, aws.ToString(p.IpamPoolArn))
			}
		}
	}
	require.Len(t, arns, len(envs))
	_, err = ram.NewFromConfig(net).CreateResourceShare(ctx, &ram.CreateResourceShareInput{
		Name: aws.String("ipamShare-" + account), Principals: []string{account}, ResourceArns: arns,
	})
	require.NoError(t, err)
	d.srv.ResetCalls()
}

// TestShareApplyInterrupted interrupts an apply (Ctrl-C) once its first
// share is made; running it again finishes the job, with one share per
// account.
func TestShareApplyInterrupted(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &cancelOnWrite{cancel: cancel, marker: "share created: share=ipamShare-333333333333"}
	code := d.env(awsfake.DemoNetworkAccessKey, strings.NewReader(""), &stdout, stderr).run(ctx, strings.Fields("share apply --all --yes"))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	assert.True(t, strings.HasSuffix(stderr.String(), "\nipamctl share apply: interrupted: 3 of 9 changes made; run apply again to finish (it adopts what was made)\n"), stderr.String())

	d.check("share-apply-after-interrupt", "share apply --all --yes", 0, true)
	d.check("share-plan-after-interrupt", "share plan --all --detailed-exitcode", 0, false)
	for name, arns := range d.shares() {
		assert.Len(t, arns, 1, "shares named %s", name)
	}
	assert.Len(t, d.shares(), 3)
}

// TestShareAdoptsSampleShare plans an account whose share the Control
// Tower sample made, with one of its two pools: the share is adopted,
// never duplicated.
func TestShareAdoptsSampleShare(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.sampleShare("333333333333", "Prod OU")
	d.check("share-plan-sample-adopted", "share plan --account 333333333333", 0, false)
	d.check("share-apply-sample-adopted", "share apply --account 333333333333 --yes", 0, true)
	assert.Equal(t, []string{"AssociateResourceShare"}, d.writes())
	assert.Len(t, d.shares()["ipamShare-333333333333"], 1, "one share of the sample's name")
}

func hasTag(tags []ec2types.IpamResourceTag, key, value string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key && aws.ToString(t.Value) == value {
			return true
		}
	}
	return false
}

// TestShareApplyAsks refuses without a terminal, cancels on anything but
// "yes", stops on Ctrl-C at the prompt, and applies on "yes".
func TestShareApplyAsks(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	const args = "share apply --all"
	d.check("share-apply-not-terminal", args, 1, false)
	assert.Empty(t, d.writes())

	key := awsfake.DemoNetworkAccessKey
	code, stdout, stderr := d.run(t.Context(), key, ttyReader{strings.NewReader("no\n")}, args)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, "Plan: 3 shares to create, 6 associations to add, 0 to remove.")
	assert.Contains(t, stderr, "Apply these changes to the RAM shares of the networking account 222222222222 in us-east-1?")
	assert.True(t, strings.HasSuffix(stderr, "ipamctl share apply: apply cancelled: nothing was changed\n"), stderr)
	assert.Empty(t, d.writes())

	code, _, stderr = d.run(t.Context(), key, ttyReader{strings.NewReader("")}, args)
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasSuffix(stderr, "Only 'yes' will be accepted: \nipamctl share apply: apply cancelled: nothing was changed\n"), stderr)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe() // nobody answers
	t.Cleanup(func() { pw.Close() })
	var out bytes.Buffer
	errOut := &cancelOnWrite{cancel: cancel, marker: "Only 'yes' will be accepted"}
	code = d.env(key, ttyReader{pr}, &out, errOut).run(ctx, strings.Fields(args))
	assert.Equal(t, 1, code)
	assert.Empty(t, out.String())
	assert.True(t, strings.HasSuffix(errOut.String(), "\nipamctl share apply: interrupted: nothing was changed\n"), errOut.String())
	assert.Empty(t, d.writes())

	code, stdout, stderr = d.run(t.Context(), key, ttyReader{strings.NewReader("yes\n")}, args)
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasSuffix(stdout, "Applied: 3 shares created, 6 associations added, 0 removed.\n"), stdout)
}

// cancelOnWrite cancels a context when a write holds marker.
type cancelOnWrite struct {
	mu     sync.Mutex
	b      strings.Builder
	cancel func()
	marker string
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if strings.Contains(string(p), w.marker) {
		w.cancel()
	}
	return w.b.Write(p)
}

func (w *cancelOnWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestShareAccessDenied makes Organizations and RAM refuse: one line that
// says which credentials to use.
func TestShareAccessDenied(t *testing.T) {
	t.Parallel()
	d := newShareDemo(t)
	d.srv.InjectFault(awsfake.Fault{Service: "organizations", Kind: awsfake.FaultAccessDenied})
	d.check("share-plan-org-denied", "share plan --all", 1, false)

	d = newShareDemo(t)
	d.srv.InjectFault(awsfake.Fault{Service: "ram", Operation: "CreateResourceShare", Kind: awsfake.FaultAccessDenied})
	_, stderr := d.check("share-apply-ram-denied", "share apply --account 333333333333 --yes", 1, true)
	assert.Equal(t, 1, strings.Count(stderr, "ipamctl share apply: "), "one line of error after the plan: %s", stderr)
}

func TestShareFlags(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "help-share", args: args("share --help")},
		{name: "help-share-plan", args: args("share plan --help")},
		{name: "help-share-apply", args: args("share apply --help")},
		{name: "help-share-explain", args: args("share explain -h")},
		{name: "share-plan-no-target", args: args("share plan"), code: 1, names: []string{"missing --account ID or --all"}},
		{name: "share-plan-account-and-all", args: args("share plan --all --account 333333333333"), code: 1, names: []string{"exclude each other"}},
		{name: "share-plan-bad-values", args: []string{"share", "plan", "--account", "33333333333", "--mode", "org", "--tag-key", "aws:env",
			"--rule", "ou-nom", "--rule", "ou-path:Env@moon-1", "-o", "yaml", "--network-account", "2222-2222-2222"}, code: 1, errLines: 7,
			names: []string{`--account "33333333333"`, `--mode "org"`, `--tag-key "aws:env"`, `--rule "ou-nom"`, `region "moon-1"`, `-o "yaml"`, `--network-account "2222-2222-2222"`}},
		{name: "share-plan-role-without-network", args: args("share plan --all --role-name Admin"), code: 1, names: []string{"--role-name without --network-account"}},
		{name: "share-explain-no-account", args: args("share explain"), code: 1, names: []string{"missing --account ID"}},
		{name: "share-explain-prune", args: args("share explain --account 333333333333 --prune"), code: 1, names: []string{"-prune"}},
		{name: "share-plan-extra-arg", args: args("share plan --all 333333333333"), code: 1, names: []string{`"333333333333"`}},
	})
}

// TestShareHelpWidth keeps the share help readable in an 80-column
// terminal; only examples may be wider.
func TestShareHelpWidth(t *testing.T) {
	t.Parallel()
	for _, verb := range []string{"", "plan", "apply", "explain"} {
		a := strings.Fields("share " + verb + " --help")
		var stdout bytes.Buffer
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
			if !inExample && !strings.HasPrefix(line, "  ipamctl share") && !strings.HasPrefix(line, "      [") {
				assert.LessOrEqual(t, len(line), 80, "line of ipamctl %s:\n%s", strings.Join(a, " "), line)
			}
		}
	}
}

// TestShareControlTowerRole works from the management account through
// the networking account's AWSControlTowerExecution role, which asks for
// an external ID, in an organization with a nested OU, an account ID with
// a leading zero and a suspended account.
func TestShareControlTowerRole(t *testing.T) {
	t.Parallel()
	b := awsfake.NewBuilder(awsfake.DemoManagementAccount)
	infra, workloads := b.OU(b.Root(), "Infrastructure"), b.OU(b.Root(), "Workloads")
	prod := b.OU(workloads, "Prod")
	payments := b.OU(prod, "Payments")
	b.Account(infra, awsfake.DemoNetworkAccount, "network", "network@example.com")
	b.Role(awsfake.DemoNetworkAccount, share.DefaultRoleName, "ext-id-1", awsfake.DemoManagementAccount)
	b.Account(prod, "012345678901", "zero", "zero@example.com")
	b.Account(prod, "666666666666", "gone", "gone@example.com")
	b.AccountState("666666666666", "SUSPENDED")
	b.Account(payments, "777777777777", "payments", "payments@example.com")
	ipam := b.IPAM(awsfake.DemoNetworkAccount, "us-east-1", "us-east-1")
	top := b.Pool(awsfake.PoolSpec{Scope: b.Scope(ipam, "private"), Description: "top"})
	b.ProvisionCIDR(top, "10.0.0.0/8")
	pool := b.Pool(awsfake.PoolSpec{Scope: b.Scope(ipam, "private"), Parent: top, Locale: "us-east-1", Description: "prod",
		AllocationResourceTags: map[string]string{"Env": "Prod"}})
	b.ProvisionCIDR(pool, "10.0.0.0/16")
	world, err := b.Build()
	require.NoError(t, err)
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	d := shareDemo{t: t, srv: srv}

	const net = "--network-account 222222222222"
	d.checkAs(awsfake.DefaultAccessKeyID, "share-ct-wrong-external-id", "share plan --all "+net+" --external-id nope", 1, false)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-ct-plan-path", "share plan --all --rule ou-path "+net+" --external-id ext-id-1", 0, false)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-ct-explain-zero", "share explain --account 012345678901 "+net+" --external-id ext-id-1 -o json", 0, false)
	d.checkAs(awsfake.DefaultAccessKeyID, "share-ct-explain-suspended", "share explain --account 666666666666 "+net+" --external-id ext-id-1", 0, false)
}
