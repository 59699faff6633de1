package share

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/ipamkit/ipamkit/internal/account"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=share . RAMAPI,OrganizationsAPI,EC2API

// RAMAPI is every call of *ram.Client that the package makes: the listings
// of shares and associations, and the three writes. The methods have the
// SDK's signatures, so *ram.Client satisfies it.
type RAMAPI interface {
	ram.GetResourceSharesAPIClient
	ram.GetResourceShareAssociationsAPIClient
	CreateResourceShare(ctx context.Context, in *ram.CreateResourceShareInput, optFns ...func(*ram.Options)) (*ram.CreateResourceShareOutput, error)
	AssociateResourceShare(ctx context.Context, in *ram.AssociateResourceShareInput, optFns ...func(*ram.Options)) (*ram.AssociateResourceShareOutput, error)
	DisassociateResourceShare(ctx context.Context, in *ram.DisassociateResourceShareInput, optFns ...func(*ram.Options)) (*ram.DisassociateResourceShareOutput, error)
}

// OrganizationsAPI is every call of *organizations.Client that the package
// makes: the whole tree for [Reconciler.PlanAll] and one account's place in
// it for [Reconciler.PlanAccount].
type OrganizationsAPI interface {
	account.TreeAPI
	account.LocateAPI
}

// EC2API is the part of *ec2.Client that reads the IPAM pools to share.
type EC2API interface {
	ec2.DescribeIpamPoolsAPIClient
}

var (
	_ RAMAPI           = (*ram.Client)(nil)
	_ OrganizationsAPI = (*organizations.Client)(nil)
	_ EC2API           = (*ec2.Client)(nil)
)

// Page sizes: the largest each API allows, so reads make the fewest calls.
const (
	ramPage  = 500  // RAM listings: 1 to 500
	ec2Page  = 1000 // DescribeIpamPools: 5 to 1000
	maxBatch = 100  // RAM takes up to 100 resources per associate call
)
