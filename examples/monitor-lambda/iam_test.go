package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/ipamkit/ipamkit/internal/cfntest"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
)

// The deployment templates of examples/deploy.
const (
	monitorTemplate    = "../deploy/monitor.yaml"
	memberRoleTemplate = "../deploy/member-role.yaml"
)

// iamExceptions are the actions of the function's role that no API call of
// the code makes, so that the fake cannot serve them, each with the reason
// it is granted. Keep it short: every other action must be called.
var iamExceptions = map[string]string{
	"kms:Decrypt": "SSM and Secrets Manager call KMS on the caller's behalf (kms:ViaService) to decrypt a SecureString or " +
		"secret under a customer managed key; only granted when IpamkitCredentialsKmsKeyArn is given",
	"logs:CreateLogStream": "Lambda writes the function's standard output and error to its log group with the role's credentials; " +
		"the code calls no CloudWatch Logs API",
	"logs:PutLogEvents": "as logs:CreateLogStream",
	"s3:ListBucket": "S3 checks it to answer GetObject of a missing state object with 404 NoSuchKey (the first run) rather than " +
		"403 AccessDenied; narrowed by s3:prefix to the state key, and the code never lists",
}

// starResourceActions are the only actions a statement may grant on
// Resource "*": they support no resource-level permission (PutMetricData
// is narrowed by a namespace condition instead).
var starResourceActions = []string{
	"ec2:DescribeIpams", "ec2:DescribeIpamScopes", "ec2:GetIpamResourceCidrs", "ec2:GetIpamDiscoveredAccounts",
	"ec2:DescribeIpamPools", "ec2:GetIpamPoolCidrs", "ec2:GetIpamPoolAllocations", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
	"sts:GetCallerIdentity", "organizations:ListAccounts", "cloudwatch:PutMetricData",
	"cloudwatch:GetMetricData", "ec2:GetIpamAddressHistory",
}

// TestIAMPolicyMatchesCalls runs the monitor end to end against the fake,
// with every source, notifier and credential store and PutMetricData on,
// once over a list of accounts and once over the organization, and checks
// the deployment's policies against the actions the fake served, both ways:
// the function's role (monitor.yaml) against the calls made with the
// function's own credentials, and the member role (member-role.yaml)
// against the calls made with the credentials of the assumed role.
func TestIAMPolicyMatchesCalls(t *testing.T) {
	t.Parallel()
	own, assumed := map[string]bool{}, map[string]bool{}
	const reportBucket, reportPrefix = "ipam-reports", "network/ipam/"
	// The forecast reads its history from CloudWatch in one run, from
	// IPAM in the other.
	for i, accounts := range []string{networkAccount + "," + prodAccount, organizationKeyword} {
		w := newTestWorld(t)
		env := w.baseEnv()
		env[monitorenv.EnvSources] = "all"
		env[monitorenv.EnvAccounts] = accounts
		env[envForecast] = []string{"cloudwatch", "ipam"}[i]
		env[envExhaustionWarning] = "30"
		env[monitorenv.EnvCloudWatchEnabled] = "true"
		env[monitorenv.EnvAllClear] = "true"
		env[envStateBucket] = stateBucket // s3:GetObject and s3:PutObject
		env[envReportBucket], env[envReportPrefix] = reportBucket, reportPrefix
		// S3 is not in the fake: the HTML report's puts are recorded by a
		// mock, and proven to stay inside the policy's bucket/prefix*.
		var puts []putObject
		s3mock := NewMocks3API(gomock.NewController(t))
		recordPuts(s3mock, &puts, nil)
		r, err := w.newRun(t, env, func(o *handlerOptions) { o.S3 = s3mock })
		require.NoError(t, err)
		resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
		require.NoError(t, err, "accounts %s", accounts)
		require.Empty(t, resp.NotifyErrors, "accounts %s", accounts)
		require.NotEmpty(t, w.srv.Metrics(), "PutMetricData was called")
		require.NotEmpty(t, w.srv.Messages(), "SNS was published to")
		require.NotEmpty(t, resp.Report.Resources)
		for _, r := range resp.Report.Resources {
			require.NotNil(t, r.Forecast, "forecast from %s: %s", env[envForecast], r.ID)
		}
		require.NotEmpty(t, puts, "the HTML report was put")
		for _, p := range puts {
			assert.Equal(t, reportBucket, p.bucket)
			assert.True(t, strings.HasPrefix(p.key, reportPrefix), "key %q under %s", p.key, reportPrefix)
			own["s3:PutObject"] = true
		}

		for _, c := range w.srv.Calls() {
			action, ok := cfntest.IAMAction(c.Service, c.Operation)
			require.True(t, ok, "call to a service with no IAM prefix: %+v", c)
			if c.AccessKeyID == networkKey {
				own[action] = true
			} else {
				assumed[action] = true
			}
			if c.ErrorCode != "" && (action != "s3:GetObject" || c.ErrorCode != "NoSuchKey") { // the first run: no state yet
				// Only the management account, which has no member role, may refuse.
				assert.Equal(t, "sts:AssumeRole", action, "call failed: %+v", c)
			}
		}
	}

	t.Run("function role", func(t *testing.T) {
		granted := cfntest.RoleActions(t, cfntest.FunctionRole(t, cfntest.Load(t, monitorTemplate)), starResourceActions)
		cfntest.AssertGrants(t, "the function's role in "+monitorTemplate, granted, own, iamExceptions)
	})
	t.Run("member role", func(t *testing.T) {
		role := cfntest.ResourceOfType(t, cfntest.Load(t, memberRoleTemplate), "AWS::IAM::Role")
		granted := cfntest.RoleActions(t, role, starResourceActions)
		cfntest.AssertGrants(t, "the member role in "+memberRoleTemplate, granted, assumed, nil)
	})
}

// TestReportPolicyResource checks that s3:PutObject is granted on the
// configured bucket and prefix only, the keys TestIAMPolicyMatchesCalls
// saw the function write (which also proves no other S3 action is
// granted).
func TestReportPolicyResource(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(monitorTemplate)
	require.NoError(t, err)
	stmt := regexp.MustCompile(`(?m)^ +Action: s3:PutObject\n +Resource: (.*)$`).FindStringSubmatch(string(b))
	require.NotNil(t, stmt, "a statement granting s3:PutObject in %s", monitorTemplate)
	assert.Equal(t, "!Sub arn:${AWS::Partition}:s3:::${IpamkitReportBucket}/${IpamkitReportPrefix}*", stmt[1])
}

// TestTemplateEnvironment checks that the function's environment sets
// every variable the code reads (AWS_LAMBDA_LOG_LEVEL is Lambda's own),
// each from a parameter, and no other.
func TestTemplateEnvironment(t *testing.T) {
	t.Parallel()
	want := append(monitorenv.Variables(), monitorenv.CredentialVariables()...)
	want = append(want, envStateBucket, envStateKey, envRemind, envSNSFilter, envSlackFilter, envTeamsFilter, envWebhookFilter,
		envForecast, envForecastWindow, envExhaustionWarning, envExhaustionCrit, envReportBucket, envReportPrefix)
	cfntest.CheckEnvironment(t, cfntest.Load(t, monitorTemplate), want)
}

// TestTemplateReferences checks that every Ref, GetAtt, Sub variable and
// condition of both templates names something the template defines.
func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	for _, file := range []string{monitorTemplate, memberRoleTemplate} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			cfntest.CheckReferences(t, cfntest.Load(t, file))
		})
	}
}
