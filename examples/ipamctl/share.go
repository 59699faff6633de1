package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/share"
)

// shareCommand is the noun "share": the IPAM pools each account should
// have, shared through AWS RAM by its OU; a thin layer over package share.
func shareCommand() *Command {
	return &Command{
		Name:      "share",
		UsageLine: "<verb> [flags]",
		Short:     "Share IPAM pools with each account by its OU, through RAM.",
		Long: `Give every account of the organization the IPAM pools its OU should
have, through AWS RAM, as the Control Tower sample's lifecycle Lambda
means to, but converging: plan shows what is missing and why, apply
makes it and can be run again at any time (after a pool is added, an
account moved, a failure), explain says for one account why each pool
is or is not for it.

A pool is for an account when its allocation tag --tag-key (Env by
default) names the account's OU: by name, as the sample does, or by ID
or OU path with --rule. --mode account (the default) keeps one share
per account, named ipamShare-<account id> as the sample names them, so
that the sample's shares are adopted, never duplicated; --mode ou keeps
one share per OU whose principal is the OU, so that RAM follows the
accounts that join or move. Pools an account should no longer have are
shown, and unshared only with --prune. Suspended and closed accounts,
and the networking account itself, get no share of their own (in OU
mode, the share of an OU reaches every account in it).

Shares are made in the networking account, which owns the IPAM, in the
configured region (the IPAM's home region): from the management
account, give --network-account and the role to assume there
(--role-name, --external-id); from the networking account itself, as a
delegated administrator of the organization, give neither. The
organization is read with the caller's own credentials. Credentials,
region and endpoints come from the standard AWS configuration;
AWS_ENDPOINT_URL works as in the AWS CLI. The examples run against the
demo organization of 'ipamctl demo serve', with the networking
account's key it prints (222222222222) or, where --network-account is
given, the management account's keys it exports.

Exit codes: 0 on success; 1 on any error, bad flags included; with plan
--detailed-exitcode, 2 when there are changes to apply.`,
		Commands: []*Command{
			sharePlanCommand(),
			shareApplyCommand(),
			shareExplainCommand(),
		},
	}
}

// shareFlags are the flags of the share verbs, kept as given and checked
// together by validate, so that every bad value gets its line.
type shareFlags struct {
	account    string
	all        bool
	mode       string
	tagKey     string
	rules      []string
	prune      bool
	scope      string
	network    string
	roleName   string
	externalID string
	format     string

	set map[string]bool // the flags given
}

// Flag documentation shared by the verbs.
const (
	shareAccountUsage = "The account to plan for: 12 digits, leading zeros kept. Or --all."
	shareAllUsage     = "Plan for every account of the organization: a backfill of the accounts " +
		"that existed before, and the repair of any drift (a pool added or retagged, an account moved)."
	shareModeUsage = "account (the default): one share per account, named ipamShare-<account id>, " +
		"as the Control Tower sample names them; ou: one share per OU, with the OU as principal."
	shareTagKeyUsage = "The pools' allocation tag that names the OU; Env if not given. " +
		"Also the key of the --rule values that name none."
	shareRuleUsage = "A matching rule, repeatable; a pool is shared when any rule matches. " +
		"BY is ou-name (the tag's value is the account's OU name, the default rule), ou-id (the OU's ID) " +
		"or ou-path (a path pattern: Prod matches an account in Root/Workloads/Prod/Payments); " +
		"KEY is the tag key, --tag-key if not given; REGIONS, comma-separated, limit the rule to pools of these locales."
	sharePruneUsage = "Unshare pools that an account should no longer have (it moved, a tag changed). " +
		"Without it they are shown and kept: unsharing a pool can break allocations from it."
	shareScopeUsage   = "Share only the pools of this IPAM scope (ipam-scope-...); every pool of the networking account if not given."
	shareNetworkUsage = "The networking account, which owns the IPAM and the shares, reached through --role-name. " +
		"The caller's account if not given: run there, as a delegated administrator of the organization."
	shareRoleUsage = "The role assumed in --network-account; " + share.DefaultRoleName +
		" (Control Tower's) if not given. Not used when the caller is already in that account."
	shareExternalIDUsage = "The external ID the role's trust policy asks for, if any."
	shareFormatUsage     = "Output format: text for people (the default) or json for programs; the JSON only ever gains fields."
)

// declare declares the flags of verb (plan, apply or explain).
func (sf *shareFlags) declare(fs *flagSet, verb string) {
	sf.set = map[string]bool{}
	str := func(dst *string, name, arg, usage string) {
		fs.fn(name, arg, usage, func(v string) error { *dst, sf.set[name] = v, true; return nil })
	}
	if verb == "explain" {
		str(&sf.account, "account", "ID", "The account to explain: 12 digits, leading zeros kept. Required.")
	} else {
		str(&sf.account, "account", "ID", shareAccountUsage)
		fs.boolVal(&sf.all, "all", shareAllUsage)
		str(&sf.mode, "mode", "account|ou", shareModeUsage)
	}
	str(&sf.tagKey, "tag-key", "KEY", shareTagKeyUsage)
	fs.stringList(&sf.rules, "rule", "BY[:KEY][@REGIONS]", shareRuleUsage)
	if verb != "explain" {
		fs.boolVal(&sf.prune, "prune", sharePruneUsage)
	}
	str(&sf.scope, "scope", "ID", shareScopeUsage)
	str(&sf.network, "network-account", "ID", shareNetworkUsage)
	str(&sf.roleName, "role-name", "NAME", shareRoleUsage)
	str(&sf.externalID, "external-id", "ID", shareExternalIDUsage)
	str(&sf.format, "o", "text|json", shareFormatUsage)
}

var (
	// shareTagKeyPattern is what AWS accepts as a tag key.
	shareTagKeyPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	// shareRegionPattern is the form of a region name: us-east-1, us-gov-west-1.
	shareRegionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// validate checks every flag, and the flags against each other; it
// returns one error per problem, joined, and the rules the flags make.
func (sf *shareFlags) validate(verb string) ([]share.Rule, error) {
	var errs []error
	badAccount := func(flag, v string) {
		if !accountIDPattern().MatchString(v) {
			errs = append(errs, fmt.Errorf("--%s %q: want a 12-digit account ID, leading zeros kept", flag, v))
		}
	}
	switch {
	case verb == "explain" && !sf.set["account"]:
		errs = append(errs, usageErrorf("missing --account ID: the account to explain"))
	case verb != "explain" && sf.all && sf.set["account"]:
		errs = append(errs, usageErrorf("--account and --all exclude each other"))
	case verb != "explain" && !sf.all && !sf.set["account"]:
		errs = append(errs, usageErrorf("missing --account ID or --all: the accounts to plan for"))
	}
	if sf.set["account"] {
		badAccount("account", sf.account)
	}
	if sf.set["network-account"] {
		badAccount("network-account", sf.network)
	} else {
		for _, f := range []string{"role-name", "external-id"} {
			if sf.set[f] {
				errs = append(errs, usageErrorf("--%s without --network-account: give the networking account whose role to assume", f))
			}
		}
	}
	if sf.set["role-name"] && sf.roleName == "" {
		errs = append(errs, errors.New(`--role-name "": empty role name`))
	}
	switch share.Mode(sf.mode) {
	case "", share.ModeAccount, share.ModeOU:
	default:
		errs = append(errs, fmt.Errorf("--mode %q: want account or ou", sf.mode))
	}
	switch sf.format {
	case "", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("-o %q: want text or json", sf.format))
	}
	if sf.set["scope"] && !strings.HasPrefix(sf.scope, "ipam-scope-") {
		errs = append(errs, fmt.Errorf("--scope %q: want an IPAM scope ID such as ipam-scope-0123456789abcdef0", sf.scope))
	}
	key := share.DefaultTagKey
	if sf.set["tag-key"] {
		if err := checkTagKey(sf.tagKey); err != nil {
			errs = append(errs, fmt.Errorf("--tag-key %q: %w", sf.tagKey, err))
		} else {
			key = sf.tagKey
		}
	}
	rules := []share.Rule{{TagKey: key, By: share.ByOUName}}
	if len(sf.rules) > 0 {
		rules = rules[:0]
	}
	for _, v := range sf.rules {
		r, err := parseShareRule(v, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("--rule %q: %w", v, err))
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

// checkTagKey checks a tag key as AWS would.
func checkTagKey(k string) error {
	switch {
	case k == "":
		return errors.New("empty tag key")
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return errors.New("tag keys starting with aws: are AWS's own")
	case !shareTagKeyPattern.MatchString(k):
		return errors.New("want at most 128 letters, digits, spaces and _.:/=+-@")
	}
	return nil
}

// parseShareRule parses BY[:KEY][@REGION,...], with key as the tag key
// when the value names none.
func parseShareRule(v, key string) (share.Rule, error) {
	var regions []string
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		for _, r := range strings.Split(v[at+1:], ",") {
			if !shareRegionPattern.MatchString(r) {
				return share.Rule{}, fmt.Errorf("region %q: want a region such as us-east-1", r)
			}
			regions = append(regions, r)
		}
		v = v[:at]
	}
	by, k, hasKey := strings.Cut(v, ":")
	if hasKey {
		if err := checkTagKey(k); err != nil {
			return share.Rule{}, fmt.Errorf("tag key %q: %w", k, err)
		}
		key = k
	}
	switch share.By(by) {
	case share.ByOUName, share.ByOUID, share.ByOUPath:
	default:
		return share.Rule{}, fmt.Errorf("want ou-name, ou-id or ou-path, then optionally :KEY and @REGIONS, as in ou-path:Env@us-east-1")
	}
	return share.Rule{TagKey: key, By: share.By(by), Locales: regions}, nil
}

// shareSession is a reconciler with the accounts it works with.
type shareSession struct {
	r       *share.Reconciler
	caller  account.Caller
	network string // the networking account
	roleARN string // the role assumed there; "" for the caller's own credentials
	region  string
	rules   []share.Rule
}

// open checks the flags, loads the AWS configuration, identifies the
// caller and builds the reconciler: RAM and EC2 in the networking account,
// through its role unless the caller is there, Organizations as the
// caller. logger, if not nil, records apply's progress.
func (sf *shareFlags) open(ctx context.Context, e *env, verb string, logger *slog.Logger) (shareSession, error) {
	rules, err := sf.validate(verb)
	if err != nil {
		return shareSession{}, err
	}
	cfg, err := e.awsConfig(ctx)
	if err != nil {
		return shareSession{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return shareSession{}, usageErrorf("no region: configure the home region of your IPAM (AWS_REGION, a profile)")
	}
	caller, err := account.Identify(ctx, sts.NewFromConfig(cfg))
	if err != nil {
		return shareSession{}, fmt.Errorf("identify the caller (STS GetCallerIdentity): %s: configure the credentials of the management account or of the networking account", apiErrorLine(err))
	}
	s := shareSession{caller: caller, network: cmp.Or(sf.network, caller.AccountID), region: cfg.Region, rules: rules}
	netCfg := cfg
	if s.network != caller.AccountID {
		t := share.NetworkTarget(caller.ARN, s.network, cfg.Region, sf.roleName, sf.externalID)
		s.roleARN = t.RoleARN
		if netCfg, err = account.New(cfg).Config(ctx, t); err != nil {
			return shareSession{}, err
		}
	}
	// A caller that is not where the pools are would plan nothing to
	// share and say all is well: warn, after a call that also finds a
	// role that cannot be assumed at once.
	pools, err := ec2.NewFromConfig(netCfg).DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(5)})
	if err != nil {
		return shareSession{}, s.error(err)
	}
	if len(pools.IpamPools) == 0 {
		fmt.Fprintf(e.stderr, "ipamctl share %s: warning: account %s has no IPAM pools in %s, so nothing is shared: run in the networking account that owns the IPAM, or give --network-account\n", verb, s.network, s.region)
	}
	s.r = share.NewFromConfig(netCfg, cfg, func(o *share.Options) {
		o.Mode = share.Mode(cmp.Or(sf.mode, string(share.ModeAccount)))
		o.Rules, o.Prune, o.ScopeID, o.Logger = rules, sf.prune, sf.scope, logger
		if e.shareOptions != nil {
			e.shareOptions(o)
		}
	})
	return s, nil
}

// plan plans the shares of --account or of --all.
func (sf *shareFlags) plan(ctx context.Context, s shareSession) (share.Plan, error) {
	var (
		p   share.Plan
		err error
	)
	if sf.all {
		p, err = s.r.PlanAll(ctx)
	} else {
		p, err = s.r.PlanAccount(ctx, sf.account)
	}
	return p, s.accountError(err, sf.account)
}

// accountError is error, and names an account the organization does not
// have as the flag that gave it.
func (s shareSession) accountError(err error, id string) error {
	var nf *orgtypes.AccountNotFoundException
	if errors.As(err, &nf) {
		return fmt.Errorf("--account %s: no such account in the organization (%s)", id, apiErrorLine(err))
	}
	return s.error(err)
}

// error makes an error of package share one clear line: a role that
// cannot be assumed, or a permission refused, says which credentials to
// use. Other errors are returned as they are.
func (s shareSession) error(err error) error {
	if err == nil {
		return nil
	}
	if oe, ok := findOperation(err, "AssumeRole"); ok {
		return fmt.Errorf("cannot assume %s in the networking account %s: %s: call as the management account (or another account the role trusts), with --role-name and --external-id as the role's trust policy asks, or run in the networking account without --network-account",
			s.roleARN, s.network, apiErrorLine(oe))
	}
	var oe *smithy.OperationError
	var ae smithy.APIError
	if errors.As(err, &oe) && errors.As(err, &ae) && deniedCode(ae.ErrorCode()) {
		if oe.Service() == "Organizations" {
			return fmt.Errorf("permission denied: Organizations %s: %s: read the organization as its management account or a delegated administrator (the caller is %s)",
				oe.Operation(), ae.ErrorCode(), s.caller.ARN)
		}
		who := "the caller's own credentials, in account " + s.network
		if s.roleARN != "" {
			who = s.roleARN
		}
		return fmt.Errorf("permission denied: %s %s: %s: the shares are made in the networking account that owns the IPAM, here with %s: run with that account's credentials, or from the management account with --network-account and a role there allowed ram:* and ec2:DescribeIpamPools",
			oe.Service(), oe.Operation(), ae.ErrorCode(), who)
	}
	return err
}

// findOperation returns the operation error of the call op in err's
// chain: an STS AssumeRole inside the EC2 call it failed, for instance.
func findOperation(err error, op string) (*smithy.OperationError, bool) {
	for err != nil {
		var oe *smithy.OperationError
		if !errors.As(err, &oe) {
			return nil, false
		}
		if oe.Operation() == op {
			return oe, true
		}
		err = oe.Unwrap()
	}
	return nil, false
}

// deniedCode reports whether an API error code refuses the caller.
func deniedCode(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
		"InvalidClientTokenId", "UnrecognizedClientException", "ExpiredTokenException":
		return true
	}
	return false
}

// apiErrorLine returns the code and message of the API error in err, or
// err's message when it has none.
func apiErrorLine(err error) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err.Error()
	}
	if msg := ae.ErrorMessage(); msg != "" {
		return ae.ErrorCode() + ": " + msg
	}
	return ae.ErrorCode()
}

// changesPresent is the error of plan --detailed-exitcode when applying
// the plan would change something: ipamctl exits with code 2.
type changesPresent struct{ s share.Summary }

func (c changesPresent) Error() string {
	return fmt.Sprintf("changes present: %d shares to create, %d associations to add, %d to remove", c.s.Create, c.s.Associate, c.s.Disassociate)
}

// Is makes dispatch give the exit code of errFindings.
func (changesPresent) Is(target error) bool { return target == errFindings }

// progressHandler writes apply's log records to standard error as
// "  message: key=value ...", without times, for people watching.
type progressHandler struct {
	mu    *sync.Mutex
	w     io.Writer
	min   slog.Level // the lowest level written
	attrs []slog.Attr
}

// newProgressLogger returns the logger of apply's progress: every step,
// or with quiet (-q) only warnings and errors.
func newProgressLogger(w io.Writer, quiet bool) *slog.Logger {
	min := slog.LevelInfo
	if quiet {
		min = slog.LevelWarn
	}
	return slog.New(progressHandler{mu: new(sync.Mutex), w: w, min: min})
}

func (h progressHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min }

func (h progressHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("  " + r.Message)
	sep := ": "
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, "%s%s=%s", sep, a.Key, a.Value)
		sep = " "
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h progressHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h.attrs = append(h.attrs[:len(h.attrs):len(h.attrs)], attrs...)
	return h
}

func (h progressHandler) WithGroup(string) slog.Handler { return h }

// plural returns "1 change" or "N changes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
