package hierarchy

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProblemError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"path and line", Problem{Path: "/top/a", Line: 7, Msg: "bad", Err: ErrInvalid}, "line 7: /top/a: bad"},
		{"path only", Problem{Path: "/top", Msg: "bad"}, "/top: bad"},
		{"spec-wide", Problem{Msg: "too many pools", Err: ErrQuota}, "too many pools"},
		{"line only", Problem{Line: 3, Msg: `unknown key "x"`}, `line 3: unknown key "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.p.Error(), "%+v", tt.p)
		})
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	one := &ValidationError{Problems: []Problem{{Path: "/a", Msg: "x", Err: ErrNoFit}}}
	assert.Equal(t, "1 problem in the hierarchy spec:\n  /a: x", one.Error())
	two := &ValidationError{Problems: []Problem{{Path: "/a", Msg: "x", Err: ErrNoFit}, {Msg: "y", Err: ErrQuota}}}
	assert.Equal(t, "2 problems in the hierarchy spec:\n  /a: x\n  y", two.Error())
	var err error = two
	assert.ErrorIs(t, err, ErrNoFit)
	assert.ErrorIs(t, err, ErrQuota)
	assert.False(t, errors.Is(err, ErrOverlap))
	var p Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, "/a", p.Path)

	b, err := json.Marshal(two.Problems)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"path":"/a","message":"x"},{"message":"y"}]`, string(b))
}

func TestLivePool(t *testing.T) {
	t.Parallel()
	p := LivePool{
		Tags: map[string]string{DefaultPathTagKey: "/top"},
		CIDRs: []LiveCIDR{
			{CIDR: pfx("10.0.0.0/16")[0], State: "provisioned"},
			{CIDR: pfx("10.1.0.0/16")[0], State: "pending-provision"},
			{CIDR: pfx("10.2.0.0/16")[0], State: "failed-provision"},
			{CIDR: pfx("10.3.0.0/16")[0], State: "pending-deprovision"},
			{CIDR: pfx("10.4.0.0/16")[0], State: "deprovisioned"},
			{CIDR: pfx("10.5.0.0/16")[0]},
		},
	}
	assert.Equal(t, pfx("10.0.0.0/16", "10.1.0.0/16", "10.5.0.0/16"), p.Provisioned())
	path, ok := p.Path(DefaultPathTagKey)
	assert.True(t, ok)
	assert.Equal(t, "/top", path)
	_, ok = p.Path("other")
	assert.False(t, ok)
	for state, gone := range map[string]bool{
		"": false, "create-in-progress": false, "create-complete": false, "modify-complete": false,
		"create-failed": true, "delete-in-progress": true, "delete-complete": true,
	} {
		p.State = state
		assert.Equal(t, gone, p.Gone(), "state %q", state)
	}
}

func TestControlTowerSpecParams(t *testing.T) {
	t.Parallel()
	got := ControlTowerSpec(func(p *ControlTowerParams) {
		p.TopLevelPoolCIDR = pfx("10.64.0.0/12")[0]
		p.Regions = []string{"eu-central-1"}
		p.RegionalNetmask = 14
		p.EnvironmentNetmask = 16
		p.Environments = []string{"Workloads"}
		p.TagKey = "ou"
		p.TopName = "org"
	})
	want := Spec{Pools: []Pool{{
		Name: "org", Family: IPv4, CIDRs: pfx("10.64.0.0/12"),
		Pools: []Pool{{
			Name: "eu-central-1", Locale: "eu-central-1", Netmask: 14,
			Pools: []Pool{{Name: "Workloads", Netmask: 16, Allocation: Allocation{Tags: map[string]string{"ou": "Workloads"}}}},
		}},
	}}}
	assert.Equal(t, want, got)
	cs, err := Plan(got, Live{})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"/org": {"10.64.0.0/12"}, "/org/eu-central-1": {"10.64.0.0/14"}, "/org/eu-central-1/Workloads": {"10.64.0.0/16"},
	}, cidrsByPath(cs))
}
