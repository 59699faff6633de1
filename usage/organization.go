package usage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
)

// DefaultRoleName is the role assumed in the other accounts of an
// organization scan when [OrganizationScanOptions.RoleName] is empty: the
// role AWS Organizations creates in the accounts it creates.
const DefaultRoleName = "OrganizationAccountAccessRole"

// ErrNoRegion is returned by [NewOrganizationScanner] when neither the
// options nor the configuration name a region.
var ErrNoRegion = errors.New("no region: give the regions to scan or configure one (AWS_REGION, a profile)")

// ErrNoTargets is wrapped by the [*ScanError] of a scan that has no
// account to scan: an organization without an ACTIVE account.
var ErrNoTargets = errors.New("no account to scan")

// OrganizationScanOptions configures [ScanOrganization] and
// [NewOrganizationScanner]. The zero value scans the caller's own account,
// in the configuration's region, from every source.
type OrganizationScanOptions struct {
	// Organization scans every ACTIVE account of the organization with
	// SourceEC2, listed with the caller's credentials
	// (organizations:ListAccounts): run as the management account or a
	// delegated administrator. It excludes Accounts.
	Organization bool
	// Accounts are the accounts SourceEC2 scans, without Organization;
	// empty means the caller's own account.
	Accounts []string
	// Regions are the regions SourceEC2 scans; empty means the
	// configuration's region. A configuration without a region calls STS
	// and Organizations in the first of them.
	Regions []string
	// RoleName is the role (a path is allowed) assumed in every account
	// other than the caller's, which is read with the caller's own
	// credentials; empty means DefaultRoleName.
	RoleName string
	// ExternalID is passed to AssumeRole; it is never logged nor written
	// to the report.
	ExternalID string
	// SessionName names the assumed-role sessions; empty means
	// DefaultSessionName.
	SessionName string

	// Sources are what is measured; empty means SourceIPAM, SourcePools
	// and SourceEC2. SourceIPAM and SourcePools read the IPAM once, in
	// IPAMAccount and IPAMRegion; SourceEC2 reads every target.
	Sources []Source
	// IPAM selects the scopes and resource types of SourceIPAM and
	// SourcePools.
	IPAM IPAMOptions
	// IPAMAccount holds the IPAM (its delegated administrator); empty
	// means the caller's account. Another account is read through
	// RoleName.
	IPAMAccount string
	// IPAMRegion is the IPAM's home region; empty means the first of
	// Regions.
	IPAMRegion string

	// Policy evaluates the resources into findings.
	Policy Policy
	// Concurrency, PerAccount, PerRegion, TargetTimeout and
	// DeadlineMargin are the Scanner's ([ScannerOptions]): by default 16
	// targets at once, 4 of one account.
	Concurrency    int
	PerAccount     int
	PerRegion      int
	TargetTimeout  time.Duration
	DeadlineMargin time.Duration
	// Logger receives one record per target; nil discards them.
	Logger *slog.Logger

	// Caller is who the scan runs as; the zero Caller means
	// sts:GetCallerIdentity, once.
	Caller Caller
	// Identity, Organizations and Clients are the clients of the scan;
	// nil means clients built from the configuration (Clients:
	// [NewAWSClients] with SessionName). Calls of Identity and
	// Organizations do not count in ScanInfo.APICalls.
	Identity      CallerIdentityAPI
	Organizations OrganizationsAPI
	Clients       ClientFactory
}

// OrganizationScanner is the organization scan a platform tool runs: it
// finds the caller, chooses the targets (the whole organization, listed
// accounts or the caller's own), reads the caller's own account with the
// caller's credentials and the others through their role, scans the IPAM
// where it lives and EC2 over the targets, and merges the reports. Build it
// once (a Lambda at cold start): the caller's identity and the roles'
// credentials are cached across scans. It is safe for concurrent use,
// though the API calls of concurrent scans count in each other's ScanInfo.
type OrganizationScanner struct {
	opts    OrganizationScanOptions
	regions []string
	ipam    []Source // SourceIPAM and SourcePools, as asked
	ec2     bool
	region  string // where STS and Organizations are called

	mu     sync.Mutex
	caller Caller
}

// ScanOrganization scans as [OrganizationScanner.Scan] does, with a scanner
// built for one scan.
func ScanOrganization(ctx context.Context, cfg aws.Config, optFns ...func(*OrganizationScanOptions)) (Report, error) {
	s, err := NewOrganizationScanner(cfg, optFns...)
	if err != nil {
		return Report{}, err
	}
	return s.Scan(ctx)
}

// NewOrganizationScanner returns the scanner of the options over cfg, as
// config.LoadDefaultConfig returns it. It makes no call, and reports every
// problem of the options at once: Organization with Accounts, an unknown
// source, an invalid policy ([ErrBadPolicy]), no region ([ErrNoRegion]).
func NewOrganizationScanner(cfg aws.Config, optFns ...func(*OrganizationScanOptions)) (*OrganizationScanner, error) {
	var o OrganizationScanOptions
	for _, f := range optFns {
		f(&o)
	}
	if o.RoleName == "" {
		o.RoleName = DefaultRoleName
	}
	if len(o.Sources) == 0 {
		o.Sources = []Source{SourceIPAM, SourcePools, SourceEC2}
	}
	s := &OrganizationScanner{opts: o, regions: o.Regions, caller: o.Caller}
	if len(s.regions) == 0 && cfg.Region != "" {
		s.regions = []string{cfg.Region}
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.opts.IPAMRegion == "" {
		s.opts.IPAMRegion = s.regions[0]
	}
	// STS, Organizations and the roles are called in the configuration's
	// region, or the first scanned when it has none.
	cfg = cfg.Copy()
	if cfg.Region == "" {
		cfg.Region = s.regions[0]
	}
	s.region = cfg.Region
	if s.opts.Identity == nil {
		s.opts.Identity = sts.NewFromConfig(cfg)
	}
	if s.opts.Organizations == nil && o.Organization {
		s.opts.Organizations = organizations.NewFromConfig(cfg)
	}
	if s.opts.Clients == nil {
		s.opts.Clients = NewAWSClients(cfg, func(ao *AWSClientsOptions) { ao.SessionName = o.SessionName })
	}
	return s, nil
}

// check sorts the sources into s.ipam and s.ec2 and reports every problem
// of the options.
func (s *OrganizationScanner) check() error {
	var errs []error
	if s.opts.Organization && len(s.opts.Accounts) > 0 {
		errs = append(errs, errors.New("scan the organization or a list of accounts, not both"))
	}
	for _, src := range s.opts.Sources {
		switch src {
		case SourceIPAM, SourcePools:
			if !slices.Contains(s.ipam, src) {
				s.ipam = append(s.ipam, src)
			}
		case SourceEC2:
			s.ec2 = true
		default:
			errs = append(errs, fmt.Errorf("unknown source %q (want ec2, ipam or pools)", src))
		}
	}
	if err := s.opts.Policy.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(s.regions) == 0 {
		errs = append(errs, ErrNoRegion)
	}
	return errors.Join(errs...)
}

// Caller returns who the scans run as, calling sts:GetCallerIdentity the
// first time unless the options named the caller. Call it early (at a
// Lambda's cold start) to fail before anything else when the credentials
// do not work.
func (s *OrganizationScanner) Caller(ctx context.Context) (Caller, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.caller.AccountID != "" {
		return s.caller, nil
	}
	c, err := account.Identify(ctx, s.opts.Identity)
	if err != nil {
		return Caller{}, &ScanError{Step: "find the caller's account", Region: s.region, Err: err,
			Hint: "check the credentials and the STS endpoint of the AWS configuration"}
	}
	s.caller = c
	return c, nil
}

// Targets returns the targets SourceEC2 scans: every active account of the
// organization, the accounts of the options or the caller's own, in every
// region, with the caller's own account read with the caller's credentials.
func (s *OrganizationScanner) Targets(ctx context.Context) ([]Target, error) {
	caller, err := s.Caller(ctx)
	if err != nil {
		return nil, err
	}
	o := s.opts
	var targets []Target
	switch {
	case o.Organization:
		targets, err = OrganizationTargets(ctx, o.Organizations, s.regions, o.RoleName, o.ExternalID)
		if err != nil {
			return nil, &ScanError{Step: "targets of the organization", AccountID: caller.AccountID, Region: s.region, Err: err,
				Hint: "run as the management account or a delegated administrator of AWS Organizations, allowed organizations:ListAccounts"}
		}
	case len(o.Accounts) > 0:
		targets = AccountTargets(caller.ARN, o.Accounts, s.regions, o.RoleName, o.ExternalID)
	default:
		targets = AccountTargets(caller.ARN, []string{caller.AccountID}, s.regions, "", "")
	}
	if len(targets) == 0 {
		return nil, &ScanError{Step: "targets of the organization", AccountID: caller.AccountID, Region: s.region, Err: ErrNoTargets,
			Hint: "the organization lists no ACTIVE account: check that these credentials are of the organization to scan"}
	}
	return WithoutRoleFor(uniqueTargets(targets), caller.AccountID), nil
}

// uniqueTargets drops, in place, every target whose account and region
// came before: an account listed twice is scanned once.
func uniqueTargets(targets []Target) []Target {
	type key struct{ account, region string }
	seen := make(map[key]bool, len(targets))
	return slices.DeleteFunc(targets, func(t Target) bool {
		k := key{t.AccountID, t.Region}
		dup := seen[k]
		seen[k] = true
		return dup
	})
}

// Scan measures the IPAM (SourceIPAM, SourcePools) where it lives and EC2
// (SourceEC2) over the targets, and returns the merged report. A target
// that fails is a [TargetError] in the report, never an aborted scan; an
// IPAM account and region without an IPAM is one such failure (a
// [*NoIPAMError]), also with the default sources: the IPAM is never
// skipped in silence. The error is non-nil only when nothing could be
// scanned: the caller or the organization's accounts could not be read, or
// there is no account to scan ([ErrNoTargets]), as a [*ScanError] naming
// the account and region and what to do.
func (s *OrganizationScanner) Scan(ctx context.Context) (Report, error) {
	caller, err := s.Caller(ctx)
	if err != nil {
		return Report{}, err
	}
	// IPAM first, then EC2: run at the same time, the two scans would
	// count each other's API calls.
	var reports []Report
	if len(s.ipam) > 0 {
		ipamAccount := cmp.Or(s.opts.IPAMAccount, caller.AccountID)
		targets := AccountTargets(caller.ARN, []string{ipamAccount}, []string{s.opts.IPAMRegion}, s.opts.RoleName, s.opts.ExternalID)
		rep, err := s.scanner(s.ipam).Scan(ctx, WithoutRoleFor(targets, caller.AccountID))
		if err != nil {
			return Report{}, err
		}
		reports = append(reports, rep)
	}
	if s.ec2 {
		targets, err := s.Targets(ctx)
		if err != nil {
			return Report{}, err
		}
		rep, err := s.scanner([]Source{SourceEC2}).Scan(ctx, targets)
		if err != nil {
			return Report{}, err
		}
		reports = append(reports, rep)
	}
	if len(reports) == 1 {
		return reports[0], nil // already one report: merging would copy it for nothing
	}
	return Merge(reports...), nil // one resource for IPAM's and EC2's figures of a VPC or subnet
}

func (s *OrganizationScanner) scanner(sources []Source) *Scanner {
	return NewScanner(s.opts.Clients, func(so *ScannerOptions) {
		so.Sources, so.IPAM, so.Policy = sources, s.opts.IPAM, s.opts.Policy
		so.Concurrency, so.TargetTimeout, so.DeadlineMargin, so.Logger = s.opts.Concurrency, s.opts.TargetTimeout, s.opts.DeadlineMargin, s.opts.Logger
		so.PerAccount, so.PerRegion = s.opts.PerAccount, s.opts.PerRegion
	})
}

// ScanError is the failure of a whole organization scan: what could not be
// done, as whom and where, and what to do about it.
type ScanError struct {
	Step      string // such as "targets of the organization"
	AccountID string // the caller's account; empty when not known
	Region    string
	Hint      string // what to do
	Err       error
}

// Error returns "STEP: CAUSE (account A region R: HINT)".
func (e *ScanError) Error() string {
	who := "region " + e.Region
	if e.AccountID != "" {
		who = "account " + e.AccountID + " " + who
	}
	return fmt.Sprintf("%s: %v (%s: %s)", e.Step, e.Err, who, e.Hint)
}

// Unwrap returns e.Err.
func (e *ScanError) Unwrap() error { return e.Err }
