package cfntest

import (
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// Parse parses a template in YAML and returns its top mapping. The short
// forms of intrinsic functions (!Ref, !Sub, …) stay as the tags of generic
// nodes. It reports an error if src is not YAML, not a mapping or has no
// Resources.
func Parse(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a mapping")
	}
	top := doc.Content[0]
	if Get(top, "Resources") == nil {
		return nil, errors.New("no Resources")
	}
	return top, nil
}

// Load reads and parses the template in file, failing t at once if it
// cannot.
func Load(t testing.TB, file string) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	top, err := Parse(b)
	require.NoError(t, err, file)
	return top
}

// Get returns the value of key in mapping m, or nil if m is nil, is not a
// mapping or has no such key.
func Get(m *yaml.Node, key string) *yaml.Node {
	for k, v := range Pairs(m) {
		if k == key {
			return v
		}
	}
	return nil
}

// Path follows keys from m, returning nil when one is missing.
func Path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = Get(m, k)
	}
	return m
}

// Pairs returns an iterator over the keys and values of mapping m, in the
// template's order. It yields nothing if m is nil or not a mapping.
func Pairs(m *yaml.Node) iter.Seq2[string, *yaml.Node] {
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

// Keys returns the keys of mapping m, in the template's order.
func Keys(m *yaml.Node) []string {
	var out []string
	for k := range Pairs(m) {
		out = append(out, k)
	}
	return out
}

// Scalars returns the plain strings of a scalar or of a list of them. An
// intrinsic function (a tagged node, a mapping such as {"Fn::Sub": …})
// yields "<computed TAG>" instead, so that a computed action fails a check
// of action names.
func Scalars(n *yaml.Node) []string {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.ScalarNode && !isShortForm(n):
		return []string{n.Value}
	case n.Kind == yaml.SequenceNode && !isShortForm(n):
		var out []string
		for _, c := range n.Content {
			out = append(out, Scalars(c)...)
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

// typeOf returns the Type of a resource, or "".
func typeOf(r *yaml.Node) string {
	if t := Get(r, "Type"); t != nil {
		return t.Value
	}
	return ""
}

// ResourceOfType returns the only resource of tmpl whose Type is typ,
// failing t at once if there is none or more than one.
func ResourceOfType(t testing.TB, tmpl *yaml.Node, typ string) *yaml.Node {
	t.Helper()
	var found []*yaml.Node
	for _, r := range Pairs(Get(tmpl, "Resources")) {
		if typeOf(r) == typ {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "resources of type %s", typ)
	return found[0]
}

// FunctionRole returns the AWS::IAM::Role resource that the only
// AWS::Serverless::Function of tmpl names as its Role, with !GetAtt
// ROLE.Arn in any of its forms. It fails t if the function grants through
// Policies or Connectors of its own, which would escape the comparison,
// and at once if the role cannot be found.
func FunctionRole(t testing.TB, tmpl *yaml.Node) *yaml.Node {
	t.Helper()
	fn := ResourceOfType(t, tmpl, "AWS::Serverless::Function")
	for _, k := range []string{"Policies", "Connectors"} {
		assert.Nil(t, Path(fn, "Properties", k), "the function's %s would escape the check: grant on its role", k)
	}
	role := Path(fn, "Properties", "Role")
	require.NotNil(t, role, "the function has no Role")
	id, err := getAttArn(role)
	require.NoError(t, err, "the function's Role")
	r := Path(tmpl, "Resources", id)
	require.NotNil(t, r, "the function's role %s is not a resource", id)
	require.Equal(t, "AWS::IAM::Role", typeOf(r), "the function's role %s", id)
	return r
}

// getAttArn returns the resource of a Fn::GetAtt of its Arn: !GetAtt R.Arn,
// !GetAtt [R, Arn] or {"Fn::GetAtt": [R, Arn]}.
func getAttArn(n *yaml.Node) (string, error) {
	var r, attr string
	switch {
	case n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
		r, attr, _ = strings.Cut(n.Value, ".")
	case n.Tag == "!GetAtt" && n.Kind == yaml.SequenceNode && len(n.Content) == 2:
		r, attr = n.Content[0].Value, n.Content[1].Value
	case Get(n, "Fn::GetAtt") != nil && len(Get(n, "Fn::GetAtt").Content) == 2:
		c := Get(n, "Fn::GetAtt").Content
		r, attr = c[0].Value, c[1].Value
	default:
		return "", fmt.Errorf("%s %q: want !GetAtt ROLE.Arn", n.Tag, n.Value)
	}
	if r == "" || attr != "Arn" {
		return "", fmt.Errorf("GetAtt %s.%s: want !GetAtt ROLE.Arn", r, attr)
	}
	return r, nil
}

// CheckEnvironment checks that the only AWS::Serverless::Function of tmpl
// sets exactly the environment variables want, in any order, each from a
// !Ref to a parameter of tmpl.
func CheckEnvironment(t testing.TB, tmpl *yaml.Node, want []string) {
	t.Helper()
	fn := ResourceOfType(t, tmpl, "AWS::Serverless::Function")
	vars := Path(fn, "Properties", "Environment", "Variables")
	require.NotNil(t, vars, "the function has no environment")
	params := Get(tmpl, "Parameters")
	var got []string
	for k, v := range Pairs(vars) {
		got = append(got, k)
		if assert.Equal(t, "!Ref", v.Tag, "%s is not set from a parameter", k) {
			assert.NotNil(t, Get(params, v.Value), "%s is set from %s, which is not a parameter", k, v.Value)
		}
	}
	assert.ElementsMatch(t, want, got, "the function's environment")
}
