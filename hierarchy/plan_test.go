package hierarchy

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// converge plans spec against live, applies the plan with applySim and
// requires the next plan to be empty; it returns the live tree after apply.
func converge(t testing.TB, spec Spec, live Live, optFns ...func(*Options)) Live {
	t.Helper()
	cs, err := Plan(spec, live, optFns...)
	require.NoError(t, err)
	after := applySim(t, live, cs)
	again, err := Plan(spec, after, optFns...)
	require.NoError(t, err)
	require.Empty(t, again.Ops, "re-plan after apply must be empty")
	planned, got := cidrsByPath(cs), cidrsByPath(again)
	for path, want := range planned {
		assert.Equal(t, want, got[path], "CIDRs of %s after apply are the ones planned", path)
	}
	return after
}

func TestPlanConverges(t *testing.T) {
	t.Parallel()
	applied := appliedCT(t)
	withVPC := applySim(t, applied, ChangeSet{})
	for i := range withVPC.Pools {
		if withVPC.Pools[i].Tags[DefaultPathTagKey] == "/top/us-east-1/SDLC OU" {
			withVPC.Pools[i].Allocations = []LiveAllocation{{CIDR: netip.MustParsePrefix("192.168.24.0/24"), ResourceType: "vpc", ResourceID: "vpc-1"}}
		}
	}
	prodOnly := ControlTowerSpec(func(p *ControlTowerParams) { p.Environments = []string{"Prod OU"} })
	allow := func(o *Options) { o.AllowDelete = true }
	tests := []struct {
		name string
		spec Spec
		live Live
		opts []func(*Options)
	}{
		{"from empty", ControlTowerSpec(), Live{}, nil},
		{"adopt the sample's tree", ControlTowerSpec(), untag(applied), nil},
		{"add a region", ControlTowerSpec(func(p *ControlTowerParams) { p.Regions = append(p.Regions, "eu-west-1") }), applied, nil},
		{"add a level", addLevel(ControlTowerSpec()), applied, nil},
		{"delete environments", prodOnly, applied, []func(*Options){allow}},
		{"delete all but one in use", prodOnly, withVPC, []func(*Options){allow}},
		{"explicit CIDR added and removed", explicitTop("10.0.0.0/16", "10.2.0.0/16"), applySim(t, Live{}, mustPlan(t, explicitTop("10.0.0.0/16", "10.1.0.0/16"))), []func(*Options){allow}},
		{"IPv6 Amazon-provided", ipv6Spec(), Live{}, nil},
		{"best fit", bestFitSpec(), Live{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			converge(t, tt.spec, tt.live, tt.opts...)
		})
	}
}

func mustPlan(t testing.TB, s Spec) ChangeSet {
	t.Helper()
	cs, err := Plan(s, Live{})
	require.NoError(t, err)
	return cs
}

func addLevel(s Spec) Spec {
	reg := &s.Pools[0].Pools[0]
	envs := append([]Pool(nil), reg.Pools...)
	envs[0].Pools = []Pool{{Name: "team-a", Netmask: 24}, {Name: "team-b", Netmask: 23}}
	reg.Pools = envs
	return s
}

func explicitTop(cidrs ...string) Spec {
	var ps []netip.Prefix
	for _, c := range cidrs {
		ps = append(ps, netip.MustParsePrefix(c))
	}
	return Spec{Pools: []Pool{{Name: "top", CIDRs: ps, Pools: []Pool{{Name: "a", Netmask: 20}}}}}
}

func ipv6Spec() Spec {
	return Spec{Scope: Public, Pools: []Pool{{
		Name: "v6", Family: IPv6, Locale: "us-east-1", PublicIPSource: SourceAmazon, Netmask: 52,
		Pools: []Pool{{Name: "prod", Netmask: 54, Pools: []Pool{{Name: "web", Netmask: 56}}}, {Name: "dev", Netmask: 54}},
	}}}
}

func bestFitSpec() Spec {
	return Spec{Carve: CarveBestFit, Pools: []Pool{{
		Name: "top", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/22")},
		Pools: []Pool{
			{Name: "a", Netmask: 25},
			{Name: "b", Netmask: 24},
			{Name: "c", Netmask: 25},
			{Name: "d", Netmask: 23},
		},
	}}}
}

func TestPlanCarving(t *testing.T) {
	t.Parallel()
	p := netip.MustParsePrefix
	tests := []struct {
		name string
		spec Spec
		live Live
		opts func(*Options)
		want map[string][]string
	}{
		{
			name: "control tower defaults carve as the sample does",
			spec: ControlTowerSpec(),
			want: map[string][]string{
				"/top":                   {"192.168.0.0/16"},
				"/top/us-west-2":         {"192.168.0.0/20"},
				"/top/us-west-2/Prod OU": {"192.168.0.0/21"},
				"/top/us-west-2/SDLC OU": {"192.168.8.0/21"},
				"/top/us-east-1":         {"192.168.16.0/20"},
				"/top/us-east-1/Prod OU": {"192.168.16.0/21"},
				"/top/us-east-1/SDLC OU": {"192.168.24.0/21"},
			},
		},
		{
			name: "lowest first skips explicit siblings and disallowed space",
			spec: Spec{Disallowed: []netip.Prefix{p("10.0.1.0/24")}, Pools: []Pool{{
				Name: "top", CIDRs: []netip.Prefix{p("10.0.0.0/22")},
				Pools: []Pool{{Name: "a", Netmask: 24}, {Name: "b", CIDRs: []netip.Prefix{p("10.0.0.0/24")}}, {Name: "c", Netmask: 24}},
			}}},
			want: map[string][]string{
				"/top": {"10.0.0.0/22"}, "/top/a": {"10.0.2.0/24"}, "/top/b": {"10.0.0.0/24"}, "/top/c": {"10.0.3.0/24"},
			},
		},
		{
			name: "avoid option keeps discovered space free",
			spec: explicitTop("10.0.0.0/16"),
			opts: func(o *Options) { o.Avoid = []netip.Prefix{p("10.0.0.0/24")} },
			want: map[string][]string{"/top": {"10.0.0.0/16"}, "/top/a": {"10.0.16.0/20"}},
		},
		{
			name: "best fit fills the small hole first",
			spec: bestFitSpec(),
			want: map[string][]string{
				"/top": {"10.0.0.0/22"}, "/top/a": {"10.0.0.0/25"}, "/top/b": {"10.0.1.0/24"},
				"/top/c": {"10.0.0.128/25"}, "/top/d": {"10.0.2.0/23"},
			},
		},
		{
			name: "space allocated in a live parent is avoided",
			spec: explicitTop("10.0.0.0/16"),
			live: Live{Pools: []LivePool{{
				ID: "ipam-pool-1", Family: IPv4, Tags: map[string]string{DefaultPathTagKey: "/top"},
				CIDRs:       []LiveCIDR{{CIDR: p("10.0.0.0/16"), State: "provisioned"}},
				Allocations: []LiveAllocation{{CIDR: p("10.0.0.0/20"), ResourceType: "vpc", ResourceID: "vpc-1"}},
			}}},
			want: map[string][]string{"/top": {"10.0.0.0/16"}, "/top/a": {"10.0.16.0/20"}},
		},
		{
			name: "live CIDRs are kept even where the carving would differ",
			spec: explicitTop("10.0.0.0/16"),
			live: Live{Pools: []LivePool{
				{ID: "ipam-pool-1", Family: IPv4, Tags: map[string]string{DefaultPathTagKey: "/top"}, CIDRs: []LiveCIDR{{CIDR: p("10.0.0.0/16")}},
					Allocations: []LiveAllocation{{CIDR: p("10.0.48.0/20"), ResourceType: ResourceTypePool, ResourceID: "ipam-pool-2"}}},
				{ID: "ipam-pool-2", ParentID: "ipam-pool-1", Family: IPv4, Tags: map[string]string{DefaultPathTagKey: "/top/a"}, CIDRs: []LiveCIDR{{CIDR: p("10.0.48.0/20")}}},
			}},
			want: map[string][]string{"/top": {"10.0.0.0/16"}, "/top/a": {"10.0.48.0/20"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []func(*Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			cs, err := Plan(tt.spec, tt.live, opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, cidrsByPath(cs), "carving of %s", tt.name)
		})
	}
}

func TestPlanConflicts(t *testing.T) {
	t.Parallel()
	p := netip.MustParsePrefix
	applied := appliedCT(t)
	movedLocale := applySim(t, applied, ChangeSet{})
	for i := range movedLocale.Pools {
		if movedLocale.Pools[i].Tags[DefaultPathTagKey] == "/top/us-west-2" {
			movedLocale.Pools[i].Locale = "eu-west-1"
		}
	}
	dup := applySim(t, applied, ChangeSet{})
	dup.Pools = append(dup.Pools, LivePool{ID: "ipam-pool-99999", Family: IPv4, Tags: map[string]string{DefaultPathTagKey: "/top"}, CIDRs: []LiveCIDR{{CIDR: p("172.16.0.0/12")}}})
	crowded := Live{}
	for i := range 49 {
		crowded.Pools = append(crowded.Pools, LivePool{ID: "ipam-pool-x" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Family: IPv4})
	}
	tests := []struct {
		name string
		live Live
		want error
		path string
	}{
		{"locale changed by hand", movedLocale, ErrConflict, "/top/us-west-2"},
		{"two pools claim a path", dup, ErrConflict, "/top"},
		{"scope quota with unmanaged pools", crowded, ErrQuota, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Plan(ControlTowerSpec(), tt.live)
			require.ErrorIs(t, err, tt.want)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.path, ve.Problems[0].Path, "%v", err)
		})
	}
}

func TestPlanPathTagKey(t *testing.T) {
	t.Parallel()
	key := func(o *Options) { o.PathTagKey = "team:path" }
	cs, err := Plan(ControlTowerSpec(), Live{}, key)
	require.NoError(t, err)
	assert.Equal(t, "/top", cs.Ops[0].Config.Tags["team:path"])
	assert.Equal(t, "team:path", cs.PathTagKey)
	live := applySim(t, Live{}, cs)
	again, err := Plan(ControlTowerSpec(), live, key)
	require.NoError(t, err)
	assert.Empty(t, again.Ops)
	// With the default key the same pools look untagged: adoption, not duplicates.
	other, err := Plan(ControlTowerSpec(), live)
	require.NoError(t, err)
	assert.Equal(t, Summary{Adopt: 7}, other.Summary())
}

func TestPlanOrder(t *testing.T) {
	t.Parallel()
	cs, err := Plan(addLevel(ControlTowerSpec()), Live{})
	require.NoError(t, err)
	created := map[string]int{}
	for i, op := range cs.Ops {
		if op.Kind == KindCreatePool {
			created[op.Path] = i
			if op.ParentPath != "" {
				j, ok := created[op.ParentPath]
				assert.True(t, ok && j < i, "%s created before its parent %s", op.Path, op.ParentPath)
			}
		}
		if op.Kind == KindProvisionCIDR {
			j, ok := created[op.Path]
			assert.True(t, ok && j < i, "CIDR of %s provisioned before the pool is created", op.Path)
		}
	}
	// Deletes: children first.
	del, err := Plan(Spec{}, applySim(t, Live{}, cs), func(o *Options) { o.AllowDelete = true })
	require.NoError(t, err)
	deleted := map[string]bool{}
	for _, op := range del.Ops {
		if op.Kind == KindDeletePool {
			assert.False(t, deleted[parentPath(op.Path)], "%s deleted after its parent", op.Path)
			deleted[op.Path] = true
		}
	}
	assert.Len(t, deleted, 9)
}

func parentPath(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return ""
}

func TestClientToken(t *testing.T) {
	t.Parallel()
	a := ClientToken("ipam-scope-1", "/top/us-east-1", KindCreatePool, "")
	assert.Equal(t, a, ClientToken("ipam-scope-1", "/top/us-east-1", KindCreatePool, ""), "stable")
	assert.Len(t, a, 48)
	assert.LessOrEqual(t, len(a), 64, "EC2 client tokens hold 64 characters")
	for _, other := range []string{
		ClientToken("ipam-scope-2", "/top/us-east-1", KindCreatePool, ""),
		ClientToken("ipam-scope-1", "/top/us-west-2", KindCreatePool, ""),
		ClientToken("ipam-scope-1", "/top/us-east-1", KindProvisionCIDR, ""),
		ClientToken("ipam-scope-1", "/top/us-east-1", KindCreatePool, "10.0.0.0/8"),
		ClientToken("ipam-scope-1/top", "/us-east-1", KindCreatePool, ""),
	} {
		assert.NotEqual(t, a, other)
	}
	cs, err := Plan(ControlTowerSpec(), Live{}, func(o *Options) { o.ScopeID = "ipam-scope-1" })
	require.NoError(t, err)
	assert.Equal(t, ClientToken("ipam-scope-1", "/top", KindCreatePool, ""), cs.Ops[0].ClientToken)
}

func TestPlanDoesNotModifyInputs(t *testing.T) {
	t.Parallel()
	spec := ControlTowerSpec()
	live := untag(appliedCT(t))
	specCopy, liveCopy := ControlTowerSpec(), untag(appliedCT(t))
	_, err := Plan(spec, live)
	require.NoError(t, err)
	assert.Equal(t, specCopy, spec)
	assert.Equal(t, liveCopy, live)
}

func TestPlanGrowExplicitCIDR(t *testing.T) {
	t.Parallel()
	live := applySim(t, Live{}, mustPlan(t, explicitTop("10.0.0.0/17")))
	_, err := Plan(explicitTop("10.0.0.0/16"), live, func(o *Options) { o.AllowDelete = true })
	require.ErrorIs(t, err, ErrOverlap)
	assert.ErrorContains(t, err, "/top: 10.0.0.0/16 overlaps 10.0.0.0/17, which the pool holds and the spec no longer lists: a pool's CIDRs cannot overlap, so to grow it list 10.0.128.0/17 next to 10.0.0.0/17")
	// Growing the way IPAM can: add the other half.
	converge(t, explicitTop("10.0.0.0/17", "10.0.128.0/17"), live)
}

func TestPlanRetaggedParent(t *testing.T) {
	t.Parallel()
	retag := func(path, to string) Live {
		live := appliedCT(t)
		for i := range live.Pools {
			if live.Pools[i].Tags[DefaultPathTagKey] == path {
				live.Pools[i].Tags[DefaultPathTagKey] = to
			}
		}
		return live
	}
	_, err := Plan(ControlTowerSpec(), retag("/top/us-west-2", "/old-region"))
	assert.Equal(t, []want{{"/top/us-west-2/Prod OU", ErrConflict}, {"/top/us-west-2/SDLC OU", ErrConflict}}, problemsOf(t, err))

	// A new top pool would overlap the old one, which the scope keeps.
	_, err = Plan(ControlTowerSpec(), retag("/top", "/old-top"))
	assert.Equal(t, []want{{"/top", ErrOverlap}}, problemsOf(t, err))
}

func TestPlanWarnsWhenALiveCIDRKeepsItsSize(t *testing.T) {
	t.Parallel()
	live := appliedCT(t)
	cs, err := Plan(ControlTowerSpec(func(p *ControlTowerParams) { p.EnvironmentNetmask = 22 }), live)
	require.NoError(t, err)
	assert.Empty(t, cs.Ops)
	require.Len(t, cs.Warnings, 4)
	assert.Equal(t, Warning{Path: "/top/us-west-2/Prod OU", Msg: "keeps 192.168.0.0/21 although the spec asks for a /22: IPAM cannot move or resize a pool's CIDR; write cidrs: [192.168.0.0/21] (plus any space to add) instead of the netmask, or replace the pool by hand"}, cs.Warnings[0])
}

func TestPlanAdoptsTheSampleDespiteDuplicates(t *testing.T) {
	t.Parallel()
	// A retried sample run leaves a second, empty set of pools: the
	// provisions collided with the first set's allocations.
	live := untag(appliedCT(t))
	n := len(live.Pools)
	for i := range n {
		p := live.Pools[i]
		if p.ParentID == "" {
			continue
		}
		p.ID += "-retry"
		p.CIDRs, p.Allocations = nil, nil
		live.Pools = append(live.Pools, p)
	}
	cs, err := Plan(ControlTowerSpec(), live)
	require.NoError(t, err)
	assert.Equal(t, Summary{Adopt: 7}, cs.Summary())
	for _, op := range cs.Ops {
		assert.NotContains(t, op.PoolID, "-retry", "%s adopted an empty duplicate", op.Path)
	}
	after := converge(t, ControlTowerSpec(), live)
	assert.Len(t, after.Pools, 13, "the empty duplicates are left alone")
}

func TestPlanOptionsFromIPAM(t *testing.T) {
	t.Parallel()
	_, err := Plan(ControlTowerSpec(), Live{}, func(o *Options) { o.Regions = []string{"us-east-1", "eu-west-1"} })
	assert.Equal(t, []want{{"/top/us-west-2", ErrLocale}}, problemsOf(t, err))

	_, err = Plan(ControlTowerSpec(), Live{}, func(o *Options) { o.MaxPools = 6 })
	assert.Equal(t, []want{{"", ErrQuota}}, problemsOf(t, err))
	s := ControlTowerSpec()
	s.MaxPools = 7
	_, err = Plan(s, Live{}, func(o *Options) { o.MaxPools = 6 })
	assert.NoError(t, err, "the spec's own quota wins")
}

func TestPlanNearMissExplainsNoFit(t *testing.T) {
	t.Parallel()
	live := untag(appliedCT(t))
	for i := range live.Pools {
		if live.Pools[i].Allocation.Tags["Env"] == "Prod OU" && live.Pools[i].Locale == "us-east-1" {
			live.Pools[i].Locale = "us-east-2"
		}
	}
	_, err := Plan(ControlTowerSpec(), live)
	assert.Equal(t, []want{{"/top/us-east-1/Prod OU", ErrNoFit}, {"/top/us-east-1/Prod OU", ErrNoFit}}, problemsOf(t, err))
	assert.ErrorContains(t, err, "/top/us-east-1/Prod OU: not adopted: untagged pool ipam-pool-00006 under the same parent differs: locale us-east-2, not us-east-1")
}

// TestPlanMaxNetmaskOfTheFamilyIsNone: IPAM cannot remove a maximum
// netmask rule, so Apply clears one by setting the family's length and
// Read reads that back as none. A spec that states /32 or /128 means none
// too, or its plans would never converge.
func TestPlanMaxNetmaskOfTheFamilyIsNone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		spec Spec
	}{
		{"ipv4 /32", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/8"), Allocation: Allocation{MinNetmask: 16, MaxNetmask: 32},
			Pools: []Pool{{Name: "a", Netmask: 16, Allocation: Allocation{MaxNetmask: 32}}}}}}},
		{"ipv6 /128", Spec{Pools: []Pool{{Name: "v6", Family: IPv6, CIDRs: pfx("2001:db8::/32"), Allocation: Allocation{MaxNetmask: 128}}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tt.spec.Validate())
			cs, err := Plan(tt.spec, Live{})
			require.NoError(t, err)
			for _, op := range cs.Ops {
				assert.Zero(t, op.Config.Allocation.MaxNetmask, "%s: a maximum of the family's length is sent as none", op.Label())
			}
			// As Read reads it: no maximum.
			after := applySim(t, Live{}, cs)
			again, err := Plan(tt.spec, after)
			require.NoError(t, err)
			assert.Empty(t, again.Ops, "re-plan after apply")

			// A live maximum is cleared.
			for i := range after.Pools {
				after.Pools[i].Allocation.MaxNetmask = 28
				if after.Pools[i].Family == IPv6 {
					after.Pools[i].Allocation.MaxNetmask = 64
				}
			}
			clear, err := Plan(tt.spec, after)
			require.NoError(t, err)
			require.NotEmpty(t, clear.Ops)
			for _, op := range clear.Ops {
				require.Equal(t, KindModifyPool, op.Kind)
				assert.Equal(t, "(none)", op.Changes[0].After, "%s", op.Label())
			}
			again, err = Plan(tt.spec, applySim(t, after, clear))
			require.NoError(t, err)
			assert.Empty(t, again.Ops, "re-plan after clearing")
		})
	}
}

// TestPlanAdoptsWithoutStrippingWhatTheSpecLeavesOut: the sample's tree
// with descriptions and netmask rules set by hand, planned with the
// sample's spec, which states none of them: only adoptions, and the pools
// keep them.
func TestPlanAdoptsWithoutStrippingWhatTheSpecLeavesOut(t *testing.T) {
	t.Parallel()
	live := untag(appliedCT(t))
	for i := range live.Pools {
		p := &live.Pools[i]
		p.Description = "by hand " + p.ID
		p.AutoImport = p.Locale != ""
		p.Allocation.MinNetmask, p.Allocation.MaxNetmask, p.Allocation.DefaultNetmask = 22, 28, 24
	}
	cs, err := Plan(ControlTowerSpec(), live)
	require.NoError(t, err)
	assert.Equal(t, Summary{Adopt: 7}, cs.Summary())
	after := applySim(t, live, cs)
	for i, p := range after.Pools {
		want := live.Pools[i]
		assert.Equal(t, want.Description, p.Description)
		assert.Equal(t, want.AutoImport, p.AutoImport)
		assert.Equal(t, want.Allocation, p.Allocation)
	}
	again, err := Plan(ControlTowerSpec(), after)
	require.NoError(t, err)
	assert.Empty(t, again.Ops)
}
