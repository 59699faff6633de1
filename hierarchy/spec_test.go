package hierarchy

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// want is a problem as tests check it: where, and which sentinel.
type want struct {
	path string
	err  error
}

func problemsOf(t *testing.T, err error) []want {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	out := make([]want, len(ve.Problems))
	for i, p := range ve.Problems {
		require.NotEmpty(t, p.Msg)
		out[i] = want{p.Path, p.Err}
	}
	return out
}

func pfx(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// top16 is a valid spec with one top pool 10.0.0.0/16 and the given children.
func top16(children ...Pool) Spec {
	return Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), Pools: children}}}
}

func deep(n int) Pool {
	p := Pool{Name: fmt.Sprintf("l%d", n), Netmask: 16 + n}
	if n < 11 {
		p.Pools = []Pool{deep(n + 1)}
	}
	return p
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ctEnvs := func(envs ...string) Spec {
		return ControlTowerSpec(func(p *ControlTowerParams) { p.Environments = envs })
	}
	many := make([]Pool, 51)
	for i := range many {
		many[i] = Pool{Name: fmt.Sprintf("p%d", i), Netmask: 24}
	}
	manyOK := top16(many[:49]...)
	manyBad := top16(many...)
	raised := top16(many...)
	raised.MaxPools = 60
	regions17 := make([]string, 17)
	for i := range regions17 {
		regions17[i] = fmt.Sprintf("r-%d", i)
	}

	tests := []struct {
		name string
		spec Spec
		want []want
	}{
		{"zero spec", Spec{}, nil},
		{"control tower defaults", ControlTowerSpec(), nil},
		{"clear what is not set", top16(Pool{Name: "a", Netmask: 20, Clear: []Field{FieldDescription, FieldAutoImport, FieldMinNetmask, FieldMaxNetmask, FieldDefaultNetmask}}), nil},
		{"clear an unknown field", top16(Pool{Name: "a", Netmask: 20, Clear: []Field{"locale"}}), []want{{"/top/a", ErrInvalid}}},
		{"clear what is set", top16(Pool{Name: "a", Netmask: 20, Description: "x", Allocation: Allocation{MaxNetmask: 24}, Clear: []Field{FieldDescription, FieldMaxNetmask}}),
			[]want{{"/top/a", ErrInvalid}, {"/top/a", ErrInvalid}}},
		{"duplicate sibling names", top16(Pool{Name: "a", Netmask: 20}, Pool{Name: "a", Netmask: 20}), []want{{"/top/a", ErrDuplicateName}}},
		{"same name under different parents", top16(Pool{Name: "a", Netmask: 20, Pools: []Pool{{Name: "x", Netmask: 24}}}, Pool{Name: "b", Netmask: 20, Pools: []Pool{{Name: "x", Netmask: 24}}}), nil},
		{"eleven levels", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), Pools: []Pool{deep(2)}}}},
			[]want{{"/top/l2/l3/l4/l5/l6/l7/l8/l9/l10/l11", ErrTooDeep}}},
		{"third environment does not fit", ctEnvs("Prod OU", "SDLC OU", "Dev OU"),
			[]want{{"/top/us-west-2/Dev OU", ErrNoFit}, {"/top/us-east-1/Dev OU", ErrNoFit}}},
		{"seventeenth region does not fit", ControlTowerSpec(func(p *ControlTowerParams) { p.Regions = regions17 }),
			[]want{{"/top/r-16", ErrNoFit}, {"", ErrQuota}}},
		{"regional pool larger than the top", ControlTowerSpec(func(p *ControlTowerParams) { p.RegionalNetmask = 12 }),
			[]want{{"/top/us-west-2", ErrNetmask}, {"/top/us-east-1", ErrNetmask}}},
		{"explicit child outside its parent", top16(Pool{Name: "a", CIDRs: pfx("10.1.0.0/20")}), []want{{"/top/a", ErrOutsideParent}}},
		{"explicit siblings overlap", top16(Pool{Name: "a", CIDRs: pfx("10.0.0.0/20")}, Pool{Name: "b", CIDRs: pfx("10.0.8.0/21")}), []want{{"/top/b", ErrOverlap}}},
		{"own CIDRs overlap", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/8", "10.1.0.0/16")}}}, []want{{"/top", ErrOverlap}}},
		{"host bits set", Spec{Pools: []Pool{{Name: "top", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.2.0/16")}}}}, []want{{"/top", ErrInvalid}}},
		{"CIDR of the other family", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("2001:db8::/32")}}}, []want{{"/top", ErrInvalid}}},
		{"netmask out of range", top16(Pool{Name: "a", Netmask: 33}), []want{{"/top/a", ErrNetmask}}},
		{"both cidrs and netmask", top16(Pool{Name: "a", Netmask: 20, CIDRs: pfx("10.0.0.0/20")}), []want{{"/top/a", ErrInvalid}}},
		{"neither cidrs nor netmask", top16(Pool{Name: "a"}), []want{{"/top/a", ErrInvalid}}},
		{"top pool with a netmask", Spec{Pools: []Pool{{Name: "top", Netmask: 8}}}, []want{{"/top", ErrInvalid}}},
		{"bad names", top16(Pool{Name: "", Netmask: 20}, Pool{Name: "a/b", Netmask: 20}), []want{{"/top/", ErrInvalid}, {"/top/a/b", ErrInvalid}}},
		{"child family differs", top16(Pool{Name: "a", Family: IPv6, Netmask: 20}), []want{{"/top/a", ErrInvalid}}},
		{"allocation max not above min", top16(Pool{Name: "a", Netmask: 20, Allocation: Allocation{MinNetmask: 24, MaxNetmask: 24}}), []want{{"/top/a", ErrNetmask}}},
		{"allocation default outside min and max", top16(Pool{Name: "a", Netmask: 20, Allocation: Allocation{MinNetmask: 24, MaxNetmask: 26, DefaultNetmask: 28}}), []want{{"/top/a", ErrNetmask}}},
		{"allocation default larger than the pool", top16(Pool{Name: "a", Netmask: 20, Allocation: Allocation{DefaultNetmask: 18}}), []want{{"/top/a", ErrNetmask}}},
		{"child contradicts its parent's rules", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), Allocation: Allocation{MinNetmask: 20, MaxNetmask: 24},
			Pools: []Pool{{Name: "a", Netmask: 18}}}}}, []want{{"/top/a", ErrNetmask}}},
		{"locale not an operating region", Spec{Regions: []string{"us-east-1"}, Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), Pools: []Pool{{Name: "a", Locale: "us-west-2", Netmask: 20}}}}},
			[]want{{"/top/a", ErrLocale}}},
		{"child locale differs from its parent's", top16(Pool{Name: "a", Locale: "us-east-1", Netmask: 20, Pools: []Pool{{Name: "b", Locale: "us-west-2", Netmask: 24}}}),
			[]want{{"/top/a/b", ErrLocale}}},
		{"auto-import without a locale", top16(Pool{Name: "a", Netmask: 20, AutoImport: true}), []want{{"/top/a", ErrInvalid}}},
		{"reserved tags", top16(Pool{Name: "a", Netmask: 20, Tags: map[string]string{DefaultPathTagKey: "/x", "aws:cloudformation": "x"}}),
			[]want{{"/top/a", ErrInvalid}, {"/top/a", ErrInvalid}}},
		{"explicit child in disallowed space", Spec{Disallowed: pfx("10.0.0.0/24"), Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), Pools: []Pool{{Name: "a", CIDRs: pfx("10.0.0.0/25")}}}}},
			[]want{{"/top/a", ErrOverlap}}},
		{"disallowed with host bits", Spec{Disallowed: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}}, []want{{"", ErrInvalid}}},
		{"pools per scope quota", manyBad, []want{{"", ErrQuota}}},
		{"quota raised", raised, nil},
		{"49 pools fit the default quota", manyOK, nil},
		{"unknown scope and carve", Spec{Scope: "secret", Carve: "random"}, []want{{"", ErrInvalid}, {"", ErrInvalid}}},
		{"public top pool without a source", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, CIDRs: pfx("2600:1f00::/48")}}}, []want{{"/v6", ErrPublicScope}}},
		{"Amazon-provided without a locale", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, PublicIPSource: SourceAmazon, Netmask: 52}}}, []want{{"/v6", ErrPublicScope}}},
		{"Amazon-provided with CIDRs", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, Locale: "us-east-1", PublicIPSource: SourceAmazon, CIDRs: pfx("2600:1f00::/52")}}},
			[]want{{"/v6", ErrPublicScope}}},
		{"CIDRs under an Amazon-provided pool", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, Locale: "us-east-1", PublicIPSource: SourceAmazon, Netmask: 52,
			Pools: []Pool{{Name: "a", CIDRs: pfx("2600:1f00::/56")}}}}}, []want{{"/v6/a", ErrPublicScope}}},
		{"children of an Amazon-provided pool that do not fit", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, Locale: "us-east-1", PublicIPSource: SourceAmazon, Netmask: 52,
			Pools: []Pool{{Name: "a", Netmask: 53}, {Name: "b", Netmask: 53}, {Name: "c", Netmask: 53}}}}}, []want{{"/v6/c", ErrNoFit}}},
		{"BYOIP top pool with a netmask", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, PublicIPSource: SourceBYOIP, Netmask: 48}}},
			[]want{{"/v6", ErrInvalid}, {"/v6", ErrPublicScope}}},
		{"BYOIP IPv6 advertisable", Spec{Scope: Public, Pools: []Pool{{Name: "v6", Family: IPv6, PublicIPSource: SourceBYOIP, PubliclyAdvertisable: true, CIDRs: pfx("2001:db8::/48"),
			Pools: []Pool{{Name: "a", Locale: "us-east-1", Netmask: 56}}}}}, nil},
		{"public IP source in the private scope", Spec{Pools: []Pool{{Name: "top", CIDRs: pfx("10.0.0.0/16"), PublicIPSource: SourceBYOIP}}}, []want{{"/top", ErrPublicScope}}},
		{"advertisable IPv4", Spec{Scope: Public, Pools: []Pool{{Name: "v4", PublicIPSource: SourceBYOIP, PubliclyAdvertisable: true, CIDRs: pfx("198.51.100.0/24")}}},
			[]want{{"/v4", ErrPublicScope}}},
		{"private IPv6", Spec{Pools: []Pool{{Name: "ula", Family: IPv6, CIDRs: pfx("fd00::/48"), Pools: []Pool{{Name: "a", Netmask: 56}}}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, problemsOf(t, tt.spec.Validate()), "Validate(%s)", tt.name)
		})
	}
}

func TestValidateSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	err := ControlTowerSpec(func(p *ControlTowerParams) { p.Environments = []string{"Prod OU", "SDLC OU", "Dev OU"} }).Validate()
	require.ErrorIs(t, err, ErrNoFit)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "/top/us-west-2/Dev OU: no room for a /21 in /top/us-west-2 (192.168.0.0/20): its carved children need 6144 addresses but 4096 are free, 2048 missing; make the parent a /19 or larger, or give it fewer or smaller children",
		ve.Problems[0].Error())
}

func TestValidateReportsEverything(t *testing.T) {
	t.Parallel()
	s := Spec{Regions: []string{"us-east-1"}, Pools: []Pool{{
		Name: "top", CIDRs: pfx("10.0.0.0/16"),
		Pools: []Pool{
			{Name: "a", Netmask: 17},
			{Name: "a", Netmask: 17},
			{Name: "b", Netmask: 17},
			{Name: "c", Netmask: 17, Locale: "mars-1"},
			{Name: "d", CIDRs: pfx("10.9.0.0/24")},
		},
	}}}
	err := s.Validate()
	assert.Equal(t, []want{
		{"/top/a", ErrDuplicateName},
		{"/top/c", ErrLocale},
		{"/top/d", ErrOutsideParent},
		{"/top/c", ErrNoFit},
	}, problemsOf(t, err))
	for _, sentinel := range []error{ErrDuplicateName, ErrLocale, ErrOutsideParent, ErrNoFit} {
		assert.ErrorIs(t, err, sentinel)
	}
	assert.False(t, errors.Is(err, ErrQuota))
	assert.Contains(t, err.Error(), "4 problems in the hierarchy spec:\n  /top/a: ")
}

func TestSpecCount(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 7, ControlTowerSpec().Count())
	assert.Equal(t, 0, Spec{}.Count())
}
