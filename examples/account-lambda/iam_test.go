package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/cfntest"
)

// accountTemplate is the deployment template of the function.
const accountTemplate = "../deploy/account.yaml"

// iamExceptions are the actions of a role that no API call of the code
// makes, so that the fake cannot serve them, each with the reason it is
// granted. Keep them short: every other action must be called.
var iamExceptions = map[string]map[string]string{
	"function": {
		"logs:CreateLogStream": "Lambda writes the function's standard error to its log group with the role's credentials; " +
			"the code calls no CloudWatch Logs API",
		"logs:PutLogEvents": "as logs:CreateLogStream",
	},
	"network": {
		"ec2:PutResourcePolicy": "RAM calls it on the caller's behalf when a share gains an IPAM pool " +
			"(VPC IPAM User Guide, \"Share an IPAM pool using AWS RAM\")",
		"ec2:DeleteResourcePolicy": "RAM calls it on the caller's behalf when a pool leaves a share, as ec2:PutResourcePolicy",
	},
}

// starResourceActions are the only actions a statement may grant on
// Resource "*": they support no resource-level permission.
var starResourceActions = []string{
	"sts:GetCallerIdentity", "organizations:ListRoots",
	"ec2:DescribeIpamPools", "ram:GetResourceShares", "ram:GetResourceShareAssociations", "ram:CreateResourceShare",
}

// TestIAMPolicyMatchesCalls runs the function end to end against the fake,
// as the management account through the networking account's
// AWSControlTowerExecution, on every kind of event, in both modes and with
// Prune, so that every call the code can make is made: a creation, a move
// that adds and removes pools, and the nightly reconcile. It then checks
// the template's policies against the actions the fake served, both ways:
// the function's role against the calls made with the function's own
// credentials, and the dedicated networking-account role (the StackSet's
// template, used instead of AWSControlTowerExecution with
// CreateNetworkRole) against the calls made with the assumed role's.
func TestIAMPolicyMatchesCalls(t *testing.T) {
	t.Parallel()
	served := map[string]map[string]bool{"function": {}, "network": {}}
	for _, mode := range []string{"account", "ou"} {
		w := newTestWorld(t)
		env := baseEnv()
		env[envShareMode], env[envPrune] = mode, "true"
		r := w.newRun(t, env)
		for _, file := range []string{"create-succeeded.json", "create-failed.json", "malformed.json"} {
			_, err := r.h.Handle(t.Context(), event(t, file))
			require.NoError(t, err, "%s %s", mode, file)
		}
		w.move(t, prodAccount, w.prodOU, w.sdlcOU)
		for _, file := range []string{"update-moved.json", "scheduled.json"} {
			resp, err := r.h.Handle(t.Context(), event(t, file))
			require.NoError(t, err, "%s %s", mode, file)
			assert.NotEqual(t, statusFailed, resp.Status, "%s %s: %s", mode, file, resp.Error)
		}
		for _, c := range w.srv.Calls() {
			if c.AccessKeyID == awsfake.DemoNetworkAccessKey {
				continue // the test's own reads of the shares
			}
			action, ok := cfntest.IAMAction(c.Service, c.Operation)
			require.True(t, ok, "call to a service with no IAM prefix: %+v", c)
			if c.Operation == "MoveAccount" {
				continue // the test moving the account, as Control Tower does
			}
			if c.AccessKeyID == awsfake.DefaultAccessKeyID {
				served["function"][action] = true
			} else {
				served["network"][action] = true
			}
			assert.Empty(t, c.ErrorCode, "call failed: %+v", c)
		}
	}
	tmpl := cfntest.Load(t, accountTemplate)
	roles := map[string]*yaml.Node{"function": cfntest.FunctionRole(t, tmpl), "network": networkRole(t, tmpl)}
	for _, who := range []string{"function", "network"} {
		t.Run(who+" role", func(t *testing.T) {
			granted := cfntest.RoleActions(t, roles[who], starResourceActions)
			cfntest.AssertGrants(t, "the "+who+" role", granted, served[who], iamExceptions[who])
		})
	}
}

// TestTemplateEnvironment checks that the function's environment sets
// every variable the code reads (AWS_REGION and AWS_LAMBDA_LOG_LEVEL are
// Lambda's own), each from a parameter, and no other.
func TestTemplateEnvironment(t *testing.T) {
	t.Parallel()
	cfntest.CheckEnvironment(t, cfntest.Load(t, accountTemplate), []string{envNetworkAccountID, envRoleName, envExternalID,
		envShareMode, envTagKey, envMatch, envPrune, envRegions, envIPAMRegion, envScopeID})
}

// TestTemplateLifecycleRule checks that the lifecycle rule matches the
// events of testdata, both of them, and nothing else.
func TestTemplateLifecycleRule(t *testing.T) {
	t.Parallel()
	rule := cfntest.Path(cfntest.Load(t, accountTemplate), "Resources", "LifecycleRule", "Properties", "EventPattern")
	require.NotNil(t, rule)
	assert.Equal(t, []string{"aws.controltower"}, cfntest.Scalars(cfntest.Get(rule, "source")))
	assert.Equal(t, []string{"AWS Service Event via CloudTrail"}, cfntest.Scalars(cfntest.Get(rule, "detail-type")))
	assert.Equal(t, []string{"CreateManagedAccount", "UpdateManagedAccount"}, cfntest.Scalars(cfntest.Path(rule, "detail", "eventName")))
	assert.Len(t, cfntest.Keys(rule), 3, "source, detail-type and detail only")
	assert.Len(t, cfntest.Keys(cfntest.Get(rule, "detail")), 1, "eventName only: not the sample's userAgent")
}

// TestTemplateReferences checks that every Ref, GetAtt, Sub variable and
// condition of the template, and of the networking role's template inside
// it, names something the template defines.
func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	tmpl := cfntest.Load(t, accountTemplate)
	for name, doc := range map[string]*yaml.Node{"account.yaml": tmpl, "the network role's template": networkTemplate(t, tmpl)} {
		t.Run(name, func(t *testing.T) { cfntest.CheckReferences(t, doc) })
	}
}

// networkTemplate returns the template of the networking account's role:
// the StackSet's TemplateBody.
func networkTemplate(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	body := cfntest.Path(cfntest.ResourceOfType(t, tmpl, "AWS::CloudFormation::StackSet"), "Properties", "TemplateBody")
	require.NotNil(t, body, "the StackSet has no TemplateBody")
	require.Equal(t, yaml.ScalarNode, body.Kind)
	top, err := cfntest.Parse([]byte(body.Value))
	require.NoError(t, err, "the StackSet's TemplateBody")
	return top
}

// networkRole returns the role of the networking account's template.
func networkRole(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	return cfntest.ResourceOfType(t, networkTemplate(t, tmpl), "AWS::IAM::Role")
}
