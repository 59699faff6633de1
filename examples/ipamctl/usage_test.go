package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeEnv returns an env whose AWS configuration points at a fresh demo
// organization, acting with accessKey in region.
func fakeEnv(t *testing.T, accessKey, region string) (*env, *bytes.Buffer, *bytes.Buffer, *awsfake.Server) {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, awsConfig: func(context.Context) (aws.Config, error) {
		return srv.ClientConfig(accessKey, region), nil
	}}
	return e, &stdout, &stderr, srv
}

func TestUsageGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		accessKey string
		args      string
		code      int
	}{
		{"usage-network-all", awsfake.DemoNetworkAccessKey, "usage --regions us-east-1,us-west-2", 0},
		{"usage-org-ec2", awsfake.DefaultAccessKeyID, "usage --org --source ec2 --regions us-east-1,us-west-2 --warning 60", 0},
		{"usage-org-ec2-csv", awsfake.DefaultAccessKeyID, "usage --org --source ec2 --regions us-east-1 -o csv", 0},
		{"usage-pools", awsfake.DemoNetworkAccessKey, "usage --source pools --threshold 50 --fail-on-findings", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, _ := fakeEnv(t, tt.accessKey, "us-east-1")
			code := e.run(t.Context(), strings.Fields(tt.args))
			require.Equal(t, tt.code, code, "exit code of ipamctl %s; stderr: %s", tt.args, stderr.String())
			if tt.code == exitFindings {
				assert.Equal(t, "ipamctl usage: findings over threshold\n", stderr.String())
			} else {
				assert.Empty(t, stderr.String())
			}
			checkGolden(t, tt.name, stdout.String(), "ipamctl "+tt.args)
		})
	}
}

func TestUsageJSON(t *testing.T) {
	t.Parallel()
	e, stdout, _, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	srv.ResetCalls()
	require.Equal(t, 0, e.run(t.Context(), strings.Fields("usage --org --regions us-east-1,us-west-2 --ipam-account 222222222222 -o json")))
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	assert.Equal(t, 1+10, rep.Scan.Targets, "the IPAM, then 5 accounts × 2 regions")
	assert.Empty(t, rep.Errors)
	assert.NotEmpty(t, rep.Findings)
	sources := map[usage.Source]bool{}
	withIPAMStatus := 0
	for _, r := range rep.Resources {
		sources[r.Source] = true
		if r.Source == usage.SourceEC2 && r.ComplianceStatus != "" {
			withIPAMStatus++
		}
	}
	assert.Equal(t, map[usage.Source]bool{usage.SourcePools: true, usage.SourceEC2: true}, sources,
		"IPAM's VPCs and subnets are merged into EC2's figures of the same resources")
	assert.Positive(t, withIPAMStatus, "the IPAM is read too: its statuses are on EC2's resources")
	assert.Equal(t, len(srv.Calls())-2, rep.Scan.APICalls, "every call but GetCallerIdentity and ListAccounts is the scan's")
	for _, f := range rep.Findings {
		assert.GreaterOrEqual(t, f.Percent(), 80.0)
	}
	var raw map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &raw))
	first := raw["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"resourceId", "resourceType", "cidr", "accountId", "region", "total", "used", "available", "percent", "severity"} {
		assert.Contains(t, first, k, "JSON field names are the contract")
	}
}

// TestUsageNoIPAM checks that an account or region without an IPAM is an
// error that says where and what to do, never an empty success: with
// --source ipam or pools, and with --org and the default sources.
func TestUsageNoIPAM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, accessKey, args, where string
	}{
		{"ipam, management account", awsfake.DefaultAccessKeyID, "usage --source ipam --regions us-west-2 --notify stdout --notify-all-clear -o json", "account 111111111111 region us-west-2"},
		{"pools, not the home region", awsfake.DemoNetworkAccessKey, "usage --source pools --regions us-west-2 -o json", "account 222222222222 region us-west-2"},
		{"org, default sources", awsfake.DefaultAccessKeyID, "usage --org --regions us-east-1 -o json", "account 111111111111 region us-east-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, _ := fakeEnv(t, tt.accessKey, "us-east-1")
			code := e.run(t.Context(), strings.Fields(tt.args))
			assert.Equal(t, 1, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "ipamctl usage: "+tt.where+": no IPAM here: run as the IPAM's delegated administrator, "+
				"or give the IPAM's account and home region (--ipam-account, --ipam-region)")
			assert.NotContains(t, stderr.String(), "all clear")
			var rep usage.Report
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
			require.NotEmpty(t, rep.Errors)
			assert.Equal(t, "NoIPAM", rep.Errors[0].Code())
		})
	}
}

func TestUsageTargetFailure(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	code := e.run(t.Context(), strings.Fields("usage --source ec2 --accounts 333333333333,999999999999 -o json"))
	assert.Equal(t, 1, code)
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "the report of the targets that worked is still written")
	assert.NotEmpty(t, rep.Resources)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "999999999999", rep.Errors[0].Target.AccountID)
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"))
	assert.Contains(t, stderr.String(), "ipamctl usage: account 999999999999 region us-east-1: ")
}

func TestUsageBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  string
		names []string
	}{
		{"usage --accounts 12345", []string{`--accounts "12345": want a 12-digit account ID`}},
		{"usage --org --accounts 111111111111", []string{"--org and --accounts exclude each other"}},
		{"usage --threshold 80 --warning 90", []string{"--warning 90: want a level below --threshold 80"}},
		{"usage --threshold 120", []string{"--threshold 120: want a percentage from 0 to 100"}},
		{"usage --source dns", []string{`--source "dns": want ipam, ec2, pools or all`}},
		{"usage -o yaml", []string{`-o "yaml"`}},
		{"usage --regions us-east-1,,eu-west-1", []string{"empty entry"}},
		{"usage extra", []string{`unexpected argument "extra"`}},
		{"usage --regions us-east1,US-EAST-1,us-esat-1,eu-west-1", []string{`--regions "us-east1": not a region name`, `--regions "US-EAST-1": not a region name`, `--regions "us-esat-1": not a region name`}},
		{"usage --regions us-east-1_us-west-2", []string{`--regions "us-east-1_us-west-2": not a region name`}},
		{"usage --ipam-region useast-1", []string{`--ipam-region "useast-1": not a region name`}},
		{"usage --timeout 0s", []string{`--timeout "0s": want a duration above zero`}},
		{"usage --timeout 5", []string{`--timeout "5": want a duration above zero`}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
			srv.ResetCalls()
			assert.Equal(t, 1, e.run(t.Context(), strings.Fields(tt.args)))
			assert.Empty(t, stdout.String())
			for _, n := range tt.names {
				assert.Contains(t, stderr.String(), n)
			}
			assert.Empty(t, srv.Calls(), "bad input is rejected before any AWS call")
		})
	}
}

// TestUsageEndpointFromEnvironment runs the real configuration chain:
// AWS_ENDPOINT_URL and the static keys in the environment, as the AWS CLI
// reads them.
func TestUsageEndpointFromEnvironment(t *testing.T) {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL())
	t.Setenv("AWS_ACCESS_KEY_ID", awsfake.DemoNetworkAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "any")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_PROFILE", "")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), strings.Fields("usage --source pools -o json"), strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	assert.NotEmpty(t, rep.Resources)
	assert.NotEmpty(t, srv.Calls(), "the requests went to the fake")
}

// TestUsageRegionShape checks that region names are checked before any
// call: a list given with a space, and the region of the configuration.
func TestUsageRegionShape(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	srv.ResetCalls()
	assert.Equal(t, 1, e.run(t.Context(), []string{"usage", "--regions", "us-east-1 us-west-2"}))
	assert.Equal(t, `ipamctl usage: --regions "us-east-1 us-west-2": not a region name (separate regions with commas, as in us-east-1,us-west-2)`+"\n", stderr.String())
	assert.Empty(t, stdout.String())

	e, stdout, stderr, srv = fakeEnv(t, awsfake.DefaultAccessKeyID, "us-esat-1")
	srv.ResetCalls()
	assert.Equal(t, 1, e.run(t.Context(), strings.Fields("usage --source ec2")))
	assert.Equal(t, `ipamctl usage: region "us-esat-1" of the AWS configuration (AWS_REGION, AWS_DEFAULT_REGION or the profile): `+
		"not a region name (want the shape of us-east-1 or eu-central-2)\n", stderr.String())
	assert.Empty(t, stdout.String())
	assert.Empty(t, srv.Calls(), "bad input is rejected before any AWS call")
	stderr.Reset()
	assert.Equal(t, 1, e.run(t.Context(), strings.Fields("usage --source ec2 --regions us-east-1")), "STS is called in the configured region")
	assert.Contains(t, stderr.String(), `region "us-esat-1" of the AWS configuration`)
	assert.Empty(t, srv.Calls())

	for _, r := range []string{"us-east-1", "ap-southeast-4", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "eusc-de-east-1", "il-central-1", "mx-central-1"} {
		assert.NoError(t, checkRegion(r), r)
	}
}

// silentListener accepts connections and never answers them: an endpoint
// that hangs. Its URL is for AWS_ENDPOINT_URL.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// TestUsageTimeout runs a scan against an endpoint that accepts
// connections and never answers: --timeout ends it with an error that
// says so, rather than a hang.
func TestUsageTimeout(t *testing.T) {
	t.Parallel()
	endpoint := silentListener(t)
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, awsConfig: func(ctx context.Context) (aws.Config, error) {
		return config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithBaseEndpoint(endpoint),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")),
			config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil))
	}}
	code := e.run(t.Context(), strings.Fields("usage --source ec2 --accounts 111111111111 --timeout 300ms -o json"))
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "ipamctl usage: --timeout 300ms reached: ")
}

// TestUsageTimeoutPerTarget gives a scan of two regions a --timeout that
// one of them, whose calls never answer, runs out of: that target is a
// per-target error and the other is reported. The healthy target takes
// milliseconds; --timeout leaves it seconds.
func TestUsageTimeoutPerTarget(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	srv.InjectFault(awsfake.Fault{Service: "ec2", Region: "us-west-2", Kind: awsfake.FaultLatency, Latency: time.Hour})
	code := e.run(t.Context(), strings.Fields("usage --source ec2 --accounts 333333333333 --regions us-east-1,us-west-2 --timeout 3s -o json"))
	assert.Equal(t, 1, code)
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "the report of the targets that worked is still written")
	assert.NotEmpty(t, rep.Resources)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "us-west-2", rep.Errors[0].Target.Region)
	assert.Contains(t, stderr.String(), "ipamctl usage: account 333333333333 region us-west-2: ")
}

func TestBoundAttempts(t *testing.T) {
	t.Parallel()
	cfg := aws.Config{HTTPClient: awshttp.NewBuildableClient()}
	boundAttempts(&cfg, 10*time.Second)
	assert.Equal(t, 10*time.Second, cfg.HTTPClient.(*http.Client).Timeout)
	cfg = aws.Config{HTTPClient: awshttp.NewBuildableClient()}
	boundAttempts(&cfg, time.Hour)
	assert.Equal(t, attemptTimeout, cfg.HTTPClient.(*http.Client).Timeout)
}

// TestUsageLosesNoResponse scans a generated world over loopback with the
// SDK's default client and one attempt per call: a response lost to the
// closed-request-body race (see bodyWithoutWriteTo) fails the scan.
// Without the fix, one of the first few scans of this world lost one.
func TestUsageLosesNoResponse(t *testing.T) {
	t.Parallel()
	world, err := awsfake.Generate(awsfake.GenerateOptions{VPCs: 40, Subnets: 100, Seed: 1})
	require.NoError(t, err)
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	account := awsfake.GeneratedAccountID(0)
	for i := range 30 {
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, awsConfig: func(ctx context.Context) (aws.Config, error) {
			return config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithBaseEndpoint(srv.URL()),
				config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(awsfake.GeneratedAccessKeyID(account), "secret", "")),
				config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil), config.WithRetryMaxAttempts(1))
		}}
		code := e.run(t.Context(), strings.Fields("usage --source ec2 -o json"))
		require.Equal(t, 0, code, "scan %d: %s", i, stderr.String())
	}
}

// interruptingClient cancels the run's context, as Ctrl-C does, when a
// request matches, and passes every request on.
type interruptingClient struct {
	next   aws.HTTPClient
	match  func(*http.Request) bool
	cancel context.CancelFunc
}

func (c interruptingClient) Do(r *http.Request) (*http.Response, error) {
	if c.match(r) {
		c.cancel()
	}
	return c.next.Do(r)
}

// TestUsageInterrupted interrupts a scan of two regions, one target at a
// time, when the second region is first called: the report of the first
// is written, standard error says it is partial, and the exit code is 130.
func TestUsageInterrupted(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	e.awsConfig = func(context.Context) (aws.Config, error) {
		cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
		cfg.HTTPClient = interruptingClient{next: cfg.HTTPClient, cancel: cancel, match: func(r *http.Request) bool {
			return strings.Contains(r.Header.Get("Authorization"), "/us-west-2/ec2/")
		}}
		return cfg, nil
	}
	code := exitCode(ctx, e.run(ctx, strings.Fields("usage --source ec2 --accounts 333333333333 --regions us-east-1,us-west-2 --concurrency 1 -o json")))
	assert.Equal(t, exitInterrupted, code)
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "what was measured is written")
	assert.NotEmpty(t, rep.Resources, "stderr: %s", stderr.String())
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	assert.Equal(t, "ipamctl usage: interrupted: the report is partial", lines[0])
	assert.Contains(t, stderr.String(), "ipamctl usage: account 333333333333 region us-west-2: ")
	assert.NotContains(t, stderr.String(), "us-east-1:")
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	assert.Equal(t, 1, exitCode(ctx, 1))
	cancel()
	assert.Equal(t, exitInterrupted, exitCode(ctx, 1))
	assert.Equal(t, 0, exitCode(ctx, 0), "a run that finished in spite of the interrupt")
}
