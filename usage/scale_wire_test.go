package usage_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWireScanRetriesThrottles scans one account-region three times over
// under a rate limit of one Describe call a second per action: the SDK's
// standard retryer absorbs every throttle, and the report has no failed
// target. The retryer's back-off moves the fake's clock instead of
// waiting, so the buckets refill without a sleep.
func TestWireScanRetriesThrottles(t *testing.T) {
	t.Parallel()
	world, err := awsfake.Generate(awsfake.GenerateOptions{Accounts: 1, VPCs: 2, Subnets: 3, Seed: 1})
	require.NoError(t, err)
	var clock awsfake.Clock
	srv, err := awsfake.New(func(o *awsfake.Options) {
		o.World, o.Now = world, clock.Now
		o.RateLimits = []awsfake.RateLimit{{Service: "ec2", Operations: []string{"Describe*"}, Burst: 1, Rate: 1}}
	})
	require.NoError(t, err)
	t.Cleanup(srv.Close)

	account := awsfake.GeneratedAccountID(0)
	cfg := srv.ClientConfig(awsfake.GeneratedAccessKeyID(account), "us-east-1")
	var backoffs int
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
				backoffs++ // the scan runs one target at a time
				clock.Advance(time.Second)
				return 0, nil
			})
		})
	}
	clients := usage.ClientFactoryFunc(func(context.Context, usage.Target) (usage.EC2API, error) {
		return ec2.NewFromConfig(cfg), nil
	})
	target := usage.Target{AccountID: account, Region: "us-east-1"}
	rep, err := usage.NewScanner(clients, func(o *usage.ScannerOptions) { o.Concurrency = 1 }).
		Scan(t.Context(), []usage.Target{target, target, target})
	require.NoError(t, err)
	assert.Empty(t, rep.Errors, "every throttle was retried")
	assert.Len(t, rep.Resources, 3*(2+2*3), "three scans of 2 VPCs and 6 subnets")

	throttled := 0
	for _, c := range srv.Calls() {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
		}
	}
	// The second and third scans find DescribeVpcs' bucket empty; the
	// second after the back-off refilled DescribeSubnets' too.
	assert.Equal(t, 2, throttled, "throttles answered")
	assert.Equal(t, 2, backoffs, "each retried once")
}
