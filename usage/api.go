package usage

import (
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=usage . EC2API,VPCAPI,IPAMAPI,PoolsAPI,DiscoveryAPI,OrganizationsAPI,STSAPI,CallerIdentityAPI

// VPCAPI is the part of *ec2.Client that [CollectEC2] calls.
type VPCAPI interface {
	ec2.DescribeVpcsAPIClient
	ec2.DescribeSubnetsAPIClient
}

// IPAMAPI is the part of *ec2.Client that [CollectIPAM] calls.
type IPAMAPI interface {
	ec2.DescribeIpamScopesAPIClient
	ec2.GetIpamResourceCidrsAPIClient
}

// PoolsAPI is the part of *ec2.Client that [CollectPools] calls.
type PoolsAPI interface {
	ec2.DescribeIpamPoolsAPIClient
	ec2.GetIpamPoolCidrsAPIClient
	ec2.GetIpamPoolAllocationsAPIClient
}

// DiscoveryAPI is the part of *ec2.Client that [CollectDiscoveryFailures]
// calls.
type DiscoveryAPI interface {
	ec2.DescribeIpamsAPIClient
	ec2.GetIpamDiscoveredAccountsAPIClient
}

// EC2API is every EC2 call of the collectors: what a [ClientFactory] hands
// the [Scanner] for a target. Each collector takes only the part it calls.
type EC2API interface {
	VPCAPI
	IPAMAPI
	PoolsAPI
	DiscoveryAPI
}

var _ EC2API = (*ec2.Client)(nil)

// Page sizes: the largest each API allows (EC2 Describe* and IPAM reads
// take 5 to 1000; GetIpamPoolAllocations 1000 to 100000), so a scan makes
// the fewest calls.
const (
	maxPage            = 1000
	maxAllocationsPage = 100000
)
