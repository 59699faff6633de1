package cfntest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// iamPrefixes maps the SigV4 signing name of a service to the prefix of its
// actions in IAM, for the services the fake serves.
var iamPrefixes = map[string]string{
	"ec2":            "ec2",
	"events":         "events",
	"lambda":         "lambda",
	"monitoring":     "cloudwatch",
	"organizations":  "organizations",
	"ram":            "ram",
	"s3":             "s3",
	"secretsmanager": "secretsmanager",
	"sns":            "sns",
	"ssm":            "ssm",
	"sts":            "sts",
}

// IAMAction returns the IAM action of a call to operation of the service
// whose SigV4 signing name is service (as awsfake.Call records them):
// "monitoring", "PutMetricData" is "cloudwatch:PutMetricData". It reports
// false for a service it does not know.
func IAMAction(service, operation string) (string, bool) {
	prefix, ok := iamPrefixes[service]
	if !ok {
		return "", false
	}
	return prefix + ":" + operation, true
}

// actionName matches an action named in full: no wildcard.
var actionName = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9]+$`)

// Actions returns every action that the inline policies of role, an
// AWS::IAM::Role resource, allow, in both branches of every Fn::If, and a
// problem for each thing that would let a permission escape a comparison
// with the calls made:
//
//   - a ManagedPolicyArns or PermissionsBoundary on the role;
//   - no inline policy, a policy with no statement, or no statement at all;
//   - a statement whose Effect is not Allow, or with NotAction or NotResource;
//   - an action that is not a name in full: a wildcard, or computed by an
//     intrinsic function;
//   - an action on Resource "*" that starResource does not list: the
//     actions that support no resource-level permission.
//
// Action and Resource may each be a string or a list. A problem names the
// policy and the statement (its Sid, or its position from 1). Actions are
// collected from refused statements too.
func Actions(role *yaml.Node, starResource []string) (actions map[string]bool, problems []string) {
	props := Get(role, "Properties")
	for _, k := range []string{"ManagedPolicyArns", "PermissionsBoundary"} {
		if Get(props, k) != nil {
			problems = append(problems, fmt.Sprintf("the role's %s would escape the check", k))
		}
	}
	actions = map[string]bool{}
	policies := alternatives(Get(props, "Policies"))
	if len(policies) == 0 {
		return actions, append(problems, "the role has no inline policy")
	}
	for i, p := range policies {
		name := fmt.Sprintf("policy %d", i+1)
		if n := Get(p, "PolicyName"); n != nil && n.Value != "" {
			name = n.Value
		}
		sts := alternatives(Path(p, "PolicyDocument", "Statement"))
		if len(sts) == 0 {
			problems = append(problems, name+": no statement")
		}
		for j, st := range sts {
			at := fmt.Sprintf("%s: statement %d", name, j+1)
			if s := Get(st, "Sid"); s != nil {
				at = name + ": " + s.Value
			}
			if e := Get(st, "Effect"); e == nil || e.Value != "Allow" {
				problems = append(problems, at+": Effect: want Allow")
			}
			for _, k := range []string{"NotAction", "NotResource"} {
				if Get(st, k) != nil {
					problems = append(problems, fmt.Sprintf("%s: %s would escape the check", at, k))
				}
			}
			star := slices.Contains(Scalars(Get(st, "Resource")), "*")
			as := Scalars(Get(st, "Action"))
			if len(as) == 0 {
				problems = append(problems, at+": no Action")
			}
			for _, a := range as {
				if !actionName.MatchString(a) {
					problems = append(problems, fmt.Sprintf("%s: %q: want an action name in full, no wildcard", at, a))
				}
				if star && !slices.Contains(starResource, a) {
					problems = append(problems, fmt.Sprintf("%s: %s on Resource \"*\": scope it", at, a))
				}
				actions[a] = true
			}
		}
	}
	return actions, problems
}

// RoleActions returns the actions the inline policies of role allow, as
// [Actions] does, failing t with each problem Actions finds, and at once
// if role allows nothing.
func RoleActions(t testing.TB, role *yaml.Node, starResource []string) map[string]bool {
	t.Helper()
	actions, problems := Actions(role, starResource)
	for _, p := range problems {
		t.Error(p)
	}
	require.NotEmpty(t, actions, "the role allows no action")
	return actions
}

// alternatives returns the mappings of n, a mapping or a list of them, from
// both branches of every Fn::If and without AWS::NoValue.
func alternatives(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil || isNoValue(n):
		return nil
	case n.Tag == "!If" && len(n.Content) == 3:
		return append(alternatives(n.Content[1]), alternatives(n.Content[2])...)
	case n.Kind == yaml.MappingNode && Get(n, "Fn::If") != nil && len(Get(n, "Fn::If").Content) == 3:
		c := Get(n, "Fn::If").Content
		return append(alternatives(c[1]), alternatives(c[2])...)
	case n.Kind == yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			out = append(out, alternatives(c)...)
		}
		return out
	case n.Kind == yaml.MappingNode:
		return []*yaml.Node{n}
	}
	return nil
}

// isNoValue reports whether n is a Ref to AWS::NoValue.
func isNoValue(n *yaml.Node) bool {
	return (n.Tag == "!Ref" && n.Value == "AWS::NoValue") || (Get(n, "Ref") != nil && Get(n, "Ref").Value == "AWS::NoValue")
}

// Mismatch is how the actions a role grants differ from the actions served
// with its credentials. Each list is in ascending order; the zero Mismatch
// means that the role grants exactly what is called, and the exceptions.
type Mismatch struct {
	Ungranted           []string // called, not granted
	Uncalled            []string // granted, neither called nor an exception
	UngrantedExceptions []string // an exception the role does not grant
	CalledExceptions    []string // an exception that is called after all
}

// Compare compares the actions a role grants with those served with its
// credentials. exceptions are the actions granted that no call makes (a
// service calls them on the caller's behalf, Lambda writes the logs), each
// with the reason it is granted.
func Compare(granted, served map[string]bool, exceptions map[string]string) Mismatch {
	var m Mismatch
	for _, a := range slices.Sorted(maps.Keys(served)) {
		if !granted[a] {
			m.Ungranted = append(m.Ungranted, a)
		}
	}
	for _, a := range slices.Sorted(maps.Keys(granted)) {
		if _, ok := exceptions[a]; !ok && !served[a] {
			m.Uncalled = append(m.Uncalled, a)
		}
	}
	for _, a := range slices.Sorted(maps.Keys(exceptions)) {
		if !granted[a] {
			m.UngrantedExceptions = append(m.UngrantedExceptions, a)
		}
		if served[a] {
			m.CalledExceptions = append(m.CalledExceptions, a)
		}
	}
	return m
}

// AssertGrants fails t with each difference [Compare] finds between the
// actions a role grants and those served with its credentials, and at once
// if nothing was served; role names the role in the messages ("the
// function's role in ../deploy/monitor.yaml"). It logs both sets.
func AssertGrants(t testing.TB, role string, granted, served map[string]bool, exceptions map[string]string) {
	t.Helper()
	require.NotEmpty(t, served, "no call was served with the credentials of %s", role)
	t.Logf("served with the credentials of %s: %s", role, strings.Join(slices.Sorted(maps.Keys(served)), " "))
	t.Logf("%s grants: %s", role, strings.Join(slices.Sorted(maps.Keys(granted)), " "))
	m := Compare(granted, served, exceptions)
	for _, a := range m.Ungranted {
		t.Errorf("the code calls %s: grant it to %s", a, role)
	}
	for _, a := range m.Uncalled {
		t.Errorf("%s grants %s, which no call of the test makes: remove it, or list it as an exception with a reason", role, a)
	}
	for _, a := range m.UngrantedExceptions {
		t.Errorf("the exception %s is not granted by %s: remove it", a, role)
	}
	for _, a := range m.CalledExceptions {
		t.Errorf("the exception %s of %s is called: remove the exception", a, role)
	}
}
