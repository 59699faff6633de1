package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/usage"
)

// forecastFlags are the flags of ipamctl usage that forecast exhaustion.
type forecastFlags struct {
	enabled      bool
	history      string // cloudwatch, ipam, or a directory of saved reports
	window       time.Duration
	namespace    string
	warningDays  int
	criticalDays int
}

const defaultForecastWindow = 30 * 24 * time.Hour

func (f *forecastFlags) declare(fs *flagSet) {
	f.history, f.window = "cloudwatch", defaultForecastWindow
	fs.boolVal(&f.enabled, "forecast", "Forecast when each resource runs out, from its history (--history), and add the columns RATE/DAY, RUNS OUT and RANGE (in JSON: each resource's forecast).")
	fs.fn("history", "cloudwatch|ipam|DIR", "Where --forecast reads history: cloudwatch, the metrics the monitor publishes (the default); ipam, IPAM's address history (VPCs and pools); or a directory of reports saved with -o json.", func(v string) error {
		if v == "" {
			return errors.New("want cloudwatch, ipam or a directory of saved reports")
		}
		f.history = v
		return nil
	})
	fs.fn("window", "D", "How far back --forecast looks, such as 30d or 720h; 30d if not given.", func(v string) error {
		d, err := parseDays(v)
		if err != nil {
			return err
		}
		f.window = d
		return nil
	})
	fs.fn("history-namespace", "NS", "CloudWatch namespace the monitor publishes to, for --history cloudwatch; CUSTOM/IPAM if not given.", func(v string) error { f.namespace = v; return nil })
	fs.intVal(&f.warningDays, "warning-days", "N", "With --forecast: a resource that runs out within N days is a warning.")
	fs.intVal(&f.criticalDays, "critical-days", "N", "With --forecast: a resource that runs out within N days is critical.")
}

// parseDays parses a duration that may be in days ("30d") as well as in
// what time.ParseDuration accepts ("720h").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 || d > 3650 {
			return 0, errors.New("want a number of days from 1 to 3650, such as 30d")
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Hour || d > 3650*24*time.Hour {
		return 0, errors.New("want a duration from an hour to 3650 days, such as 30d or 720h")
	}
	return d, nil
}

// validate reports what is wrong with the flags, naming each.
func (f *forecastFlags) validate(fs *flagSet) []error {
	var errs []error
	if !f.enabled {
		for _, name := range []string{"history", "window", "history-namespace", "warning-days", "critical-days"} {
			if fs.isSet(name) {
				errs = append(errs, usageErrorf("--%s: only with --forecast", name))
			}
		}
		return errs
	}
	if err := (usage.Policy{Exhaustion: f.days()}).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("--warning-days %d --critical-days %d: %w", f.warningDays, f.criticalDays, err))
	}
	if h := f.history; h != "cloudwatch" && h != "ipam" {
		st, err := os.Stat(h)
		if err != nil || !st.IsDir() {
			errs = append(errs, usageErrorf("--history %q: not cloudwatch, ipam, or a directory of reports saved with ipamctl usage -o json", h))
		}
	}
	return errs
}

// days returns the exhaustion thresholds of the flags.
func (f *forecastFlags) days() usage.ExhaustionDays {
	return usage.ExhaustionDays{Warning: f.warningDays, Critical: f.criticalDays}
}

// apply reads the history of the report's resources and returns the
// report with their forecasts, its findings evaluated again against
// policy with the exhaustion thresholds.
func (f *forecastFlags) apply(ctx context.Context, cfg aws.Config, o *usageOptions, rep usage.Report, policy usage.Policy) (usage.Report, error) {
	hist := usage.HistoryOptions{End: rep.Scan.Finished, Window: f.window}
	var histories [][]usage.Sample
	var err error
	switch f.history {
	case "cloudwatch":
		histories, err = usage.CloudWatchHistory(ctx, cloudwatch.NewFromConfig(cfg), rep.Resources, func(co *usage.CloudWatchHistoryOptions) {
			co.HistoryOptions, co.Namespace = hist, f.namespace
		})
		if err != nil {
			err = fmt.Errorf("--history cloudwatch: %w (read in %s with the caller's credentials: run where the monitor publishes, or use --history ipam or a directory)", err, cfg.Region)
		}
	case "ipam":
		histories, err = ipamHistory(ctx, cfg, o, rep.Resources, usage.IPAMHistoryOptions{HistoryOptions: hist})
		if err != nil {
			err = fmt.Errorf("--history ipam: %w", err)
		}
	default:
		histories, err = usage.ReportHistory(os.DirFS(f.history), rep.Resources)
		if err != nil {
			err = fmt.Errorf("--history %q: %w", f.history, err)
		}
	}
	if err != nil {
		return rep, err
	}
	policy.Exhaustion = f.days()
	return rep.WithForecasts(histories, usage.ForecastOptions{Window: f.window}, policy)
}

// ipamHistory reads IPAM's address history in the IPAM region
// (--ipam-region, or the first of --regions) over every scope of
// --scope-type, as the scan reads the IPAM: in --ipam-account through
// --role-name when that is another account than the caller's.
func ipamHistory(ctx context.Context, cfg aws.Config, o *usageOptions, rs []usage.Resource, opts usage.IPAMHistoryOptions) ([][]usage.Sample, error) {
	region := o.ipamRegion
	if region == "" && len(o.regions) > 0 {
		region = o.regions[0]
	}
	if region == "" {
		region = cfg.Region
	}
	if o.ipamAccount != "" {
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("find the calling account (sts:GetCallerIdentity) to read the history in --ipam-account %s: %w", o.ipamAccount, err)
		}
		if caller := aws.ToString(id.Account); caller != o.ipamAccount {
			role := account.RoleARN(aws.ToString(id.Arn), o.ipamAccount, cmp.Or(o.roleName, usage.DefaultRoleName))
			t := account.Target{AccountID: o.ipamAccount, Region: region, RoleARN: role, ExternalID: o.externalID}
			if cfg, err = account.New(cfg).Config(ctx, t); err != nil {
				return nil, err
			}
		}
	}
	client := ec2.NewFromConfig(cfg, func(eo *ec2.Options) {
		if region != "" {
			eo.Region = region
		}
	})
	hs, err := usage.IPAMScopesHistory(ctx, client, usage.ScopeType(o.scopeType), rs, func(ho *usage.IPAMHistoryOptions) { *ho = opts })
	if err != nil {
		return nil, fmt.Errorf("%w (run with the IPAM's account, in its home region: --ipam-region)", err)
	}
	return hs, nil
}

// writeForecastReport writes rep with its forecasts in format: table
// ([usage.Report.WriteForecastTable]), json (each resource carries its
// forecast) or csv ([usage.Report.WriteForecastCSV]).
func writeForecastReport(w io.Writer, rep usage.Report, format string) error {
	switch format {
	case "table":
		return rep.WriteForecastTable(w)
	case "csv":
		return rep.WriteForecastCSV(w)
	}
	return writeUsageReport(w, rep, format)
}
