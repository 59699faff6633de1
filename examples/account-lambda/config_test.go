package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaults is the configuration of the least environment: the networking
// account, and Lambda's AWS_REGION.
var defaults = Config{
	NetworkAccountID: "012345678901",
	RoleName:         "AWSControlTowerExecution",
	Mode:             share.ModeAccount,
	TagKey:           "Env",
	Match:            share.ByOUName,
	IPAMRegion:       "eu-west-1",
	LogLevel:         slog.LevelInfo,
}

// least is the least environment.
func least() map[string]string {
	return map[string]string{envNetworkAccountID: "012345678901", envRegion: "eu-west-1"}
}

// with returns defaults changed by fn.
func with(fn func(c *Config)) Config {
	c := defaults
	fn(&c)
	return c
}

// envWith returns the least environment with kv set (name, value, …).
func envWith(kv ...string) map[string]string {
	env := least()
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{name: "least", env: least(), want: defaults},
		{name: "blanks trimmed", env: envWith(envNetworkAccountID, " 012345678901\n"), want: defaults},
		{name: "empty values are defaults", env: envWith(envRoleName, "", envShareMode, "", envTagKey, " ", envMatch, "", envPrune, "", envRegions, ""), want: defaults},
		{name: "role name", env: envWith(envRoleName, "IpamkitAccountShareRole"), want: with(func(c *Config) { c.RoleName = "IpamkitAccountShareRole" })},
		{name: "role name with a path", env: envWith(envRoleName, "/ipamkit/IpamkitAccountShareRole"), want: with(func(c *Config) { c.RoleName = "/ipamkit/IpamkitAccountShareRole" })},
		{name: "external ID", env: envWith(envExternalID, "ext-id:5c0ffee"), want: with(func(c *Config) { c.ExternalID = "ext-id:5c0ffee" })},
		{name: "OU mode", env: envWith(envShareMode, "OU"), want: with(func(c *Config) { c.Mode = share.ModeOU })},
		{name: "tag key", env: envWith(envTagKey, "ipam:environment"), want: with(func(c *Config) { c.TagKey = "ipam:environment" })},
		{name: "match by OU ID", env: envWith(envMatch, "ou-id"), want: with(func(c *Config) { c.Match = share.ByOUID })},
		{name: "match by OU path", env: envWith(envMatch, "OU-Path"), want: with(func(c *Config) { c.Match = share.ByOUPath })},
		{name: "prune", env: envWith(envPrune, "yes"), want: with(func(c *Config) { c.Prune = true })},
		{name: "no prune", env: envWith(envPrune, "0"), want: defaults},
		{name: "regions, once each", env: envWith(envRegions, "us-west-2, us-east-1,,us-west-2"), want: with(func(c *Config) { c.Regions = []string{"us-west-2", "us-east-1"} })},
		{name: "IPAM region", env: envWith(envIPAMRegion, "us-east-1"), want: with(func(c *Config) { c.IPAMRegion = "us-east-1" })},
		{name: "IPAM region without AWS_REGION", env: map[string]string{envNetworkAccountID: "012345678901", envIPAMRegion: "us-east-1"}, want: with(func(c *Config) { c.IPAMRegion = "us-east-1" })},
		{name: "scope", env: envWith(envScopeID, "ipam-scope-0123456789abcdef0"), want: with(func(c *Config) { c.ScopeID = "ipam-scope-0123456789abcdef0" })},
		{name: "debug", env: envWith(envLogLevel, "trace"), want: with(func(c *Config) { c.LogLevel = slog.LevelDebug })},
		{name: "warn", env: envWith(envLogLevel, "WARN"), want: with(func(c *Config) { c.LogLevel = slog.LevelWarn })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFromEnv(func(k string) string { return tt.env[k] })
			require.NoError(t, err, "%v", tt.env)
			assert.Equal(t, tt.want, got, "%v", tt.env)
		})
	}
}

func TestConfigRules(t *testing.T) {
	t.Parallel()
	c := with(func(c *Config) { c.TagKey, c.Match, c.Regions = "Team", share.ByOUPath, []string{"us-east-1"} })
	assert.Equal(t, []share.Rule{{TagKey: "Team", By: share.ByOUPath, Locales: []string{"us-east-1"}}}, c.Rules())
}

func TestConfigProblems(t *testing.T) {
	t.Parallel()
	const secret = "§" // an external ID that is not valid
	env := map[string]string{
		envNetworkAccountID: "12345678901",
		envRoleName:         "arn:aws:iam::222222222222:role/AWSControlTowerExecution",
		envExternalID:       secret,
		envShareMode:        "org",
		envTagKey:           "aws:cloudformation:stack-name",
		envMatch:            "ou",
		envPrune:            "maybe",
		envRegions:          "us-east-1,Mars",
		envIPAMRegion:       "us_east_1",
		envScopeID:          "ipam-pool-0abc",
		envLogLevel:         "LOUD",
	}
	_, err := configFromEnv(func(k string) string { return env[k] })
	require.Error(t, err)
	var ce configError
	require.ErrorAs(t, err, &ce)
	want := []string{
		`IPAMKIT_NETWORK_ACCOUNT_ID "12345678901": want a 12-digit account ID, leading zeros kept`,
		`IPAMKIT_ROLE_NAME "arn:aws:iam::222222222222:role/AWSControlTowerExecution": want a role name (optionally with its path), not an ARN`,
		`IPAMKIT_EXTERNAL_ID: want 2 to 1224 letters, digits or +=,.@:/-_`,
		`IPAMKIT_SHARE_MODE "org": want account or ou`,
		`IPAMKIT_TAG_KEY "aws:cloudformation:stack-name": want a tag key: 1 to 128 letters, digits, spaces or _.:/=+-@, not starting with aws:`,
		`IPAMKIT_MATCH "ou": want ou-name, ou-id or ou-path`,
		`IPAMKIT_PRUNE "maybe": want true or false`,
		`IPAMKIT_REGIONS "Mars": want a region such as us-east-1`,
		`IPAMKIT_IPAM_REGION "us_east_1": want a region such as us-east-1`,
		`IPAMKIT_SCOPE_ID "ipam-pool-0abc": want an IPAM scope ID such as ipam-scope-0123456789abcdef0`,
		`AWS_LAMBDA_LOG_LEVEL "LOUD": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`,
	}
	var got []string
	for _, e := range ce {
		got = append(got, e.Error())
	}
	assert.Equal(t, want, got, "every problem, in the order of the variables")
	assert.Equal(t, "invalid configuration (11 problems): "+strings.Join(want, "; "), err.Error(), "one line")
	assert.NotContains(t, err.Error(), secret, "the external ID is never quoted")
}

func TestConfigMissing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"empty", nil, []string{
			"IPAMKIT_NETWORK_ACCOUNT_ID: missing: want the 12-digit ID of the account that owns the IPAM pools",
			"IPAMKIT_IPAM_REGION: missing, and AWS_REGION is not set: want the IPAM's home region",
		}},
		{"bad AWS_REGION", map[string]string{envNetworkAccountID: "012345678901", envRegion: "nowhere"}, []string{
			`AWS_REGION "nowhere": want a region such as us-east-1`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := configFromEnv(func(k string) string { return tt.env[k] })
			var ce configError
			require.ErrorAs(t, err, &ce)
			var got []string
			for _, e := range ce {
				got = append(got, e.Error())
			}
			assert.Equal(t, tt.want, got)
			assert.Len(t, ce, len(tt.want))
			for _, e := range tt.want {
				assert.Contains(t, err.Error(), e, "one error lists every problem")
			}
		})
	}
}

func TestMisconfiguredHandle(t *testing.T) {
	t.Parallel()
	_, err := configFromEnv(func(k string) string { return map[string]string{envNetworkAccountID: "1", envRegion: "us-east-1"}[k] })
	require.Error(t, err)
	var logs bytes.Buffer
	m := misconfigured{err: err, log: slog.New(slog.NewJSONHandler(&logs, nil))}
	resp, herr := m.Handle(t.Context(), event(t, "create-succeeded.json"))
	require.NoError(t, herr, "not retried")
	assert.Equal(t, Response{EventID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", Status: statusFailed, Changes: []share.Change{},
		Error: `invalid configuration (1 problem): IPAMKIT_NETWORK_ACCOUNT_ID "1": want a 12-digit account ID, leading zeros kept`, Terminal: true}, resp)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &rec), "one record: %s", logs.String())
	assert.Equal(t, "ERROR", rec["level"])
	assert.Equal(t, resp.Error, rec["error"])
}
