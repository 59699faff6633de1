package awsfake

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeIpamsAndScopes(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")

	ipams, err := client.DescribeIpams(t.Context(), &ec2.DescribeIpamsInput{})
	require.NoError(t, err)
	require.Len(t, ipams.Ipams, 1)
	i := ipams.Ipams[0]
	assert.Equal(t, w.ipamID, aws.ToString(i.IpamId))
	assert.Equal(t, "arn:aws:ec2::"+networkAccount+":ipam/"+w.ipamID, aws.ToString(i.IpamArn))
	assert.Equal(t, "us-east-1", aws.ToString(i.IpamRegion))
	assert.Equal(t, w.privateScope, aws.ToString(i.PrivateDefaultScopeId))
	assert.Equal(t, w.publicScope, aws.ToString(i.PublicDefaultScopeId))
	assert.Equal(t, int32(2), aws.ToInt32(i.ScopeCount))
	var regions []string
	for _, r := range i.OperatingRegions {
		regions = append(regions, aws.ToString(r.RegionName))
	}
	assert.Equal(t, []string{"us-east-1", "us-west-2"}, regions)
	assert.Equal(t, types.IpamStateCreateComplete, i.State)

	scopes, err := client.DescribeIpamScopes(t.Context(), &ec2.DescribeIpamScopesInput{
		Filters: []types.Filter{{Name: aws.String("ipam-scope-type"), Values: []string{"private"}}},
	})
	require.NoError(t, err)
	require.Len(t, scopes.IpamScopes, 1)
	assert.Equal(t, w.privateScope, aws.ToString(scopes.IpamScopes[0].IpamScopeId))
	assert.Equal(t, int32(3), aws.ToInt32(scopes.IpamScopes[0].PoolCount))
	assert.True(t, aws.ToBool(scopes.IpamScopes[0].IsDefault))

	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"unknown IPAM", func() error {
			_, err := client.DescribeIpams(t.Context(), &ec2.DescribeIpamsInput{IpamIds: []string{"ipam-0123456789abcdef0"}})
			return err
		}, "InvalidIpamId.NotFound"},
		{"IPAM seen from another account", func() error {
			_, err := ec2Client(srv, prodKey, "us-east-1").DescribeIpams(t.Context(), &ec2.DescribeIpamsInput{IpamIds: []string{w.ipamID}})
			return err
		}, "InvalidIpamId.NotFound"},
		{"IPAM seen from another region", func() error {
			_, err := ec2Client(srv, networkKey, "us-west-2").DescribeIpamScopes(t.Context(), &ec2.DescribeIpamScopesInput{IpamScopeIds: []string{w.privateScope}})
			return err
		}, "InvalidIpamScopeId.NotFound"},
		{"MaxResults 4", func() error {
			_, err := client.DescribeIpamScopes(t.Context(), &ec2.DescribeIpamScopesInput{MaxResults: aws.Int32(4)})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
}

func TestDescribeIpamPools(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	out, err := client.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{w.prodPool}})
	require.NoError(t, err)
	require.Len(t, out.IpamPools, 1)
	p := out.IpamPools[0]
	assert.Equal(t, w.regionPool, aws.ToString(p.SourceIpamPoolId))
	assert.Equal(t, "us-east-1", aws.ToString(p.Locale))
	assert.Equal(t, int32(3), aws.ToInt32(p.PoolDepth))
	assert.Equal(t, types.AddressFamilyIpv4, p.AddressFamily)
	assert.Equal(t, types.IpamScopeTypePrivate, p.IpamScopeType)
	assert.Equal(t, int32(16), aws.ToInt32(p.AllocationMinNetmaskLength))
	assert.Equal(t, int32(24), aws.ToInt32(p.AllocationMaxNetmaskLength))
	assert.Equal(t, int32(20), aws.ToInt32(p.AllocationDefaultNetmaskLength))
	require.Len(t, p.AllocationResourceTags, 1)
	assert.Equal(t, "Env", aws.ToString(p.AllocationResourceTags[0].Key))
	assert.Equal(t, "Prod OU", aws.ToString(p.AllocationResourceTags[0].Value))
	assert.Equal(t, "arn:aws:ec2::"+networkAccount+":ipam-pool/"+w.prodPool, aws.ToString(p.IpamPoolArn))

	top, err := client.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{
		Filters: []types.Filter{{Name: aws.String("locale"), Values: []string{"None"}}},
	})
	require.NoError(t, err)
	require.Len(t, top.IpamPools, 1)
	assert.Equal(t, w.topPool, aws.ToString(top.IpamPools[0].IpamPoolId))
	assert.Equal(t, "None", aws.ToString(top.IpamPools[0].Locale), "AWS reports no locale as None")
	assert.Equal(t, "top", aws.ToString(top.IpamPools[0].Tags[0].Value))
}

func TestDescribeIpamPoolsPages(t *testing.T) {
	b := NewBuilder(mgmtAccount)
	id := b.IPAM(mgmtAccount, "us-east-1", "us-east-1")
	scope := b.Scope(id, "private")
	for i := range 12 {
		b.Pool(PoolSpec{Scope: scope, Description: fmt.Sprintf("pool %d", i)})
	}
	world, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, world)
	p := ec2.NewDescribeIpamPoolsPaginator(ec2Client(srv, DefaultAccessKeyID, "us-east-1"), &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(5)})
	var pages []int
	seen := map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		pages = append(pages, len(out.IpamPools))
		for _, pool := range out.IpamPools {
			seen[aws.ToString(pool.IpamPoolId)] = true
		}
	}
	assert.Equal(t, []int{5, 5, 2}, pages)
	assert.Len(t, seen, 12)
}

func TestGetIpamPoolCidrs(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	out, err := client.GetIpamPoolCidrs(t.Context(), &ec2.GetIpamPoolCidrsInput{IpamPoolId: &w.prodPool})
	require.NoError(t, err)
	require.Len(t, out.IpamPoolCidrs, 1)
	c := out.IpamPoolCidrs[0]
	assert.Equal(t, "10.0.0.0/14", aws.ToString(c.Cidr))
	assert.Equal(t, types.IpamPoolCidrStateProvisioned, c.State)
	assert.Equal(t, int32(14), aws.ToInt32(c.NetmaskLength))
	assert.NotEmpty(t, aws.ToString(c.IpamPoolCidrId))

	_, err = client.GetIpamPoolCidrs(t.Context(), &ec2.GetIpamPoolCidrsInput{IpamPoolId: aws.String("ipam-pool-0123456789abcdef0")})
	assert.Equal(t, "InvalidIpamPoolId.NotFound", errorCode(err), "%v", err)
}

func TestGetIpamPoolAllocations(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")

	out, err := client.GetIpamPoolAllocations(t.Context(), &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.prodPool})
	require.NoError(t, err)
	require.Len(t, out.IpamPoolAllocations, 12)
	first := out.IpamPoolAllocations[0]
	assert.Equal(t, "10.0.0.0/20", aws.ToString(first.Cidr), "allocations in address order")
	assert.Equal(t, types.IpamPoolAllocationResourceTypeVpc, first.ResourceType)
	assert.Equal(t, w.prodVPCs[0], aws.ToString(first.ResourceId))
	assert.Equal(t, "us-east-1", aws.ToString(first.ResourceRegion))
	assert.Equal(t, prodAccount, aws.ToString(first.ResourceOwner))

	parent, err := client.GetIpamPoolAllocations(t.Context(), &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.regionPool})
	require.NoError(t, err)
	require.Len(t, parent.IpamPoolAllocations, 1, "the child pool's CIDR is an allocation of its parent")
	assert.Equal(t, types.IpamPoolAllocationResourceTypeIpamPool, parent.IpamPoolAllocations[0].ResourceType)
	assert.Equal(t, w.prodPool, aws.ToString(parent.IpamPoolAllocations[0].ResourceId))

	for _, n := range []int32{5, 999, 100001} {
		_, err := client.GetIpamPoolAllocations(t.Context(), &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.prodPool, MaxResults: aws.Int32(n)})
		assert.Equal(t, "InvalidParameterValue", errorCode(err), "MaxResults %d: %v", n, err)
	}
	_, err = client.GetIpamPoolAllocations(t.Context(), &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.prodPool, IpamPoolAllocationId: aws.String("ipam-pool-alloc-0123456789abcdef0")})
	assert.Equal(t, "InvalidIpamPoolAllocationId.NotFound", errorCode(err), "%v", err)
}

func TestGetIpamPoolAllocationsPages(t *testing.T) {
	b := NewBuilder(mgmtAccount)
	id := b.IPAM(mgmtAccount, "us-east-1", "us-east-1")
	pool := b.Pool(PoolSpec{Scope: b.Scope(id, "private")})
	b.ProvisionCIDR(pool, "10.0.0.0/8")
	for i := range 2500 {
		b.Allocate(pool, fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), "")
	}
	world, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, world)
	p := ec2.NewGetIpamPoolAllocationsPaginator(ec2Client(srv, DefaultAccessKeyID, "us-east-1"),
		&ec2.GetIpamPoolAllocationsInput{IpamPoolId: &pool, MaxResults: aws.Int32(1000)})
	var pages []int
	var last string
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		pages = append(pages, len(out.IpamPoolAllocations))
		last = aws.ToString(out.IpamPoolAllocations[len(out.IpamPoolAllocations)-1].Cidr)
	}
	assert.Equal(t, []int{1000, 1000, 500}, pages)
	assert.Equal(t, "10.9.195.0/24", last)
	assert.Len(t, callsTo(srv, "GetIpamPoolAllocations"), 3)
}

func TestGetIpamResourceCidrs(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	all := func(in *ec2.GetIpamResourceCidrsInput) []types.IpamResourceCidr {
		var out []types.IpamResourceCidr
		p := ec2.NewGetIpamResourceCidrsPaginator(client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			require.NoError(t, err)
			out = append(out, page.IpamResourceCidrs...)
		}
		return out
	}
	// 12 prod VPCs + the dev VPC in us-east-1, the dual VPC's 3 blocks and 3 subnets
	// in us-west-2; the eu-west-1 VPC is outside the operating regions.
	got := all(&ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.privateScope, MaxResults: aws.Int32(5)})
	assert.Len(t, got, 19)
	assert.Len(t, callsTo(srv, "GetIpamResourceCidrs"), 4)

	byCIDR := map[string]types.IpamResourceCidr{}
	for _, r := range got {
		byCIDR[aws.ToString(r.ResourceCidr)] = r
	}
	type view struct {
		resourceType                   types.IpamResourceType
		management                     types.IpamManagementState
		compliance                     types.IpamComplianceStatus
		overlap                        types.IpamOverlapStatus
		pool, owner, region, name, vpc string
		usage                          *float64
	}
	see := func(cidr string) view {
		r, ok := byCIDR[cidr]
		require.True(t, ok, "resource CIDR %s", cidr)
		return view{r.ResourceType, r.ManagementState, r.ComplianceStatus, r.OverlapStatus, aws.ToString(r.IpamPoolId),
			aws.ToString(r.ResourceOwnerId), aws.ToString(r.ResourceRegion), aws.ToString(r.ResourceName), aws.ToString(r.VpcId), r.IpUsage}
	}
	assert.Equal(t, view{"vpc", "managed", "noncompliant", "overlapping", w.prodPool, prodAccount, "us-east-1", "prod-00", w.prodVPCs[0], aws.Float64(0)}, see("10.0.0.0/20"),
		"the pool wants the allocation tag Env=Prod OU, which the VPC lacks")
	assert.Equal(t, types.IpamComplianceStatusCompliant, byCIDR["10.0.16.0/20"].ComplianceStatus, "prod-01 carries the tag")
	assert.Equal(t, view{"vpc", "unmanaged", "unmanaged", "overlapping", "", devAccount, "us-east-1", "", see("10.0.0.0/16").vpc, aws.Float64(0)}, see("10.0.0.0/16"))
	assert.Equal(t, view{"vpc", "unmanaged", "unmanaged", "nonoverlapping", "", prodAccount, "us-west-2", "", w.dualVPC, aws.Float64(0.5)}, see("192.168.1.0/24"))
	assert.Equal(t, view{"subnet", "unmanaged", "unmanaged", "nonoverlapping", "", prodAccount, "us-west-2", "", w.dualVPC, aws.Float64(1)}, see("192.168.0.0/28"))
	assert.Equal(t, view{"subnet", "unmanaged", "unmanaged", "nonoverlapping", "", prodAccount, "us-west-2", "", w.dualVPC, nil}, see("fd00:1::/64"), "IPv6 subnet usage is not calculated")
	assert.Equal(t, aws.Float64(1.0/256), see("fd00:1::/56").usage)
	assert.NotContains(t, byCIDR, "10.9.0.0/16")

	t.Run("filters", func(t *testing.T) {
		tests := []struct {
			name string
			in   ec2.GetIpamResourceCidrsInput
			want int
		}{
			{"subnets", ec2.GetIpamResourceCidrsInput{ResourceType: types.IpamResourceTypeSubnet}, 3},
			{"owner", ec2.GetIpamResourceCidrsInput{ResourceOwner: aws.String(devAccount)}, 1},
			{"pool", ec2.GetIpamResourceCidrsInput{IpamPoolId: &w.prodPool}, 12},
			{"tag", ec2.GetIpamResourceCidrsInput{ResourceTag: &types.RequestIpamResourceTag{Key: aws.String("Name"), Value: aws.String("prod-03")}}, 1},
			{"management-state", ec2.GetIpamResourceCidrsInput{Filters: []types.Filter{{Name: aws.String("management-state"), Values: []string{"unmanaged"}}}}, 7},
			{"resource id", ec2.GetIpamResourceCidrsInput{ResourceId: &w.dualVPC}, 3},
			{"vpc-id filter", ec2.GetIpamResourceCidrsInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{w.dualVPC}}}}, 6},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.in.IpamScopeId = &w.privateScope
				assert.Len(t, all(&tt.in), tt.want)
			})
		}
	})
	t.Run("public scope is empty", func(t *testing.T) {
		assert.Empty(t, all(&ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.publicScope}))
	})
	t.Run("errors", func(t *testing.T) {
		_, err := client.GetIpamResourceCidrs(t.Context(), &ec2.GetIpamResourceCidrsInput{IpamScopeId: aws.String("ipam-scope-0123456789abcdef0")})
		assert.Equal(t, "InvalidIpamScopeId.NotFound", errorCode(err), "%v", err)
		_, err = client.GetIpamResourceCidrs(t.Context(), &ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.privateScope, MaxResults: aws.Int32(1001)})
		assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
		_, err = client.GetIpamResourceCidrs(t.Context(), &ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.privateScope, ResourceType: "spaceship"})
		assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
	})
}
