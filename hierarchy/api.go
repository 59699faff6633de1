package hierarchy

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=hierarchy . EC2API

// ReadAPI is the part of *ec2.Client that [Read] and [DefaultScope] call.
type ReadAPI interface {
	ec2.DescribeIpamsAPIClient
	ec2.DescribeIpamScopesAPIClient
	ec2.DescribeIpamPoolsAPIClient
	ec2.GetIpamPoolCidrsAPIClient
	ec2.GetIpamPoolAllocationsAPIClient
}

// WaitAPI is the part of *ec2.Client that a [PoolWaiter] calls.
type WaitAPI interface {
	ec2.DescribeIpamPoolsAPIClient
	ec2.GetIpamPoolCidrsAPIClient
}

// EC2API is every call of *ec2.Client that the package makes: the reads of
// [ReadAPI] and the writes of [Apply]. The methods have the SDK's
// signatures, so *ec2.Client satisfies it.
type EC2API interface {
	ReadAPI
	CreateIpamPool(ctx context.Context, in *ec2.CreateIpamPoolInput, optFns ...func(*ec2.Options)) (*ec2.CreateIpamPoolOutput, error)
	ModifyIpamPool(ctx context.Context, in *ec2.ModifyIpamPoolInput, optFns ...func(*ec2.Options)) (*ec2.ModifyIpamPoolOutput, error)
	DeleteIpamPool(ctx context.Context, in *ec2.DeleteIpamPoolInput, optFns ...func(*ec2.Options)) (*ec2.DeleteIpamPoolOutput, error)
	ProvisionIpamPoolCidr(ctx context.Context, in *ec2.ProvisionIpamPoolCidrInput, optFns ...func(*ec2.Options)) (*ec2.ProvisionIpamPoolCidrOutput, error)
	DeprovisionIpamPoolCidr(ctx context.Context, in *ec2.DeprovisionIpamPoolCidrInput, optFns ...func(*ec2.Options)) (*ec2.DeprovisionIpamPoolCidrOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
}

var (
	_ EC2API  = (*ec2.Client)(nil)
	_ ReadAPI = (*ec2.Client)(nil)
	_ WaitAPI = (*ec2.Client)(nil)
)

// Page sizes: the largest each API allows (IPAM reads take 5 to 1000,
// GetIpamPoolAllocations 1000 to 100000), so a read makes the fewest calls.
const (
	maxPage            = 1000
	maxAllocationsPage = 100000
)

// EC2 error codes the package branches on.
const (
	codeIncorrectState        = "IncorrectState"
	codeConcurrentMutation    = "ConcurrentMutationLimitExceeded"
	codeScopeNotFound         = "InvalidIpamScopeId.NotFound"
	codeScopeMalformed        = "InvalidIpamScopeId.Malformed"
	codePoolNotFound          = "InvalidIpamPoolId.NotFound"
	codeIdempotencyMismatched = "IdempotentParameterMismatch"
)

// errorCode returns the AWS error code of err, or "" when err is not an
// AWS API error.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// retryable reports whether an IPAM write failed only because the pool is
// busy: in a transitional state, or changed by too many requests at once.
// Throttling is not here: the SDK's retryer handles it.
func retryable(err error) bool {
	switch errorCode(err) {
	case codeIncorrectState, codeConcurrentMutation:
		return true
	}
	return false
}
