package main

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// defaults is the configuration of an empty environment.
var defaults = Config{Settings: monitorenv.Settings{
	Critical:       80,
	ScopeType:      usage.ScopePrivate,
	Sources:        []usage.Source{usage.SourceIPAM},
	RoleName:       "OrganizationAccountAccessRole",
	Namespace:      "CUSTOM/IPAM",
	Metrics:        usage.MetricsFindings,
	Concurrency:    8,
	DeadlineMargin: 30 * time.Second,
	LogLevel:       slog.LevelInfo,
}}

// with returns defaults changed by fn.
func with(fn func(c *Config)) Config {
	c := defaults
	fn(&c)
	return c
}

// getenv returns a getenv over env.
func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{name: "empty", env: nil, want: defaults},
		{
			name: "the sample's env.json",
			env: map[string]string{
				"IpamUsageThreshold":      "20.0",
				"IpamScopeType":           "private",
				"IpamResourceType":        "*",
				"IpamSnsTopic":            "arn:aws:sns:us-east-2:645411899653:my-aws-training-sns-lambda",
				"IpamCloudWatchNamespace": "CUSTOM/IPAM",
				"IpamCloudWatchEnabled":   "true",
			},
			want: with(func(c *Config) {
				c.Critical, c.CloudWatch = 20, true
				c.SNSTopic = "arn:aws:sns:us-east-2:645411899653:my-aws-training-sns-lambda"
			}),
		},
		{
			name: "the sample's template defaults: empty topic means no SNS",
			env:  map[string]string{"IpamUsageThreshold": "80.0", "IpamSnsTopic": "", "IpamSnsSubject": "[alert] - Amazon VPC IPAM Usage"},
			want: with(func(c *Config) { c.SNSSubject = "[alert] - Amazon VPC IPAM Usage" }),
		},
		{
			name: "sample spellings",
			env: map[string]string{
				"IpamUsageThreshold": " 85.5% ", "IpamScopeType": "Public", "IpamResourceType": "vpc, subnet,vpc",
				"IpamCloudWatchEnabled": "Y",
			},
			want: with(func(c *Config) {
				c.Critical, c.ScopeType, c.CloudWatch = 85.5, usage.ScopePublic, true
				c.ResourceTypes = []usage.ResourceType{usage.TypeVPC, usage.TypeSubnet}
			}),
		},
		{
			name: "everything new",
			env: map[string]string{
				"IPAMKIT_SOURCES":             "ec2,ipam,pools,ec2",
				"IPAMKIT_ACCOUNTS":            "012345678901, 333333333333,012345678901",
				"IPAMKIT_REGIONS":             "us-east-1,eu-west-1,us-gov-west-1",
				"IPAMKIT_IPAM_REGION":         "eu-west-1",
				"IPAMKIT_ROLE_NAME":           "/ops/ipamkit-reader",
				"IPAMKIT_EXTERNAL_ID":         "ext-123",
				"IPAMKIT_WARNING_THRESHOLD":   "70",
				"IPAMKIT_METRICS":             "ALL",
				"IPAMKIT_NOTIFY_ALL_CLEAR":    "true",
				"IPAMKIT_CONCURRENCY":         "16",
				"IPAMKIT_DEADLINE_MARGIN":     "45",
				"AWS_LAMBDA_LOG_LEVEL":        "debug",
				"IPAMKIT_SLACK_URL_PARAM":     "/ipamkit/slack-url",
				"IPAMKIT_TEAMS_URL_SECRET_ID": "arn:aws:secretsmanager:us-east-1:222222222222:secret:ipamkit/teams-AbCdEf",
				"IPAMKIT_WEBHOOK_URL_PARAM":   "arn:aws:ssm:us-east-1:222222222222:parameter/ipamkit/hook",
				"IPAMKIT_WEBHOOK_SECRET_ID":   "ipamkit/hook-key",
				"IpamCloudWatchNamespace":     "Network/IPAM",
			},
			want: with(func(c *Config) {
				c.Sources = []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2}
				c.Accounts = []string{"012345678901", "333333333333"}
				c.Regions = []string{"us-east-1", "eu-west-1", "us-gov-west-1"}
				c.IPAMRegion, c.RoleName, c.ExternalID = "eu-west-1", "/ops/ipamkit-reader", "ext-123"
				c.Warning, c.Metrics, c.AllClear = 70, usage.MetricsAll, true
				c.Concurrency, c.DeadlineMargin, c.LogLevel = 16, 45*time.Second, slog.LevelDebug
				c.Namespace = "Network/IPAM"
				c.Slack = monitorenv.Ref{Store: monitorenv.StoreSSM, Name: "/ipamkit/slack-url", Env: "IPAMKIT_SLACK_URL_PARAM"}
				c.Teams = monitorenv.Ref{Store: monitorenv.StoreSecretsManager, Name: "arn:aws:secretsmanager:us-east-1:222222222222:secret:ipamkit/teams-AbCdEf", Env: "IPAMKIT_TEAMS_URL_SECRET_ID"}
				c.Webhook = monitorenv.Ref{Store: monitorenv.StoreSSM, Name: "arn:aws:ssm:us-east-1:222222222222:parameter/ipamkit/hook", Env: "IPAMKIT_WEBHOOK_URL_PARAM"}
				c.WebhookSecret = monitorenv.Ref{Store: monitorenv.StoreSecretsManager, Name: "ipamkit/hook-key", Env: "IPAMKIT_WEBHOOK_SECRET_ID"}
			}),
		},
		{
			name: "organization, all sources",
			env:  map[string]string{"IPAMKIT_ACCOUNTS": "Organization", "IPAMKIT_SOURCES": "all", "IPAMKIT_DEADLINE_MARGIN": "1m30s", "IPAMKIT_METRICS": "none"},
			want: with(func(c *Config) {
				c.Organization = true
				c.Sources = []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2}
				c.DeadlineMargin, c.Metrics = 90*time.Second, usage.MetricsNone
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFromEnv(getenv(tt.env))
			require.NoError(t, err, "configFromEnv(%v)", tt.env)
			assert.Equal(t, tt.want, got, "configFromEnv(%v)", tt.env)
		})
	}
}

func TestConfigFromEnvReportsEveryProblem(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"IpamUsageThreshold":        "eighty",
		"IPAMKIT_WARNING_THRESHOLD": "101",
		"IpamScopeType":             "shared",
		"IpamResourceType":          "vpc,eni",
		"IpamSnsTopic":              "my-topic",
		"IpamSnsSubject":            "two\nlines",
		"IpamCloudWatchEnabled":     "maybe",
		"IpamCloudWatchNamespace":   "AWS/IPAM",
		"IPAMKIT_SOURCES":           "ipam,s3",
		"IPAMKIT_ACCOUNTS":          "12345,organization",
		"IPAMKIT_REGIONS":           "us-east-1,mars",
		"IPAMKIT_IPAM_REGION":       "Virginia",
		"IPAMKIT_ROLE_NAME":         "arn:aws:iam::111111111111:role/x",
		"IPAMKIT_EXTERNAL_ID":       "x",
		"IPAMKIT_METRICS":           "some",
		"IPAMKIT_NOTIFY_ALL_CLEAR":  "sometimes",
		"IPAMKIT_CONCURRENCY":       "0",
		"IPAMKIT_DEADLINE_MARGIN":   "soon",
		"AWS_LAMBDA_LOG_LEVEL":      "LOUD",
	}
	want := []string{
		`IpamUsageThreshold "eighty": want a percentage from 0 to 100`,
		`IPAMKIT_WARNING_THRESHOLD "101": want a percentage from 0 to 100`,
		`IpamScopeType "shared": want private or public`,
		`IpamResourceType "eni": want * or one or more of vpc, subnet, eip, public-ipv4-pool, ipv6-pool`,
		`IpamSnsTopic "my-topic": want a topic ARN`,
		`IpamSnsSubject: want at most 99 printable characters on one line`,
		`IpamCloudWatchEnabled "maybe": want true or false`,
		`IpamCloudWatchNamespace "AWS/IPAM": want 1 to 255 characters`,
		`IPAMKIT_SOURCES "s3": want ipam, pools, ec2 or all`,
		`IPAMKIT_ACCOUNTS "12345": want a 12-digit account ID`,
		`IPAMKIT_ACCOUNTS: organization excludes a list of accounts`,
		`IPAMKIT_REGIONS "mars": want a region such as us-east-1`,
		`IPAMKIT_IPAM_REGION "Virginia": want a region such as us-east-1`,
		`IPAMKIT_ROLE_NAME "arn:aws:iam::111111111111:role/x": want a role name`,
		`IPAMKIT_EXTERNAL_ID: want 2 to 1224 letters`,
		`IPAMKIT_NOTIFY_ALL_CLEAR "sometimes": want true or false`,
		`IPAMKIT_METRICS "some": want findings, all or none`,
		`IPAMKIT_CONCURRENCY "0": want a whole number from 1 to 256`,
		`IPAMKIT_DEADLINE_MARGIN "soon": want a duration from 1s to 15m`,
		`AWS_LAMBDA_LOG_LEVEL "LOUD": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`,
	}
	_, err := configFromEnv(getenv(env))
	require.Error(t, err)
	var ce configError
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce, len(want), "one problem per bad value: %v", err)
	for i, w := range want {
		assert.ErrorContains(t, ce[i], w, "problem %d", i)
	}
	assert.NotContains(t, err.Error(), "\n", "one line, one CloudWatch Logs event")
	assert.True(t, strings.HasPrefix(err.Error(), "invalid configuration (20 problems): "), err.Error())

	// A warning level at or above the critical one is the policy's problem.
	_, err = configFromEnv(getenv(map[string]string{"IpamUsageThreshold": "70", "IPAMKIT_WARNING_THRESHOLD": "90"}))
	require.ErrorIs(t, err, usage.ErrBadPolicy)
	assert.ErrorContains(t, err, "IpamUsageThreshold 70, IPAMKIT_WARNING_THRESHOLD 90")
}

func TestConfigFromEnvCredentialsByNameOnly(t *testing.T) {
	t.Parallel()
	const secretURL = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{
			name: "plain variables",
			env: map[string]string{
				"IPAMKIT_SLACK_URL":      secretURL,
				"IPAMKIT_TEAMS_URL":      secretURL,
				"IPAMKIT_WEBHOOK_URL":    secretURL,
				"IPAMKIT_WEBHOOK_SECRET": "XXXXsecretXXXX",
			},
			want: []string{
				"IPAMKIT_SLACK_URL is set: a credential never goes in a plain variable; store it as an SSM SecureString or a Secrets Manager secret and give its name in IPAMKIT_SLACK_URL_PARAM or IPAMKIT_SLACK_URL_SECRET_ID",
				"IPAMKIT_TEAMS_URL is set",
				"IPAMKIT_WEBHOOK_URL is set",
				"IPAMKIT_WEBHOOK_SECRET is set",
			},
		},
		{
			name: "the credential instead of its name",
			env: map[string]string{
				"IPAMKIT_SLACK_URL_PARAM":      secretURL,
				"IPAMKIT_TEAMS_URL_SECRET_ID":  secretURL,
				"IPAMKIT_WEBHOOK_URL_PARAM":    "/ipamkit/hook",
				"IPAMKIT_WEBHOOK_SECRET_PARAM": "XXXXsecretXXXX with spaces",
			},
			want: []string{
				"IPAMKIT_SLACK_URL_PARAM: want the name or ARN of an SSM parameter (letters, digits and _.-/ only), not the credential itself",
				"IPAMKIT_TEAMS_URL_SECRET_ID: want the name or ARN of a Secrets Manager secret, not the credential itself",
				"IPAMKIT_WEBHOOK_SECRET_PARAM: want the name or ARN of an SSM parameter",
			},
		},
		{
			name: "two places for one credential",
			env:  map[string]string{"IPAMKIT_SLACK_URL_PARAM": "/a", "IPAMKIT_SLACK_URL_SECRET_ID": "a"},
			want: []string{"IPAMKIT_SLACK_URL_PARAM and IPAMKIT_SLACK_URL_SECRET_ID exclude each other"},
		},
		{
			name: "a webhook secret without a webhook",
			env:  map[string]string{"IPAMKIT_WEBHOOK_SECRET_ID": "ipamkit/hook-key"},
			want: []string{"IPAMKIT_WEBHOOK_SECRET_PARAM or IPAMKIT_WEBHOOK_SECRET_ID needs IPAMKIT_WEBHOOK_URL_PARAM or IPAMKIT_WEBHOOK_URL_SECRET_ID"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := configFromEnv(getenv(tt.env))
			var ce configError
			require.True(t, errors.As(err, &ce), "configFromEnv(%v) = %v", tt.env, err)
			require.Len(t, ce, len(tt.want), "%v", err)
			for i, w := range tt.want {
				assert.ErrorContains(t, ce[i], w, "problem %d", i)
			}
			assert.NotContains(t, err.Error(), "XXXX", "the error quotes a credential")
			assert.NotContains(t, err.Error(), "hooks.slack.com")
		})
	}
}
