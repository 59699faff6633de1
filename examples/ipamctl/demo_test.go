package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveInBackground runs "ipamctl demo serve args..." until the test ends
// and returns the environment it printed.
func serveInBackground(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		e := &env{stdin: strings.NewReader(""), stdout: pw, stderr: &stderr}
		done <- e.run(ctx, append([]string{"demo", "serve", "--port", "0"}, args...))
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, 0, <-done, "exit code after interrupt; stderr: %s", stderr.String())
	})
	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vars) < 5 && sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		require.True(t, ok, "line %q", sc.Text())
		vars[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	require.Len(t, vars, 5, "the variables to export")
	return vars
}

func TestDemoServe(t *testing.T) {
	t.Parallel()
	vars := serveInBackground(t)
	assert.Equal(t, "us-east-1", vars["AWS_REGION"])
	assert.Equal(t, "us-east-1", vars["AWS_DEFAULT_REGION"])
	assert.True(t, strings.HasPrefix(vars["AWS_ENDPOINT_URL"], "http://127.0.0.1:"))

	// A client configured only from what was printed reaches the fake.
	cfg := aws.Config{
		Region:       vars["AWS_REGION"],
		BaseEndpoint: aws.String(vars["AWS_ENDPOINT_URL"]),
		Credentials:  credentials.NewStaticCredentialsProvider(vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], ""),
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "111111111111", aws.ToString(out.Account), "the demo's management account")
}

func TestDemoServeGenerated(t *testing.T) {
	t.Parallel()
	vars := serveInBackground(t, "--generate", "3x2x4", "--regions", "us-east-1,eu-west-1", "--seed", "7")
	cfg := aws.Config{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(vars["AWS_ENDPOINT_URL"]),
		Credentials:  credentials.NewStaticCredentialsProvider(vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], ""),
	}
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
}

// TestDemoServeAtScale serves a generated organization with a latency
// and AWS's rate limits: an EC2 call is answered (the latency is 1 ms so
// that the test stays fast; the throttling itself is tested in awsfake).
func TestDemoServeAtScale(t *testing.T) {
	t.Parallel()
	vars := serveInBackground(t, "--generate", "2x1x3", "--regions", "us-east-1,us-west-2", "--latency", "1ms/2ms", "--rate-limits", "aws")
	cfg := aws.Config{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(vars["AWS_ENDPOINT_URL"]),
		Credentials:  credentials.NewStaticCredentialsProvider(awsfake.GeneratedAccessKeyID(awsfake.GeneratedAccountID(1)), "secret", ""),
	}
	out, err := ec2.NewFromConfig(cfg).DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
	require.NoError(t, err)
	assert.Len(t, out.Subnets, 3, "the generated account's subnets in the region")
}

func TestDemoServeBadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []cliCase{
		{name: "demo-generate-bad", args: []string{"demo", "serve", "--generate", "3x2"}, code: 1, names: []string{`--generate "3x2"`, "ACCOUNTSxVPCSxSUBNETS"}},
		{name: "demo-generate-too-many-subnets", args: []string{"demo", "serve", "--generate", "1x1x300"}, code: 1, names: []string{"300 subnets per VPC"}},
		{name: "demo-data-and-generate", args: []string{"demo", "serve", "--data", "x.yaml", "--generate", "1x1x1"}, code: 1, names: []string{"--data and --generate"}},
		{name: "demo-generate-too-large", args: []string{"demo", "serve", "--generate", "1000x1000x256", "--regions", "us-east-1,us-west-2"}, code: 1,
			names: []string{"512000000 subnets: at most 1000000"}},
		{name: "demo-generate-bad-region", args: []string{"demo", "serve", "--generate", "1x1x1", "--regions", "us-east1"}, code: 1, names: []string{`--regions "us-east1"`}},
		{name: "demo-port", args: []string{"demo", "serve", "--port", "70000"}, code: 1, names: []string{"--port 70000"}},
		{name: "demo-latency-bad", args: []string{"demo", "serve", "--latency", "50ms/10ms"}, code: 1, names: []string{"--latency", "below the median"}},
		{name: "demo-rate-limits-bad", args: []string{"demo", "serve", "--rate-limits", "strict"}, code: 1, names: []string{"--rate-limits", "none or aws"}},
		{name: "demo-data-missing", args: []string{"demo", "serve", "--data", "testdata/no-such-world.yaml"}, code: 1, names: []string{"--data testdata/no-such-world.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

// TestDemoServeInterruptedWhileGenerating interrupts "demo serve --generate"
// before the world is built: it stops without serving, exit code 130.
func TestDemoServeInterruptedWhileGenerating(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr strings.Builder
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	code := exitCode(ctx, e.run(ctx, strings.Fields("demo serve --port 0 --generate 100x100x100")))
	assert.Equal(t, exitInterrupted, code)
	assert.Empty(t, stdout.String())
	assert.Equal(t, "ipamctl demo serve: interrupted while generating the organization\n", stderr.String())
}
