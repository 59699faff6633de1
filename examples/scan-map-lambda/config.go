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

// The environment variables the function reads. Those it shares with
// monitor-lambda have the monitor's names, values and defaults, so that a
// deployment moves from one to the other with its settings; the package
// documentation describes each.
const (
	envStep   = "IPAMKIT_SCAN_MAP_STEP"
	envBucket = "IPAMKIT_SCAN_MAP_BUCKET"

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
	envIPAMAccount    = "IPAMKIT_IPAM_ACCOUNT"
	envIPAMRegion     = "IPAMKIT_IPAM_REGION"
	envRoleName       = "IPAMKIT_ROLE_NAME"
	envExternalID     = "IPAMKIT_EXTERNAL_ID"
	envWarning        = "IPAMKIT_WARNING_THRESHOLD"
	envMetrics        = "IPAMKIT_METRICS"
	envAllClear       = "IPAMKIT_NOTIFY_ALL_CLEAR"
	envConcurrency    = "IPAMKIT_CONCURRENCY"
	envDeadlineMargin = "IPAMKIT_DEADLINE_MARGIN"
	envLogLevel       = "AWS_LAMBDA_LOG_LEVEL"
)

// step is the part of the state machine a function runs.
type step string

const (
	stepList  step = "list"  // list the targets into the bucket, for the map's ItemReader
	stepScan  step = "scan"  // scan one batch of targets: a child of the map
	stepMerge step = "merge" // merge the map's results, evaluate once, notify once
)

// Defaults of the settings whose zero value is not the default.
const (
	defaultConcurrency    = 8
	defaultDeadlineMargin = 20 * time.Second
	organizationKeyword   = "organization"
)

// Config is the function's configuration, read once at cold start by
// configFromEnv. The three functions of a deployment share every variable
// but IPAMKIT_SCAN_MAP_STEP: they must scan the same world.
type Config struct {
	// Step is what this function does.
	Step step
	// Bucket holds the targets of each run, the partial reports too large
	// to return inline and the map's results.
	Bucket string

	// Critical and Warning are the thresholds in percent; zero Warning
	// means none.
	Critical, Warning float64
	// ScopeType and ResourceTypes select what the ipam and pools sources
	// read; nil ResourceTypes means every type.
	ScopeType     usage.ScopeType
	ResourceTypes []usage.ResourceType
	// Sources are what is measured, in the order ipam, pools, ec2.
	Sources []usage.Source

	// Organization, Accounts and Regions choose the targets of the ec2
	// source, as the monitor's variables of the same names.
	Organization bool
	Accounts     []string
	Regions      []string
	// IPAMAccount holds the IPAM; empty means the function's own account.
	IPAMAccount string
	// IPAMRegion is where the IPAM is read; empty means the first region.
	IPAMRegion string
	// RoleName is assumed in every account other than the function's own.
	RoleName string
	// ExternalID is passed to AssumeRole; it is never logged.
	ExternalID string

	// SNSTopic is the topic ARN of alerts; empty means no SNS.
	SNSTopic, SNSSubject string
	// AllClear sends an all-clear when nothing is over threshold and no
	// target failed.
	AllClear bool
	// CloudWatch sends metrics with PutMetricData instead of writing EMF.
	CloudWatch bool
	// Namespace is the metrics' CloudWatch namespace.
	Namespace string
	// Metrics says which resources get metrics.
	Metrics usage.MetricSet

	// Concurrency is how many targets of a batch are scanned at once.
	Concurrency int
	// DeadlineMargin is how close to the invocation's deadline a batch
	// stops starting targets.
	DeadlineMargin time.Duration
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
}

// Policy returns the usage policy of c.
func (c Config) Policy() usage.Policy {
	return usage.Policy{Thresholds: usage.Thresholds{Warning: c.Warning, Critical: c.Critical}}
}

// Patterns of the values, as loose as AWS's own rules.
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	snsTopicPattern  = regexp.MustCompile(`^arn:[a-z0-9-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	// S3's rules for a general purpose bucket's name.
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// configFromEnv reads the configuration through getenv, as os.Getenv, and
// reports every problem at once, in one envconfig.Error; no message quotes
// the external ID.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Critical: usage.DefaultCritical, ScopeType: usage.ScopePrivate, Namespace: notify.DefaultNamespace,
		Sources: []usage.Source{usage.SourceIPAM}, RoleName: usage.DefaultRoleName, Metrics: usage.MetricsFindings,
		Concurrency: defaultConcurrency, DeadlineMargin: defaultDeadlineMargin, LogLevel: slog.LevelInfo,
	}
	var p envconfig.Problems
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envStep, Set: envconfig.Enum(&c.Step, "want list, scan or merge", stepList, stepScan, stepMerge)},
		envconfig.Var{Name: envBucket, Set: envconfig.String(&c.Bucket, bucketPattern.MatchString, envconfig.Quoted, "want the name of an S3 bucket")},
		envconfig.Var{Name: envThreshold, Set: envconfig.Range(&c.Critical, parsePercent, 0, 100, "want a percentage from 0 to 100, such as 80 or 85.5")},
		envconfig.Var{Name: envWarning, Set: envconfig.Range(&c.Warning, parsePercent, 0, 100, "want a percentage from 0 to 100, below "+envThreshold)},
	)
	if c.Step == "" {
		p = append(p, fmt.Errorf("%s is not set: want list, scan or merge", envStep))
	}
	if c.Bucket == "" && c.Step != "" {
		p = append(p, fmt.Errorf("%s is not set: want the bucket of the state machine's targets and results", envBucket))
	}
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
		envconfig.Var{Name: envSources, Set: c.setSources},
		envconfig.Var{Name: envAccounts, Set: c.setAccounts},
		envconfig.Var{Name: envRegions, Set: envconfig.List(&c.Regions, regionPattern.MatchString, "want a region such as us-east-1")},
		envconfig.Var{Name: envIPAMAccount, Set: envconfig.String(&c.IPAMAccount, accountIDPattern.MatchString, envconfig.Quoted, "want a 12-digit account ID")},
		envconfig.Var{Name: envIPAMRegion, Set: envconfig.String(&c.IPAMRegion, regionPattern.MatchString, envconfig.Quoted, "want a region such as us-east-1")},
		envconfig.Var{Name: envRoleName, Set: envconfig.String(&c.RoleName, envconfig.ValidRoleName, envconfig.Quoted, "want a role name (optionally with its path), not an ARN")},
		envconfig.Var{Name: envExternalID, Set: envconfig.String(&c.ExternalID, envconfig.ValidExternalID, envconfig.Unquoted, "want 2 to 1224 letters, digits or +=,.@:/-_")},
		envconfig.Var{Name: envAllClear, Set: envconfig.Bool(&c.AllClear)},
		envconfig.Var{Name: envMetrics, Set: envconfig.Enum(&c.Metrics, "want findings, all or none", usage.MetricsFindings, usage.MetricsAll, usage.MetricsNone)},
		envconfig.Var{Name: envConcurrency, Set: envconfig.Range(&c.Concurrency, envconfig.ParseInt, 1, 256, "want a whole number from 1 to 256")},
		envconfig.Var{Name: envDeadlineMargin, Set: envconfig.Range(&c.DeadlineMargin, envconfig.ParseDuration, time.Second, 15*time.Minute, "want a duration from 1s to 15m, such as 20s or 20")},
		envconfig.Var{Name: envLogLevel, Set: envconfig.LogLevel(&c.LogLevel)},
	)
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
	var srcs []usage.Source
	for _, s := range envconfig.SplitList(v) {
		switch src := usage.Source(strings.ToLower(s)); src {
		case "all":
			srcs = append(srcs, usage.SourceIPAM, usage.SourcePools, usage.SourceEC2)
		case usage.SourceIPAM, usage.SourcePools, usage.SourceEC2:
			srcs = append(srcs, src)
		default:
			p.Add(name, s, "want ipam, pools, ec2 or all")
		}
	}
	if len(srcs) == 0 {
		*p = append(*p, fmt.Errorf("%s: want ipam, pools, ec2 or all", name))
		return
	}
	c.Sources = nil
	for _, s := range []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2} {
		if slices.Contains(srcs, s) {
			c.Sources = append(c.Sources, s)
		}
	}
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

// parsePercent parses a percentage from 0 to 100, with an optional "%".
func parsePercent(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
		return 0, false
	}
	return f, true
}

// errNoRegion is returned by newHandler when neither IPAMKIT_REGIONS nor
// the AWS configuration names a region.
var errNoRegion = errors.New("no region: set " + envRegions + " or AWS_REGION")
