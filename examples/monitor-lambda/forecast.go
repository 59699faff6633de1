package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/usage"
)

// forecastSource is where the history of a forecast comes from
// (IPAMKIT_FORECAST).
type forecastSource string

const (
	forecastOff        forecastSource = "off"        // no forecast, the default
	forecastCloudWatch forecastSource = "cloudwatch" // the metrics the monitor publishes
	forecastIPAM       forecastSource = "ipam"       // IPAM's address history (VPCs and pools)
)

// defaultForecastWindow is how far back a forecast looks unless
// IPAMKIT_FORECAST_WINDOW says otherwise.
const defaultForecastWindow = 30 * 24 * time.Hour

// readForecast reads the forecast's variables, and checks the exhaustion
// thresholds against each other.
func (c *Config) readForecast(getenv func(string) string, p *envconfig.Problems) {
	envconfig.Read(getenv, p,
		envconfig.Var{Name: envForecast, Set: envconfig.Enum(&c.Forecast, "want off, cloudwatch or ipam", forecastOff, forecastCloudWatch, forecastIPAM)},
		envconfig.Var{Name: envForecastWindow, Set: envconfig.Range(&c.ForecastWindow, parseDays, 24*time.Hour, 3650*24*time.Hour,
			"want a duration from 1 to 3650 days, such as 30d or 720h")},
		envconfig.Var{Name: envExhaustionWarning, Set: envconfig.Range(&c.Exhaustion.Warning, envconfig.ParseInt, 0, 3650, "want a whole number of days from 0 (off) to 3650")},
		envconfig.Var{Name: envExhaustionCrit, Set: envconfig.Range(&c.Exhaustion.Critical, envconfig.ParseInt, 0, 3650, "want a whole number of days from 0 (off) to 3650")},
	)
	if err := (usage.Policy{Exhaustion: c.Exhaustion}).Validate(); err != nil {
		*p = append(*p, fmt.Errorf("%s %d, %s %d: %w", envExhaustionWarning, c.Exhaustion.Warning, envExhaustionCrit, c.Exhaustion.Critical, err))
	}
	if (c.Forecast == "" || c.Forecast == forecastOff) && (c.Exhaustion != usage.ExhaustionDays{}) {
		*p = append(*p, fmt.Errorf("%s and %s need %s set to cloudwatch or ipam", envExhaustionWarning, envExhaustionCrit, envForecast))
	}
}

// parseDays parses a number of days ("30d") or what
// envconfig.ParseDuration reads.
func parseDays(s string) (time.Duration, bool) {
	if n, ok := envconfig.ParseInt(s[:max(len(s)-1, 0)]); ok && len(s) > 1 && s[len(s)-1] == 'd' {
		return time.Duration(n) * 24 * time.Hour, true
	}
	return envconfig.ParseDuration(s)
}

// forecaster gives a report its forecasts. Its clients are made once, at
// cold start; it is safe for concurrent use.
type forecaster struct {
	cfg        Config
	cloudwatch *cloudwatch.Client // in the function's region, where its metrics go
	ec2        *ec2.Client        // in the IPAM's region
}

// newForecaster returns the forecaster of c, or nil when c asks for none.
func newForecaster(awsCfg aws.Config, c Config, regions []string) *forecaster {
	switch c.Forecast {
	case forecastCloudWatch:
		return &forecaster{cfg: c, cloudwatch: cloudwatch.NewFromConfig(awsCfg)}
	case forecastIPAM:
		region := c.IPAMRegion
		if region == "" {
			region = regions[0]
		}
		return &forecaster{cfg: c, ec2: ec2.NewFromConfig(awsCfg, func(o *ec2.Options) { o.Region = region })}
	}
	return nil
}

// apply returns rep with the forecast of every resource and its findings
// evaluated again, exhaustion thresholds included. When the history
// cannot be read it logs a warning and returns rep as it was: a forecast
// that fails must not silence the alert of the scan.
func (f *forecaster) apply(ctx context.Context, log *slog.Logger, rep usage.Report) usage.Report {
	if f == nil {
		return rep
	}
	window := f.cfg.ForecastWindow
	if window == 0 {
		window = defaultForecastWindow
	}
	hist := usage.HistoryOptions{End: rep.Scan.Finished, Window: window}
	var hs [][]usage.Sample
	var err error
	if f.cloudwatch != nil {
		hs, err = usage.CloudWatchHistory(ctx, f.cloudwatch, rep.Resources, func(o *usage.CloudWatchHistoryOptions) {
			o.HistoryOptions, o.Namespace = hist, f.cfg.Namespace
		})
	} else {
		hs, err = usage.IPAMScopesHistory(ctx, f.ec2, f.cfg.ScopeType, rep.Resources, func(o *usage.IPAMHistoryOptions) { o.HistoryOptions = hist })
	}
	if err == nil {
		var out usage.Report
		if out, err = rep.WithForecasts(hs, usage.ForecastOptions{Window: window}, f.cfg.Policy()); err == nil {
			log.LogAttrs(ctx, slog.LevelInfo, "forecast", slog.String("history", string(f.cfg.Forecast)), slog.Int("findings", len(out.Findings)))
			return out
		}
	}
	log.LogAttrs(ctx, slog.LevelWarn, "forecast failed: alerting on the percentages alone",
		slog.String("history", string(f.cfg.Forecast)), slog.String("error", err.Error()))
	return rep
}
