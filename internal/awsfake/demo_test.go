package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoWorld(t *testing.T) {
	srv := startServer(t, Demo())
	ctx := t.Context()
	accts, err := orgClient(srv, DefaultAccessKeyID).ListAccounts(ctx, &organizations.ListAccountsInput{})
	require.NoError(t, err)
	assert.Len(t, accts.Accounts, 5)

	client := ec2Client(srv, DemoNetworkAccessKey, "us-east-1")
	pools, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
	require.NoError(t, err)
	assert.Len(t, pools.IpamPools, 7, "top, two regional and four environment pools")

	ipams, err := client.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	require.NoError(t, err)
	require.Len(t, ipams.Ipams, 1)
	cidrs, err := client.GetIpamResourceCidrs(ctx, &ec2.GetIpamResourceCidrsInput{
		IpamScopeId:  ipams.Ipams[0].PrivateDefaultScopeId,
		Filters:      []types.Filter{{Name: aws.String("management-state"), Values: []string{"managed"}}},
		ResourceType: types.IpamResourceTypeVpc,
	})
	require.NoError(t, err)
	assert.Len(t, cidrs.IpamResourceCidrs, 4, "one managed VPC per environment pool")
}
