package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
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
		{"usage --threshold 80 --warning 90", []string{"warning threshold 90 is not below critical threshold 80"}},
		{"usage --threshold 120", []string{"critical threshold 120"}},
		{"usage --source dns", []string{`--source "dns": want ipam, ec2, pools or all`}},
		{"usage -o yaml", []string{`-o "yaml"`}},
		{"usage --regions us-east-1,,eu-west-1", []string{"empty entry"}},
		{"usage extra", []string{`unexpected argument "extra"`}},
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
