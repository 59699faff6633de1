package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetIpamDiscoveredAccounts(t *testing.T) {
	t.Parallel()
	b := NewBuilder(mgmtAccount)
	b.Account(b.Root(), networkAccount, "network", "network@example.com")
	b.AccessKey(networkKey, networkAccount, "netadmin")
	var members []string
	for i := range 7 {
		members = append(members, b.Account(b.Root(), "7777777777"+twoDigits(i), "m"+twoDigits(i), "m"+twoDigits(i)+"@example.com"))
	}
	b.AccountState(members[6], "SUSPENDED")
	b.IPAM(networkAccount, "us-east-1", "us-east-1", "us-west-2")
	b.DiscoveryFailure(members[2], "us-west-2", "assume-role-failure", "Unable to assume role AWSIPAMServiceRole")
	world, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, world)
	client := ec2Client(srv, networkKey, "us-east-1")

	ipams, err := client.DescribeIpams(t.Context(), &ec2.DescribeIpamsInput{})
	require.NoError(t, err)
	discovery := aws.ToString(ipams.Ipams[0].DefaultResourceDiscoveryId)
	require.NotEmpty(t, discovery, "DescribeIpams names the default resource discovery")

	srv.ResetCalls()
	var accounts []types.IpamDiscoveredAccount
	p := ec2.NewGetIpamDiscoveredAccountsPaginator(client, &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("us-west-2"), MaxResults: aws.Int32(5),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		require.NoError(t, err)
		accounts = append(accounts, page.IpamDiscoveredAccounts...)
	}
	assert.Len(t, callsTo(srv, "GetIpamDiscoveredAccounts"), 2, "8 active accounts, 5 a page")
	require.Len(t, accounts, 8, "every active account; the suspended one is not discovered")
	var failed []string
	for _, a := range accounts {
		assert.Equal(t, "us-west-2", aws.ToString(a.DiscoveryRegion))
		assert.NotNil(t, a.LastAttemptedDiscoveryTime)
		if a.FailureReason != nil {
			failed = append(failed, aws.ToString(a.AccountId)+" "+string(a.FailureReason.Code)+" "+aws.ToString(a.FailureReason.Message))
			assert.Nil(t, a.LastSuccessfulDiscoveryTime)
		} else {
			assert.NotNil(t, a.LastSuccessfulDiscoveryTime)
		}
	}
	assert.Equal(t, []string{members[2] + " assume-role-failure Unable to assume role AWSIPAMServiceRole"}, failed)

	east, err := client.GetIpamDiscoveredAccounts(t.Context(), &ec2.GetIpamDiscoveredAccountsInput{
		IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("us-east-1"),
	})
	require.NoError(t, err)
	for _, a := range east.IpamDiscoveredAccounts {
		assert.Nil(t, a.FailureReason, "the failure is in us-west-2 only")
	}

	tests := []struct {
		name string
		key  string
		in   ec2.GetIpamDiscoveredAccountsInput
		code string
	}{
		{"unknown discovery", networkKey, ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: aws.String("ipam-res-disco-0123456789abcdef0"), DiscoveryRegion: aws.String("us-east-1")}, "InvalidIpamResourceDiscoveryId.NotFound"},
		{"not an operating region", networkKey, ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("eu-west-1")}, "InvalidParameterValue"},
		{"page too small", networkKey, ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("us-east-1"), MaxResults: aws.Int32(4)}, "InvalidParameterValue"},
		{"another account's discovery", DefaultAccessKeyID, ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("us-east-1")}, "InvalidIpamResourceDiscoveryId.NotFound"},
		{"unknown filter", networkKey, ec2.GetIpamDiscoveredAccountsInput{IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String("us-east-1"), Filters: []types.Filter{{Name: aws.String("color"), Values: []string{"red"}}}}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		_, err := ec2Client(srv, tt.key, "us-east-1").GetIpamDiscoveredAccounts(t.Context(), &tt.in)
		assert.Equal(t, tt.code, errorCode(err), tt.name)
	}

	bad := NewBuilder(mgmtAccount)
	bad.DiscoveryFailure(mgmtAccount, "us-east-1", "gremlins", "")
	_, err = bad.Build()
	require.ErrorContains(t, err, `unknown discovery failure code "gremlins"`)
}
