package account_test

// Wire tests: the real aws-sdk-go-v2 clients against internal/awsfake
// serving the demo organization.

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func demoServer(t *testing.T, build func(b *awsfake.Builder)) *awsfake.Server {
	t.Helper()
	w := awsfake.Demo()
	if build != nil {
		b := awsfake.NewBuilder(awsfake.DemoManagementAccount)
		build(b)
		var err error
		w, err = b.Build()
		require.NoError(t, err)
	}
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = w })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func TestWireOrganization(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, func(b *awsfake.Builder) {
		a := b.OU(b.Root(), "A")
		deep := b.OU(b.OU(a, "B"), "C")
		b.Account(b.Root(), "000000000010", "root-level", "r@example.com")
		b.Account(deep, "000000000011", "deep", "d@example.com")
		b.AccountState("000000000011", "SUSPENDED")
		for i := range 45 { // three pages of ListAccountsForParent, three of ListAccounts
			b.Account(a, fmt.Sprintf("0000000001%02d", i), "many", "m@example.com")
		}
	})
	org := organizations.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))

	accounts, err := account.ListAccounts(t.Context(), org)
	require.NoError(t, err)
	require.Len(t, accounts, 1+2+45, "the management account, two more, 45 over three pages")
	states := map[string]bool{}
	for _, a := range accounts {
		states[a.ID] = a.Active()
	}
	assert.False(t, states["000000000011"], "suspended")
	assert.True(t, states["000000000010"])

	tree, err := account.ListTree(t.Context(), org)
	require.NoError(t, err)
	var paths []string
	for _, u := range tree.Units {
		paths = append(paths, u.Path)
	}
	assert.Equal(t, []string{"Root", "Root/A", "Root/A/B", "Root/A/B/C"}, paths)
	require.Len(t, tree.Accounts, len(accounts), "every account is somewhere in the tree")
	deep, ok := tree.Account("000000000011")
	require.True(t, ok)
	assert.Equal(t, "Root/A/B/C", deep.Path)
	assert.Equal(t, "C", deep.ParentName)
	assert.Equal(t, "SUSPENDED", string(deep.State))
	top, ok := tree.Account("000000000010")
	require.True(t, ok)
	assert.Equal(t, "Root", top.Path, "an account directly under the root")
	assert.True(t, top.Active())

	// Locate finds the same place in a few calls.
	for _, id := range []string{"000000000011", "000000000010", "000000000144"} {
		want, ok := tree.Account(id)
		require.True(t, ok)
		got, err := account.Locate(t.Context(), org, id)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err = account.Locate(t.Context(), org, "000000000999")
	require.ErrorContains(t, err, "AccountNotFoundException")
}

func TestWireDemoTree(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, nil)
	// The networking account is a delegated administrator: it may read the
	// tree too.
	org := organizations.NewFromConfig(srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1"))
	tree, err := account.ListTree(t.Context(), org)
	require.NoError(t, err)
	got := map[string]string{}
	for _, a := range tree.Accounts {
		got[a.ID] = a.Path
	}
	assert.Equal(t, map[string]string{
		awsfake.DemoManagementAccount: "Root",
		awsfake.DemoNetworkAccount:    "Root/Infrastructure",
		awsfake.DemoProdAccount:       "Root/Workloads/Prod OU",
		awsfake.DemoDevAccount:        "Root/Workloads/SDLC OU",
		awsfake.DemoTestAccount:       "Root/Workloads/SDLC OU",
	}, got)
}

func TestWireConfigs(t *testing.T) {
	t.Parallel()
	srv := demoServer(t, func(b *awsfake.Builder) {
		b.Account(b.Root(), awsfake.DemoProdAccount, "prod", "p@example.com")
		b.Role(awsfake.DemoProdAccount, "Reader", "ext-id-1", awsfake.DemoManagementAccount)
		b.VPC(awsfake.DemoProdAccount, "us-west-2", "10.1.0.0/16")
	})
	base := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	caller, err := account.Identify(t.Context(), sts.NewFromConfig(base))
	require.NoError(t, err)
	assert.Equal(t, awsfake.DemoManagementAccount, caller.AccountID)

	configs := account.New(base, func(o *account.Options) { o.SessionName = "test-session" })
	role := account.RoleARN(caller.ARN, awsfake.DemoProdAccount, "Reader")
	srv.ResetCalls()
	for _, region := range []string{"us-east-1", "us-west-2", "us-west-2"} {
		cfg, err := configs.Config(t.Context(), account.Target{AccountID: awsfake.DemoProdAccount, Region: region, RoleARN: role, ExternalID: "ext-id-1"})
		require.NoError(t, err)
		out, err := ec2.NewFromConfig(cfg).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
		require.NoError(t, err)
		for _, v := range out.Vpcs {
			assert.Equal(t, awsfake.DemoProdAccount, *v.OwnerId, "read in the role's account")
		}
	}
	var ops []string
	for _, c := range srv.Calls() {
		ops = append(ops, c.Service+":"+c.Operation+"@"+c.Account)
	}
	assert.Equal(t, []string{
		"sts:AssumeRole@" + awsfake.DemoManagementAccount,
		"ec2:DescribeVpcs@" + awsfake.DemoProdAccount,
		"ec2:DescribeVpcs@" + awsfake.DemoProdAccount,
		"ec2:DescribeVpcs@" + awsfake.DemoProdAccount,
	}, ops, "the role is assumed once for every region")
	assert.Equal(t, int64(len(ops)), configs.APICalls())

	// A wrong external ID fails on the first call, with STS's code.
	cfg, err := configs.Config(t.Context(), account.Target{AccountID: awsfake.DemoProdAccount, Region: "us-east-1", RoleARN: role, ExternalID: "wrong"})
	require.NoError(t, err)
	_, err = ec2.NewFromConfig(cfg).DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.ErrorContains(t, err, "AccessDenied")
	assert.NotContains(t, err.Error(), "wrong")
}
