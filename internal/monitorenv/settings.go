package monitorenv

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

// The environment variables of the shared settings. The first seven are
// the monitor sample's, with its names and defaults; the IPAMKIT_ ones are
// new. The Lambdas' package documentation describes each.
const (
	EnvThreshold           = "IpamUsageThreshold"
	EnvScopeType           = "IpamScopeType"
	EnvResourceType        = "IpamResourceType"
	EnvSNSTopic            = "IpamSnsTopic"
	EnvSNSSubject          = "IpamSnsSubject"
	EnvCloudWatchEnabled   = "IpamCloudWatchEnabled"
	EnvCloudWatchNamespace = "IpamCloudWatchNamespace"

	EnvSources        = "IPAMKIT_SOURCES"
	EnvAccounts       = "IPAMKIT_ACCOUNTS"
	EnvRegions        = "IPAMKIT_REGIONS"
	EnvIPAMRegion     = "IPAMKIT_IPAM_REGION"
	EnvRoleName       = "IPAMKIT_ROLE_NAME"
	EnvExternalID     = "IPAMKIT_EXTERNAL_ID"
	EnvWarning        = "IPAMKIT_WARNING_THRESHOLD"
	EnvMetrics        = "IPAMKIT_METRICS"
	EnvAllClear       = "IPAMKIT_NOTIFY_ALL_CLEAR"
	EnvConcurrency    = "IPAMKIT_CONCURRENCY"
	EnvDeadlineMargin = "IPAMKIT_DEADLINE_MARGIN"
	EnvLogLevel       = "AWS_LAMBDA_LOG_LEVEL"
)

// Variables returns the variables of the shared settings that a deployment
// sets, in the order of the constants above: all but AWS_LAMBDA_LOG_LEVEL,
// which is Lambda's own, and but the credentials' (CredentialVariables).
func Variables() []string {
	return []string{
		EnvThreshold, EnvScopeType, EnvResourceType, EnvSNSTopic, EnvSNSSubject, EnvCloudWatchEnabled, EnvCloudWatchNamespace,
		EnvSources, EnvAccounts, EnvRegions, EnvIPAMRegion, EnvRoleName, EnvExternalID, EnvWarning, EnvMetrics, EnvAllClear,
		EnvConcurrency, EnvDeadlineMargin,
	}
}

// OrganizationKeyword is the value of IPAMKIT_ACCOUNTS that scans every
// active account of the organization.
const OrganizationKeyword = "organization"

// DefaultConcurrency is how many targets are scanned at once when
// IPAMKIT_CONCURRENCY is not set.
const DefaultConcurrency = 8

// Settings are the settings the monitor Lambdas share. Defaults returns
// them with their defaults; Read sets them from the environment. They hold
// no credential: webhook URLs and secrets are named here and fetched by
// Notifiers.
type Settings struct {
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
	Slack, Teams, Webhook, WebhookSecret Ref
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
}

// Defaults returns the settings of an empty environment, with
// deadlineMargin as the default of IPAMKIT_DEADLINE_MARGIN (each Lambda
// has its own).
func Defaults(deadlineMargin time.Duration) Settings {
	return Settings{
		Critical: usage.DefaultCritical, ScopeType: usage.ScopePrivate, Namespace: notify.DefaultNamespace,
		Sources: []usage.Source{usage.SourceIPAM}, RoleName: usage.DefaultRoleName, Metrics: usage.MetricsFindings,
		Concurrency: DefaultConcurrency, DeadlineMargin: deadlineMargin, LogLevel: slog.LevelInfo,
	}
}

// Policy returns the usage policy of the thresholds of s.
func (s Settings) Policy() usage.Policy {
	return usage.Policy{Thresholds: usage.Thresholds{Warning: s.Warning, Critical: s.Critical}}
}

// Patterns of the values, as loose as AWS's own rules.
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	snsTopicPattern  = regexp.MustCompile(`^arn:[a-z0-9-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
)

// ValidAccountID reports whether v is a 12-digit account ID.
func ValidAccountID(v string) bool { return accountIDPattern.MatchString(v) }

// ValidRegion reports whether v has the form of a region, such as
// us-east-1.
func ValidRegion(v string) bool { return regionPattern.MatchString(v) }

// Read sets s from the environment, through getenv as os.Getenv, adding
// every problem to p, in this order: the two thresholds and the check
// between them; the monitor sample's variables, then what is measured and
// where, to IPAMKIT_EXTERNAL_ID; the credentials' names; and the all-clear,
// metrics and running variables. A Lambda reads its own variables before
// or after. No problem quotes a value that could be a credential.
func (s *Settings) Read(getenv func(string) string, p *envconfig.Problems) {
	envconfig.Read(getenv, p,
		envconfig.Var{Name: EnvThreshold, Set: envconfig.Range(&s.Critical, parsePercent, 0, 100, "want a percentage from 0 to 100, such as 80 or 85.5")},
		envconfig.Var{Name: EnvWarning, Set: envconfig.Range(&s.Warning, parsePercent, 0, 100, "want a percentage from 0 to 100, below "+EnvThreshold)},
	)
	if err := s.Policy().Validate(); err != nil {
		*p = append(*p, fmt.Errorf("%s %v, %s %v: %w", EnvThreshold, s.Critical, EnvWarning, s.Warning, err))
	}
	envconfig.Read(getenv, p,
		envconfig.Var{Name: EnvScopeType, Set: envconfig.Enum(&s.ScopeType, "want private or public", usage.ScopePrivate, usage.ScopePublic)},
		envconfig.Var{Name: EnvResourceType, Set: s.setResourceTypes},
		envconfig.Var{Name: EnvSNSTopic, Set: envconfig.String(&s.SNSTopic, snsTopicPattern.MatchString, envconfig.Quoted,
			"want a topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC, or nothing for no SNS")},
		envconfig.Var{Name: EnvSNSSubject, Set: envconfig.String(&s.SNSSubject, validSubject, envconfig.Unquoted, "want at most 99 printable characters on one line")},
		envconfig.Var{Name: EnvCloudWatchEnabled, Set: envconfig.Bool(&s.CloudWatch)},
		envconfig.Var{Name: EnvCloudWatchNamespace, Set: envconfig.String(&s.Namespace, validNamespace, envconfig.Quoted,
			"want 1 to 255 characters, without ':' or white space, not starting with AWS/")},

		// What to measure, and where.
		envconfig.Var{Name: EnvSources, Set: s.setSources},
		envconfig.Var{Name: EnvAccounts, Set: s.setAccounts},
		envconfig.Var{Name: EnvRegions, Set: envconfig.List(&s.Regions, ValidRegion, "want a region such as us-east-1")},
		envconfig.Var{Name: EnvIPAMRegion, Set: envconfig.String(&s.IPAMRegion, ValidRegion, envconfig.Quoted, "want a region such as us-east-1")},
		envconfig.Var{Name: EnvRoleName, Set: envconfig.String(&s.RoleName, envconfig.ValidRoleName, envconfig.Quoted, "want a role name (optionally with its path), not an ARN")},
		envconfig.Var{Name: EnvExternalID, Set: envconfig.String(&s.ExternalID, envconfig.ValidExternalID, envconfig.Unquoted, "want 2 to 1224 letters, digits or +=,.@:/-_")},
	)
	s.readCredentials(func(name string) string { return strings.TrimSpace(getenv(name)) }, p) // by name only
	// The default, for the message.
	margin := s.DeadlineMargin
	envconfig.Read(getenv, p,
		envconfig.Var{Name: EnvAllClear, Set: envconfig.Bool(&s.AllClear)},

		// Metrics and running.
		envconfig.Var{Name: EnvMetrics, Set: envconfig.Enum(&s.Metrics, "want findings, all or none", usage.MetricsFindings, usage.MetricsAll, usage.MetricsNone)},
		envconfig.Var{Name: EnvConcurrency, Set: envconfig.Range(&s.Concurrency, envconfig.ParseInt, 1, 256, "want a whole number from 1 to 256")},
		envconfig.Var{Name: EnvDeadlineMargin, Set: envconfig.Range(&s.DeadlineMargin, envconfig.ParseDuration, time.Second, 15*time.Minute,
			fmt.Sprintf("want a duration from 1s to 15m, such as %v or %d", margin, int(margin.Seconds())))},
		envconfig.Var{Name: EnvLogLevel, Set: envconfig.LogLevel(&s.LogLevel)},
	)
}

func validSubject(v string) bool {
	return len(v) <= 99 && !strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f })
}

func validNamespace(v string) bool {
	return len(v) <= 255 && !strings.HasPrefix(v, "AWS/") && !strings.ContainsAny(v, ": \t")
}

// ipamTypes are the resource types IpamResourceType accepts.
var ipamTypes = []usage.ResourceType{usage.TypeVPC, usage.TypeSubnet, usage.TypeEIP, usage.TypePublicIPv4Pool, usage.TypeIPv6Pool}

func (s *Settings) setResourceTypes(name, v string, p *envconfig.Problems) {
	if v == "*" {
		return
	}
	for _, t := range envconfig.SplitList(v) {
		rt := usage.ResourceType(strings.ToLower(t))
		switch {
		case !slices.Contains(ipamTypes, rt):
			p.Add(name, t, "want * or one or more of vpc, subnet, eip, public-ipv4-pool, ipv6-pool")
		case !slices.Contains(s.ResourceTypes, rt):
			s.ResourceTypes = append(s.ResourceTypes, rt)
		}
	}
}

func (s *Settings) setSources(name, v string, p *envconfig.Problems) {
	list := envconfig.SplitList(v)
	if len(list) == 0 {
		*p = append(*p, fmt.Errorf("%s: want ipam, pools, ec2 or all", name))
	}
	var srcs []usage.Source
	for _, v := range list {
		switch src := usage.Source(strings.ToLower(v)); src {
		case "all":
			srcs = append(srcs, usage.SourceIPAM, usage.SourcePools, usage.SourceEC2)
		case usage.SourceIPAM, usage.SourcePools, usage.SourceEC2:
			srcs = append(srcs, src)
		default:
			p.Add(name, v, "want ipam, pools, ec2 or all")
		}
	}
	s.Sources = orderSources(srcs)
}

func (s *Settings) setAccounts(name, v string, p *envconfig.Problems) {
	if strings.EqualFold(v, OrganizationKeyword) {
		s.Organization = true
		return
	}
	for _, a := range envconfig.SplitList(v) {
		switch {
		case strings.EqualFold(a, OrganizationKeyword):
			*p = append(*p, fmt.Errorf("%s: %s excludes a list of accounts", name, OrganizationKeyword))
		case !accountIDPattern.MatchString(a):
			p.Add(name, a, "want a 12-digit account ID, or "+OrganizationKeyword+" alone")
		case !slices.Contains(s.Accounts, a):
			s.Accounts = append(s.Accounts, a)
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

// orderSources returns the sources without duplicates, in the order the
// scanner reads them: ipam, pools, then ec2.
func orderSources(srcs []usage.Source) []usage.Source {
	var out []usage.Source
	for _, s := range []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2} {
		if slices.Contains(srcs, s) {
			out = append(out, s)
		}
	}
	return out
}

// ErrNoRegion is the error of a Lambda when neither IPAMKIT_REGIONS nor
// the AWS configuration names a region.
var ErrNoRegion = errors.New("no region: set " + EnvRegions + " or AWS_REGION")
