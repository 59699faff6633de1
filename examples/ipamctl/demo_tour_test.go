package main

import (
	"bytes"
	"encoding/json"
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
