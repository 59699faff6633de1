package cfntest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.yaml.in/yaml/v3"
)

// References checks that every Ref, Fn::GetAtt, Fn::Sub variable and
// condition of tmpl, in long or short form, names something tmpl defines:
// a parameter, a resource, a condition or a pseudo parameter. The resources
// include those SAM generates for a function's Schedule, CloudWatchEvent
// and EventBridgeRule events (the rule, named function+event). It returns
// a problem for each reference that names nothing, prefixed with where it
// is, in the template's order, and how many references it checked.
func References(tmpl *yaml.Node) (problems []string, checked int) {
	c := newRefChecker(tmpl)
	c.walk(tmpl, "")
	return c.problems, c.checked
}

// CheckReferences fails t with each problem [References] finds in tmpl,
// and if tmpl has no reference at all.
func CheckReferences(t testing.TB, tmpl *yaml.Node) {
	t.Helper()
	problems, checked := References(tmpl)
	for _, p := range problems {
		t.Error(p)
	}
	assert.Positive(t, checked, "no reference found")
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

// newRefChecker collects the names a template defines.
func newRefChecker(tmpl *yaml.Node) *refChecker {
	c := &refChecker{params: map[string]bool{}, resources: map[string]bool{}, conditions: map[string]bool{}}
	for k := range Pairs(Get(tmpl, "Parameters")) {
		c.params[k] = true
	}
	for k := range Pairs(Get(tmpl, "Conditions")) {
		c.conditions[k] = true
	}
	for k, r := range Pairs(Get(tmpl, "Resources")) {
		c.resources[k] = true
		if typeOf(r) == "AWS::Serverless::Function" {
			for e, ev := range Pairs(Path(r, "Properties", "Events")) {
				if t := typeOf(ev); t == "Schedule" || t == "CloudWatchEvent" || t == "EventBridgeRule" {
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
		for k, v := range Pairs(n) {
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
	for k, v := range Pairs(n.Content[1]) {
		vars[k] = true
		c.walk(v, at)
	}
	c.sub(at, n.Content[0].Value, vars)
}
