package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/cfntest"
)

// hierarchyTemplate is the networking account's template.
const hierarchyTemplate = "../deploy/hierarchy.yaml"

// iamExceptions are the actions of the function's role that no API call of
// the code makes, so that the fake cannot serve them, each with the reason
// it is granted. Keep it short: every other action must be called.
var iamExceptions = map[string]string{
	"logs:CreateLogStream": "Lambda writes the function's standard error to its log group with the role's credentials; " +
		"the code calls no CloudWatch Logs API",
	"logs:PutLogEvents": "as logs:CreateLogStream",
}

// starResourceActions are the only actions a statement may grant on
// Resource "*": they support no resource-level permission.
var starResourceActions = []string{
	"ec2:DescribeIpams", "ec2:DescribeIpamScopes", "ec2:DescribeIpamPools", "ec2:GetIpamPoolCidrs", "ec2:GetIpamPoolAllocations",
}

// TestIAMPolicyMatchesCalls runs every kind of request end to end against
// the fake — the sample's Create, Update and Delete, its migration (an
// adoption), and a spec's Create, an Update that changes a pool and drops
// another, and its Delete — and checks the template's policy against the
// actions the fake served, both ways.
func TestIAMPolicyMatchesCalls(t *testing.T) {
	t.Parallel()
	served := map[string]bool{}
	record := func(w *testWorld) {
		for _, c := range w.srv.Calls() {
			require.Equal(t, "ec2", c.Service, "call to another service: %+v", c)
			if c.ErrorCode != "" {
				// Waiting for a deleted pool reads it until it is gone.
				assert.Equal(t, []string{"DescribeIpamPools", "InvalidIpamPoolId.NotFound"}, []string{c.Operation, c.ErrorCode}, "call failed: %+v", c)
			}
			served["ec2:"+c.Operation] = true
		}
	}
	run := func(w *testWorld, ev cfn.Event) {
		resp := w.handle(t, t.Context(), ev)
		require.Equal(t, cfn.StatusSuccess, resp.Status, "%s: %s", ev.RequestType, resp.Reason)
	}

	w := newTestWorld(t)
	for _, name := range []string{"create-sample.json", "update-sample.json", "delete-sample.json"} {
		run(w, w.event(t, name))
	}
	record(w)

	w = newTestWorld(t, func(b *awsfake.Builder, scope, top string) { buildSampleTree(b, scope, top) })
	run(w, w.event(t, "create-sample.json"))
	record(w)

	w = newTestWorld(t)
	run(w, w.event(t, "create-spec.json"))
	ev := w.event(t, "update-spec.json")
	ev.ResourceProperties[propSpec] = strings.Replace(ev.ResourceProperties[propSpec].(string), "corporate space", "corporate space, us-east-1 only", 1)
	run(w, ev)
	run(w, w.event(t, "delete-spec.json"))
	record(w)

	granted := cfntest.RoleActions(t, cfntest.FunctionRole(t, cfntest.Load(t, hierarchyTemplate)), starResourceActions)
	cfntest.AssertGrants(t, "the function's role in "+hierarchyTemplate, granted, served, iamExceptions)
}

// TestTemplateCustomResource checks that the custom resource passes the
// sample's properties, each from the parameter the sample names, and only
// properties the function reads.
func TestTemplateCustomResource(t *testing.T) {
	t.Parallel()
	tmpl := cfntest.Load(t, hierarchyTemplate)
	cr := cfntest.ResourceOfType(t, tmpl, "Custom::IpamHierarchy")
	props := cfntest.Get(cr, "Properties")
	require.NotNil(t, props)
	var got []string
	for k := range cfntest.Pairs(props) {
		got = append(got, k)
		assert.Contains(t, knownProps, k, "the function does not read %s", k)
	}
	for _, k := range sampleProps {
		assert.Contains(t, got, k, "the sample's property %s", k)
	}
	want := map[string]string{propTopLevelPoolCIDR: "TopLevelPoolCidr", propIPAMPoolRegions: "RegionSelection", propAccEnvName: "AccEnvName",
		propIPAMPoolPrefixLength: "IpamPoolPrefixLength", propAccPoolPrefixLength: "AccPoolPrefixLength", propRetain: "Retain", propAllowDelete: "AllowDelete"}
	for prop, param := range want {
		v := cfntest.Get(props, prop)
		if assert.NotNil(t, v, prop) {
			assert.Equal(t, []string{"!Ref", param}, []string{v.Tag, v.Value}, prop)
			assert.NotNil(t, cfntest.Path(tmpl, "Parameters", param), "parameter %s", param)
		}
	}
	fn := cfntest.ResourceOfType(t, tmpl, "AWS::Serverless::Function")
	assert.Equal(t, "provided.al2023", cfntest.Path(fn, "Properties", "Runtime").Value)
	assert.Equal(t, "../../dist/hierarchy-cfn.zip", cfntest.Path(fn, "Properties", "CodeUri").Value)
	for k := range cfntest.Pairs(cfntest.Path(fn, "Properties", "Environment", "Variables")) {
		assert.Contains(t, []string{envDeadlineMargin, envMaxWait, envPathTagKey}, k, "the function does not read %s", k)
	}
}

// TestTemplateReferences checks that every Ref, GetAtt, Sub variable and
// condition of the template names something the template defines.
func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	cfntest.CheckReferences(t, cfntest.Load(t, hierarchyTemplate))
}
