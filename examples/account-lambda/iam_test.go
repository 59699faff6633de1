package main

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// accountTemplate is the deployment template of the function.
const accountTemplate = "../deploy/account.yaml"

// iamPrefix maps the SigV4 signing name of a call in the fake's log to the
// IAM service prefix of its action.
var iamPrefix = map[string]string{
	"ec2":           "ec2",
	"ram":           "ram",
	"sts":           "sts",
	"organizations": "organizations",
}

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
			prefix, ok := iamPrefix[c.Service]
			require.True(t, ok, "call to a service with no IAM prefix: %+v", c)
			action := prefix + ":" + c.Operation
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
	tmpl := loadTemplate(t, accountTemplate)
	roles := map[string]*yaml.Node{"function": functionRole(t, tmpl), "network": networkRole(t, tmpl)}
	for _, who := range []string{"function", "network"} {
		t.Run(who+" role", func(t *testing.T) {
			own, exceptions := served[who], iamExceptions[who]
			require.NotEmpty(t, own)
			t.Logf("served with the %s role's credentials: %s", who, strings.Join(slices.Sorted(maps.Keys(own)), " "))
			granted := roleActions(t, roles[who])
			for a := range own {
				assert.Contains(t, granted, a, "the code calls %s: grant it to the %s role", a, who)
			}
			for a := range granted {
				if _, ok := exceptions[a]; ok {
					continue
				}
				assert.True(t, own[a], "the %s role grants %s, which no event calls: remove it or list it in iamExceptions with a reason", who, a)
			}
			for a := range exceptions {
				assert.Contains(t, granted, a, "iamExceptions lists %s, which the template does not grant: remove it", a)
				assert.False(t, own[a], "iamExceptions lists %s, which the code calls: remove the exception", a)
			}
		})
	}
}

// TestTemplateEnvironment checks that the function's environment sets
// every variable the code reads (AWS_REGION and AWS_LAMBDA_LOG_LEVEL are
// Lambda's own), each from a parameter, and no other.
func TestTemplateEnvironment(t *testing.T) {
	t.Parallel()
	tmpl := loadTemplate(t, accountTemplate)
	fn := resourceOfType(t, tmpl, "AWS::Serverless::Function")
	vars := path(fn, "Properties", "Environment", "Variables")
	require.NotNil(t, vars, "the function has no environment")
	want := []string{envNetworkAccountID, envRoleName, envExternalID, envShareMode, envTagKey, envMatch, envPrune,
		envRegions, envIPAMRegion, envScopeID}
	params := path(tmpl, "Parameters")
	var got []string
	for k, v := range pairs(vars) {
		got = append(got, k)
		if assert.Equal(t, "!Ref", v.Tag, "%s is not set from a parameter", k) {
			assert.NotNil(t, get(params, v.Value), "%s is set from %s, which is not a parameter", k, v.Value)
		}
	}
	assert.ElementsMatch(t, want, got)
}

// TestTemplateLifecycleRule checks that the lifecycle rule matches the
// events of testdata, both of them, and nothing else.
func TestTemplateLifecycleRule(t *testing.T) {
	t.Parallel()
	rule := path(loadTemplate(t, accountTemplate), "Resources", "LifecycleRule", "Properties", "EventPattern")
	require.NotNil(t, rule)
	assert.Equal(t, []string{"aws.controltower"}, scalars(get(rule, "source")))
	assert.Equal(t, []string{"AWS Service Event via CloudTrail"}, scalars(get(rule, "detail-type")))
	assert.Equal(t, []string{"CreateManagedAccount", "UpdateManagedAccount"}, scalars(path(rule, "detail", "eventName")))
	assert.Len(t, keysOf(rule), 3, "source, detail-type and detail only")
	assert.Len(t, keysOf(get(rule, "detail")), 1, "eventName only: not the sample's userAgent")
}

// keysOf returns the keys of mapping m, in order.
func keysOf(m *yaml.Node) []string {
	var out []string
	for k := range pairs(m) {
		out = append(out, k)
	}
	return out
}

// TestTemplateReferences checks that every Ref, GetAtt, Sub variable and
// condition of the template, and of the networking role's template inside
// it, names something the template defines.
func TestTemplateReferences(t *testing.T) {
	t.Parallel()
	tmpl := loadTemplate(t, accountTemplate)
	for name, doc := range map[string]*yaml.Node{"account.yaml": tmpl, "the network role's template": networkTemplate(t, tmpl)} {
		refs := newRefChecker(doc)
		refs.walk(doc, "")
		for _, p := range refs.problems {
			t.Errorf("%s: %s", name, p)
		}
		assert.Positive(t, refs.checked, "%s: no reference found", name)
	}
}

// networkTemplate returns the template of the networking account's role:
// the StackSet's TemplateBody.
func networkTemplate(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	body := path(resourceOfType(t, tmpl, "AWS::CloudFormation::StackSet"), "Properties", "TemplateBody")
	require.NotNil(t, body, "the StackSet has no TemplateBody")
	require.Equal(t, yaml.ScalarNode, body.Kind)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(body.Value), &doc))
	top := doc.Content[0]
	require.NotNil(t, get(top, "Resources"))
	return top
}

// networkRole returns the role of the networking account's template.
func networkRole(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	return resourceOfType(t, networkTemplate(t, tmpl), "AWS::IAM::Role")
}

// TestRefCheckerFindsProblems checks that the reference checker is not
// vacuous: each kind of dangling reference is caught.
func TestRefCheckerFindsProblems(t *testing.T) {
	t.Parallel()
	const src = `
Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
  D: !Not [!Condition Nope]
Resources:
  R:
    Type: AWS::SNS::Topic
    Condition: Missing
    Properties:
      TopicName: !Sub "${P}-${AWS::Region}-${R.TopicName}-${!Literal}-${Bad}"
      DisplayName: !If [C, !Ref Unknown, {"Fn::GetAtt": [Gone, Arn]}]
      Tags:
        - {Key: a, Value: {Ref: AWS::Nothing}}
        - {Key: b, Value: !GetAtt P.Arn}
        - {Key: c, Value: !Sub ["${X}-${Y}", {X: !Ref P}]}
        - {Key: d, Value: !If [NoSuchCondition, a, b]}
`
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	refs := newRefChecker(doc.Content[0])
	refs.walk(doc.Content[0], "")
	want := []string{"Nope", "Missing", "Bad", "Unknown", "Gone", "AWS::Nothing", "P.Arn", "Y", "NoSuchCondition"}
	require.Len(t, refs.problems, len(want), "%s", strings.Join(refs.problems, "\n"))
	for i, w := range want {
		assert.Contains(t, refs.problems[i], w)
	}
}

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

// functionRole returns the role resource that the function's Role
// names, checking that the function adds no policy of its own.
func functionRole(t *testing.T, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	fn := resourceOfType(t, tmpl, "AWS::Serverless::Function")
	for _, k := range []string{"Policies", "Connectors"} {
		assert.Nil(t, path(fn, "Properties", k), "the function's %s would escape the check: grant on its role", k)
	}
	role := path(fn, "Properties", "Role")
	require.NotNil(t, role, "the function has no Role")
	var id string
	switch {
	case role.Tag == "!GetAtt" && role.Kind == yaml.ScalarNode:
		id, _, _ = strings.Cut(role.Value, ".")
	case role.Tag == "!GetAtt" && role.Kind == yaml.SequenceNode:
		id = role.Content[0].Value
	case get(role, "Fn::GetAtt") != nil:
		id = get(role, "Fn::GetAtt").Content[0].Value
	default:
		require.Failf(t, "unexpected Role", "want !GetAtt ROLE.Arn, got %s %q", role.Tag, role.Value)
	}
	r := path(tmpl, "Resources", id)
	require.NotNil(t, r, "the function's role %s is not a resource", id)
	require.Equal(t, "AWS::IAM::Role", get(r, "Type").Value)
	return r
}

// roleActions returns every action a role's inline policies allow, in
// every branch of their conditions, checking the statements on the way:
// no managed policy (it would escape the check), Allow only, no wildcard
// action, and Resource "*" only for the actions that need it.
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
		for _, st := range statements(path(p, "PolicyDocument", "Statement")) {
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

// statements returns the statements of a Statement node, from both
// branches of every Fn::If and without AWS::NoValue.
func statements(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil || isNoValue(n):
		return nil
	case n.Tag == "!If" && len(n.Content) == 3:
		return append(statements(n.Content[1]), statements(n.Content[2])...)
	case n.Kind == yaml.MappingNode && get(n, "Fn::If") != nil && len(get(n, "Fn::If").Content) == 3:
		c := get(n, "Fn::If").Content
		return append(statements(c[1]), statements(c[2])...)
	case n.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			out = append(out, statements(c)...)
		}
		return out
	case n.Kind == yaml.MappingNode:
		return []*yaml.Node{n}
	}
	return nil
}

// isNoValue reports whether n is a Ref to AWS::NoValue.
func isNoValue(n *yaml.Node) bool {
	return (n.Tag == "!Ref" && n.Value == "AWS::NoValue") || (get(n, "Ref") != nil && get(n, "Ref").Value == "AWS::NoValue")
}

// scalars returns the plain strings of a scalar or a list of them; an
// intrinsic function (a tagged node, a mapping) yields its tag, so that a
// computed action fails the action name check.
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

// pseudoParameters are CloudFormation's pseudo parameters the templates may
// use.
var pseudoParameters = []string{"AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName", "AWS::StackId",
	"AWS::NoValue", "AWS::URLSuffix"}

// subVariable matches a ${Name} of Fn::Sub; ${!Literal} is not one.
var subVariable = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

// refChecker checks the references of a template.
type refChecker struct {
	params, resources, conditions map[string]bool
	problems                      []string
	checked                       int
}

// newRefChecker collects the names a template defines: parameters,
// resources (with those SAM generates: the rule of each Schedule event of
// a function, named function+event), and conditions.
func newRefChecker(tmpl *yaml.Node) *refChecker {
	c := &refChecker{params: map[string]bool{}, resources: map[string]bool{}, conditions: map[string]bool{}}
	for k := range pairs(get(tmpl, "Parameters")) {
		c.params[k] = true
	}
	for k := range pairs(get(tmpl, "Conditions")) {
		c.conditions[k] = true
	}
	for k, r := range pairs(get(tmpl, "Resources")) {
		c.resources[k] = true
		if get(r, "Type") != nil && get(r, "Type").Value == "AWS::Serverless::Function" {
			for e, ev := range pairs(path(r, "Properties", "Events")) {
				if t := get(ev, "Type"); t != nil && (t.Value == "Schedule" || t.Value == "CloudWatchEvent" || t.Value == "EventBridgeRule") {
					c.resources[k+e] = true
				}
			}
		}
	}
	return c
}

func (c *refChecker) problem(at, format string, args ...any) {
	c.problems = append(c.problems, at+": "+fmt.Sprintf(format, args...))
}

// ref checks a Ref to name.
func (c *refChecker) ref(at, name string) {
	c.checked++
	if !c.params[name] && !c.resources[name] && !slices.Contains(pseudoParameters, name) {
		c.problem(at, "Ref %s: no such parameter, resource or pseudo parameter", name)
	}
}

// getAtt checks a GetAtt of resource.attribute.
func (c *refChecker) getAtt(at, resource, attr string) {
	c.checked++
	if !c.resources[resource] || attr == "" {
		c.problem(at, "GetAtt %s.%s: no such resource", resource, attr)
	}
}

// condition checks a reference to a condition.
func (c *refChecker) condition(at, name string) {
	c.checked++
	if !c.conditions[name] {
		c.problem(at, "condition %s: not defined", name)
	}
}

// sub checks the variables of a Fn::Sub string; vars are those its second
// argument defines.
func (c *refChecker) sub(at, s string, vars map[string]bool) {
	for _, m := range subVariable.FindAllStringSubmatch(s, -1) {
		name := m[1]
		switch r, attr, ok := strings.Cut(name, "."); {
		case vars[name]:
			c.checked++
		case ok:
			c.getAtt(at, r, attr)
		default:
			c.ref(at, name)
		}
	}
}

// walk checks every reference under n.
func (c *refChecker) walk(n *yaml.Node, at string) {
	if n == nil {
		return
	}
	switch n.Tag {
	case "!Ref":
		c.ref(at, n.Value)
		return
	case "!GetAtt":
		if n.Kind == yaml.ScalarNode {
			r, attr, _ := strings.Cut(n.Value, ".")
			c.getAtt(at, r, attr)
			return
		}
		if len(n.Content) == 2 {
			c.getAtt(at, n.Content[0].Value, n.Content[1].Value)
		}
		return
	case "!Sub":
		c.subNode(at, n)
		return
	case "!Condition":
		c.condition(at, n.Value)
		return
	case "!If":
		if len(n.Content) > 0 {
			c.condition(at, n.Content[0].Value)
		}
		for _, x := range n.Content[1:] {
			c.walk(x, at)
		}
		return
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, x := range n.Content {
			c.walk(x, at)
		}
	case yaml.MappingNode:
		for k, v := range pairs(n) {
			here := strings.TrimPrefix(at+"."+k, ".")
			switch {
			case k == "Ref" && v.Kind == yaml.ScalarNode:
				c.ref(here, v.Value)
			case k == "Fn::GetAtt" && v.Kind == yaml.ScalarNode:
				r, attr, _ := strings.Cut(v.Value, ".")
				c.getAtt(here, r, attr)
			case k == "Fn::GetAtt" && len(v.Content) == 2:
				c.getAtt(here, v.Content[0].Value, v.Content[1].Value)
			case k == "Fn::Sub":
				c.subNode(here, v)
			case k == "Condition" && v.Kind == yaml.ScalarNode:
				// A resource's or output's Condition, or the Condition
				// function; a policy statement's Condition is a mapping.
				c.condition(here, v.Value)
			case k == "Fn::If" && v.Kind == yaml.SequenceNode && len(v.Content) > 0:
				c.condition(here, v.Content[0].Value)
				for _, x := range v.Content[1:] {
					c.walk(x, here)
				}
			default:
				c.walk(v, here)
			}
		}
	}
}

// subNode checks a Fn::Sub: a string, or [string, {variables}].
func (c *refChecker) subNode(at string, n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		c.sub(at, n.Value, nil)
		return
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 {
		c.problem(at, "Fn::Sub: want a string or [string, variables]")
		return
	}
	vars := map[string]bool{}
	for k, v := range pairs(n.Content[1]) {
		vars[k] = true
		c.walk(v, at)
	}
	c.sub(at, n.Content[0].Value, vars)
}
