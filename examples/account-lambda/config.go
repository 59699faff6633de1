package main

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/ipamkit/ipamkit/share"
)

// The environment variables the function reads. The package documentation
// describes each.
const (
	envNetworkAccountID = "IPAMKIT_NETWORK_ACCOUNT_ID"
	envRoleName         = "IPAMKIT_ROLE_NAME"
	envExternalID       = "IPAMKIT_EXTERNAL_ID"
	envShareMode        = "IPAMKIT_SHARE_MODE"
	envTagKey           = "IPAMKIT_TAG_KEY"
	envMatch            = "IPAMKIT_MATCH"
	envPrune            = "IPAMKIT_PRUNE"
	envRegions          = "IPAMKIT_REGIONS"
	envIPAMRegion       = "IPAMKIT_IPAM_REGION"
	envScopeID          = "IPAMKIT_SCOPE_ID"
	envLogLevel         = "AWS_LAMBDA_LOG_LEVEL"
	envRegion           = "AWS_REGION" // set by Lambda: the function's region
)

// Config is the function's configuration, read once at cold start by
// configFromEnv. The zero Config is not valid: it names no networking
// account.
type Config struct {
	// NetworkAccountID owns the IPAM (or is its delegated administrator)
	// and shares its pools: 12 digits, leading zeros kept.
	NetworkAccountID string
	// RoleName is assumed in the networking account.
	RoleName string
	// ExternalID is passed to AssumeRole; it is never logged.
	ExternalID string
	// Mode is share.ModeAccount or share.ModeOU.
	Mode share.Mode
	// TagKey is the pools' allocation tag compared with the account's OU.
	TagKey string
	// Match is what the tag value is compared with.
	Match share.By
	// Prune disassociates pools that no longer match.
	Prune bool
	// Regions, when not empty, are the only pool locales shared.
	Regions []string
	// IPAMRegion is the IPAM's home region, where RAM shares are made.
	IPAMRegion string
	// ScopeID, when set, restricts sharing to the pools of one IPAM scope.
	ScopeID string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
}

// Rules returns the one matching rule of c.
func (c Config) Rules() []share.Rule {
	return []share.Rule{{TagKey: c.TagKey, By: c.Match, Locales: c.Regions}}
}

// configError is every problem of a configuration. Its message is one
// line, so that CloudWatch Logs keeps it in one event.
type configError []error

func (e configError) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	n := "1 problem"
	if len(e) != 1 {
		n = fmt.Sprintf("%d problems", len(e))
	}
	return fmt.Sprintf("invalid configuration (%s): %s", n, strings.Join(msgs, "; "))
}

// Unwrap returns the problems.
func (e configError) Unwrap() []error { return e }

// Patterns of the values, as loose as AWS's own rules.
var (
	accountIDPattern  = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern     = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	roleNamePattern   = regexp.MustCompile(`^/?([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // 2 to 1224 characters
	scopeIDPattern    = regexp.MustCompile(`^ipam-scope-[0-9a-f]{1,32}$`)
	// A tag key: 1 to 128 letters, digits, spaces and _.:/=+-@.
	tagKeyPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
)

// configFromEnv reads the configuration through getenv, as os.Getenv:
// each variable by its spec, in the order listed. It reports every
// problem at once, in one configError; no message quotes the external ID.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{RoleName: share.DefaultRoleName, Mode: share.ModeAccount, TagKey: share.DefaultTagKey,
		Match: share.ByOUName, LogLevel: slog.LevelInfo}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var p problems
	if get(envNetworkAccountID) == "" {
		p = append(p, fmt.Errorf("%s: missing: want the 12-digit ID of the account that owns the IPAM pools", envNetworkAccountID))
	}
	for _, ev := range []envVar{
		{envNetworkAccountID, stringVar(&c.NetworkAccountID, accountIDPattern.MatchString, quoted, "want a 12-digit account ID, leading zeros kept")},
		{envRoleName, stringVar(&c.RoleName, validRoleName, quoted, "want a role name (optionally with its path), not an ARN")},
		{envExternalID, stringVar(&c.ExternalID, validExternalID, unquoted, "want 2 to 1224 letters, digits or +=,.@:/-_")},
		{envShareMode, enumVar(&c.Mode, "want account or ou", share.ModeAccount, share.ModeOU)},
		{envTagKey, stringVar(&c.TagKey, validTagKey, quoted, "want a tag key: 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:")},
		{envMatch, enumVar(&c.Match, "want ou-name, ou-id or ou-path", share.ByOUName, share.ByOUID, share.ByOUPath)},
		{envPrune, boolVar(&c.Prune)},
		{envRegions, listVar(&c.Regions, regionPattern.MatchString, "want a region such as us-east-1")},
		{envIPAMRegion, stringVar(&c.IPAMRegion, regionPattern.MatchString, quoted, "want a region such as us-east-1")},
		{envScopeID, stringVar(&c.ScopeID, scopeIDPattern.MatchString, quoted, "want an IPAM scope ID such as ipam-scope-0123456789abcdef0")},
		{envLogLevel, c.setLogLevel},
	} {
		if v := get(ev.name); v != "" {
			ev.set(ev.name, v, &p)
		}
	}
	if c.IPAMRegion == "" && get(envIPAMRegion) == "" {
		switch r := get(envRegion); {
		case r == "":
			p = append(p, fmt.Errorf("%s: missing, and %s is not set: want the IPAM's home region", envIPAMRegion, envRegion))
		case !regionPattern.MatchString(r):
			p.add(envRegion, r, "want a region such as us-east-1")
		default:
			c.IPAMRegion = r
		}
	}
	if len(p) > 0 {
		return Config{}, configError(p)
	}
	return c, nil
}

// envVar is the spec of one environment variable: its name, and set, which
// reads its value (without surrounding blanks, never empty) into the
// configuration or records its problems.
type envVar struct {
	name string
	set  func(name, v string, p *problems)
}

// problems collects the problems of a configuration.
type problems []error

// add records `NAME "VALUE": want …`.
func (p *problems) add(name, value, want string) {
	*p = append(*p, fmt.Errorf("%s %q: %s", name, value, want))
}

// Whether a problem quotes the value: not when it may be a secret.
const (
	quoted   = true
	unquoted = false
)

// stringVar sets *field to a value that valid accepts.
func stringVar(field *string, valid func(string) bool, quote bool, want string) func(string, string, *problems) {
	return func(name, v string, p *problems) {
		*field = v
		switch {
		case valid(v):
		case quote:
			p.add(name, v, want)
		default:
			*p = append(*p, fmt.Errorf("%s: %s", name, want))
		}
	}
}

// listVar adds to *field each value of a comma-separated list that valid
// accepts, once.
func listVar(field *[]string, valid func(string) bool, want string) func(string, string, *problems) {
	return func(name, v string, p *problems) {
		for f := range strings.SplitSeq(v, ",") {
			switch s := strings.TrimSpace(f); {
			case s == "":
			case !valid(s):
				p.add(name, s, want)
			case !slices.Contains(*field, s):
				*field = append(*field, s)
			}
		}
	}
}

// enumVar sets *field to the one of values that v names, in any case.
func enumVar[T ~string](field *T, want string, values ...T) func(string, string, *problems) {
	return func(name, v string, p *problems) {
		if i := slices.Index(values, T(strings.ToLower(v))); i >= 0 {
			*field = values[i]
			return
		}
		p.add(name, v, want)
	}
}

// boolVar sets *field to a boolean: true, false, yes, no, 1, 0, on, off.
func boolVar(field *bool) func(string, string, *problems) {
	return func(name, v string, p *problems) {
		switch strings.ToLower(v) {
		case "yes", "y", "true", "t", "1", "on":
			*field = true
		case "no", "n", "false", "f", "0", "off":
			*field = false
		default:
			p.add(name, v, "want true or false")
		}
	}
}

func validRoleName(v string) bool {
	return roleNamePattern.MatchString(v) && !strings.HasPrefix(v, "arn:")
}

func validExternalID(v string) bool {
	return len(v) >= 2 && len(v) <= 1224 && externalIDPattern.MatchString(v)
}

func validTagKey(v string) bool {
	return tagKeyPattern.MatchString(v) && !strings.HasPrefix(strings.ToLower(v), "aws:")
}

func (c *Config) setLogLevel(name, v string, p *problems) {
	switch strings.ToUpper(v) {
	case "INFO":
	case "TRACE", "DEBUG":
		c.LogLevel = slog.LevelDebug
	case "WARN":
		c.LogLevel = slog.LevelWarn
	case "ERROR", "FATAL":
		c.LogLevel = slog.LevelError
	default:
		p.add(name, v, "want TRACE, DEBUG, INFO, WARN, ERROR or FATAL")
	}
}
