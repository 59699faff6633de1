package hierarchy

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

const (
	testScope = "ipam-scope-0aaa"
	testIPAM  = "ipam-0bbb"
	testOwner = "111111111111"
)

func apiErr(code string) error {
	return &smithy.OperationError{ServiceID: "EC2", OperationName: "Op", Err: &smithy.GenericAPIError{Code: code, Message: code + " says so"}}
}

// expectScope scripts the scope and IPAM reads of Read.
func expectScope(m *MockEC2API) {
	m.EXPECT().DescribeIpamScopes(gomock.Any(), &ec2.DescribeIpamScopesInput{IpamScopeIds: []string{testScope}}).
		Return(&ec2.DescribeIpamScopesOutput{IpamScopes: []types.IpamScope{{
			IpamScopeId: aws.String(testScope), IpamScopeType: types.IpamScopeTypePrivate, OwnerId: aws.String(testOwner),
			IpamRegion: aws.String("us-east-1"), IpamArn: aws.String("arn:aws:ec2::" + testOwner + ":ipam/" + testIPAM),
		}}}, nil)
	m.EXPECT().DescribeIpams(gomock.Any(), &ec2.DescribeIpamsInput{IpamIds: []string{testIPAM}}).
		Return(&ec2.DescribeIpamsOutput{Ipams: []types.Ipam{{IpamId: aws.String(testIPAM), OperatingRegions: []types.IpamOperatingRegion{
			{RegionName: aws.String("us-west-2")}, {RegionName: aws.String("us-east-1")},
		}}}}, nil)
}

func forPool(id string) gomock.Matcher {
	return gomock.Cond(func(x any) bool {
		switch in := x.(type) {
		case *ec2.GetIpamPoolCidrsInput:
			return aws.ToString(in.IpamPoolId) == id
		case *ec2.GetIpamPoolAllocationsInput:
			return aws.ToString(in.IpamPoolId) == id
		case *ec2.DescribeIpamPoolsInput:
			return len(in.IpamPoolIds) == 1 && in.IpamPoolIds[0] == id
		}
		return false
	})
}

func TestReadPages(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	m := NewMockEC2API(ctrl)
	expectScope(m)
	filter := []types.Filter{{Name: aws.String("ipam-scope-id"), Values: []string{testScope}}}
	gomock.InOrder(
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.DescribeIpamPoolsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIpamPoolsOutput, error) {
			assert.Equal(t, &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(1000), Filters: filter}, in)
			return &ec2.DescribeIpamPoolsOutput{NextToken: aws.String("p2"), IpamPools: []types.IpamPool{{
				IpamPoolId: aws.String("ipam-pool-top"), AddressFamily: types.AddressFamilyIpv4, Locale: aws.String("None"),
				State: types.IpamPoolStateCreateComplete, AllocationMaxNetmaskLength: aws.Int32(32),
				Tags: []types.Tag{{Key: aws.String(DefaultPathTagKey), Value: aws.String("/top")}},
			}}}, nil
		}),
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.DescribeIpamPoolsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIpamPoolsOutput, error) {
			assert.Equal(t, &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(1000), Filters: filter, NextToken: aws.String("p2")}, in, "NextToken flows to the next page")
			return &ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{
				{
					IpamPoolId: aws.String("ipam-pool-env"), SourceIpamPoolId: aws.String("ipam-pool-top"), AddressFamily: types.AddressFamilyIpv4,
					Locale: aws.String("us-east-1"), State: types.IpamPoolStateCreateComplete, Description: aws.String("prod"),
					AutoImport: aws.Bool(true), AllocationMinNetmaskLength: aws.Int32(16), AllocationMaxNetmaskLength: aws.Int32(24), AllocationDefaultNetmaskLength: aws.Int32(20),
					AllocationResourceTags: []types.IpamResourceTag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}},
				},
				{IpamPoolId: aws.String("ipam-pool-gone"), AddressFamily: types.AddressFamilyIpv4, State: types.IpamPoolStateDeleteInProgress},
			}}, nil
		}),
	)
	gomock.InOrder(
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), forPool("ipam-pool-top"), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.GetIpamPoolCidrsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolCidrsOutput, error) {
			assert.Equal(t, int32(1000), aws.ToInt32(in.MaxResults))
			assert.Nil(t, in.NextToken)
			return &ec2.GetIpamPoolCidrsOutput{NextToken: aws.String("c2"), IpamPoolCidrs: []types.IpamPoolCidr{
				{Cidr: aws.String("10.1.0.0/16"), State: types.IpamPoolCidrStateProvisioned, IpamPoolCidrId: aws.String("ipam-pool-cidr-2")},
			}}, nil
		}),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), forPool("ipam-pool-top"), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.GetIpamPoolCidrsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolCidrsOutput, error) {
			assert.Equal(t, "c2", aws.ToString(in.NextToken))
			return &ec2.GetIpamPoolCidrsOutput{IpamPoolCidrs: []types.IpamPoolCidr{
				{Cidr: aws.String("10.0.0.0/16"), State: types.IpamPoolCidrStateProvisioned, IpamPoolCidrId: aws.String("ipam-pool-cidr-1")},
				{Cidr: aws.String("10.9.0.0/16"), State: types.IpamPoolCidrStateFailedProvision, IpamPoolCidrId: aws.String("ipam-pool-cidr-3"),
					FailureReason: &types.IpamPoolCidrFailureReason{Code: types.IpamPoolCidrFailureCodeCidrNotAvailable, Message: aws.String("overlaps")}},
				{State: types.IpamPoolCidrStatePendingProvision, IpamPoolCidrId: aws.String("ipam-pool-cidr-4"), NetmaskLength: aws.Int32(20)},
			}}, nil
		}),
	)
	gomock.InOrder(
		m.EXPECT().GetIpamPoolAllocations(gomock.Any(), forPool("ipam-pool-top"), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.GetIpamPoolAllocationsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolAllocationsOutput, error) {
			assert.Equal(t, int32(100000), aws.ToInt32(in.MaxResults))
			return &ec2.GetIpamPoolAllocationsOutput{NextToken: aws.String("a2"), IpamPoolAllocations: []types.IpamPoolAllocation{
				{Cidr: aws.String("10.0.0.0/20"), IpamPoolAllocationId: aws.String("ipam-pool-alloc-1"), ResourceType: types.IpamPoolAllocationResourceTypeIpamPool, ResourceId: aws.String("ipam-pool-env")},
			}}, nil
		}),
		m.EXPECT().GetIpamPoolAllocations(gomock.Any(), forPool("ipam-pool-top"), gomock.Any()).DoAndReturn(func(_ context.Context, in *ec2.GetIpamPoolAllocationsInput, _ ...func(*ec2.Options)) (*ec2.GetIpamPoolAllocationsOutput, error) {
			assert.Equal(t, "a2", aws.ToString(in.NextToken))
			return &ec2.GetIpamPoolAllocationsOutput{IpamPoolAllocations: []types.IpamPoolAllocation{
				{Cidr: aws.String("10.0.16.0/24"), IpamPoolAllocationId: aws.String("ipam-pool-alloc-2"), ResourceType: types.IpamPoolAllocationResourceTypeVpc, ResourceId: aws.String("vpc-1")},
			}}, nil
		}),
	)
	m.EXPECT().GetIpamPoolCidrs(gomock.Any(), forPool("ipam-pool-env"), gomock.Any()).Return(&ec2.GetIpamPoolCidrsOutput{IpamPoolCidrs: []types.IpamPoolCidr{
		{Cidr: aws.String("10.0.0.0/20"), State: types.IpamPoolCidrStatePendingProvision, IpamPoolCidrId: aws.String("ipam-pool-cidr-5")},
	}}, nil)
	m.EXPECT().GetIpamPoolAllocations(gomock.Any(), forPool("ipam-pool-env"), gomock.Any()).Return(&ec2.GetIpamPoolAllocationsOutput{}, nil)

	live, err := Read(t.Context(), m, testScope, func(o *ReadOptions) { o.Concurrency = 2 })
	require.NoError(t, err)
	p := netip.MustParsePrefix
	assert.Equal(t, Live{
		Scope: LiveScope{ID: testScope, Type: Private, IPAMID: testIPAM, AccountID: testOwner, Region: "us-east-1", Regions: []string{"us-east-1", "us-west-2"}},
		Pools: []LivePool{
			{
				ID: "ipam-pool-top", Family: IPv4, State: "create-complete", Tags: map[string]string{DefaultPathTagKey: "/top"},
				CIDRs: []LiveCIDR{
					{CIDR: p("10.0.0.0/16"), State: "provisioned", ID: "ipam-pool-cidr-1"},
					{CIDR: p("10.1.0.0/16"), State: "provisioned", ID: "ipam-pool-cidr-2"},
					{CIDR: p("10.9.0.0/16"), State: "failed-provision", ID: "ipam-pool-cidr-3", FailureReason: "overlaps"},
				},
				Allocations: []LiveAllocation{
					{ID: "ipam-pool-alloc-1", CIDR: p("10.0.0.0/20"), ResourceType: "ipam-pool", ResourceID: "ipam-pool-env"},
					{ID: "ipam-pool-alloc-2", CIDR: p("10.0.16.0/24"), ResourceType: "vpc", ResourceID: "vpc-1"},
				},
			},
			{
				ID: "ipam-pool-env", ParentID: "ipam-pool-top", Family: IPv4, Locale: "us-east-1", Description: "prod", AutoImport: true, State: "create-complete",
				Allocation: Allocation{MinNetmask: 16, MaxNetmask: 24, DefaultNetmask: 20, Tags: map[string]string{"Env": "Prod OU"}},
				CIDRs:      []LiveCIDR{{CIDR: p("10.0.0.0/20"), State: "pending-provision", ID: "ipam-pool-cidr-5"}},
			},
			{ID: "ipam-pool-gone", Family: IPv4, State: "delete-in-progress"},
		},
	}, live)
}

func TestReadScopeNotFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		scopes func(*MockEC2API)
		want   string
	}{
		{
			name: "another scope exists",
			scopes: func(m *MockEC2API) {
				m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamsOutput{Ipams: []types.Ipam{{
					IpamId: aws.String(testIPAM), OwnerId: aws.String(testOwner), IpamRegion: aws.String("us-east-1"),
					PrivateDefaultScopeId: aws.String("ipam-scope-0priv"), PublicDefaultScopeId: aws.String("ipam-scope-0pub"),
				}}}, nil)
			},
			want: "scope ipam-scope-0aaa not found in 111111111111 eu-west-1: pass a scope of your IPAM: ipam-scope-0priv (private), ipam-scope-0pub (public)",
		},
		{
			name: "no IPAM",
			scopes: func(m *MockEC2API) {
				m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamsOutput{}, nil)
			},
			want: "scope ipam-scope-0aaa not found in eu-west-1: the caller has no IPAM here; call from the account and home region of your IPAM (its delegated administrator)",
		},
		{
			name: "listing fails too",
			scopes: func(m *MockEC2API) {
				m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, apiErr("UnauthorizedOperation"))
			},
			want: "scope ipam-scope-0aaa not found in eu-west-1: check the scope ID, and call from the account and home region of your IPAM (its delegated administrator); listing your IPAMs to name their scopes failed too (UnauthorizedOperation)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockEC2API(gomock.NewController(t))
			m.EXPECT().DescribeIpamScopes(gomock.Any(), gomock.Any()).Return(nil, apiErr(codeScopeNotFound))
			tt.scopes(m)
			_, err := Read(t.Context(), m, testScope, func(o *ReadOptions) { o.Region = "eu-west-1" })
			require.ErrorIs(t, err, ErrScopeNotFound)
			var nf *ScopeNotFoundError
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, tt.want, err.Error())
			// One error, not several: the API error is what it unwraps to.
			_, multi := err.(interface{ Unwrap() []error })
			assert.False(t, multi, "%T unwraps to several errors", err)
			assert.Equal(t, codeScopeNotFound, errorCode(errors.Unwrap(err)))
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	expectScope(m)
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{
		{IpamPoolId: aws.String("ipam-pool-1"), State: types.IpamPoolStateCreateComplete},
	}}, nil)
	m.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, apiErr("UnauthorizedOperation"))
	_, err := Read(t.Context(), m, testScope)
	assert.EqualError(t, err, "get the CIDRs of IPAM pool ipam-pool-1: operation error EC2: Op, api error UnauthorizedOperation: UnauthorizedOperation says so")
	assert.Equal(t, "UnauthorizedOperation", errorCode(err))

	m = NewMockEC2API(gomock.NewController(t))
	expectScope(m)
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, apiErr("RequestLimitExceeded"))
	_, err = Read(t.Context(), m, testScope)
	assert.EqualError(t, err, "list the pools of scope ipam-scope-0aaa: operation error EC2: Op, api error RequestLimitExceeded: RequestLimitExceeded says so")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m = NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpamScopes(gomock.Any(), gomock.Any()).Return(nil, context.Canceled)
	_, err = Read(ctx, m, testScope)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

func TestDefaultScope(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	two := &ec2.DescribeIpamsOutput{Ipams: []types.Ipam{
		{IpamId: aws.String("ipam-1"), PrivateDefaultScopeId: aws.String("ipam-scope-1"), PublicDefaultScopeId: aws.String("ipam-scope-2")},
	}}
	m.EXPECT().DescribeIpams(gomock.Any(), &ec2.DescribeIpamsInput{MaxResults: aws.Int32(1000)}, gomock.Any()).Return(two, nil).Times(2)
	got, err := DefaultScope(t.Context(), m, "")
	require.NoError(t, err)
	assert.Equal(t, "ipam-scope-1", got)
	got, err = DefaultScope(t.Context(), m, Public)
	require.NoError(t, err)
	assert.Equal(t, "ipam-scope-2", got)

	two.Ipams = append(two.Ipams, types.Ipam{IpamId: aws.String("ipam-3"), PrivateDefaultScopeId: aws.String("ipam-scope-3")})
	m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(two, nil)
	_, err = DefaultScope(t.Context(), m, Private)
	assert.EqualError(t, err, "the caller has 2 IPAMs here, with default private scopes ipam-scope-1, ipam-scope-3: name the scope to use")
}

func TestDefaultScopeNoIPAM(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamsOutput{}, nil)
	_, err := DefaultScope(t.Context(), m, "", func(o *ReadOptions) { o.Region = "eu-west-1" })
	require.ErrorIs(t, err, ErrScopeNotFound)
	var nf *ScopeNotFoundError
	require.ErrorAs(t, err, &nf)
	assert.EqualError(t, err, "the caller has no IPAM in eu-west-1: call from the account and home region of your IPAM (its delegated administrator)")
}
