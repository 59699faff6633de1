package usage

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func TestOrganizationTargets(t *testing.T) {
	t.Parallel()
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	acct := func(id string, state orgtypes.AccountState) orgtypes.Account {
		return orgtypes.Account{Id: aws.String(id), Arn: aws.String("arn:aws-cn:organizations::000000000001:account/o-x/" + id), State: state}
	}
	gomock.InOrder(
		m.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
				assert.Equal(t, int32(20), aws.ToInt32(in.MaxResults), "Organizations pages hold at most 20")
				assert.Nil(t, in.NextToken)
				return &organizations.ListAccountsOutput{NextToken: aws.String("n"), Accounts: []orgtypes.Account{
					acct("000000000042", orgtypes.AccountStateActive), acct("000000000007", orgtypes.AccountStateSuspended),
				}}, nil
			}),
		m.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
			func(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
				assert.Equal(t, "n", aws.ToString(in.NextToken))
				return &organizations.ListAccountsOutput{Accounts: []orgtypes.Account{
					acct("000000000003", orgtypes.AccountStateActive), acct("000000000009", orgtypes.AccountStatePendingClosure),
					{Id: aws.String("000000000005"), Status: orgtypes.AccountStatusActive},
				}}, nil
			}),
	)
	got, err := OrganizationTargets(t.Context(), m, []string{"us-east-1", "eu-west-1"}, "IpamReadOnly", "ext")
	require.NoError(t, err)
	var ids []string
	for _, tg := range got {
		ids = append(ids, tg.AccountID+"/"+tg.Region)
		assert.Equal(t, "ext", tg.ExternalID)
	}
	assert.Equal(t, []string{
		"000000000003/eu-west-1", "000000000003/us-east-1",
		"000000000005/eu-west-1", "000000000005/us-east-1",
		"000000000042/eu-west-1", "000000000042/us-east-1",
	}, ids, "active accounts only, leading zeros kept, sorted")
	assert.Equal(t, "arn:aws-cn:iam::000000000003:role/IpamReadOnly", got[0].RoleARN, "the partition comes from the account ARN")
	assert.Equal(t, "arn:aws:iam::000000000005:role/IpamReadOnly", got[2].RoleARN)

	m2 := NewMockOrganizationsAPI(gomock.NewController(t))
	m2.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"AWSOrganizationsNotInUseException"})
	_, err = OrganizationTargets(t.Context(), m2, []string{"us-east-1"}, "", "")
	require.ErrorContains(t, err, "list accounts")
}

func TestAWSClientsNeedsRegion(t *testing.T) {
	t.Parallel()
	c := NewAWSClients(aws.Config{}, func(o *AWSClientsOptions) { o.STS = NewMockSTSAPI(gomock.NewController(t)) })
	_, err := c.EC2(t.Context(), Target{AccountID: "000000000001"})
	require.ErrorContains(t, err, "no region")
	client, err := c.EC2(t.Context(), Target{AccountID: "000000000001", Region: "eu-west-1", RoleARN: "arn:aws:iam::000000000001:role/R"})
	require.NoError(t, err)
	assert.NotNil(t, client)
	assert.Zero(t, c.APICalls(), "no call until the client is used")
}

func TestOrganizationTargetsEmpty(t *testing.T) {
	t.Parallel()
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	m.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListAccountsOutput{}, nil)
	got, err := OrganizationTargets(t.Context(), m, []string{"us-east-1"}, "R", "")
	require.NoError(t, err)
	assert.Empty(t, got)
	rep, err := NewScanner(ClientFactoryFunc(func(context.Context, Target) (EC2API, error) {
		t.Fatal("no target, no client")
		return nil, nil
	})).Scan(t.Context(), got)
	require.NoError(t, err)
	assert.Zero(t, rep.Scan.Targets)
	_, ok := rep.Alert("x")
	assert.False(t, ok, "an empty organization is nothing to alert about")
}

// TestAccountTargetsAndRoles checks that usage's names for the account
// plumbing are internal/account's, whose tests cover the rules.
func TestAccountTargetsAndRoles(t *testing.T) {
	t.Parallel()
	caller := "arn:aws-us-gov:sts::000000000001:assumed-role/Admin/me"
	accounts, regions := []string{"000000000002", "000000000001"}, []string{"r1", "r2"}
	want := account.WithoutRoleFor(account.AccountTargets(caller, accounts, regions, "/ops/Reader", "ext"), "000000000001")
	assert.Equal(t, want, WithoutRoleFor(AccountTargets(caller, accounts, regions, "/ops/Reader", "ext"), "000000000001"))
	assert.Equal(t, account.RoleARN(caller, "000000000003", "R"), RoleARN(caller, "000000000003", "R"))
}
