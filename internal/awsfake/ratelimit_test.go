package awsfake

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketTokens(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	type step struct {
		at   time.Duration // since t0
		want bool
		left float64 // tokens after the step
	}
	tests := []struct {
		name  string
		burst int
		rate  float64
		steps []step
	}{
		{name: "burst then refill", burst: 3, rate: 1, steps: []step{
			{0, true, 2}, {0, true, 1}, {0, true, 0}, {0, false, 0},
			{500 * time.Millisecond, false, 0.5},
			{time.Second, true, 0},
		}},
		{name: "refill stops at the burst", burst: 2, rate: 20, steps: []step{
			{0, true, 1}, {time.Hour, true, 1}, {time.Hour, true, 0}, {time.Hour, false, 0},
		}},
		{name: "a clock going back refills nothing", burst: 1, rate: 1, steps: []step{
			{time.Second, true, 0}, {0, false, 0}, {1500 * time.Millisecond, false, 0.5}, {2 * time.Second, true, 0},
		}},
		{name: "fractional rate", burst: 1, rate: 0.1, steps: []step{
			{0, true, 0}, {5 * time.Second, false, 0.5}, {10 * time.Second, true, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := &bucket{tokens: float64(tt.burst), last: t0}
			for i, s := range tt.steps {
				got := b.take(t0.Add(s.at), tt.burst, tt.rate)
				assert.Equal(t, s.want, got, "step %d at %v", i, s.at)
				assert.InDelta(t, s.left, b.tokens, 1e-9, "tokens after step %d at %v", i, s.at)
			}
		})
	}
}

func TestRateLimitCovers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		limit    RateLimit
		svc, op  string
		want     bool
		wantName string
	}{
		{name: "prefix", limit: RateLimit{Service: "ec2", Operations: []string{"Describe*"}}, svc: "ec2", op: "DescribeSubnets", want: true},
		{name: "prefix, other action", limit: RateLimit{Service: "ec2", Operations: []string{"Describe*"}}, svc: "ec2", op: "CreateVpc"},
		{name: "exact", limit: RateLimit{Service: "ec2", Operations: []string{"CreateTags"}}, svc: "ec2", op: "CreateTags", want: true},
		{name: "exact is not a prefix", limit: RateLimit{Service: "ec2", Operations: []string{"CreateTags"}}, svc: "ec2", op: "CreateTagsX"},
		{name: "other service", limit: RateLimit{Service: "ec2"}, svc: "sts", op: "AssumeRole"},
		{name: "every action", limit: RateLimit{Service: "sts"}, svc: "sts", op: "AssumeRole", want: true},
		{name: "every service", limit: RateLimit{Operations: []string{"List*"}}, svc: "organizations", op: "ListAccounts", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.limit.covers(tt.svc, tt.op), "%+v covers %s:%s", tt.limit, tt.svc, tt.op)
		})
	}
}

func TestAWSRateLimitsCategories(t *testing.T) {
	t.Parallel()
	l, err := newRateLimiter(AWSRateLimits())
	require.NoError(t, err)
	// Which limit each action falls under: the first that covers it.
	for _, tt := range []struct {
		op          string
		burst       int
		rate        float64
		description string
	}{
		{"DescribeSubnets", 100, 20, "non-mutating"},
		{"GetIpamResourceCidrs", 100, 20, "non-mutating"},
		{"CreateTags", 100, 10, "uncategorized"},
		{"CreateVpc", 50, 5, "mutating"},
		{"ProvisionIpamPoolCidr", 50, 5, "mutating"},
	} {
		var got RateLimit
		for _, r := range l.limits {
			if r.covers("ec2", tt.op) {
				got = r
				break
			}
		}
		assert.Equal(t, []any{tt.burst, tt.rate}, []any{got.Burst, got.Rate}, "%s is %s", tt.op, tt.description)
	}
	assert.True(t, l.allow(time.Now(), "111111111111", "us-east-1", "sts", "AssumeRole"), "STS is not limited")
}

func TestRateLimitsOverTheWire(t *testing.T) {
	w := newTestWorld(t)
	var clock Clock
	srv := startServer(t, w.world, func(o *Options) { o.Now, o.RateLimits = clock.Now, AWSRateLimits() })
	once := func(o *ec2.Options) { o.RetryMaxAttempts = 1 } // see every throttle
	client := ec2.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"), once)
	describe := func(c *ec2.Client) error {
		_, err := c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
		return err
	}

	for i := range 100 {
		require.NoError(t, describe(client), "call %d of a full bucket of 100", i+1)
	}
	err := describe(client)
	assert.Equal(t, "RequestLimitExceeded", errorCode(err), "the 101st call in the same instant: %v", err)
	left, ok := srv.limiter.tokens(prodAccount, "us-east-1", "ec2", "DescribeVpcs")
	require.True(t, ok)
	assert.InDelta(t, 0, left, 1e-9, "a throttled call takes no token")

	_, err = client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
	assert.NoError(t, err, "another action has its own bucket")
	assert.NoError(t, describe(ec2.NewFromConfig(clientConfig(srv, prodKey, "us-west-2"), once)), "another region has its own bucket")
	assert.NoError(t, describe(ec2.NewFromConfig(clientConfig(srv, networkKey, "us-east-1"), once)), "another account has its own bucket")

	clock.Advance(50 * time.Millisecond) // 20 tokens a second: one more call
	assert.NoError(t, describe(client), "refilled by the server's clock")
	assert.Equal(t, "RequestLimitExceeded", errorCode(describe(client)), "and only one")

	var throttled int
	for _, c := range callsTo(srv, "DescribeVpcs") {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
			assert.Equal(t, 503, c.Status, "EC2 throttles with a 503")
		}
	}
	assert.Equal(t, 2, throttled, "the call log shows the throttles")
}

func TestRateLimitOtherService(t *testing.T) {
	w := newTestWorld(t)
	var clock Clock
	srv := startServer(t, w.world, func(o *Options) {
		o.Now = clock.Now
		o.RateLimits = []RateLimit{{Service: "sts", Operations: []string{"GetCallerIdentity"}, Burst: 1, Rate: 1}}
	})
	client := sts.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"), func(o *sts.Options) { o.RetryMaxAttempts = 1 })
	_, err := client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	_, err = client.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	assert.Equal(t, "Throttling", errorCode(err), "STS's own throttling error: %v", err)

	retried := sts.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"))
	clock.Advance(time.Second)
	out, err := retried.GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err, "a token came back")
	assert.Equal(t, prodAccount, aws.ToString(out.Account))
}

func TestNewBadRateLimit(t *testing.T) {
	_, err := New(func(o *Options) {
		o.RateLimits = []RateLimit{{Service: "ec2", Burst: 0, Rate: 1}, {Service: "sts", Burst: 1, Rate: 0}}
	})
	require.ErrorIs(t, err, ErrBadRateLimit)
	assert.ErrorContains(t, err, "ec2 burst 0", "names the first bad limit")
	assert.ErrorContains(t, err, "sts rate 0", "and the second")
}
