package hierarchy

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const controlTowerYAML = `# The Control Tower sample's tree, as ipamctl hierarchy init writes it.
pools:
  - name: top
    family: ipv4
    cidrs: [192.168.0.0/16]
    pools:
      - name: us-west-2
        locale: us-west-2
        netmask: 20
        pools:
          - name: Prod OU
            netmask: 21
            allocation:
              tags: {Env: Prod OU}
          - name: SDLC OU
            netmask: 21
            allocation:
              tags: {Env: SDLC OU}
      - name: us-east-1
        locale: us-east-1
        netmask: 20
        pools:
          - name: Prod OU
            netmask: 21
            allocation:
              tags: {Env: Prod OU}
          - name: SDLC OU
            netmask: 21
            allocation:
              tags: {Env: SDLC OU}
`

func TestParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want Spec
	}{
		{"empty", "", Spec{}},
		{"comment only", "# nothing yet\n", Spec{}},
		{"control tower", controlTowerYAML, ControlTowerSpec()},
		{"every key", `
scope: public
regions: [us-east-1, eu-west-1]
maxPools: 200
carve: best-fit
disallowed: 2001:db8:ff::/48
pools:
  - name: v6
    family: ipv6
    cidrs: 2001:db8::/32
    description: BYOIP block
    tags: {team: network}
    publicIpSource: byoip
    publiclyAdvertisable: true
    carve: lowest
    pools:
      - name: prod
        netmask: 40
        locale: us-east-1
        autoImport: true
        allocation: {minNetmask: 44, maxNetmask: 56, defaultNetmask: 48, tags: {Env: prod}}
`, Spec{
			Scope: Public, Regions: []string{"us-east-1", "eu-west-1"}, MaxPools: 200, Carve: CarveBestFit,
			Disallowed: pfx("2001:db8:ff::/48"),
			Pools: []Pool{{
				Name: "v6", Family: IPv6, CIDRs: pfx("2001:db8::/32"), Description: "BYOIP block",
				Tags: map[string]string{"team": "network"}, PublicIPSource: SourceBYOIP, PubliclyAdvertisable: true, Carve: CarveLowest,
				Pools: []Pool{{
					Name: "prod", Netmask: 40, Locale: "us-east-1", AutoImport: true,
					Allocation: Allocation{MinNetmask: 44, MaxNetmask: 56, DefaultNetmask: 48, Tags: map[string]string{"Env": "prod"}},
				}},
			}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSpec([]byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.want, withoutLines(got), "ParseSpec(%q)", tt.in)
			assert.NoError(t, got.Validate())
		})
	}
}

// TestParseSpecStatesNone: a key written with its zero value states the
// field, which Pool.Clear records; a key left out states nothing.
func TestParseSpecStatesNone(t *testing.T) {
	t.Parallel()
	got, err := ParseSpec([]byte(`pools:
  - name: top
    cidrs: [10.0.0.0/8]
    description: ""
    autoImport: false
    allocation: {minNetmask: 0, maxNetmask: 0, defaultNetmask: 0}
    pools:
      - name: a
        netmask: 16
        description: kept
        clear: [allocation.maxNetmask]
      - name: b
        netmask: 16
        description: null
`))
	require.NoError(t, err)
	top := got.Pools[0]
	assert.Equal(t, []Field{FieldDescription, FieldAutoImport, FieldMinNetmask, FieldMaxNetmask, FieldDefaultNetmask}, top.Clear)
	for _, f := range fields {
		assert.True(t, top.Stated(f), "top states %s", f)
	}
	a, b := top.Pools[0], top.Pools[1]
	assert.Equal(t, []Field{FieldMaxNetmask}, a.Clear)
	assert.True(t, a.Stated(FieldDescription))
	assert.True(t, a.Stated(FieldMaxNetmask))
	assert.False(t, a.Stated(FieldMinNetmask))
	assert.Nil(t, b.Clear)
	for _, f := range fields {
		assert.False(t, b.Stated(f), "b states %s", f)
	}
	// Clear survives a round trip through YAML.
	out, err := yaml.Marshal(got)
	require.NoError(t, err)
	back, err := ParseSpec(out)
	require.NoError(t, err)
	assert.Equal(t, withoutLines(got), withoutLines(back), "round trip through\n%s", out)
}

func TestParseSpecErrors(t *testing.T) {
	t.Parallel()
	type prob struct {
		line int
		path string
		msg  string
	}
	tests := []struct {
		name string
		in   string
		want []prob
	}{
		{"unknown keys, all of them", "pools:\n  - name: a\n    cidr: 10.0.0.0/8\n    pools:\n      - name: b\n        netmsk: 9\nscpoe: private\n",
			[]prob{
				{3, "", `unknown key "cidr": check its spelling against the spec's keys`},
				{6, "", `unknown key "netmsk": check its spelling against the spec's keys`},
				{7, "", `unknown key "scpoe": check its spelling against the spec's keys`},
			}},
		{"wrong type", "maxPools: many\n", []prob{{1, "", "cannot unmarshal !!str `many` into int"}}},
		{"bad CIDRs with their lines", "disallowed: [10.0.0.1/8]\npools:\n  - name: a\n    cidrs:\n      - 10.0.0.0/8\n      - 10.0.0/8\n",
			[]prob{
				{1, "", `disallowed: "10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)`},
				{6, "/a", `cidrs: "10.0.0/8": IPv4 address too short: not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)`},
			}},
		{"not YAML", "pools: [\n", []prob{{1, "", "did not find expected node content"}}},
		{"two documents", "pools: []\n---\npools: []\n", []prob{{2, "", "a second YAML document: a spec is one document"}}},
		{"CIDR as a map", "pools:\n  - name: a\n    cidrs: {a: b}\n", []prob{{3, "", "want a CIDR or a list of CIDRs"}}},
		{"every problem, whatever its kind", "pools:\n  - name: a\n    cidrs: [{x: y}, 10.0.0.0/8]\n    netmask: seventeen\n    pools:\n      - name: b\n        cidrs: 10.0.0.1/16\n        locael: x\n      - name: c\n        cidrs: {a: b}\nmaxPools: many\n",
			[]prob{
				{3, "", "want a CIDR such as 10.0.0.0/16"},
				{4, "", "cannot unmarshal !!str `seventeen` into int"},
				{7, "/a/b", `cidrs: "10.0.0.1/16": host bits set (did you mean 10.0.0.0/16?)`},
				{8, "", `unknown key "locael": check its spelling against the spec's keys`},
				{10, "", "want a CIDR or a list of CIDRs"},
				{11, "", "cannot unmarshal !!str `many` into int"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSpec([]byte(tt.in))
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "ParseSpec(%q)", tt.in)
			var got []prob
			for _, p := range ve.Problems {
				got = append(got, prob{p.Line, p.Path, p.Msg})
			}
			assert.Equal(t, tt.want, got, "ParseSpec(%q)", tt.in)
		})
	}
}

func TestSpecYAMLRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []Spec{ControlTowerSpec(), ipv6Spec(), bestFitSpec(), {Disallowed: pfx("10.0.0.0/8")}} {
		b, err := yaml.Marshal(s)
		require.NoError(t, err)
		back, err := ParseSpec(b)
		require.NoError(t, err, "%s", b)
		assert.Equal(t, s, withoutLines(back), "round trip through\n%s", b)
	}
}

// withoutLines returns s without the lines ParseSpec remembers, to compare
// it with a Spec built in Go.
func withoutLines(s Spec) Spec {
	s.lines = nil
	return s
}

// TestValidateCarriesLines: the problems of a parsed spec name the line of
// their pool, duplicates included; a pool moved or renamed since has none.
func TestValidateCarriesLines(t *testing.T) {
	t.Parallel()
	s, err := ParseSpec([]byte(`pools:
  - name: top
    cidrs: [10.0.0.0/16]
    pools:
      - name: a
        netmask: 17
      - {name: a, netmask: 17}
      - name: b
        netmask: 15
      - name: c
        netmask: 17
        locale: nowhere
        autoImport: true
        pools:
          - name: d
            netmask: 8
regions: [us-east-1]
`))
	require.NoError(t, err)
	type prob struct {
		line int
		path string
		err  error
	}
	lines := func(err error) []prob {
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		var out []prob
		for _, p := range ve.Problems {
			out = append(out, prob{p.Line, p.Path, p.Err})
		}
		return out
	}
	assert.Equal(t, []prob{
		{7, "/top/a", ErrDuplicateName},
		{10, "/top/c", ErrLocale},
		{8, "/top/b", ErrNetmask},
		{15, "/top/c/d", ErrNetmask},
	}, lines(s.Validate()))

	// Plan's problems too.
	_, err = Plan(s, Live{})
	assert.Equal(t, lines(s.Validate()), lines(err))

	// Renamed in Go after parsing: the line no longer belongs to it.
	renamed := s
	renamed.Pools = slices.Clone(s.Pools)
	renamed.Pools[0].Pools = slices.Clone(s.Pools[0].Pools)
	renamed.Pools[0].Pools[2].Name = "B"
	for _, p := range lines(renamed.Validate()) {
		if p.path == "/top/B" {
			assert.Zero(t, p.line, "%+v", p)
		}
	}
}
