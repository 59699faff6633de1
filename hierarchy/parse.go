package hierarchy

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ipamkit/ipamkit/ipam"
)

// ParseSpec reads a spec from YAML: the keys of [Spec] and [Pool] as their
// yaml tags spell them (camelCase), CIDRs in canonical form. It is strict:
// an unknown key, a value of the wrong type, or a CIDR with host bits set is
// an error naming its line, and every such error is reported at once in a
// [*ValidationError] whose problems wrap [ErrSyntax] or [ErrInvalid], in
// line order, with the spec as far as it could be read. Only YAML that does
// not parse at all stops it at its first error. An empty document is the
// zero Spec.
//
// ParseSpec only parses; call [Spec.Validate] for the checks that need the
// whole tree (space, overlaps, quotas).
//
//	pools:
//	  - name: top
//	    cidrs: [10.0.0.0/8]
//	    pools:
//	      - name: us-east-1
//	        locale: us-east-1
//	        netmask: 12
func ParseSpec(data []byte) (Spec, error) {
	var raw rawSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var ps problems
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		ps = append(ps, yamlProblems(err)...)
		// A value of the wrong type or an unknown key does not stop the
		// decoder: what it could decode is checked too, so that every
		// problem is reported at once. YAML that does not parse does.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return Spec{}, ps.err()
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps = append(ps, Problem{Line: extra.Line, Msg: "a second YAML document: a spec is one document", Err: ErrSyntax})
	}
	s := Spec{
		Scope:    Scope(raw.Scope),
		Regions:  raw.Regions,
		MaxPools: raw.MaxPools,
		Carve:    raw.Carve,
	}
	s.Disallowed = raw.Disallowed.prefixes("", "disallowed", &ps)
	s.Pools = convertPools("", raw.Pools, &ps)
	s.lines = poolLines(data)
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return s, ps.err()
}

type rawSpec struct {
	Scope      string    `yaml:"scope"`
	Regions    []string  `yaml:"regions"`
	MaxPools   int       `yaml:"maxPools"`
	Carve      string    `yaml:"carve"`
	Disallowed cidrNodes `yaml:"disallowed"`
	Pools      []rawPool `yaml:"pools"`
}

type rawPool struct {
	Name                 string            `yaml:"name"`
	Family               string            `yaml:"family"`
	CIDRs                cidrNodes         `yaml:"cidrs"`
	Netmask              int               `yaml:"netmask"`
	Locale               string            `yaml:"locale"`
	Description          *string           `yaml:"description"`
	Tags                 map[string]string `yaml:"tags"`
	Allocation           rawAllocation     `yaml:"allocation"`
	AutoImport           *bool             `yaml:"autoImport"`
	Clear                []Field           `yaml:"clear"`
	PublicIPSource       string            `yaml:"publicIpSource"`
	PubliclyAdvertisable bool              `yaml:"publiclyAdvertisable"`
	Carve                string            `yaml:"carve"`
	Pools                []rawPool         `yaml:"pools"`
}

// rawAllocation and rawPool keep the fields a spec may leave out as
// pointers: a key written with its zero value states it (Pool.Clear).
type rawAllocation struct {
	MinNetmask     *int              `yaml:"minNetmask"`
	MaxNetmask     *int              `yaml:"maxNetmask"`
	DefaultNetmask *int              `yaml:"defaultNetmask"`
	Tags           map[string]string `yaml:"tags"`
}

// cidrNode is a CIDR as written, with its line.
type cidrNode struct {
	text string
	line int
}

type cidrNodes []cidrNode

// UnmarshalYAML accepts one CIDR or a list of them. Its errors are
// *yaml.TypeError, so that the decoder goes on to the rest of the document.
func (c *cidrNodes) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = cidrNodes{{n.Value, n.Line}}
		return nil
	case yaml.SequenceNode:
		var bad []string
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode {
				bad = append(bad, fmt.Sprintf("line %d: want a CIDR such as 10.0.0.0/16", e.Line))
				continue
			}
			*c = append(*c, cidrNode{e.Value, e.Line})
		}
		if len(bad) > 0 {
			return &yaml.TypeError{Errors: bad}
		}
		return nil
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a CIDR or a list of CIDRs", n.Line)}}
}

func (c cidrNodes) prefixes(path, key string, ps *problems) []netip.Prefix {
	var out []netip.Prefix
	for _, n := range c {
		p, err := ipam.ParseCIDR(n.text)
		if err != nil {
			*ps = append(*ps, Problem{Path: path, Line: n.line, Msg: key + ": " + err.Error(), Err: ErrInvalid})
			continue
		}
		out = append(out, p)
	}
	return out
}

func convertPools(parent string, raw []rawPool, ps *problems) []Pool {
	if raw == nil {
		return nil
	}
	out := make([]Pool, len(raw))
	for i, r := range raw {
		path := parent + "/" + r.Name
		cleared := r.Clear
		stated := func(f Field, zero bool) {
			if zero && !slices.Contains(cleared, f) {
				cleared = append(cleared, f)
			}
		}
		ra := r.Allocation
		if r.Description != nil {
			stated(FieldDescription, *r.Description == "")
		}
		if r.AutoImport != nil {
			stated(FieldAutoImport, !*r.AutoImport)
		}
		for _, v := range []struct {
			f Field
			n *int
		}{{FieldMinNetmask, ra.MinNetmask}, {FieldMaxNetmask, ra.MaxNetmask}, {FieldDefaultNetmask, ra.DefaultNetmask}} {
			if v.n != nil {
				stated(v.f, *v.n == 0)
			}
		}
		out[i] = Pool{
			Name:        r.Name,
			Family:      Family(r.Family),
			CIDRs:       r.CIDRs.prefixes(path, "cidrs", ps),
			Netmask:     r.Netmask,
			Locale:      r.Locale,
			Description: deref(r.Description),
			Tags:        r.Tags,
			Allocation: Allocation{
				MinNetmask:     deref(ra.MinNetmask),
				MaxNetmask:     deref(ra.MaxNetmask),
				DefaultNetmask: deref(ra.DefaultNetmask),
				Tags:           ra.Tags,
			},
			AutoImport:           deref(r.AutoImport),
			Clear:                cleared,
			PublicIPSource:       r.PublicIPSource,
			PubliclyAdvertisable: r.PubliclyAdvertisable,
			Carve:                r.Carve,
			Pools:                convertPools(path, r.Pools, ps),
		}
	}
	return out
}

// poolLines returns the line and name of each pool of a YAML spec by its
// place in the tree ("/0/1"), or nil when there are none.
func poolLines(data []byte) map[string]poolLine {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	out := map[string]poolLine{}
	var walk func(m *yaml.Node, prefix string)
	walk = func(m *yaml.Node, prefix string) {
		seq := mappingValue(m, "pools")
		if seq == nil || seq.Kind != yaml.SequenceNode {
			return
		}
		for i, p := range seq.Content {
			key := prefix + "/" + strconv.Itoa(i)
			pl := poolLine{line: p.Line}
			if name := mappingValue(p, "name"); name != nil {
				pl.name = name.Value
			}
			out[key] = pl
			if p.Kind == yaml.MappingNode {
				walk(p, key)
			}
		}
	}
	walk(doc.Content[0], "")
	if len(out) == 0 {
		return nil
	}
	return out
}

// mappingValue returns the value of key in the mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlProblems turns a decoding error into problems with line numbers.
func yamlProblems(err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		p := Problem{Msg: m, Err: ErrSyntax}
		if sm := lineRE.FindStringSubmatch(m); sm != nil {
			p.Line, _ = strconv.Atoi(sm[1])
			p.Msg = m[len(sm[0]):]
		}
		p.Msg = strings.TrimPrefix(p.Msg, "yaml: ")
		// "field foo not found in type hierarchy.rawPool" → "unknown key "foo""
		if f, ok := strings.CutPrefix(p.Msg, "field "); ok {
			if name, _, ok := strings.Cut(f, " not found in type "); ok {
				p.Msg = fmt.Sprintf("unknown key %q: check its spelling against the spec's keys", name)
			}
		}
		p.Msg = strings.ReplaceAll(p.Msg, "hierarchy.raw", "")
		out = append(out, p)
	}
	return out
}
