package usage

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=usage . EC2API,OrganizationsAPI,STSAPI

// EC2API is the part of *ec2.Client that the collectors call. A real
// *ec2.Client satisfies it, and so do the SDK's paginators' narrower
// interfaces.
type EC2API interface {
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeIpams(ctx context.Context, in *ec2.DescribeIpamsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamsOutput, error)
	GetIpamDiscoveredAccounts(ctx context.Context, in *ec2.GetIpamDiscoveredAccountsInput, optFns ...func(*ec2.Options)) (*ec2.GetIpamDiscoveredAccountsOutput, error)
	DescribeIpamScopes(ctx context.Context, in *ec2.DescribeIpamScopesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamScopesOutput, error)
	GetIpamResourceCidrs(ctx context.Context, in *ec2.GetIpamResourceCidrsInput, optFns ...func(*ec2.Options)) (*ec2.GetIpamResourceCidrsOutput, error)
	DescribeIpamPools(ctx context.Context, in *ec2.DescribeIpamPoolsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeIpamPoolsOutput, error)
	GetIpamPoolCidrs(ctx context.Context, in *ec2.GetIpamPoolCidrsInput, optFns ...func(*ec2.Options)) (*ec2.GetIpamPoolCidrsOutput, error)
	GetIpamPoolAllocations(ctx context.Context, in *ec2.GetIpamPoolAllocationsInput, optFns ...func(*ec2.Options)) (*ec2.GetIpamPoolAllocationsOutput, error)
}

var _ EC2API = (*ec2.Client)(nil)

// Page sizes: the largest each API allows (EC2 Describe* and IPAM reads
// take 5 to 1000; GetIpamPoolAllocations 1000 to 100000), so a scan makes
// the fewest calls.
const (
	maxPage            = 1000
	maxAllocationsPage = 100000
)
