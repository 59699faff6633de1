package main

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/ipamkit/ipamkit/internal/awsfake"
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

	t.Logf("served: %s", strings.Join(slices.Sorted(maps.Keys(served)), " "))
	granted := roleActions(t, functionRole(t, loadTemplate(t, hierarchyTemplate)))
	for a := range served {
		assert.Contains(t, granted, a, "the code calls %s: grant it in %s", a, hierarchyTemplate)
	}
	for a := range granted {
		if _, ok := iamExceptions[a]; ok {
			continue
		}
		assert.True(t, served[a], "%s grants %s, which no request calls: remove it or list it in iamExceptions with a reason", hierarchyTemplate, a)
	}
	for a := range iamExceptions {
		assert.Contains(t, granted, a, "iamExceptions lists %s, which the template does not grant: remove it", a)
		assert.False(t, served[a], "iamExceptions lists %s, which the code calls: remove the exception", a)
	}
}

// TestTemplateCustomResource checks that the custom resource passes the
// sample's properties, each from the parameter the sample names, and only
// properties the function reads.
func TestTemplateCustomResource(t *testing.T) {
	t.Parallel()
	tmpl := loadTemplate(t, hierarchyTemplate)
	cr := resourceOfType(t, tmpl, "Custom::IpamHierarchy")
	props := get(cr, "Properties")
	require.NotNil(t, props)
	var got []string
	for k := range pairs(props) {
		got = append(got, k)
		assert.Contains(t, knownProps, k, "the function does not read %s", k)
	}
	for _, k := range sampleProps {
		assert.Contains(t, got, k, "the sample's property %s", k)
	}
	want := map[string]string{propTopLevelPoolCIDR: "TopLevelPoolCidr", propIPAMPoolRegions: "RegionSelection", propAccEnvName: "AccEnvName",
		propIPAMPoolPrefixLength: "IpamPoolPrefixLength", propAccPoolPrefixLength: "AccPoolPrefixLength", propRetain: "Retain", propAllowDelete: "AllowDelete"}
	for prop, param := range want {
		v := get(props, prop)
		if assert.NotNil(t, v, prop) {
			assert.Equal(t, []string{"!Ref", param}, []string{v.Tag, v.Value}, prop)
			assert.NotNil(t, path(tmpl, "Parameters", param), "parameter %s", param)
		}
	}
	fn := resourceOfType(t, tmpl, "AWS::Serverless::Function")
	assert.Equal(t, "provided.al2023", path(fn, "Properties", "Runtime").Value)
	assert.Equal(t, "../../dist/hierarchy-cfn.zip", path(fn, "Properties", "CodeUri").Value)
	for k := range pairs(path(fn, "Properties", "Environment", "Variables")) {
		assert.Contains(t, []string{envDeadlineMargin, envMaxWait, envPathTagKey}, k, "the function does not read %s", k)
	}
}

// The helpers below read templates as monitor-lambda's iam_test.go does.

// loadTemplate parses a template, keeping CloudFormation's short tags
// (!Ref, !Sub, …) as the tags of generic nodes. It returns the top mapping.
func loadTemplate(t *testing.T, file string) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(b, &doc), file)
	require.Equal(t, yaml.DocumentNode, doc.Kind)
	top := doc.Content[0]
	require.Equal(t, yaml.MappingNode, top.Kind, "%s: not a mapping", file)
	require.NotNil(t, get(top, "Resources"), "%s: no Resources", file)
	return top
}

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// path follows keys from m, returning nil when one is missing.
func path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = get(m, k)
	}
	return m
}

// pairs iterates over the keys and values of mapping m.
func pairs(m *yaml.Node) func(yield func(string, *yaml.Node) bool) {
	return func(yield func(string, *yaml.Node) bool) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !yield(m.Content[i].Value, m.Content[i+1]) {
				return
			}
		}
	}
}

// resourceOfType returns the only resource of type typ.
func resourceOfType(t *testing.T, tmpl *yaml.Node, typ string) *yaml.Node {
	t.Helper()
	var found []*yaml.Node
	for _, r := range pairs(get(tmpl, "Resources")) {
		if get(r, "Type").Value == typ {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "resources of type %s", typ)
	return found[0]
}

// functionRole returns the role resource that the function's Role names,
// checking that the function adds no policy of its own.
func functionRole(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	fn := resourceOfType(t, tmpl, "AWS::Serverless::Function")
	for _, k := range []string{"Policies", "Connectors"} {
		assert.Nil(t, path(fn, "Properties", k), "the function's %s would escape the check: grant on its role", k)
	}
	role := path(fn, "Properties", "Role")
	require.NotNil(t, role, "the function has no Role")
	require.Equal(t, "!GetAtt", role.Tag, "want !GetAtt ROLE.Arn")
	id, _, _ := strings.Cut(role.Value, ".")
	r := path(tmpl, "Resources", id)
	require.NotNil(t, r, "the function's role %s is not a resource", id)
	require.Equal(t, "AWS::IAM::Role", get(r, "Type").Value)
	return r
}

// roleActions returns every action a role's inline policies allow,
// checking the statements on the way: no managed policy (it would escape
// the check), Allow only, no wildcard action, and Resource "*" only for the
// actions that need it.
func roleActions(t *testing.T, role *yaml.Node) map[string]bool {
	t.Helper()
	props := get(role, "Properties")
	for _, k := range []string{"ManagedPolicyArns", "PermissionsBoundary"} {
		assert.Nil(t, get(props, k), "the role's %s would escape the check", k)
	}
	policies := get(props, "Policies")
	require.NotNil(t, policies, "the role has no inline policy")
	actions := map[string]bool{}
	n := 0
	for _, p := range policies.Content {
		for _, st := range path(p, "PolicyDocument", "Statement").Content {
			n++
			sid := "statement"
			if s := get(st, "Sid"); s != nil {
				sid = s.Value
			}
			assert.Equal(t, "Allow", get(st, "Effect").Value, sid)
			for _, k := range []string{"NotAction", "NotResource"} {
				assert.Nil(t, get(st, k), "%s: %s", sid, k)
			}
			star := false
			for _, r := range scalars(get(st, "Resource")) {
				star = star || r == "*"
			}
			for _, a := range scalars(get(st, "Action")) {
				assert.Regexp(t, `^[a-z0-9-]+:[A-Za-z0-9]+$`, a, "%s: an action name, no wildcard", sid)
				if star {
					assert.Contains(t, starResourceActions, a, "%s: %s on Resource \"*\": scope it", sid, a)
				}
				actions[a] = true
			}
		}
	}
	require.Positive(t, n, "no statement")
	return actions
}

// scalars returns the plain strings of a scalar or a list of them; an
// intrinsic function yields its tag, so that a computed action fails the
// action name check.
func scalars(n *yaml.Node) []string {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.ScalarNode && !isShortForm(n):
		return []string{n.Value}
	case n.Kind == yaml.SequenceNode && !isShortForm(n):
		var out []string
		for _, c := range n.Content {
			out = append(out, scalars(c)...)
		}
		return out
	}
	return []string{"<computed " + n.Tag + ">"}
}

// isShortForm reports whether n is tagged with an intrinsic function's
// short form (!Ref, !Sub, …), not a YAML core tag (!!str, !!seq, …).
func isShortForm(n *yaml.Node) bool {
	return strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!")
}
