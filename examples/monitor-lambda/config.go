package main

import (
	"time"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/usage"
)

// The environment variables of the forecast; the others are those of
// monitorenv (the settings shared with scan-map-lambda, among them the
// monitor sample's seven, with its names and defaults), config_state.go's
// and report_html.go's. The package documentation describes each.
const (
	envForecast          = "IPAMKIT_FORECAST"
	envForecastWindow    = "IPAMKIT_FORECAST_WINDOW"
	envExhaustionWarning = "IPAMKIT_EXHAUSTION_WARNING_DAYS"
	envExhaustionCrit    = "IPAMKIT_EXHAUSTION_CRITICAL_DAYS"
)

// defaultDeadlineMargin is IPAMKIT_DEADLINE_MARGIN when it is not set.
const defaultDeadlineMargin = 30 * time.Second

// organizationKeyword is the value of IPAMKIT_ACCOUNTS that scans the
// whole organization.
const organizationKeyword = monitorenv.OrganizationKeyword

// Config is the function's configuration, read once at cold start by
// configFromEnv: the settings shared with scan-map-lambda and the
// monitor's own. It holds no credential: webhook URLs and secrets are
// named here and fetched when the handler is built.
type Config struct {
	monitorenv.Settings

	// State configures alerts on change (config_state.go).
	State stateConfig

	// Forecast is where the history of a forecast comes from:
	// forecastCloudWatch, forecastIPAM, or forecastOff (or empty: no
	// forecast).
	Forecast forecastSource
	// ForecastWindow is how far back a forecast looks; zero means
	// defaultForecastWindow.
	ForecastWindow time.Duration
	// Exhaustion are the thresholds in days to exhaustion.
	Exhaustion usage.ExhaustionDays

	// ReportBucket is the S3 bucket the HTML report of each scan is put
	// in; empty means none. ReportPrefix starts its keys: ipamkit/ when
	// a bucket is given without it.
	ReportBucket, ReportPrefix string
}

// Policy returns the usage policy of c.
func (c Config) Policy() usage.Policy {
	return usage.Policy{Thresholds: usage.Thresholds{Warning: c.Warning, Critical: c.Critical}, Exhaustion: c.Exhaustion}
}

// configError is the error of an invalid configuration: every problem at
// once, on one line.
type configError = envconfig.Error

// configFromEnv reads the configuration through getenv, as os.Getenv: each
// variable by its spec, in the order listed, and the checks across
// variables where they belong in that order. It reports every problem at
// once, in one configError; no message quotes a value that could be a
// credential.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Settings: monitorenv.Defaults(defaultDeadlineMargin)}
	var p envconfig.Problems
	c.Settings.Read(getenv, &p) // the settings shared with scan-map-lambda
	envconfig.Read(getenv, &p,
		// The HTML report (report_html.go).
		envconfig.Var{Name: envReportBucket, Set: envconfig.String(&c.ReportBucket, validBucket, envconfig.Quoted,
			"want an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens), or nothing for no HTML report")},
		envconfig.Var{Name: envReportPrefix, Set: envconfig.String(&c.ReportPrefix, validReportPrefix, envconfig.Quoted,
			"want a key prefix of letters, digits and !_.*'()/- not starting with /, such as ipamkit/")},
	)
	c.State.read(getenv, &p) // alerts on change
	c.readForecast(getenv, &p)
	if c.ReportBucket != "" && c.ReportPrefix == "" {
		c.ReportPrefix = defaultReportPrefix
	}
	if err := p.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// errNoRegion is returned by newHandler when neither IPAMKIT_REGIONS nor
// the AWS configuration names a region.
var errNoRegion = monitorenv.ErrNoRegion
