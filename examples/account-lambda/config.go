package main

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/ipamkit/ipamkit/internal/envconfig"
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

// configError is the error of an invalid configuration: every problem at
// once, on one line.
type configError = envconfig.Error

// Patterns of the values, as loose as AWS's own rules.
var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern    = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	scopeIDPattern   = regexp.MustCompile(`^ipam-scope-[0-9a-f]{1,32}$`)
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
	var p envconfig.Problems
	if get(envNetworkAccountID) == "" {
		p = append(p, fmt.Errorf("%s: missing: want the 12-digit ID of the account that owns the IPAM pools", envNetworkAccountID))
	}
	envconfig.Read(getenv, &p,
		envconfig.Var{Name: envNetworkAccountID, Set: envconfig.String(&c.NetworkAccountID, accountIDPattern.MatchString, envconfig.Quoted, "want a 12-digit account ID, leading zeros kept")},
		envconfig.Var{Name: envRoleName, Set: envconfig.String(&c.RoleName, envconfig.ValidRoleName, envconfig.Quoted, "want a role name (optionally with its path), not an ARN")},
		envconfig.Var{Name: envExternalID, Set: envconfig.String(&c.ExternalID, envconfig.ValidExternalID, envconfig.Unquoted, "want 2 to 1224 letters, digits or +=,.@:/-_")},
		envconfig.Var{Name: envShareMode, Set: envconfig.Enum(&c.Mode, "want account or ou", share.ModeAccount, share.ModeOU)},
		envconfig.Var{Name: envTagKey, Set: envconfig.String(&c.TagKey, validTagKey, envconfig.Quoted, "want a tag key: 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:")},
		envconfig.Var{Name: envMatch, Set: envconfig.Enum(&c.Match, "want ou-name, ou-id or ou-path", share.ByOUName, share.ByOUID, share.ByOUPath)},
		envconfig.Var{Name: envPrune, Set: envconfig.Bool(&c.Prune)},
		envconfig.Var{Name: envRegions, Set: envconfig.List(&c.Regions, regionPattern.MatchString, "want a region such as us-east-1")},
		envconfig.Var{Name: envIPAMRegion, Set: envconfig.String(&c.IPAMRegion, regionPattern.MatchString, envconfig.Quoted, "want a region such as us-east-1")},
		envconfig.Var{Name: envScopeID, Set: envconfig.String(&c.ScopeID, scopeIDPattern.MatchString, envconfig.Quoted, "want an IPAM scope ID such as ipam-scope-0123456789abcdef0")},
		envconfig.Var{Name: envLogLevel, Set: envconfig.LogLevel(&c.LogLevel)},
	)
	if c.IPAMRegion == "" && get(envIPAMRegion) == "" {
		switch r := get(envRegion); {
		case r == "":
			p = append(p, fmt.Errorf("%s: missing, and %s is not set: want the IPAM's home region", envIPAMRegion, envRegion))
		case !regionPattern.MatchString(r):
			p.Add(envRegion, r, "want a region such as us-east-1")
		default:
			c.IPAMRegion = r
		}
	}
	if err := p.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func validTagKey(v string) bool {
	return tagKeyPattern.MatchString(v) && !strings.HasPrefix(strings.ToLower(v), "aws:")
}
