package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	ctx := t.Context()
	id, err := stsClient(srv, DefaultAccessKeyID, "us-east-1").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	t.Logf("%s %s %s", *id.Account, *id.Arn, *id.UserId)
	vpcs, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(ctx, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
	require.NoError(t, err)
	t.Logf("%d %v", len(vpcs.Vpcs), aws.ToString(vpcs.NextToken))
	pools, err := ec2Client(srv, networkKey, "us-east-1").DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
	require.NoError(t, err)
	for _, p := range pools.IpamPools {
		t.Logf("%s %s %s %v", *p.IpamPoolId, *p.Locale, p.State, p.AllocationResourceTags)
	}
	rc, err := ec2Client(srv, networkKey, "us-east-1").GetIpamResourceCidrs(ctx, &ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.privateScope})
	require.NoError(t, err)
	for _, r := range rc.IpamResourceCidrs {
		t.Logf("%s %s %s %v %s %s", *r.ResourceId, *r.ResourceCidr, r.ResourceType, aws.ToFloat64(r.IpUsage), r.ManagementState, r.OverlapStatus)
	}
	accts, err := orgClient(srv, DefaultAccessKeyID).ListAccounts(ctx, &organizations.ListAccountsInput{})
	require.NoError(t, err)
	t.Logf("%d %v %v", len(accts.Accounts), aws.ToString(accts.NextToken), accts.Accounts[0])
	_, err = orgClient(srv, DefaultAccessKeyID).ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(21)})
	t.Log(err)
	t.Log(srv.Calls())
}
