package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/cfntest"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
)

const memberRoleTemplate = "../deploy/member-role.yaml"

// logsExceptions are the actions of every function's role that no API
// call of the code makes, each with the reason it is granted.
var logsExceptions = map[string]string{
	"logs:CreateLogStream": "Lambda writes the function's standard output and error to its log group with the role's credentials; " +
		"the code calls no CloudWatch Logs API",
	"logs:PutLogEvents": "as logs:CreateLogStream",
}

// mergeExceptions are the actions of the merge step's role that no API
// call of the code makes: logsExceptions and, as monitor.yaml grants it,
// the decryption of the credentials under a customer managed key.
var mergeExceptions = map[string]string{
	"kms:Decrypt": "SSM and Secrets Manager call KMS on the caller's behalf (kms:ViaService) to decrypt a SecureString or " +
		"secret under a customer managed key; only granted when IpamkitCredentialsKmsKeyArn is given",
	"logs:CreateLogStream": logsExceptions["logs:CreateLogStream"],
	"logs:PutLogEvents":    logsExceptions["logs:PutLogEvents"],
}

// stateMachineExceptions are the actions of the state machine's role that
// the local runner, which starts the children in-process and writes small
// result files at once, does not call, each with the reason it is granted.
var stateMachineExceptions = map[string]string{
	"states:DescribeExecution": "a distributed map watches its child executions (AWS's documented policy for a distributed map)",
	"states:StopExecution":     "a distributed map stops its child executions when the map fails or is stopped",
	"s3:ListMultipartUploadParts": "the ResultWriter writes large result files in parts " +
		"(AWS's documented policy for a ResultWriter)",
	"s3:AbortMultipartUpload": "as s3:ListMultipartUploadParts",
}

// starResourceActions are the only actions a statement may grant on
// Resource "*": they support no resource-level permission (PutMetricData
// is narrowed by a namespace condition instead).
var starResourceActions = []string{
	"ec2:DescribeIpams", "ec2:DescribeIpamScopes", "ec2:GetIpamResourceCidrs", "ec2:GetIpamDiscoveredAccounts",
	"ec2:DescribeIpamPools", "ec2:GetIpamPoolCidrs", "ec2:GetIpamPoolAllocations", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
	"sts:GetCallerIdentity", "organizations:ListAccounts", "cloudwatch:PutMetricData",
}

// TestIAMPolicyMatchesCalls runs the state machine of the template over
// the functions, against the fake, with every source, the organization,
// SNS, PutMetricData, reports through S3 and a failed child, and checks
// every role of the template against the actions really called, both
// ways: each function's role against the calls made with its credentials
// (the fake's and the bucket's; the merge step's include SSM's and Secrets
// Manager's, which hold the Slack, Teams and webhook credentials), the state machine's role against what the
// runner did as Step Functions, and the member role (member-role.yaml)
// against the calls made with the credentials of the assumed role.
func TestIAMPolicyMatchesCalls(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	d := w.deploy(t, w.env(), func(o *handlerOptions) { o.InlineLimit = 1 })
	// The last batch fails: the others hold the function's own account,
	// read with its own credentials.
	d.runner.failChild = func(i int) bool { return i == 3 }
	resp, _ := d.execute(t, "run-iam")
	require.Empty(t, resp.NotifyErrors)
	require.Equal(t, 1, resp.FailedBatches)
	require.NotEmpty(t, w.s3.keys(bucket, partialPrefix), "a report went through S3")

	served := map[string]map[string]bool{listKey: {}, scanKey: {}, mergeKey: {}, "assumed": {}}
	for _, c := range w.srv.Calls() {
		action, ok := cfntest.IAMAction(c.Service, c.Operation)
		require.True(t, ok, "call to a service with no IAM prefix: %+v", c)
		key := c.AccessKeyID
		if _, ours := served[key]; !ours {
			key = "assumed"
		}
		served[key][action] = true
		if c.ErrorCode != "" {
			// Only the management account, which has no member role, may refuse.
			assert.Equal(t, "sts:AssumeRole", action, "call failed: %+v", c)
		}
	}
	for key, step := range map[string]step{listKey: stepList, scanKey: stepScan, mergeKey: stepMerge} {
		for a := range w.s3.actions(string(step)) {
			served[key][a] = true
		}
	}
	tmpl := cfntest.Load(t, scanMapTemplate)
	require.True(t, served[mergeKey]["ssm:GetParameter"] && served[mergeKey]["secretsmanager:GetSecretValue"],
		"the merge step read its credentials from both stores")
	for _, tt := range []struct {
		role       string
		key        string
		exceptions map[string]string
	}{{"ListRole", listKey, logsExceptions}, {"ScanRole", scanKey, logsExceptions}, {"MergeRole", mergeKey, mergeExceptions}} {
		t.Run(tt.role, func(t *testing.T) {
			role := cfntest.Path(tmpl, "Resources", tt.role)
			require.NotNil(t, role)
			granted := cfntest.RoleActions(t, role, starResourceActions)
			cfntest.AssertGrants(t, tt.role+" in "+scanMapTemplate, granted, served[tt.key], tt.exceptions)
		})
	}
	t.Run("StateMachineRole", func(t *testing.T) {
		role := cfntest.Path(tmpl, "Resources", "StateMachineRole")
		require.NotNil(t, role)
		done := d.runner.actions
		for a := range w.s3.actions("states") {
			done[a] = true
		}
		granted := cfntest.RoleActions(t, role, starResourceActions)
		cfntest.AssertGrants(t, "StateMachineRole in "+scanMapTemplate, granted, done, stateMachineExceptions)
	})
	t.Run("member role", func(t *testing.T) {
		role := cfntest.ResourceOfType(t, cfntest.Load(t, memberRoleTemplate), "AWS::IAM::Role")
		granted := cfntest.RoleActions(t, role, starResourceActions)
		cfntest.AssertGrants(t, "the member role in "+memberRoleTemplate, granted, served["assumed"], nil)
	})
}

// TestTemplateEnvironment checks that the functions' environment sets
// every variable the code reads (AWS_LAMBDA_LOG_LEVEL is Lambda's own),
// each from a parameter or a resource, each function its own step, and
// only the merge step the names of the credentials.
func TestTemplateEnvironment(t *testing.T) {
	t.Parallel()
	tmpl := cfntest.Load(t, scanMapTemplate)
	global := cfntest.Path(tmpl, "Globals", "Function", "Environment", "Variables")
	require.NotNil(t, global, "the functions' common environment is in Globals")
	var got []string
	for k, v := range cfntest.Pairs(global) {
		got = append(got, k)
		assert.Equal(t, "!Ref", v.Tag, "%s is set from a parameter or resource", k)
	}
	for fn, want := range map[string]step{"ListFunction": stepList, "ScanFunction": stepScan, "MergeFunction": stepMerge} {
		vars := cfntest.Path(tmpl, "Resources", fn, "Properties", "Environment", "Variables")
		require.NotNil(t, vars, "%s has an environment", fn)
		assert.Equal(t, string(want), cfntest.Get(vars, envStep).Value, "%s's step", fn)
		for k := range cfntest.Pairs(vars) {
			got = append(got, k)
		}
	}
	// The shared settings, IPAMKIT_DEADLINE_MARGIN (the scan function's
	// alone) among them, the credentials' names (the merge function's) and
	// each function's step.
	want := append(monitorenv.Variables(), monitorenv.CredentialVariables()...)
	want = append(want, envBucket, envIPAMAccount, envStep, envStep, envStep)
	assert.ElementsMatch(t, want, got)
	merge := cfntest.Path(tmpl, "Resources", "MergeFunction", "Properties", "Environment", "Variables")
	for _, v := range monitorenv.CredentialVariables() {
		assert.NotNil(t, cfntest.Get(merge, v), "MergeFunction names %s", v)
	}
}

// TestTemplateReferences checks that every Ref, GetAtt, Sub variable and
// condition of the template names something it defines.
func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	cfntest.CheckReferences(t, cfntest.Load(t, scanMapTemplate))
}
