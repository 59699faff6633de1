package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
	"github.com/ipamkit/ipamkit/usage"
)

// exitFindings is the exit code of "usage --fail-on-findings" when anything
// is over a threshold.
const exitFindings = 2

// errFindings makes a command exit with exitFindings after writing its
// result.
var errFindings = errors.New("findings over threshold")

var accountIDPattern = lazyRegexp(`^[0-9]{12}$`)

// usageOptions are the flags of "ipamctl usage".
type usageOptions struct {
	source         string
	regions        []string
	accounts       []string
	org            bool
	roleName       string
	externalID     string
	ipamAccount    string
	ipamRegion     string
	critical       float64
	warning        float64
	scopeType      string
	resourceType   string
	format         string
	failOnFindings bool
	concurrency    int
	timeout        time.Duration
	notify         notifyFlags
	state          stateFlags // usage_state.go
	forecast       forecastFlags
}

// defaultScanTimeout bounds a whole scan unless --timeout says otherwise:
// a dead endpoint or a stuck region ends in an error, never a hang.
const defaultScanTimeout = 5 * time.Minute

// regionPattern is the shape of an AWS region name: us-east-1,
// ap-southeast-4, us-gov-west-1, us-isob-east-1, eusc-de-east-1. It
// catches typos (us-east1, US-EAST-1, us-esat-1) and lists given with
// spaces before any call is made; whether a region of the right shape
// exists and is enabled is for AWS to say.
var regionPattern = lazyRegexp(`^(af|ap|ca|cn|eu|eusc|il|me|mx|sa|us)-([a-z]{2,4}-)?(east|west|north|south|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}$`)

// checkRegion reports whether r has the shape of a region name.
func checkRegion(r string) error {
	if regionPattern().MatchString(r) {
		return nil
	}
	if strings.ContainsAny(r, " \t") {
		return errors.New("not a region name (separate regions with commas, as in us-east-1,us-west-2)")
	}
	return errors.New("not a region name (want the shape of us-east-1 or eu-central-2)")
}

// usageCommand is "usage": measure IP utilization across accounts and
// regions.
func usageCommand() *Command {
	return &Command{
		Name:      "usage",
		UsageLine: "[--source ipam|ec2|pools|all] [--regions R,...] [--accounts A,... | --org] [--role-name NAME] [--external-id ID] [--ipam-account A] [--ipam-region R] [--threshold P] [--warning P] [--scope-type private|public] [--resource-type T] [-o text|json|csv|html] [--timeout D] [--fail-on-findings] [--notify KIND=TARGET ...] [--notify-all-clear] [--state FILE [--remind D] [--notify-filter KIND=FILTER ...]] [--forecast] [--history cloudwatch|ipam|DIR] [--window D] [--warning-days N] [--critical-days N]",
		Short:     "Measure how full subnets, VPCs and IPAM pools are, across accounts.",
		Long: `Measure how full subnets, VPCs, IPAM resource CIDRs and IPAM pools are,
across accounts and regions, and report what reaches a threshold, with
the largest free block of each VPC and pool: the headroom a percentage
hides.

Sources: ec2 reads every VPC and subnet of each target from EC2, space
IPAM manages or not; ipam reads the resource CIDRs IPAM computes for the
whole organization; pools measures each IPAM pool against its
allocations. ipam and pools read the IPAM of the caller's account in the
first region, so run them where the IPAM lives (its delegated
administrator account and home region), or name it with --ipam-account
and --ipam-region. An account and region without an IPAM is an error,
never an empty report.

Targets: the caller's own account, the accounts of --accounts, or every
active account of the organization with --org, times the regions of
--regions (the configured region by default). Other accounts are read
through their role --role-name (OrganizationAccountAccessRole by
default). Credentials, region and endpoints come from the standard AWS
configuration: environment, profiles, SSO; AWS_ENDPOINT_URL works as in
the AWS CLI.

The report goes to standard output: a table sorted by severity then
utilization, or the report as JSON (counts as decimal strings), or CSV,
or one self-contained HTML page with an address-space map of each pool
and VPC (-o html > report.html). A target that fails (access denied,
throttled past retries, not done within --timeout) is named on standard
error and makes the exit code 1, after the report of the others is
written. With --fail-on-findings the
exit code is 2 when a resource reaches a threshold. An interrupt
(Ctrl-C) stops the scan: the report of what was measured is written,
standard error says it is partial, and the exit code is 130.

On a terminal, standard error shows one progress line while the scan
runs (targets done of all, resources so far, failures, time elapsed),
rewritten in place and cleared at the end, then one summary line; with
--quiet, or when standard error is a file or a pipe, neither.

The examples show the demo organization that 'ipamctl demo serve'
starts, acting as its networking account.`,
		Examples: []Example{
			{
				Args: "usage --source pools --regions us-east-1",
				Output: `SEVERITY  USED    UTILIZATION           RESOURCE                                         TYPE       CIDR             ACCOUNT       REGION     LARGEST FREE      SOURCE
critical  100.0%  [##################]  ipam-pool-07fcc2593df1ee1c9 (us-east-1)          ipam-pool  192.168.16.0/20  222222222222  us-east-1  -                 pools
critical  100.0%  [##################]  ipam-pool-08457d3ab42fcc0f5 (us-west-2)          ipam-pool  192.168.0.0/20   222222222222  us-west-2  -                 pools
ok        12.5%   [##................]  ipam-pool-05515f5a899344a4b (us-east-1-SDLC OU)  ipam-pool  192.168.24.0/21  222222222222  us-east-1  192.168.28.0/22   pools
ok        12.5%   [##................]  ipam-pool-0c56d898c0b720267 (us-east-1-Prod OU)  ipam-pool  192.168.16.0/21  222222222222  us-east-1  192.168.20.0/22   pools
ok        12.5%   [##................]  ipam-pool-0f954bc03c00bac4a (top-level)          ipam-pool  192.168.0.0/16   222222222222  us-east-1  192.168.128.0/17  pools
ok        12.5%   [##................]  ipam-pool-079ede5cee613ff44 (us-west-2-Prod OU)  ipam-pool  192.168.0.0/21   222222222222  us-west-2  192.168.4.0/22    pools
ok        12.5%   [##................]  ipam-pool-0d836ba2e404d1e96 (us-west-2-SDLC OU)  ipam-pool  192.168.8.0/21   222222222222  us-west-2  192.168.12.0/22   pools
`,
			},
			{
				Comment: "every account of the organization, as JSON for a pipeline",
				Args:    "usage --org --source ec2 --regions us-east-1,us-west-2 --threshold 90 --fail-on-findings -o json",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			o := usageOptions{source: "all", critical: usage.DefaultCritical, scopeType: "private", resourceType: "all", format: "table", concurrency: usage.DefaultConcurrency, timeout: defaultScanTimeout}
			fs.choice(&o.source, "source", []string{"ipam", "ec2", "pools", "all"},
				"What to measure: ec2 (VPCs and subnets of each target), ipam (IPAM's resource CIDRs), pools (IPAM pools) or all, the default.")
			fs.commaList(&o.regions, "regions", "R,...", "Regions to scan, comma-separated; the configured region if not given.")
			fs.commaList(&o.accounts, "accounts", "A,...", "12-digit account IDs to scan, comma-separated. Without it and --org, the caller's account.")
			fs.boolVal(&o.org, "org", "Scan every active account of the organization (call with the management account or a delegated administrator).")
			fs.fn("role-name", "NAME", "Role assumed in each other account; OrganizationAccountAccessRole if not given.", func(v string) error {
				if v == "" {
					return errors.New("empty role name")
				}
				o.roleName = v
				return nil
			})
			fs.fn("external-id", "ID", "External ID passed when assuming the roles.", func(v string) error { o.externalID = v; return nil })
			fs.fn("ipam-account", "A", "Account holding the IPAM (its delegated administrator), read through --role-name; the caller's account if not given.", func(v string) error {
				if !accountIDPattern().MatchString(v) {
					return errors.New("want a 12-digit account ID")
				}
				o.ipamAccount = v
				return nil
			})
			fs.fn("ipam-region", "R", "The IPAM's home region, where ipam and pools read it; the first of --regions if not given.", func(v string) error {
				if err := checkRegion(v); err != nil {
					return err
				}
				o.ipamRegion = v
				return nil
			})
			fs.floatVal(&o.critical, "threshold", "P", "Critical threshold, in percent: a resource at or above it is critical. 80 if not given.")
			fs.floatVal(&o.warning, "warning", "P", "Warning threshold, in percent, below --threshold; none if not given.")
			fs.choice(&o.scopeType, "scope-type", []string{"private", "public"}, "IPAM scopes to read for --source ipam and pools; private if not given.")
			fs.choice(&o.resourceType, "resource-type", []string{"vpc", "subnet", "eip", "public-ipv4-pool", "ipv6-pool", "all"},
				"IPAM resource type for --source ipam; all if not given.")
			fs.choice(&o.format, "o", []string{"table", "json", "csv", "html"}, "Output format: text, a table for people (the default; table is the same), json or csv for programs, html for a page to open in a browser.")
			fs.boolVal(&o.failOnFindings, "fail-on-findings", "Exit with code 2 when a resource reaches a threshold.")
			fs.intVal(&o.concurrency, "concurrency", "N", "Targets scanned at once, at most 4 of one account; 16 if not given.")
			fs.fn("timeout", "D", "Time allowed for the whole scan, such as 90s or 10m; 5m if not given. Targets not done by then are reported as failed.", func(v string) error {
				d, err := time.ParseDuration(v)
				if err != nil || d <= 0 {
					return errors.New("want a duration above zero, such as 90s or 10m")
				}
				o.timeout = d
				return nil
			})
			o.notify.declare(fs)
			o.state.declare(fs)
			o.forecast.declare(fs)
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if err := errors.Join(o.forecast.validate(fs)...); err != nil {
					return err
				}
				return o.run(ctx, e)
			}
		},
	}
}

// validate checks the flags against each other, reporting every problem.
func (o *usageOptions) validate() error {
	var errs []error
	if o.org && len(o.accounts) > 0 {
		errs = append(errs, usageErrorf("--org and --accounts exclude each other"))
	}
	for _, r := range o.regions {
		if err := checkRegion(r); err != nil {
			errs = append(errs, fmt.Errorf("--regions %q: %w", r, err))
		}
	}
	for _, a := range o.accounts {
		if !accountIDPattern().MatchString(a) {
			errs = append(errs, fmt.Errorf("--accounts %q: want a 12-digit account ID", a))
		}
	}
	errs = append(errs, checkThresholds(o.critical, o.warning)...)
	if o.concurrency < 1 {
		errs = append(errs, fmt.Errorf("--concurrency %d: want at least 1", o.concurrency))
	}
	errs = append(errs, o.notify.parse()...)
	errs = append(errs, o.state.validate(&o.notify)...)
	return errors.Join(errs...)
}

func (o *usageOptions) run(ctx context.Context, e *env) error {
	if err := o.validate(); err != nil {
		return err
	}
	cfg, err := e.awsConfig(ctx)
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	if len(o.regions) == 0 && cfg.Region == "" {
		return usageErrorf("no region: give --regions or configure one (AWS_REGION, a profile)")
	}
	if cfg.Region != "" { // STS and Organizations are called there, whatever --regions says
		if err := checkRegion(cfg.Region); err != nil {
			return fmt.Errorf("region %q of the AWS configuration (AWS_REGION, AWS_DEFAULT_REGION or the profile): %w", cfg.Region, err)
		}
	}
	boundAttempts(&cfg, o.timeout)
	interrupt := ctx // canceled by a signal; the scan's ctx also by --timeout
	ctx, cancel := context.WithTimeoutCause(ctx, o.timeout, fmt.Errorf("--timeout %v reached", o.timeout))
	defer cancel()
	progress := o.progress(ctx, e, cfg) // nil unless a terminal watches
	rep, err := usage.ScanOrganization(ctx, cfg, func(so *usage.OrganizationScanOptions) {
		so.Organization, so.Accounts, so.Regions = o.org, o.accounts, o.regions
		so.RoleName, so.ExternalID = o.roleName, o.externalID
		so.IPAMAccount, so.IPAMRegion = o.ipamAccount, o.ipamRegion
		so.Sources = usageSources[o.source]
		so.IPAM.ScopeType = usage.ScopeType(o.scopeType)
		if o.resourceType != "all" {
			so.IPAM.ResourceTypes = []usage.ResourceType{usage.ResourceType(o.resourceType)}
		}
		so.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: o.warning, Critical: o.critical}}
		so.Concurrency = o.concurrency
		so.TargetTimeout = o.timeout
		// The scan may use all of --timeout: the notifiers get their own
		// time below, so no margin is kept for them.
		so.DeadlineMargin = time.Millisecond
		so.Logger = progress.logger()
	})
	progress.finish()
	if err != nil {
		switch {
		case interrupt.Err() != nil:
			return fmt.Errorf("interrupted before anything was measured: %w", err)
		case ctx.Err() != nil:
			err = fmt.Errorf("%w: %w", context.Cause(ctx), err)
		}
		// Nothing was measured: a dead monitor must be heard, not silent.
		// The alert gets its own time: the scan's may be used up.
		nctx, ncancel := context.WithTimeout(context.WithoutCancel(interrupt), time.Minute)
		defer ncancel()
		return errors.Join(append([]error{err}, o.notify.sendFailure(nctx, e, cfg, err)...)...)
	}

	write := writeUsageReport
	var forecastErr error // the report and alerts still go out: silence is no all-clear
	if o.forecast.enabled {
		policy := usage.Policy{Thresholds: usage.Thresholds{Warning: o.warning, Critical: o.critical}}
		if frep, err := o.forecast.apply(ctx, cfg, o, rep, policy); err != nil {
			forecastErr = err
			fmt.Fprintf(e.stderr, "ipamctl usage: no forecast: %v; the report and alerts go out without it\n", err)
		} else {
			rep, write = frep, writeForecastReport
		}
	}
	if err := write(e.stdout, rep, o.format); err != nil {
		return err
	}
	if e.chatty() {
		fmt.Fprintf(e.stderr, "ipamctl usage: %d targets in %v: %d resources, %d findings, %d failed, %d API calls\n",
			rep.Scan.Targets, rep.Scan.Duration().Round(time.Millisecond), len(rep.Resources), len(rep.Findings), len(rep.Errors), rep.Scan.APICalls)
	}
	if interrupt.Err() != nil { // no alert from half a scan
		return errors.Join(append([]error{errors.New("interrupted: the report is partial")}, targetErrors(rep)...)...)
	}
	nctx, ncancel := context.WithTimeout(context.WithoutCancel(interrupt), time.Minute)
	defer ncancel()
	var notifyErrs []error
	if o.state.path != "" { // on change only: usage_state.go
		notifyErrs = o.state.send(nctx, e, cfg, o.format, rep, &o.notify)
	} else {
		notifyErrs = o.notify.send(nctx, e, cfg, o.format, rep)
	}
	if forecastErr != nil {
		notifyErrs = append(notifyErrs, forecastErr)
	}
	if len(rep.Errors) > 0 || len(notifyErrs) > 0 {
		return errors.Join(append(targetErrors(rep), notifyErrs...)...) // not errFindings: a failure wins
	}
	if o.failOnFindings && len(rep.Findings) > 0 {
		return errFindings
	}
	return nil
}

// targetErrors returns the errors of the targets that failed, with a hint
// where one helps.
func targetErrors(rep usage.Report) []error {
	errs := make([]error, len(rep.Errors))
	for i, te := range rep.Errors {
		switch {
		case errors.Is(te, usage.ErrNoIPAM):
			errs[i] = fmt.Errorf("%w (--ipam-account, --ipam-region)", te)
		case errors.Is(te, usage.ErrRegionUnavailable):
			errs[i] = fmt.Errorf("%w (--regions)", te)
		default:
			errs[i] = te
		}
	}
	return errs
}

// attemptTimeout bounds one HTTP attempt of an AWS call, from dialling to
// the end of the response body: far above what a page of results takes,
// far below --timeout's default, so that a connection that stops answering
// is retried by the SDK rather than waited on.
const attemptTimeout = time.Minute

// boundAttempts bounds each HTTP attempt of the AWS calls made with cfg to
// attemptTimeout, or to the whole scan's time if that is shorter, and
// keeps fast endpoints from losing responses (see internal/sdkhttp). A
// client that is not the SDK's own (a test's) is left as it is.
func boundAttempts(cfg *aws.Config, scan time.Duration) {
	sdkhttp.Configure(cfg, min(attemptTimeout, scan))
}

// usageSources are the sources of each --source: the IPAM is read first,
// then EC2.
var usageSources = map[string][]usage.Source{
	"ipam":  {usage.SourceIPAM},
	"pools": {usage.SourcePools},
	"ec2":   {usage.SourceEC2},
	"all":   {usage.SourceIPAM, usage.SourcePools, usage.SourceEC2},
}

// isTerminal reports whether w is a terminal, where progress lines are
// welcome.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	// The null device is a character device too, and no terminal: a
	// command run with </dev/null must not wait for an answer.
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}
