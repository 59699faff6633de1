package usage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
)

// STSAPI is the part of *sts.Client that assuming a target's role calls.
type STSAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// OrganizationsAPI is the part of *organizations.Client that
// [OrganizationTargets] calls.
type OrganizationsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

var (
	_ STSAPI           = (*sts.Client)(nil)
	_ OrganizationsAPI = (*organizations.Client)(nil)
)

// AWSClientsOptions configures [NewAWSClients]. The zero value is ready to
// use.
type AWSClientsOptions struct {
	// STS assumes the targets' roles; nil means sts.NewFromConfig of the
	// base configuration.
	STS STSAPI
	// SessionName names the assumed-role sessions, as CloudTrail shows
	// them; empty means "ipamkit-usage".
	SessionName string
	// EC2Options are applied to every EC2 client, after the region and
	// credentials of the target.
	EC2Options []func(*ec2.Options)
}

// AWSClients is the [ClientFactory] over an aws.Config: a target's client
// works in the target's region, with the credentials of its role when it
// has one. Credentials of a role are assumed once and cached until they
// expire, shared by every region of the account. AWSClients counts the API
// calls its clients make, retries included, for [ScanInfo]. It is safe for
// concurrent use.
type AWSClients struct {
	cfg   aws.Config
	opts  AWSClientsOptions
	mu    sync.Mutex
	roles map[roleKey]aws.CredentialsProvider
	calls atomic.Int64
}

type roleKey struct{ arn, externalID string }

// NewAWSClients returns a factory of clients configured from cfg, as
// config.LoadDefaultConfig returns it (so AWS_ENDPOINT_URL and profiles
// apply).
func NewAWSClients(cfg aws.Config, optFns ...func(*AWSClientsOptions)) *AWSClients {
	var o AWSClientsOptions
	for _, f := range optFns {
		f(&o)
	}
	if o.SessionName == "" {
		o.SessionName = "ipamkit-usage"
	}
	c := &AWSClients{cfg: cfg.Copy(), opts: o, roles: make(map[roleKey]aws.CredentialsProvider)}
	if c.opts.STS == nil {
		c.opts.STS = sts.NewFromConfig(c.cfg, func(o *sts.Options) { o.APIOptions = append(o.APIOptions, c.count) })
	}
	return c
}

// EC2 returns the EC2 client of t. It does not call AWS: a role is assumed
// on the client's first call, and an error assuming it comes back from that
// call.
func (c *AWSClients) EC2(ctx context.Context, t Target) (EC2API, error) {
	if t.Region == "" {
		return nil, fmt.Errorf("target %s: no region", t)
	}
	cfg := c.cfg.Copy()
	cfg.Region = t.Region
	if t.RoleARN != "" {
		cfg.Credentials = c.role(t)
	}
	opts := append([]func(*ec2.Options){func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, c.count) }}, c.opts.EC2Options...)
	return ec2.NewFromConfig(cfg, opts...), nil
}

// role returns the cached credentials of t's role.
func (c *AWSClients) role(t Target) aws.CredentialsProvider {
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

// APICalls returns the number of API requests the factory's clients have
// sent, retries included.
func (c *AWSClients) APICalls() int64 { return c.calls.Load() }

// count adds a middleware that counts every attempt: it sits after the
// retry middleware, so a retried call counts each time it goes out.
func (c *AWSClients) count(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("ipamkitCountCalls",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.calls.Add(1)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// OrganizationTargets returns a target for every ACTIVE account of the
// organization in each region, in account then region order, with the role
// roleName of the account (arn:<partition>:iam::<account>:role/<roleName>)
// and externalID. Suspended and closed accounts, and accounts still
// joining, are left out. Call it with the management account's (or a
// delegated administrator's) credentials.
func OrganizationTargets(ctx context.Context, org OrganizationsAPI, regions []string, roleName, externalID string) ([]Target, error) {
	var out []Target
	p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{MaxResults: aws.Int32(20)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.Accounts {
			if !accountActive(a) {
				continue
			}
			id := aws.ToString(a.Id)
			role := ""
			if roleName != "" {
				role = RoleARN(aws.ToString(a.Arn), id, roleName)
			}
			for _, r := range regions {
				out = append(out, Target{AccountID: id, Region: r, RoleARN: role, ExternalID: externalID})
			}
		}
	}
	slices.SortStableFunc(out, compareTargets)
	return out, nil
}

func accountActive(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive // organizations that predate State
}

// RoleARN returns the ARN of the role name (a path is allowed) in account,
// in the partition of arn: the caller's or the account's own ARN, so that
// aws-cn and aws-us-gov organizations get their own role ARNs. An arn that is
// not an ARN means the partition "aws".
func RoleARN(arn, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(arn), account, strings.TrimPrefix(name, "/"))
}

// AccountTargets returns a target for every account in every region, in the
// order given, each with the role roleName of its account in the partition
// of callerARN ([RoleARN]) and externalID. An empty roleName gives targets
// read with the caller's own credentials, without an external ID.
func AccountTargets(callerARN string, accounts, regions []string, roleName, externalID string) []Target {
	out := make([]Target, 0, len(accounts)*len(regions))
	for _, a := range accounts {
		t := Target{AccountID: a}
		if roleName != "" {
			t.RoleARN, t.ExternalID = RoleARN(callerARN, a, roleName), externalID
		}
		for _, r := range regions {
			t.Region = r
			out = append(out, t)
		}
	}
	return out
}

// WithoutRoleFor clears the role and external ID of the targets in account,
// in place, and returns targets. Call it with the caller's own account: it
// is read with the caller's credentials, since an account's roles do not
// usually trust the account itself, and the management account of an
// organization has no OrganizationAccountAccessRole.
func WithoutRoleFor(targets []Target, account string) []Target {
	for i := range targets {
		if targets[i].AccountID == account {
			targets[i].RoleARN, targets[i].ExternalID = "", ""
		}
	}
	return targets
}

// partitionOf returns the partition of an ARN ("aws", "aws-cn",
// "aws-us-gov"), or "aws".
func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) == 3 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}
