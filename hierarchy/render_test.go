package hierarchy

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// goldenCase is a spec and a live tree in, a rendered plan out.
type goldenCase struct {
	name    string
	spec    Spec
	live    Live
	opts    func(*Options)
	jsonToo bool
}

// appliedCT is the live tree after applying the Control Tower spec with the
// given parameters to an empty scope.
func appliedCT(t testing.TB, optFns ...func(*ControlTowerParams)) Live {
	t.Helper()
	cs, err := Plan(ControlTowerSpec(optFns...), Live{})
	require.NoError(t, err)
	return applySim(t, Live{}, cs)
}

func goldenCases(t *testing.T) []goldenCase {
	ct := ControlTowerSpec()
	applied := appliedCT(t)

	threeRegions := ControlTowerSpec(func(p *ControlTowerParams) {
		p.Regions = []string{"us-west-2", "us-east-1", "eu-west-1"}
	})

	drifted := applySim(t, applied, ChangeSet{}) // a copy
	for i := range drifted.Pools {
		p := &drifted.Pools[i]
		switch p.Tags[DefaultPathTagKey] {
		case "/top/us-west-2/Prod OU":
			p.Allocation.Tags = map[string]string{"Env": "Production"}
			p.Description = "edited by hand"
		}
	}

	prodOnly := ControlTowerSpec(func(p *ControlTowerParams) { p.Environments = []string{"Prod OU"} })
	inUse := applySim(t, applied, ChangeSet{})
	for i := range inUse.Pools {
		p := &inUse.Pools[i]
		if p.Tags[DefaultPathTagKey] == "/top/us-west-2/SDLC OU" {
			p.Allocations = append(p.Allocations, LiveAllocation{
				ID: "ipam-pool-alloc-0123", CIDR: netip.MustParsePrefix("192.168.8.0/24"),
				ResourceType: "vpc", ResourceID: "vpc-0a1b2c3d",
			})
		}
	}

	appliedThree := appliedCT(t, func(p *ControlTowerParams) { p.Regions = []string{"us-west-2", "us-east-1", "eu-west-1"} })
	threeInUse := applySim(t, appliedThree, ChangeSet{})
	for i := range threeInUse.Pools {
		p := &threeInUse.Pools[i]
		if p.Tags[DefaultPathTagKey] == "/top/eu-west-1/SDLC OU" {
			p.Allocations = append(p.Allocations, LiveAllocation{
				ID: "ipam-pool-alloc-0456", CIDR: netip.MustParsePrefix("192.168.40.0/24"),
				ResourceType: "vpc", ResourceID: "vpc-0e1f2a3b",
			})
		}
	}
	threeRegionsProdOnly := ControlTowerSpec(func(p *ControlTowerParams) {
		p.Regions = []string{"us-west-2", "us-east-1", "eu-west-1"}
		p.Environments = []string{"Prod OU"}
	})

	ipv6 := Spec{Scope: Public, Pools: []Pool{{
		Name: "v6", Family: IPv6, Locale: "us-east-1", PublicIPSource: SourceAmazon, Netmask: 52,
		Description: "Amazon-provided IPv6",
		Pools: []Pool{
			{Name: "prod", Netmask: 54, Allocation: Allocation{DefaultNetmask: 56, MinNetmask: 56, MaxNetmask: 60}},
			{Name: "dev", Netmask: 54},
		},
	}}}

	// The sample's tree with /22 environments, one allocation tag edited by
	// hand: that pool is not adopted, and the plan says why.
	small := func(p *ControlTowerParams) { p.EnvironmentNetmask = 22 }
	nearMiss := untag(appliedCT(t, small))
	for i := range nearMiss.Pools {
		if nearMiss.Pools[i].Allocation.Tags["Env"] == "SDLC OU" && nearMiss.Pools[i].Locale == "us-west-2" {
			nearMiss.Pools[i].Allocation.Tags = map[string]string{"Env": "SDLC"}
		}
	}

	team, err := os.ReadFile(filepath.Join("testdata", "team.spec.yaml"))
	require.NoError(t, err)
	teamSpec, err := ParseSpec(team)
	require.NoError(t, err)

	return []goldenCase{
		{name: "team-from-yaml", spec: teamSpec, jsonToo: true},
		{name: "adopt-near-miss", spec: ControlTowerSpec(small), live: nearMiss},
		{name: "controltower-from-empty", spec: ct, jsonToo: true},
		{name: "controltower-adopt", spec: ct, live: untag(applied), jsonToo: true},
		{name: "controltower-no-changes", spec: ct, live: applied},
		{name: "add-region", spec: threeRegions, live: applied},
		{name: "drift", spec: ct, live: drifted},
		{name: "delete-refused-allocations", spec: prodOnly, live: inUse, opts: func(o *Options) { o.AllowDelete = true }, jsonToo: true},
		{name: "delete-not-allowed", spec: prodOnly, live: applied},
		// A region the spec no longer has: without AllowDelete its pool is
		// refused for want of it, not for its children, which AllowDelete
		// would delete first; with a VPC in one child, that VPC is named.
		{name: "delete-region-not-allowed", spec: ct, live: appliedThree},
		{name: "delete-region-refused-allocations", spec: ct, live: threeInUse, opts: func(o *Options) { o.AllowDelete = true }},
		{name: "delete-region-in-use-not-allowed", spec: ct, live: threeInUse},
		{name: "adds-and-refuses", spec: threeRegionsProdOnly, live: applied},
		{name: "ipv6-amazon-from-empty", spec: ipv6},
		{name: "netmask-changed-warns", spec: ControlTowerSpec(func(p *ControlTowerParams) {
			p.EnvironmentNetmask = 22
			p.Regions = []string{"us-west-2", "us-east-1", "eu-west-1"}
		}), live: applied},
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tt := range goldenCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			cs, err := Plan(tt.spec, tt.live, opts...)
			require.NoError(t, err)
			var text bytes.Buffer
			require.NoError(t, cs.WriteText(&text))
			checkGolden(t, tt.name+".golden", text.Bytes())
			if tt.jsonToo {
				var js bytes.Buffer
				require.NoError(t, cs.WriteJSON(&js))
				checkGolden(t, tt.name+".json.golden", js.Bytes())
			}
		})
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./hierarchy -run TestGolden -update to create it")
	assert.Equal(t, string(want), string(got), "%s (refresh with -update)", path)
}

func TestWriteJSONIsTheValue(t *testing.T) {
	t.Parallel()
	cs, err := Plan(ControlTowerSpec(), untag(appliedCT(t)))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, cs.WriteJSON(&buf))

	var back ChangeSet
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, cs, back, "JSON round trip")

	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(buf.Bytes(), &top))
	assert.JSONEq(t, `{"create":0,"update":0,"delete":0,"adopt":7}`, string(top["summary"]))
	assert.JSONEq(t, `1`, string(top["formatVersion"]))
}

func TestActionText(t *testing.T) {
	t.Parallel()
	for _, a := range []Action{NoOp, Create, Update, Delete, Adopt} {
		b, err := a.MarshalText()
		require.NoError(t, err)
		var back Action
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, a, back, "round trip of %s", b)
	}
	var a Action
	assert.Error(t, a.UnmarshalText([]byte("explode")))
	assert.Equal(t, "<=", Adopt.Symbol())
	assert.Equal(t, "+", Create.Symbol())
}

func TestOpLabel(t *testing.T) {
	t.Parallel()
	sub := netip.MustParsePrefix("192.168.16.0/20")
	tests := []struct {
		name        string
		op          Op
		label, full string
	}{
		{"create", Op{Kind: KindCreatePool, Action: Create, Path: "/top/us-east-1"},
			"+ pool /top/us-east-1", "+ pool /top/us-east-1 (create-pool)"},
		{"create with its new ID", Op{Kind: KindCreatePool, Action: Create, Path: "/top", PoolID: "ipam-pool-1"},
			"+ pool /top", "+ pool /top (create-pool, ipam-pool-1)"},
		{"adopt", Op{Kind: KindAdoptPool, Action: Adopt, Path: "/top", PoolID: "ipam-pool-1"},
			"<= pool /top ipam-pool-1", "<= pool /top (adopt-pool, ipam-pool-1)"},
		{"modify", Op{Kind: KindModifyPool, Action: Update, Path: "/top", PoolID: "ipam-pool-1"},
			"~ pool /top ipam-pool-1", "~ pool /top (modify-pool, ipam-pool-1)"},
		{"delete", Op{Kind: KindDeletePool, Action: Delete, Path: "/top/a", PoolID: "ipam-pool-2"},
			"- pool /top/a ipam-pool-2", "- pool /top/a (delete-pool, ipam-pool-2)"},
		{"provision", Op{Kind: KindProvisionCIDR, Action: Create, Path: "/top/us-east-1", CIDR: sub},
			"+ cidr /top/us-east-1 192.168.16.0/20", "+ cidr /top/us-east-1 192.168.16.0/20 (provision-cidr)"},
		{"provision chosen by AWS", Op{Kind: KindProvisionCIDR, Action: Create, Path: "/v6/prod", PoolID: "ipam-pool-3", Netmask: 54},
			"+ cidr /v6/prod /54", "+ cidr /v6/prod /54 (provision-cidr, ipam-pool-3)"},
		{"deprovision", Op{Kind: KindDeprovisionCIDR, Action: Delete, Path: "/top/a", PoolID: "ipam-pool-2", CIDR: sub},
			"- cidr /top/a 192.168.16.0/20", "- cidr /top/a 192.168.16.0/20 (deprovision-cidr, ipam-pool-2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.label, tt.op.Label(), "%+v", tt.op)
			assert.Equal(t, tt.full, tt.op.String(), "%+v", tt.op)
		})
	}
}
