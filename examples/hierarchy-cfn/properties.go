package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// The resource properties the function reads. The first six are the
// Control Tower sample's (its Custom::InitPools properties and the two
// prefix lengths it took from its parameters); Spec replaces all of them.
const (
	propTopLevelPool         = "TopLevelPool"
	propTopLevelPoolCIDR     = "TopLevelPoolCidr"
	propIPAMPoolRegions      = "IpamPoolRegions"
	propAccEnvName           = "AccEnvName"
	propIPAMPoolPrefixLength = "IpamPoolPrefixLength"
	propAccPoolPrefixLength  = "AccPoolPrefixLength"
	propSpec                 = "Spec"
	propScopeID              = "ScopeId"
	propAllowDelete          = "AllowDelete"
	propRetain               = "Retain"
	propServiceToken         = "ServiceToken"
	propServiceTimeout       = "ServiceTimeout"
)

// sampleProps are the properties of the sample's mode.
var sampleProps = []string{propTopLevelPool, propTopLevelPoolCIDR, propIPAMPoolRegions, propAccEnvName,
	propIPAMPoolPrefixLength, propAccPoolPrefixLength}

// knownProps are every property the function reads or tolerates.
var knownProps = append(slices.Clone(sampleProps), propSpec, propScopeID, propAllowDelete, propRetain,
	propServiceToken, propServiceTimeout)

// sampleTopName is the name of the top pool in the paths of the sample's
// tree, as hierarchy.ControlTowerSpec names it.
const sampleTopName = "top"

// poolIDPattern matches an IPAM pool ID.
var poolIDPattern = regexp.MustCompile(`^ipam-pool-[0-9a-f]+$`)

// scopeIDPattern matches an IPAM scope ID.
var scopeIDPattern = regexp.MustCompile(`^ipam-scope-[0-9a-f]+$`)

// request is what the resource's properties ask for.
type request struct {
	// Spec is the tree the resource keeps: the sample's or the Spec
	// property's. It has exactly one top pool.
	Spec hierarchy.Spec
	// TopLevelPool is the sample's top pool, created by the stack
	// (AWS::EC2::IPAMPool): the tree's root, which the resource uses but
	// never changes nor deletes. Empty when Spec was given.
	TopLevelPool string
	// ScopeID is the IPAM scope; "" means the sample's top pool's scope, or
	// the IPAM's default scope of the spec's type.
	ScopeID     string
	AllowDelete bool
	Retain      bool
}

// root returns the path of the tree's root, "/" and the top pool's name.
func (r request) root() string { return "/" + r.Spec.Pools[0].Name }

// parseProperties reads the resource properties into a request. It
// reports every problem at once, each naming its property.
func parseProperties(props map[string]any) (request, error) {
	var req request
	var errs []error
	bad := func(prop, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", prop, fmt.Sprintf(format, args...)))
	}
	for _, k := range sortedKeys(props) {
		if !slices.Contains(knownProps, k) {
			bad(k, "unknown property: use %s, or the sample's %s", strings.Join([]string{propSpec, propScopeID, propAllowDelete, propRetain}, ", "), strings.Join(sampleProps, ", "))
		}
	}
	flag := func(prop string) bool {
		v, ok := props[prop]
		if !ok {
			return false
		}
		b, err := boolValue(v)
		if err != nil {
			bad(prop, "%v", err)
		}
		return b
	}
	req.AllowDelete, req.Retain = flag(propAllowDelete), flag(propRetain)
	if v, ok := props[propScopeID]; ok {
		s, err := stringValue(v)
		switch {
		case err != nil:
			bad(propScopeID, "%v", err)
		case s != "" && !scopeIDPattern.MatchString(s):
			bad(propScopeID, "%q is not an IPAM scope ID (ipam-scope-…)", s)
		}
		req.ScopeID = s
	}

	var sample []string
	for _, k := range sampleProps {
		if _, ok := props[k]; ok {
			sample = append(sample, k)
		}
	}
	_, hasSpec := props[propSpec]
	switch {
	case hasSpec && len(sample) > 0:
		bad(propSpec, "give either Spec or the sample's properties (%s), not both", strings.Join(sample, ", "))
	case hasSpec:
		req.Spec = parseSpecProp(props[propSpec], bad)
	case len(sample) > 0:
		req.Spec, req.TopLevelPool = parseSample(props, bad)
	default:
		bad(propSpec, "missing: give a hierarchy spec (YAML or JSON) in Spec, or the sample's %s", strings.Join(sampleProps[:4], ", "))
	}
	if err := errors.Join(errs...); err != nil {
		return request{}, err
	}
	if err := req.Spec.Validate(); err != nil {
		return request{}, err
	}
	return req, nil
}

// parseSpecProp parses the Spec property, which must hold one tree.
func parseSpecProp(v any, bad func(prop, format string, args ...any)) hierarchy.Spec {
	s, ok := v.(string)
	if !ok {
		bad(propSpec, "a string holding the spec's YAML or JSON, not a %s (write it as a literal block: Spec: |)", jsonKind(v))
		return hierarchy.Spec{}
	}
	spec, err := hierarchy.ParseSpec([]byte(s))
	if err != nil {
		bad(propSpec, "%v", err)
		return hierarchy.Spec{}
	}
	if len(spec.Pools) != 1 {
		bad(propSpec, "the spec has %d top pools: a hierarchy resource keeps one tree (declare one resource per tree)", len(spec.Pools))
	}
	return spec
}

// parseSample builds the sample's tree from its properties, with the
// sample's defaults for the two prefix lengths.
func parseSample(props map[string]any, bad func(prop, format string, args ...any)) (hierarchy.Spec, string) {
	str := func(prop string) string {
		v, ok := props[prop]
		if !ok {
			bad(prop, "missing: the sample's properties need %s", strings.Join(sampleProps[:4], ", "))
			return ""
		}
		s, err := stringValue(v)
		if err != nil {
			bad(prop, "%v", err)
		}
		return s
	}
	list := func(prop string) []string {
		v, ok := props[prop]
		if !ok {
			bad(prop, "missing: the sample's properties need %s", strings.Join(sampleProps[:4], ", "))
			return nil
		}
		l, err := listValue(v)
		if err != nil {
			bad(prop, "%v", err)
		} else if len(l) == 0 {
			bad(prop, "empty: give at least one")
		}
		return l
	}
	netmask := func(prop string, def int) int {
		v, ok := props[prop]
		if !ok {
			return def
		}
		s, err := stringValue(v)
		if err != nil {
			bad(prop, "%v", err)
			return def
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 32 {
			bad(prop, "%q is not a prefix length from 1 to 32", s)
			return def
		}
		return n
	}
	top := str(propTopLevelPool)
	if top != "" && !poolIDPattern.MatchString(top) {
		bad(propTopLevelPool, "%q is not an IPAM pool ID (ipam-pool-…): pass !Ref of the stack's top-level pool", top)
	}
	var cidr netip.Prefix
	if s := str(propTopLevelPoolCIDR); s != "" {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		switch {
		case err != nil:
			bad(propTopLevelPoolCIDR, "%q is not a CIDR", s)
		case !p.Addr().Is4():
			bad(propTopLevelPoolCIDR, "%q is not IPv4: the sample's tree is IPv4", s)
		case p != p.Masked():
			bad(propTopLevelPoolCIDR, "%q has host bits set (did you mean %s?)", s, p.Masked())
		default:
			cidr = p
		}
	}
	regions, envs := list(propIPAMPoolRegions), list(propAccEnvName)
	regional, env := netmask(propIPAMPoolPrefixLength, 20), netmask(propAccPoolPrefixLength, 21)
	spec := hierarchy.ControlTowerSpec(func(p *hierarchy.ControlTowerParams) {
		p.TopLevelPoolCIDR, p.Regions, p.Environments = cidr, regions, envs
		p.RegionalNetmask, p.EnvironmentNetmask = regional, env
		p.TopName = sampleTopName
	})
	return spec, top
}

// stringValue reads a scalar property. CloudFormation sends scalars as
// strings; numbers and booleans of hand-written events are accepted too.
func stringValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("a string, not a %s", jsonKind(v))
}

// listValue reads a list property: a list of strings, or one string of
// comma-separated values (a CommaDelimitedList parameter passed as is).
func listValue(v any) ([]string, error) {
	var raw []string
	switch v := v.(type) {
	case string:
		raw = strings.Split(v, ",")
	case []any:
		for _, x := range v {
			s, err := stringValue(x)
			if err != nil {
				return nil, fmt.Errorf("a list of strings: %w", err)
			}
			raw = append(raw, s)
		}
	default:
		return nil, fmt.Errorf("a list of strings, not a %s", jsonKind(v))
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// boolValue reads a boolean property: "true" or "false" (any case), or a
// JSON boolean.
func boolValue(v any) (bool, error) {
	s, err := stringValue(v)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
