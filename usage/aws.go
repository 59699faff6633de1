package usage

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
)

// STSAPI is the part of *sts.Client that assuming a target's role calls.
type STSAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// CallerIdentityAPI is the part of *sts.Client that finding the caller's
// account calls ([OrganizationScanOptions.Identity]).
type CallerIdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// OrganizationsAPI is the part of *organizations.Client that
// [OrganizationTargets] calls.
type OrganizationsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

var (
	_ STSAPI            = (*sts.Client)(nil)
	_ CallerIdentityAPI = (*sts.Client)(nil)
	_ OrganizationsAPI  = (*organizations.Client)(nil)
)

// DefaultSessionName names the assumed-role sessions of [AWSClients] when
// [AWSClientsOptions.SessionName] is empty.
const DefaultSessionName = "ipamkit-usage"

// AWSClientsOptions configures [NewAWSClients]. The zero value is ready to
// use.
type AWSClientsOptions struct {
	// STS assumes the targets' roles; nil means sts.NewFromConfig of the
	// base configuration.
	STS STSAPI
	// SessionName names the assumed-role sessions, as CloudTrail shows
	// them; empty means DefaultSessionName.
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
	configs    *account.Configs
	ec2Options []func(*ec2.Options)
}

// NewAWSClients returns a factory of clients configured from cfg, as
// config.LoadDefaultConfig returns it (so AWS_ENDPOINT_URL and profiles
// apply).
func NewAWSClients(cfg aws.Config, optFns ...func(*AWSClientsOptions)) *AWSClients {
	var o AWSClientsOptions
	for _, f := range optFns {
		f(&o)
	}
	if o.SessionName == "" {
		o.SessionName = DefaultSessionName
	}
	return &AWSClients{
		configs: account.New(cfg, func(ao *account.Options) {
			ao.SessionName = o.SessionName
			if o.STS != nil {
				ao.STS = o.STS
			}
		}),
		ec2Options: o.EC2Options,
	}
}

// Config returns the configuration of t: its region, and the cached
// credentials of its role. Any service client built from it works in the
// target and counts in [AWSClients.APICalls]. It does not call AWS.
func (c *AWSClients) Config(ctx context.Context, t Target) (aws.Config, error) {
	return c.configs.Config(ctx, t)
}

// EC2 returns the EC2 client of t. It does not call AWS: a role is assumed
// on the client's first call, and an error assuming it comes back from that
// call.
func (c *AWSClients) EC2(ctx context.Context, t Target) (EC2API, error) {
	cfg, err := c.configs.Config(ctx, t)
	if err != nil {
		return nil, err
	}
	return ec2.NewFromConfig(cfg, c.ec2Options...), nil
}

// APICalls returns the number of API requests the factory's clients have
// sent, retries included.
func (c *AWSClients) APICalls() int64 { return c.configs.APICalls() }

// OrganizationTargets returns a target for every ACTIVE account of the
// organization in each region, in account then region order, with the role
// roleName of the account (arn:<partition>:iam::<account>:role/<roleName>)
// and externalID. Suspended and closed accounts, and accounts still
// joining, are left out. Call it with the management account's (or a
// delegated administrator's) credentials. The caller's own account gets
// the role too: pass the targets through [WithoutRoleFor] with the
// caller's account before scanning them, as [ScanOrganization] does, or
// its targets fail with AccessDenied (the management account has no
// OrganizationAccountAccessRole).
func OrganizationTargets(ctx context.Context, org OrganizationsAPI, regions []string, roleName, externalID string) ([]Target, error) {
	accounts, err := account.ListAccounts(ctx, org)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, a := range accounts {
		if !a.Active() {
			continue
		}
		role := ""
		if roleName != "" {
			role = RoleARN(a.ARN, a.ID, roleName)
		}
		for _, r := range regions {
			out = append(out, Target{AccountID: a.ID, Region: r, RoleARN: role, ExternalID: externalID})
		}
	}
	slices.SortStableFunc(out, account.Compare)
	return out, nil
}

// RoleARN returns the ARN of the role name (a path is allowed) in account,
// in the partition of arn: the caller's or the account's own ARN, so that
// aws-cn and aws-us-gov organizations get their own role ARNs. An arn that is
// not an ARN means the partition "aws".
func RoleARN(arn, accountID, name string) string { return account.RoleARN(arn, accountID, name) }

// AccountTargets returns a target for every account in every region, in the
// order given, each with the role roleName of its account in the partition
// of callerARN ([RoleARN]) and externalID. An empty roleName gives targets
// read with the caller's own credentials, without an external ID.
func AccountTargets(callerARN string, accounts, regions []string, roleName, externalID string) []Target {
	return account.AccountTargets(callerARN, accounts, regions, roleName, externalID)
}

// WithoutRoleFor clears the role and external ID of the targets in
// accountID, in place, and returns targets. Call it with the caller's own
// account: it is read with the caller's credentials, since an account's
// roles do not usually trust the account itself, and the management account
// of an organization has no OrganizationAccountAccessRole.
func WithoutRoleFor(targets []Target, accountID string) []Target {
	return account.WithoutRoleFor(targets, accountID)
}
