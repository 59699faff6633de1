package usage

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func vpcAssoc(cidr string) types.VpcCidrBlockAssociation {
	return types.VpcCidrBlockAssociation{CidrBlock: aws.String(cidr), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}}
}

func TestCollectEC2(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	m := NewMockEC2API(ctrl)
	const account = "012345678901"

	m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
			assert.Equal(t, int32(1000), aws.ToInt32(in.MaxResults), "largest page")
			return &ec2.DescribeVpcsOutput{Vpcs: []types.Vpc{{
				VpcId: aws.String("vpc-1"), OwnerId: aws.String(account),
				CidrBlockAssociationSet: []types.VpcCidrBlockAssociation{
					vpcAssoc("10.1.0.0/24"), vpcAssoc("10.0.0.0/22"),
					{CidrBlock: aws.String("10.9.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeDisassociated}},
				},
				Ipv6CidrBlockAssociationSet: []types.VpcIpv6CidrBlockAssociation{{
					Ipv6CidrBlock: aws.String("2001:db8::/56"), Ipv6CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated},
				}},
				Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("core")}},
			}}}, nil
		})
	// Subnets come in two pages; the token must flow from the first to the second.
	gomock.InOrder(
		m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
				assert.Nil(t, in.NextToken)
				assert.Equal(t, int32(1000), aws.ToInt32(in.MaxResults))
				return &ec2.DescribeSubnetsOutput{NextToken: aws.String("page-2"), Subnets: []types.Subnet{{
					SubnetId: aws.String("subnet-a"), VpcId: aws.String("vpc-1"), OwnerId: aws.String(account),
					CidrBlock: aws.String("10.0.0.0/24"), AvailableIpAddressCount: aws.Int32(11),
					Ipv6CidrBlockAssociationSet: []types.SubnetIpv6CidrBlockAssociation{{
						Ipv6CidrBlock: aws.String("2001:db8::/64"), Ipv6CidrBlockState: &types.SubnetCidrBlockState{State: types.SubnetCidrBlockStateCodeAssociated},
					}},
				}}}, nil
			}),
		m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
				assert.Equal(t, "page-2", aws.ToString(in.NextToken))
				return &ec2.DescribeSubnetsOutput{Subnets: []types.Subnet{{
					SubnetId: aws.String("subnet-b"), VpcId: aws.String("vpc-1"), OwnerId: aws.String(account),
					CidrBlock: aws.String("10.0.1.0/24"), AvailableIpAddressCount: aws.Int32(251),
				}, {
					SubnetId: aws.String("subnet-c"), VpcId: aws.String("vpc-1"), OwnerId: aws.String(account),
					CidrBlock: aws.String("10.0.2.0/25"), AvailableIpAddressCount: aws.Int32(0),
				}}}, nil
			}),
	)

	got, err := CollectEC2(t.Context(), m, "eu-west-1")
	require.NoError(t, err)

	type row struct {
		id, cidr           string
		known              bool
		total, used, avail string
		largest            string
		cidrs              []string
	}
	var rows []row
	for _, r := range got {
		var cidrs []string
		for _, c := range r.CIDRs {
			cidrs = append(cidrs, c.String())
		}
		largest := ""
		if r.LargestFree.IsValid() {
			largest = r.LargestFree.String()
		}
		assert.Equal(t, account, r.AccountID)
		assert.Equal(t, "eu-west-1", r.Region)
		assert.Equal(t, "vpc-1", r.VPCID)
		rows = append(rows, row{r.ID, r.CIDR.String(), r.Known, r.Total.String(), r.Used.String(), r.Available.String(), largest, cidrs})
	}
	assert.Equal(t, []row{
		{"subnet-a", "10.0.0.0/24", true, "251", "240", "11", "", nil},
		{"subnet-a", "2001:db8::/64", false, "18446744073709551611", "0", "0", "", nil},
		{"subnet-b", "10.0.1.0/24", true, "251", "0", "251", "", nil},
		{"subnet-c", "10.0.2.0/25", true, "123", "123", "0", "", nil},
		// 1280 addresses in two blocks; subnets take 640: no /23 left, the largest free block is a /24.
		{"vpc-1", "10.0.0.0/22", true, "1280", "640", "640", "10.0.3.0/24", []string{"10.0.0.0/22", "10.1.0.0/24"}},
		{"vpc-1", "2001:db8::/56", true, "4722366482869645213696", "18446744073709551616", "4703919738795935662080", "2001:db8:0:80::/57", nil},
	}, rows)
}

func TestCollectEC2Errors(t *testing.T) {
	t.Parallel()
	denied := &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "You are not authorized"}
	t.Run("vpcs", func(t *testing.T) {
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, denied)
		_, err := CollectEC2(t.Context(), m, "eu-west-1")
		require.ErrorIs(t, err, denied)
		assert.ErrorContains(t, err, "describe VPCs")
	})
	t.Run("second page of subnets", func(t *testing.T) {
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeVpcsOutput{}, nil)
		gomock.InOrder(
			m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeSubnetsOutput{NextToken: aws.String("t")}, nil),
			m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, denied),
		)
		_, err := CollectEC2(t.Context(), m, "eu-west-1")
		require.ErrorIs(t, err, denied)
		assert.ErrorContains(t, err, "describe subnets")
	})
	t.Run("bad CIDR from AWS", func(t *testing.T) {
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeVpcsOutput{}, nil)
		m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeSubnetsOutput{Subnets: []types.Subnet{{SubnetId: aws.String("subnet-x"), CidrBlock: aws.String("nonsense")}}}, nil)
		_, err := CollectEC2(t.Context(), m, "eu-west-1")
		require.ErrorIs(t, err, ipam.ErrSyntax)
		assert.ErrorContains(t, err, "subnet-x")
	})
}

func TestCollectIPAM(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpamScopes(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamScopesOutput{IpamScopes: []types.IpamScope{
		{IpamScopeId: aws.String("ipam-scope-pub"), IpamScopeType: types.IpamScopeTypePublic},
		{IpamScopeId: aws.String("ipam-scope-b"), IpamScopeType: types.IpamScopeTypePrivate},
		{IpamScopeId: aws.String("ipam-scope-a"), IpamScopeType: types.IpamScopeTypePrivate},
	}}, nil)
	record := func(id, cidr string, usage *float64) types.IpamResourceCidr {
		return types.IpamResourceCidr{
			ResourceId: aws.String(id), ResourceCidr: aws.String(cidr), ResourceType: types.IpamResourceTypeSubnet,
			ResourceOwnerId: aws.String("111122223333"), ResourceRegion: aws.String("us-east-1"), VpcId: aws.String("vpc-9"),
			IpUsage: usage, ComplianceStatus: types.IpamComplianceStatusCompliant, OverlapStatus: types.IpamOverlapStatusNonoverlapping,
			ManagementState: types.IpamManagementStateManaged, ResourceTags: []types.IpamResourceTag{{Key: aws.String("team"), Value: aws.String("a")}},
		}
	}
	var scopesAsked []string
	m.EXPECT().GetIpamResourceCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Times(3).DoAndReturn(
		func(_ context.Context, in *ec2.GetIpamResourceCidrsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamResourceCidrsOutput, error) {
			assert.Equal(t, int32(1000), aws.ToInt32(in.MaxResults))
			assert.Equal(t, types.IpamResourceTypeSubnet, in.ResourceType)
			scope := aws.ToString(in.IpamScopeId)
			scopesAsked = append(scopesAsked, scope+"@"+aws.ToString(in.NextToken))
			switch {
			case scope == "ipam-scope-a" && in.NextToken == nil:
				return &ec2.GetIpamResourceCidrsOutput{NextToken: aws.String("more"), IpamResourceCidrs: []types.IpamResourceCidr{record("subnet-1", "10.0.0.0/24", aws.Float64(0.25))}}, nil
			case scope == "ipam-scope-a":
				return &ec2.GetIpamResourceCidrsOutput{IpamResourceCidrs: []types.IpamResourceCidr{record("subnet-2", "2001:db8::/64", nil)}}, nil
			default:
				return &ec2.GetIpamResourceCidrsOutput{IpamResourceCidrs: []types.IpamResourceCidr{record("subnet-3", "10.1.0.0/16", aws.Float64(0.0039))}}, nil
			}
		})
	got, err := CollectIPAM(t.Context(), m, IPAMOptions{ResourceTypes: []ResourceType{TypeSubnet}})
	require.NoError(t, err)
	assert.Equal(t, []string{"ipam-scope-a@", "ipam-scope-a@more", "ipam-scope-b@"}, scopesAsked, "every private scope, every page")
	require.Len(t, got, 3)
	assert.Equal(t, Resource{
		ID: "subnet-1", Type: TypeSubnet, Source: SourceIPAM, AccountID: "111122223333", Region: "us-east-1", VPCID: "vpc-9",
		CIDR: netip.MustParsePrefix("10.0.0.0/24"), Known: true, Total: ipam.NewCount(256), Used: ipam.NewCount(64), Available: ipam.NewCount(192),
		ComplianceStatus: "compliant", OverlapStatus: "nonoverlapping", ManagementState: "managed", Tags: map[string]string{"team": "a"},
	}, got[0])
	assert.False(t, got[1].Known, "no IpUsage: unknown, not a crash")
	assert.Equal(t, "256", got[2].Used.String(), "0.39% of a /16")
}

func TestCollectPools(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{
		{IpamPoolId: aws.String("ipam-pool-1"), IpamScopeType: types.IpamScopeTypePrivate, Locale: aws.String("None"), IpamRegion: aws.String("us-east-1"),
			OwnerId: aws.String("999988887777"), State: types.IpamPoolStateCreateComplete, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("top")}}},
		{IpamPoolId: aws.String("ipam-pool-gone"), IpamScopeType: types.IpamScopeTypePrivate, State: types.IpamPoolStateDeleteInProgress},
		{IpamPoolId: aws.String("ipam-pool-pub"), IpamScopeType: types.IpamScopeTypePublic},
		{IpamPoolId: aws.String("ipam-pool-empty"), IpamScopeType: types.IpamScopeTypePrivate, Locale: aws.String("eu-west-1")},
	}}, nil)
	m.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.GetIpamPoolCidrsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolCidrsOutput, error) {
			if aws.ToString(in.IpamPoolId) == "ipam-pool-empty" {
				return &ec2.GetIpamPoolCidrsOutput{}, nil
			}
			return &ec2.GetIpamPoolCidrsOutput{IpamPoolCidrs: []types.IpamPoolCidr{
				{Cidr: aws.String("10.0.0.0/16"), State: types.IpamPoolCidrStateProvisioned},
				{Cidr: aws.String("10.1.0.0/16"), State: types.IpamPoolCidrStatePendingProvision},
			}}, nil
		}).Times(2)
	m.EXPECT().GetIpamPoolAllocations(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.GetIpamPoolAllocationsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolAllocationsOutput, error) {
			assert.Equal(t, int32(100000), aws.ToInt32(in.MaxResults), "GetIpamPoolAllocations takes 1000 to 100000")
			if aws.ToString(in.IpamPoolId) == "ipam-pool-empty" {
				return &ec2.GetIpamPoolAllocationsOutput{}, nil
			}
			return &ec2.GetIpamPoolAllocationsOutput{IpamPoolAllocations: []types.IpamPoolAllocation{
				{Cidr: aws.String("10.0.0.0/17")}, {Cidr: aws.String("10.0.128.0/18")}, {Cidr: aws.String("10.0.0.0/24")},
			}}, nil
		}).Times(2)
	got, err := CollectPools(t.Context(), m, "")
	require.NoError(t, err)
	require.Len(t, got, 2, "deleted and public pools are skipped")
	top := got[0]
	assert.Equal(t, "ipam-pool-1", top.ID)
	assert.Equal(t, "top", top.Name)
	assert.Equal(t, "us-east-1", top.Region, `locale "None" falls back to the IPAM's region`)
	assert.Equal(t, "65536 49152 16384 75", top.Total.String()+" "+top.Used.String()+" "+top.Available.String()+" "+formatPct(top.Percent()))
	assert.Equal(t, "10.0.192.0/18", top.LargestFree.String())
	assert.Equal(t, "eu-west-1", got[1].Region)
	assert.True(t, got[1].Total.IsZero())
	findings, err := Evaluate(got, Policy{})
	require.NoError(t, err)
	assert.Empty(t, findings, "75% is under 80%, and an empty pool is never a finding")

	m2 := NewMockEC2API(gomock.NewController(t))
	boom := errors.New("connection reset")
	m2.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{{IpamPoolId: aws.String("ipam-pool-1"), IpamScopeType: types.IpamScopeTypePrivate}}}, nil)
	m2.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, boom)
	_, err = CollectPools(t.Context(), m2, ScopePrivate)
	require.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "get CIDRs of IPAM pool ipam-pool-1")
}

func formatPct(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }
