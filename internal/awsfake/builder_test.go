package awsfake

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuilderReportsEveryError(t *testing.T) {
	b := NewBuilder(mgmtAccount)
	b.Account(b.Root(), "12345", "short", "short@example.com")
	b.Account("ou-nope-12345678", "222222222222", "orphan", "orphan@example.com")
	vpc := b.VPC(mgmtAccount, "us-east-1", "10.0.0.1/16")
	assert.Empty(t, vpc, "a failed step returns no ID")
	good := b.VPC(mgmtAccount, "us-east-1", "10.0.0.0/16")
	b.Subnet(good, "10.1.0.0/24", 0)
	b.Subnet(good, "10.0.0.0/28", 12)
	ipam := b.IPAM(mgmtAccount, "us-east-1", "us-west-2")
	assert.Empty(t, ipam)
	_, err := b.Build()
	require.Error(t, err)
	for _, want := range []string{`"12345"`, `ou-nope-12345678`, `10.0.0.1/16`, `10.1.0.0/24`, `10.0.0.0/28`, `home region "us-east-1"`} {
		assert.ErrorContains(t, err, want)
	}
}

func TestBuilderPoolRules(t *testing.T) {
	tests := []struct {
		name  string
		build func(b *Builder, scope string)
	}{
		{"child CIDR outside parent", func(b *Builder, scope string) {
			top := b.Pool(PoolSpec{Scope: scope})
			b.ProvisionCIDR(top, "10.0.0.0/16")
			child := b.Pool(PoolSpec{Scope: scope, Parent: top})
			b.ProvisionCIDR(child, "10.1.0.0/20")
		}},
		{"overlapping allocations", func(b *Builder, scope string) {
			top := b.Pool(PoolSpec{Scope: scope})
			b.ProvisionCIDR(top, "10.0.0.0/16")
			b.Allocate(top, "10.0.0.0/24", "")
			b.Allocate(top, "10.0.0.128/25", "")
		}},
		{"allocation against the netmask rules", func(b *Builder, scope string) {
			top := b.Pool(PoolSpec{Scope: scope, AllocationMaxNetmaskLength: 20})
			b.ProvisionCIDR(top, "10.0.0.0/16")
			b.Allocate(top, "10.0.0.0/24", "")
		}},
		{"overlapping top-level pools", func(b *Builder, scope string) {
			a := b.Pool(PoolSpec{Scope: scope})
			b.ProvisionCIDR(a, "10.0.0.0/16")
			c := b.Pool(PoolSpec{Scope: scope})
			b.ProvisionCIDR(c, "10.0.128.0/17")
		}},
		{"family mismatch", func(b *Builder, scope string) {
			a := b.Pool(PoolSpec{Scope: scope, AddressFamily: "ipv6"})
			b.ProvisionCIDR(a, "10.0.0.0/16")
		}},
		{"locale outside the operating regions", func(b *Builder, scope string) {
			b.Pool(PoolSpec{Scope: scope, Locale: "eu-west-1"})
		}},
		{"min above max", func(b *Builder, scope string) {
			b.Pool(PoolSpec{Scope: scope, AllocationMinNetmaskLength: 24, AllocationMaxNetmaskLength: 16})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBuilder(mgmtAccount)
			tt.build(b, b.Scope(b.IPAM(mgmtAccount, "us-east-1", "us-east-1"), "private"))
			_, err := b.Build()
			assert.Error(t, err)
		})
	}
}

func TestWorldLoadsIdentically(t *testing.T) {
	w := newTestWorld(t)
	a, err := w.world.load()
	require.NoError(t, err)
	b, err := w.world.load()
	require.NoError(t, err)
	assert.Equal(t, sortedKeys(a.vpcs), sortedKeys(b.vpcs))
	assert.Equal(t, sortedKeys(a.allocs), sortedKeys(b.allocs))
	assert.Contains(t, a.vpcs, w.dualVPC, "IDs match the builder's")
	assert.Equal(t, a.orgID, b.orgID)
}

func TestTransitionSettlesAfterReads(t *testing.T) {
	tr := transition{state: "create-in-progress", settle: "create-complete", reads: 2}
	assert.Equal(t, []string{"create-in-progress", "create-in-progress", "create-complete", "create-complete"},
		[]string{tr.observe(), tr.observe(), tr.observe(), tr.observe()})
}

func TestAzID(t *testing.T) {
	for az, want := range map[string]string{"us-east-1a": "use1-az1", "eu-central-1b": "euc1-az2", "ap-southeast-2c": "apse2-az3"} {
		assert.Equal(t, want, azID(az), "azID(%q)", az)
	}
}

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"10.*", "10.0.0.0/16", true},
		{"10.*", "110.0.0.0/16", false},
		{"*", "", true},
		{"", "", true},
		{"prod-?", "prod-1", true},
		{"prod-?", "prod-12", false},
		{"*-b*", "a-b-c", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\?`, "a?", true},
		{"**", "anything", true},
		{"Prod OU", "Prod OU", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, wildcard(tt.pattern, tt.s), "wildcard(%q, %q)", tt.pattern, tt.s)
	}
}
