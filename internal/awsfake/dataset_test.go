package awsfake

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadWorldFile(t *testing.T) {
	w, err := LoadWorldFile("testdata/dataset.yaml")
	require.NoError(t, err)
	srv := startServer(t, w)
	ctx := t.Context()

	accts, err := orgClient(srv, networkKey).ListAccounts(ctx, &organizations.ListAccountsInput{})
	require.NoError(t, err, "the network account is a delegated administrator")
	assert.Len(t, accts.Accounts, 5)

	client := ec2Client(srv, networkKey, "us-east-1")
	pools, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{
		Filters: []types.Filter{{Name: aws.String("pool-depth"), Values: []string{"3"}}},
	})
	require.NoError(t, err)
	require.Len(t, pools.IpamPools, 1)
	assert.Equal(t, "Prod OU", aws.ToString(pools.IpamPools[0].AllocationResourceTags[0].Value))

	ipams, err := client.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	require.NoError(t, err)
	cidrs, err := client.GetIpamResourceCidrs(ctx, &ec2.GetIpamResourceCidrsInput{
		IpamScopeId: ipams.Ipams[0].PrivateDefaultScopeId, ResourceType: types.IpamResourceTypeVpc,
		Filters: []types.Filter{{Name: aws.String("management-state"), Values: []string{"managed"}}},
	})
	require.NoError(t, err)
	require.Len(t, cidrs.IpamResourceCidrs, 1, "the VPC allocated from the pool named prod")
	assert.Equal(t, "prod-a", aws.ToString(cidrs.IpamResourceCidrs[0].ResourceName))

	subnets, err := ec2Client(srv, prodKey, "us-east-1").DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"prod-a-1"}}},
	})
	require.NoError(t, err)
	require.Len(t, subnets.Subnets, 1)
	assert.Equal(t, int32(1), aws.ToInt32(subnets.Subnets[0].AvailableIpAddressCount))
}

func TestLoadWorldErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"unknown field", "management_account: \"111111111111\"\nacounts: []\n", []string{"line 2", "acounts"}},
		{"no management account", "accounts: []\n", []string{"management_account is required"}},
		{"every bad entry", `management_account: "111111111111"
accounts:
  - {id: "12", name: short, email: short@example.com}
vpcs:
  - {account: "111111111111", region: us-east-1, cidrs: [10.0.0.1/16]}
  - {account: "111111111111", region: us-east-1, cidrs: [10.1.0.0/16], pool: nowhere}
`, []string{`"12"`, "10.0.0.1/16", `no pool named "nowhere"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadWorld(strings.NewReader(tt.yaml))
			require.Error(t, err)
			for _, want := range tt.want {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}
