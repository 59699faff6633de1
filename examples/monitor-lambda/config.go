package main

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// The environment variables the function reads. The first seven are the
// monitor sample's, with its names and defaults; the IPAMKIT_ ones are new.
// The package documentation describes each.
const (
	envThreshold           = "IpamUsageThreshold"
	envScopeType           = "IpamScopeType"
	envResourceType        = "IpamResourceType"
	envSNSTopic            = "IpamSnsTopic"
	envSNSSubject          = "IpamSnsSubject"
	envCloudWatchEnabled   = "IpamCloudWatchEnabled"
	envCloudWatchNamespace = "IpamCloudWatchNamespace"

	envSources        = "IPAMKIT_SOURCES"
	envAccounts       = "IPAMKIT_ACCOUNTS"
	envRegions        = "IPAMKIT_REGIONS"
	envIPAMRegion     = "IPAMKIT_IPAM_REGION"
	envRoleName       = "IPAMKIT_ROLE_NAME"
	envExternalID     = "IPAMKIT_EXTERNAL_ID"
	envWarning        = "IPAMKIT_WARNING_THRESHOLD"
	envMetrics        = "IPAMKIT_METRICS"
	envAllClear       = "IPAMKIT_NOTIFY_ALL_CLEAR"
	envConcurrency    = "IPAMKIT_CONCURRENCY"
	envDeadlineMargin = "IPAMKIT_DEADLINE_MARGIN"
	envLogLevel       = "AWS_LAMBDA_LOG_LEVEL"

	envForecast          = "IPAMKIT_FORECAST"
	envForecastWindow    = "IPAMKIT_FORECAST_WINDOW"
	envExhaustionWarning = "IPAMKIT_EXHAUSTION_WARNING_DAYS"
	envExhaustionCrit    = "IPAMKIT_EXHAUSTION_CRITICAL_DAYS"
)

// Defaults of the settings whose zero value is not the default.
const (
	defaultSource         = usage.SourceIPAM
	defaultConcurrency    = 8
	defaultDeadlineMargin = 30 * time.Second
	organizationKeyword   = "organization"
)

// secretStore is where a credential is kept.
type secretStore string

const (
	storeSSM            secretStore = "ssm"            // an SSM Parameter Store SecureString
	storeSecretsManager secretStore = "secretsmanager" // a Secrets Manager secret's string
)

// secretRef names a credential kept in SSM or Secrets Manager. The zero
// secretRef names none. It holds a name, never the credential itself.
type secretRef struct {
	Store secretStore
	Name  string // parameter name or ARN; secret name or ARN
	Env   string // the variable that named it, for messages
}

// IsZero reports whether r names no credential.
func (r secretRef) IsZero() bool { return r.Name == "" }

// String describes r for messages and logs: the variable and the name.
func (r secretRef) String() string { return fmt.Sprintf("%s=%s", r.Env, r.Name) }

// Config is the function's configuration, read once at cold start by
// configFromEnv. It holds no credential: webhook URLs and secrets are named
// here and fetched when the handler is built.
type Config struct {
	// Critical is the critical threshold in percent (IpamUsageThreshold).
	Critical float64
	// Warning is the warning threshold in percent; zero means none.
	Warning float64
	// ScopeType selects the IPAM scopes for the ipam and pools sources.
	ScopeType usage.ScopeType
	// ResourceTypes restricts the ipam source; nil means every type.
	ResourceTypes []usage.ResourceType
	// Sources are what is measured, in the order ipam, pools, ec2.
	Sources []usage.Source

	// Organization scans every active account of the organization.
	Organization bool
	// Accounts are the accounts scanned by the ec2 source; nil (and not
	// Organization) means the function's own account.
	Accounts []string
	// Regions are the regions scanned by the ec2 source; nil means the
	// region of the AWS configuration.
	Regions []string
	// IPAMRegion is where the ipam and pools sources read the IPAM; empty
	// means the first of Regions.
	IPAMRegion string
	// RoleName is assumed in every account other than the function's own.
	RoleName string
	// ExternalID is passed to AssumeRole; it is never logged.
	ExternalID string

	// SNSTopic is the topic ARN of alerts; empty means no SNS.
	SNSTopic string
	// SNSSubject is the subject of every SNS message; empty means one
	// built from the alert ("[CRITICAL] 2 resources over threshold …").
	SNSSubject string
	// Slack, Teams and Webhook name the webhook URLs; WebhookSecret names
	// the HMAC key that signs the webhook's bodies.
	Slack, Teams, Webhook, WebhookSecret secretRef
	// AllClear sends an all-clear alert when nothing is over threshold and
	// no target failed.
	AllClear bool

	// CloudWatch sends metrics with PutMetricData instead of writing EMF.
	CloudWatch bool
	// Namespace is the metrics' CloudWatch namespace.
	Namespace string
	// Metrics says which resources get metrics.
	Metrics usage.MetricSet

	// Concurrency is how many targets are scanned at once.
	Concurrency int
	// DeadlineMargin is how close to the invocation's deadline the scan
	// stops starting targets, leaving time to notify.
	DeadlineMargin time.Duration
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
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

// Patterns of the values, as loose as AWS's own rules.
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	snsTopicPattern  = regexp.MustCompile(`^arn:[a-z0-9-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	// An SSM parameter name or ARN, with an optional :version or :label.
	parameterPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-/:]+$`) // 1 to 2048 characters
	// A Secrets Manager secret name or ARN.
	secretIDPattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:!-]+$`) // 1 to 2048 characters
)

// credentials lists the webhook credentials: the variables that name them
// and the plain variable that must not hold them.
var credentials = []struct {
	param, secretID, plain string
	field                  func(*Config) *secretRef
}{
	{"IPAMKIT_SLACK_URL_PARAM", "IPAMKIT_SLACK_URL_SECRET_ID", "IPAMKIT_SLACK_URL", func(c *Config) *secretRef { return &c.Slack }},
	{"IPAMKIT_TEAMS_URL_PARAM", "IPAMKIT_TEAMS_URL_SECRET_ID", "IPAMKIT_TEAMS_URL", func(c *Config) *secretRef { return &c.Teams }},
	{"IPAMKIT_WEBHOOK_URL_PARAM", "IPAMKIT_WEBHOOK_URL_SECRET_ID", "IPAMKIT_WEBHOOK_URL", func(c *Config) *secretRef { return &c.Webhook }},
	{"IPAMKIT_WEBHOOK_SECRET_PARAM", "IPAMKIT_WEBHOOK_SECRET_ID", "IPAMKIT_WEBHOOK_SECRET", func(c *Config) *secretRef { return &c.WebhookSecret }},
}

// configFromEnv reads the configuration through getenv, as os.Getenv: each
// variable by its spec, in the order listed, and the checks across
// variables where they belong in that order. It reports every problem at
// once, in one configError; no message quotes a value that could be a
// credential.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Critical: usage.DefaultCritical, ScopeType: usage.ScopePrivate, Namespace: notify.DefaultNamespace,
		Sources: []usage.Source{defaultSource}, RoleName: usage.DefaultRoleName, Metrics: usage.MetricsFindings,
		Concurrency: defaultConcurrency, DeadlineMargin: defaultDeadlineMargin, LogLevel: slog.LevelInfo,
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var p envconfig.Problems
	// The sample's variables.
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envThreshold, Set: envconfig.Range(&c.Critical, parsePercent, 0, 100, "want a percentage from 0 to 100, such as 80 or 85.5")},
		envconfig.Var{Name: envWarning, Set: envconfig.Range(&c.Warning, parsePercent, 0, 100, "want a percentage from 0 to 100, below "+envThreshold)},
	)
	if err := c.Policy().Validate(); err != nil {
		p = append(p, fmt.Errorf("%s %v, %s %v: %w", envThreshold, c.Critical, envWarning, c.Warning, err))
	}
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envScopeType, Set: envconfig.Enum(&c.ScopeType, "want private or public", usage.ScopePrivate, usage.ScopePublic)},
		envconfig.Var{Name: envResourceType, Set: c.setResourceTypes},
		envconfig.Var{Name: envSNSTopic, Set: envconfig.String(&c.SNSTopic, snsTopicPattern.MatchString, envconfig.Quoted,
			"want a topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC, or nothing for no SNS")},
		envconfig.Var{Name: envSNSSubject, Set: envconfig.String(&c.SNSSubject, validSubject, envconfig.Unquoted, "want at most 99 printable characters on one line")},
		envconfig.Var{Name: envCloudWatchEnabled, Set: envconfig.Bool(&c.CloudWatch)},
		envconfig.Var{Name: envCloudWatchNamespace, Set: envconfig.String(&c.Namespace, validNamespace, envconfig.Quoted,
			"want 1 to 255 characters, without ':' or white space, not starting with AWS/")},

		// What to measure, and where.
		envconfig.Var{Name: envSources, Set: c.setSources},
		envconfig.Var{Name: envAccounts, Set: c.setAccounts},
		envconfig.Var{Name: envRegions, Set: envconfig.List(&c.Regions, regionPattern.MatchString, "want a region such as us-east-1")},
		envconfig.Var{Name: envIPAMRegion, Set: envconfig.String(&c.IPAMRegion, regionPattern.MatchString, envconfig.Quoted, "want a region such as us-east-1")},
		envconfig.Var{Name: envRoleName, Set: envconfig.String(&c.RoleName, envconfig.ValidRoleName, envconfig.Quoted, "want a role name (optionally with its path), not an ARN")},
		envconfig.Var{Name: envExternalID, Set: envconfig.String(&c.ExternalID, envconfig.ValidExternalID, envconfig.Unquoted, "want 2 to 1224 letters, digits or +=,.@:/-_")},
	)
	c.readCredentials(get, &p) // by name only
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envAllClear, Set: envconfig.Bool(&c.AllClear)},

		// Metrics and running.
		envconfig.Var{Name: envMetrics, Set: envconfig.Enum(&c.Metrics, "want findings, all or none", usage.MetricsFindings, usage.MetricsAll, usage.MetricsNone)},
		envconfig.Var{Name: envConcurrency, Set: envconfig.Range(&c.Concurrency, envconfig.ParseInt, 1, 256, "want a whole number from 1 to 256")},
		envconfig.Var{Name: envDeadlineMargin, Set: envconfig.Range(&c.DeadlineMargin, envconfig.ParseDuration, time.Second, 15*time.Minute, "want a duration from 1s to 15m, such as 30s or 30")},
		envconfig.Var{Name: envLogLevel, Set: envconfig.LogLevel(&c.LogLevel)},

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

func validSubject(v string) bool {
	return len(v) <= 99 && !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f })
}

func validNamespace(v string) bool {
	return len(v) <= 255 && !strings.HasPrefix(v, "AWS/") && !strings.ContainsAny(v, ": \t")
}

// ipamTypes are the resource types IpamResourceType accepts.
var ipamTypes = []usage.ResourceType{usage.TypeVPC, usage.TypeSubnet, usage.TypeEIP, usage.TypePublicIPv4Pool, usage.TypeIPv6Pool}

func (c *Config) setResourceTypes(name, v string, p *envconfig.Problems) {
	if v == "*" {
		return
	}
	for _, t := range envconfig.SplitList(v) {
		rt := usage.ResourceType(strings.ToLower(t))
		switch {
		case !slices.Contains(ipamTypes, rt):
			p.Add(name, t, "want * or one or more of vpc, subnet, eip, public-ipv4-pool, ipv6-pool")
		case !slices.Contains(c.ResourceTypes, rt):
			c.ResourceTypes = append(c.ResourceTypes, rt)
		}
	}
}

func (c *Config) setSources(name, v string, p *envconfig.Problems) {
	list := envconfig.SplitList(v)
	if len(list) == 0 {
		*p = append(*p, fmt.Errorf("%s: want ipam, pools, ec2 or all", name))
	}
	var srcs []usage.Source
	for _, s := range list {
		switch src := usage.Source(strings.ToLower(s)); src {
		case "all":
			srcs = append(srcs, usage.SourceIPAM, usage.SourcePools, usage.SourceEC2)
		case usage.SourceIPAM, usage.SourcePools, usage.SourceEC2:
			srcs = append(srcs, src)
		default:
			p.Add(name, s, "want ipam, pools, ec2 or all")
		}
	}
	c.Sources = orderSources(srcs)
}

func (c *Config) setAccounts(name, v string, p *envconfig.Problems) {
	if strings.EqualFold(v, organizationKeyword) {
		c.Organization = true
		return
	}
	for _, a := range envconfig.SplitList(v) {
		switch {
		case strings.EqualFold(a, organizationKeyword):
			*p = append(*p, fmt.Errorf("%s: %s excludes a list of accounts", name, organizationKeyword))
		case !accountIDPattern.MatchString(a):
			p.Add(name, a, "want a 12-digit account ID, or "+organizationKeyword+" alone")
		case !slices.Contains(c.Accounts, a):
			c.Accounts = append(c.Accounts, a)
		}
	}
}

// readCredentials reads the variables that name the webhook credentials:
// an SSM parameter or a Secrets Manager secret, never the credential in a
// plain variable.
func (c *Config) readCredentials(get func(string) string, p *envconfig.Problems) {
	for _, cr := range credentials {
		param, secretID := get(cr.param), get(cr.secretID)
		if get(cr.plain) != "" {
			*p = append(*p, fmt.Errorf("%s is set: a credential never goes in a plain variable; store it as an SSM SecureString or a Secrets Manager secret and give its name in %s or %s", cr.plain, cr.param, cr.secretID))
		}
		switch {
		case param != "" && secretID != "":
			*p = append(*p, fmt.Errorf("%s and %s exclude each other", cr.param, cr.secretID))
		case param != "":
			if len(param) > 2048 || !parameterPattern.MatchString(param) || strings.Contains(param, "://") {
				*p = append(*p, fmt.Errorf("%s: want the name or ARN of an SSM parameter (letters, digits and _.-/ only), not the credential itself", cr.param))
			} else {
				*cr.field(c) = secretRef{Store: storeSSM, Name: param, Env: cr.param}
			}
		case secretID != "":
			if len(secretID) > 2048 || !secretIDPattern.MatchString(secretID) || strings.Contains(secretID, "://") {
				*p = append(*p, fmt.Errorf("%s: want the name or ARN of a Secrets Manager secret, not the credential itself", cr.secretID))
			} else {
				*cr.field(c) = secretRef{Store: storeSecretsManager, Name: secretID, Env: cr.secretID}
			}
		}
	}
	if !c.WebhookSecret.IsZero() && get("IPAMKIT_WEBHOOK_URL_PARAM") == "" && get("IPAMKIT_WEBHOOK_URL_SECRET_ID") == "" {
		*p = append(*p, errors.New("IPAMKIT_WEBHOOK_SECRET_PARAM or IPAMKIT_WEBHOOK_SECRET_ID needs IPAMKIT_WEBHOOK_URL_PARAM or IPAMKIT_WEBHOOK_URL_SECRET_ID"))
	}
}

// parsePercent parses a percentage from 0 to 100, with an optional "%".
func parsePercent(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
		return 0, false
	}
	return f, true
}

// orderSources returns the sources without duplicates, in the order the
// handler reads them: ipam, pools, then ec2.
func orderSources(srcs []usage.Source) []usage.Source {
	var out []usage.Source
	for _, s := range []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2} {
		if slices.Contains(srcs, s) {
			out = append(out, s)
		}
	}
	return out
}

// errNoRegion is returned by newHandler when neither IPAMKIT_REGIONS nor
// the AWS configuration names a region.
var errNoRegion = errors.New("no region: set " + envRegions + " or AWS_REGION")
