package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionLine(t *testing.T) {
	t.Parallel()
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.24.4", Main: debug.Module{Version: "v1.2.3"},
			Settings: settings("GOOS", "linux", "GOARCH", "amd64", "vcs.revision", "3c3065e4f1ab99887766", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "false")},
			true, "ipamctl v1.2.3 (commit 3c3065e4f1ab, 2026-12-01T10:00:00Z; go1.24.4 linux/amd64)"},
		{"devel, modified", &debug.BuildInfo{GoVersion: "go1.24.4", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "3c3065e4f1ab99887766", "vcs.time", "2026-12-01T10:00:00Z", "vcs.modified", "true")},
			true, "ipamctl (devel) (commit 3c3065e4f1ab, 2026-12-01T10:00:00Z, modified; go1.24.4)"},
		{"go install, no VCS", &debug.BuildInfo{GoVersion: "go1.24.4", Main: debug.Module{Version: "v0.3.0"}}, true, "ipamctl v0.3.0 (go1.24.4)"},
		{"empty version", &debug.BuildInfo{GoVersion: "go1.24.4"}, true, "ipamctl (devel) (go1.24.4)"},
		{"no build information", nil, false, "ipamctl (unknown version: built without module information)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, versionLine(tt.bi, tt.ok), tt.name)
	}
}

func TestVersionAndHelpCommands(t *testing.T) {
	t.Parallel()
	runOut := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, v1, stderr := runOut("version")
	require.Equal(t, 0, code, stderr)
	assert.True(t, strings.HasPrefix(v1, "ipamctl "), v1)
	assert.Contains(t, v1, "go1.")
	code, v2, _ := runOut("--version")
	require.Equal(t, 0, code)
	assert.Equal(t, v1, v2, "--version is the version command")

	for _, tt := range []struct{ help, flag []string }{
		{[]string{"help"}, []string{"--help"}},
		{[]string{"help", "usage"}, []string{"usage", "--help"}},
		{[]string{"help", "cidr", "free"}, []string{"cidr", "free", "--help"}},
		{[]string{"help", "demo", "serve"}, []string{"demo", "serve", "-h"}},
	} {
		code, got, stderr := runOut(tt.help...)
		require.Equal(t, 0, code, stderr)
		_, want, _ := runOut(tt.flag...)
		assert.Equal(t, want, got, "ipamctl %s is ipamctl %s", strings.Join(tt.help, " "), strings.Join(tt.flag, " "))
	}
	code, stdout, stderr := runOut("help", "cider")
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "ipamctl: unknown command \"cider\": want cidr, usage, hierarchy, share, demo, help, version or completion (see 'ipamctl --help')\n", stderr, "one line")
}

func TestGlobalFlagValues(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "global-bad-region", args: args("--region us-east1 usage"), code: 1, names: []string{`--region "us-east1": not a region name`}},
		{name: "global-bad-region-after", args: args("cidr free --pool 10.0.0.0/8 -region US-EAST-1"), code: 1, names: []string{`-region "US-EAST-1"`}},
		{name: "global-bad-endpoint", args: args("usage --endpoint-url localhost:4566"), code: 1, names: []string{`--endpoint-url "localhost:4566": want an http:// or https:// URL`}},
		{name: "global-flags-accepted", args: args("-q cidr free --pool 10.0.0.0/8 --used 10.0.0.0/9 --region eu-west-1 --quiet --debug"), code: 0},
	})
}

// TestGlobalAWSFlags runs the standard configuration chain with --profile,
// --region and --endpoint-url: the profile's keys, the region and endpoint
// of the flags, which win over the environment's.
func TestGlobalAWSFlags(t *testing.T) {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	credentials := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(credentials, []byte("[network]\naws_access_key_id = "+awsfake.DemoNetworkAccessKey+
		"\naws_secret_access_key = "+awsfake.DefaultSecretAccessKey+"\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1") // nothing listens: the flag must win
	t.Setenv("AWS_REGION", "eu-west-1")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args("--profile network --region us-east-1 usage --source pools --endpoint-url "+srv.URL()+" -o json"),
		strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), `"accountId":"`+awsfake.DemoNetworkAccount+`"`, "the profile's account")
	assert.Contains(t, stdout.String(), `"region":"us-east-1"`)

	stdout.Reset()
	stderr.Reset()
	code = run(t.Context(), args("usage --profile nosuch --endpoint-url "+srv.URL()), strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "nosuch")
}

// TestDebugLogsRedacted runs a scan that assumes roles (session tokens in
// every request) under --debug: requests, responses and retries are
// logged, and no credential is.
func TestDebugLogsRedacted(t *testing.T) {
	t.Parallel()
	e, _, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	code := e.run(t.Context(), args("usage --org --source ec2 --regions us-east-1 --debug -o json"))
	require.Equal(t, 0, code, stderr.String())
	log := stderr.String()
	assert.Contains(t, log, "ipamctl debug: debug Request\n")
	assert.Contains(t, log, "ipamctl debug: debug POST / HTTP/1.1")
	assert.Contains(t, log, "ipamctl debug: debug Response\n")
	assert.Contains(t, log, "Authorization: [redacted]")
	assert.Contains(t, log, "X-Amz-Security-Token: [redacted]", "the assumed roles' requests")
	assert.NotContains(t, log, "AWS4-HMAC-SHA256 Credential")
	assert.NotContains(t, log, awsfake.DefaultAccessKeyID)
	assert.NotContains(t, log, "Signature=")
	for line := range strings.Lines(log) {
		assert.True(t, strings.HasPrefix(line, "ipamctl debug: "), "line %q", line)
	}
}

func TestRedactWire(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"headers", "POST / HTTP/1.1\r\nHost: ec2.us-east-1.amazonaws.com\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261202/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=abc\r\nx-amz-security-token: IQoJb3JpZ2luX2VjEJr//////////\r\nX-Amz-Date: 20261202T083000Z\r\n\r\n",
			"POST / HTTP/1.1\r\nHost: ec2.us-east-1.amazonaws.com\r\nAuthorization: [redacted]\r\nx-amz-security-token: [redacted]\r\nX-Amz-Date: 20261202T083000Z\r\n\r\n"},
		{"pre-signed URL", "GET /bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261202&X-Amz-Security-Token=tok&X-Amz-Signature=deadbeef HTTP/1.1\n",
			"GET /bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]&X-Amz-Security-Token=[redacted]&X-Amz-Signature=[redacted] HTTP/1.1\n"},
		{"SigV2 query", "https://example.com/?AWSAccessKeyId=AKIA&Signature=s%2B&Expires=1", "https://example.com/?AWSAccessKeyId=[redacted]&Signature=[redacted]&Expires=1"},
		{"cookie", "Set-Cookie: session=secret\nCookie: a=b\n", "Set-Cookie: [redacted]\nCookie: [redacted]\n"},
		{"harmless", "Content-Type: application/x-www-form-urlencoded\nAction=DescribeVpcs&Version=2016-11-15\n", "Content-Type: application/x-www-form-urlencoded\nAction=DescribeVpcs&Version=2016-11-15\n"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, redactWire(tt.in), tt.name)
	}
	var buf bytes.Buffer
	newDebugLogger(&buf).Logf(logging.Warn, "Request\n%s", "Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE\r\n")
	assert.Equal(t, "ipamctl debug: warn Request\nipamctl debug: warn Authorization: [redacted]\n", buf.String())
}
