package account

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// DefaultSessionName names the assumed-role sessions when
// [Options.SessionName] is empty.
const DefaultSessionName = "ipamkit"

// ErrNoRegion is wrapped by the error of [Configs.Config] for a target
// without a region.
var ErrNoRegion = errors.New("no region")

// Options configures [New]. The zero value is ready to use.
type Options struct {
	// STS assumes the targets' roles; nil means sts.NewFromConfig of the
	// base configuration, whose calls are counted.
	STS stscreds.AssumeRoleAPIClient
	// SessionName names the assumed-role sessions, as CloudTrail shows
	// them; empty means DefaultSessionName.
	SessionName string
}

// Configs hands out the aws.Config of a target: the base configuration in
// the target's region, with the credentials of the target's role when it
// has one. Credentials of a role (and external ID) are assumed once and
// cached until they expire, shared by every region and every client of the
// account. Every client built from a Config it returns counts its API
// calls, retries included ([Configs.APICalls]). It is safe for concurrent
// use.
type Configs struct {
	base  aws.Config
	opts  Options
	mu    sync.Mutex
	roles map[roleKey]aws.CredentialsProvider
	calls atomic.Int64
}

type roleKey struct{ arn, externalID string }

// New returns the Configs over cfg, as config.LoadDefaultConfig returns it
// (so AWS_ENDPOINT_URL and profiles apply). It makes no call.
func New(cfg aws.Config, optFns ...func(*Options)) *Configs {
	var o Options
	for _, f := range optFns {
		f(&o)
	}
	if o.SessionName == "" {
		o.SessionName = DefaultSessionName
	}
	c := &Configs{base: cfg.Copy(), opts: o, roles: make(map[roleKey]aws.CredentialsProvider)}
	if c.opts.STS == nil {
		c.opts.STS = sts.NewFromConfig(c.base, func(o *sts.Options) { o.APIOptions = append(o.APIOptions, c.count) })
	}
	return c
}

// Config returns the configuration of t, from which any service client is
// built (ec2.NewFromConfig, ram.NewFromConfig, …). It does not call AWS: the
// role is assumed on a client's first call, and an error assuming it comes
// back from that call. The only error is a target without a region
// ([ErrNoRegion]).
func (c *Configs) Config(_ context.Context, t Target) (aws.Config, error) {
	if t.Region == "" {
		return aws.Config{}, fmt.Errorf("target %s: %w: give the target a region", t, ErrNoRegion)
	}
	cfg := c.base.Copy()
	cfg.Region = t.Region
	if t.RoleARN != "" {
		cfg.Credentials = c.role(t)
	}
	cfg.APIOptions = append(cfg.APIOptions, c.count)
	return cfg, nil
}

// role returns the cached credentials of t's role.
func (c *Configs) role(t Target) aws.CredentialsProvider {
	k := roleKey{t.RoleARN, t.ExternalID}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.roles[k]; ok {
		return p
	}
	p := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c.opts.STS, t.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = c.opts.SessionName
		if t.ExternalID != "" {
			o.ExternalID = aws.String(t.ExternalID)
		}
	}))
	c.roles[k] = p
	return p
}

// APICalls returns the number of API requests sent by the clients built
// from c's configurations, and by its own STS client, retries included.
func (c *Configs) APICalls() int64 { return c.calls.Load() }

// count adds a middleware that counts every attempt: it sits after the
// retry middleware, so a retried call counts each time it goes out.
func (c *Configs) count(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ipamkitCountCalls",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.calls.Add(1)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// CallerIdentityAPI is the part of *sts.Client that [Identify] calls.
type CallerIdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Caller is the identity a program runs as.
type Caller struct {
	AccountID string // the caller's account, 12 digits
	ARN       string // the caller's ARN; its partition is the partition of the roles it assumes
}

// Identify returns the caller's identity (sts:GetCallerIdentity, which
// needs no permission).
func Identify(ctx context.Context, client CallerIdentityAPI) (Caller, error) {
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("sts:GetCallerIdentity: %w", err)
	}
	c := Caller{AccountID: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}
	if c.AccountID == "" {
		return Caller{}, errors.New("sts:GetCallerIdentity returned no account: check the endpoint the configuration points STS at")
	}
	return c, nil
}
