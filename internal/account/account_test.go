package account

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// codedError is an AWS error with a code, as smithy.APIError has.
type codedError struct{ code string }

func (e codedError) Error() string     { return "api error " + e.code }
func (e codedError) ErrorCode() string { return e.code }

func TestListAccountsPages(t *testing.T) {
	t.Parallel()
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	acct := func(id string, state orgtypes.AccountState) orgtypes.Account {
		return orgtypes.Account{Id: aws.String(id), Arn: aws.String("arn:aws-cn:organizations::000000000001:account/o-x/" + id), Name: aws.String("n" + id), State: state}
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
					acct("000000000003", orgtypes.AccountStatePendingClosure),
					{Id: aws.String("000000000005"), Status: orgtypes.AccountStatusActive},
				}}, nil
			}),
	)
	got, err := ListAccounts(t.Context(), m)
	require.NoError(t, err)
	var rows []string
	for _, a := range got {
		rows = append(rows, fmt.Sprintf("%s %s %v", a.ID, a.State, a.Active()))
	}
	assert.Equal(t, []string{
		"000000000003 PENDING_CLOSURE false",
		"000000000005 ACTIVE true",
		"000000000007 SUSPENDED false",
		"000000000042 ACTIVE true",
	}, rows, "every account, every page, by ID; Status stands in for a missing State")
	assert.Equal(t, "n000000000003", got[0].Name)
}

func TestListAccountsError(t *testing.T) {
	t.Parallel()
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	m.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"AWSOrganizationsNotInUseException"})
	_, err := ListAccounts(t.Context(), m)
	require.ErrorContains(t, err, "list accounts: ")
	assert.ErrorIs(t, err, codedError{"AWSOrganizationsNotInUseException"})
}

// fakeOrg answers the tree calls of a mock from a map of parent -> OUs and
// parent -> accounts, one item a page, so every call pages.
func fakeOrg(t *testing.T, ous map[string][]string, accounts map[string][]string) *MockOrganizationsAPI {
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	page := func(items []string, token *string) ([]string, *string) {
		i := 0
		if token != nil {
			fmt.Sscan(*token, &i)
		}
		if i >= len(items) {
			return nil, nil
		}
		if i+1 < len(items) {
			return items[i : i+1], aws.String(fmt.Sprint(i + 1))
		}
		return items[i : i+1], nil
	}
	m.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.ListRootsInput, _ ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
			assert.Equal(t, int32(20), aws.ToInt32(in.MaxResults))
			return &organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-root"), Name: aws.String("Root")}}}, nil
		})
	m.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.ListOrganizationalUnitsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
			assert.Equal(t, int32(20), aws.ToInt32(in.MaxResults))
			items, next := page(ous[aws.ToString(in.ParentId)], in.NextToken)
			out := &organizations.ListOrganizationalUnitsForParentOutput{NextToken: next}
			for _, name := range items {
				out.OrganizationalUnits = append(out.OrganizationalUnits, orgtypes.OrganizationalUnit{Id: aws.String("ou-" + name), Name: aws.String(name)})
			}
			return out, nil
		}).AnyTimes()
	m.EXPECT().ListAccountsForParent(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.ListAccountsForParentInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsForParentOutput, error) {
			assert.Equal(t, int32(20), aws.ToInt32(in.MaxResults))
			items, next := page(accounts[aws.ToString(in.ParentId)], in.NextToken)
			out := &organizations.ListAccountsForParentOutput{NextToken: next}
			for _, id := range items {
				out.Accounts = append(out.Accounts, orgtypes.Account{Id: aws.String(id), State: orgtypes.AccountStateActive})
			}
			return out, nil
		}).AnyTimes()
	return m
}

func TestListTree(t *testing.T) {
	t.Parallel()
	m := fakeOrg(t,
		map[string][]string{"r-root": {"Workloads", "Infrastructure"}, "ou-Workloads": {"SDLC", "Prod"}, "ou-Prod": {"Payments"}},
		map[string][]string{"r-root": {"000000000001"}, "ou-Infrastructure": {"000000000002"}, "ou-Prod": {"000000000004", "000000000003"}, "ou-Payments": {"000000000005"}},
	)
	tree, err := ListTree(t.Context(), m)
	require.NoError(t, err)
	var units []string
	for _, u := range tree.Units {
		units = append(units, u.ID+" "+u.Path+" parent="+u.ParentID)
	}
	assert.Equal(t, []string{
		"r-root Root parent=",
		"ou-Infrastructure Root/Infrastructure parent=r-root",
		"ou-Workloads Root/Workloads parent=r-root",
		"ou-Prod Root/Workloads/Prod parent=ou-Workloads",
		"ou-Payments Root/Workloads/Prod/Payments parent=ou-Prod",
		"ou-SDLC Root/Workloads/SDLC parent=ou-Workloads",
	}, units, "each unit before its children, children by name, every page")
	var accts []string
	for _, a := range tree.Accounts {
		accts = append(accts, a.ID+" "+a.ParentID+" "+a.ParentName+" "+a.Path)
	}
	assert.Equal(t, []string{
		"000000000001 r-root Root Root",
		"000000000002 ou-Infrastructure Infrastructure Root/Infrastructure",
		"000000000003 ou-Prod Prod Root/Workloads/Prod",
		"000000000004 ou-Prod Prod Root/Workloads/Prod",
		"000000000005 ou-Payments Payments Root/Workloads/Prod/Payments",
	}, accts, "accounts under the root too, nested OUs, by ID")

	a, ok := tree.Account("000000000005")
	require.True(t, ok)
	assert.Equal(t, "ou-Payments", a.ParentID)
	_, ok = tree.Account("000000000009")
	assert.False(t, ok)
	u, ok := tree.Unit("r-root")
	require.True(t, ok)
	assert.True(t, u.IsRoot())
	_, ok = tree.Unit("ou-none")
	assert.False(t, ok)
}

func TestListTreeErrors(t *testing.T) {
	t.Parallel()
	t.Run("roots", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"AccessDeniedException"})
		_, err := ListTree(t.Context(), m)
		require.ErrorContains(t, err, "list roots: ")
		assert.ErrorIs(t, err, codedError{"AccessDeniedException"})
	})
	t.Run("OUs", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-1"), Name: aws.String("Root")}}}, nil)
		m.EXPECT().ListAccountsForParent(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListAccountsForParentOutput{}, nil)
		m.EXPECT().ListOrganizationalUnitsForParent(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"TooManyRequestsException"})
		_, err := ListTree(t.Context(), m)
		require.ErrorContains(t, err, "list the OUs of Root (r-1): ")
		assert.ErrorIs(t, err, codedError{"TooManyRequestsException"})
	})
	t.Run("accounts", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-1"), Name: aws.String("Root")}}}, nil)
		m.EXPECT().ListAccountsForParent(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"ParentNotFoundException"})
		_, err := ListTree(t.Context(), m)
		require.ErrorContains(t, err, "list the accounts of Root (r-1): ")
	})
}

func TestIdentify(t *testing.T) {
	t.Parallel()
	m := NewMockSTSAPI(gomock.NewController(t))
	m.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(&sts.GetCallerIdentityOutput{
		Account: aws.String("012345678901"), Arn: aws.String("arn:aws-cn:iam::012345678901:user/me"),
	}, nil)
	c, err := Identify(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, Caller{AccountID: "012345678901", ARN: "arn:aws-cn:iam::012345678901:user/me"}, c)

	m.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"ExpiredToken"})
	_, err = Identify(t.Context(), m)
	require.ErrorContains(t, err, "sts:GetCallerIdentity: ")
	m.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(&sts.GetCallerIdentityOutput{}, nil)
	_, err = Identify(t.Context(), m)
	require.ErrorContains(t, err, "returned no account")
}

func TestConfigsMakeNoCall(t *testing.T) {
	t.Parallel()
	c := New(aws.Config{Region: "us-east-1"}, func(o *Options) { o.STS = NewMockSTSAPI(gomock.NewController(t)) })
	_, err := c.Config(t.Context(), Target{AccountID: "000000000001"})
	require.ErrorIs(t, err, ErrNoRegion)
	cfg, err := c.Config(t.Context(), Target{AccountID: "000000000001", Region: "eu-west-1", RoleARN: "arn:aws:iam::000000000001:role/R", ExternalID: "x"})
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", cfg.Region)
	assert.NotNil(t, cfg.Credentials)
	again, err := c.Config(t.Context(), Target{AccountID: "000000000001", Region: "us-west-2", RoleARN: "arn:aws:iam::000000000001:role/R", ExternalID: "x"})
	require.NoError(t, err)
	assert.Same(t, cfg.Credentials, again.Credentials, "one credentials cache per role, shared by the regions")
	own, err := c.Config(t.Context(), Target{AccountID: "000000000001", Region: "us-west-2"})
	require.NoError(t, err)
	assert.Nil(t, own.Credentials, "no role: the base credentials")
	assert.Zero(t, c.APICalls(), "no call until a client is used")
}

func TestTargetKeepsExternalIDOut(t *testing.T) {
	t.Parallel()
	tg := Target{AccountID: "000000000001", Region: "r1", RoleARN: "arn:aws:iam::000000000001:role/R", ExternalID: "s3cr3t-id"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "target", tg)
	for _, s := range []string{tg.String(), fmt.Sprintf("%v %+v %#v %s", tg, tg, tg, tg), logs.String()} {
		assert.NotContains(t, s, "s3cr3t-id")
	}
	assert.Contains(t, logs.String(), `"target":{"account_id":"000000000001","region":"r1","role_arn":"arn:aws:iam::000000000001:role/R"}`)
	assert.Equal(t, "000000000001/r1", tg.String())
	assert.Empty(t, tg.Redacted().ExternalID)
}

func TestAccountTargetsAndRoles(t *testing.T) {
	t.Parallel()
	got := AccountTargets("arn:aws-us-gov:sts::000000000001:assumed-role/Admin/me", []string{"000000000002", "000000000001"}, []string{"r1", "r2"}, "/ops/Reader", "ext")
	assert.Equal(t, []Target{
		{AccountID: "000000000002", Region: "r1", RoleARN: "arn:aws-us-gov:iam::000000000002:role/ops/Reader", ExternalID: "ext"},
		{AccountID: "000000000002", Region: "r2", RoleARN: "arn:aws-us-gov:iam::000000000002:role/ops/Reader", ExternalID: "ext"},
		{AccountID: "000000000001", Region: "r1", RoleARN: "arn:aws-us-gov:iam::000000000001:role/ops/Reader", ExternalID: "ext"},
		{AccountID: "000000000001", Region: "r2", RoleARN: "arn:aws-us-gov:iam::000000000001:role/ops/Reader", ExternalID: "ext"},
	}, got, "accounts in the order given, the partition of the caller")
	got = WithoutRoleFor(got, "000000000001")
	assert.Equal(t, Target{AccountID: "000000000001", Region: "r2"}, got[3], "the caller's own account needs no role")
	assert.Equal(t, "ext", got[0].ExternalID, "other accounts keep theirs")

	assert.Equal(t, "arn:aws:iam::000000000003:role/R", RoleARN("not an ARN", "000000000003", "R"))
	assert.Equal(t, []Target{{AccountID: "000000000003", Region: "r1"}}, AccountTargets("", []string{"000000000003"}, []string{"r1"}, "", "x"),
		"no role name: the caller's credentials, and no external ID to pass")
	assert.Equal(t, -1, Compare(Target{AccountID: "1", Region: "b"}, Target{AccountID: "2", Region: "a"}))
	assert.Equal(t, 1, Compare(Target{AccountID: "1", Region: "b"}, Target{AccountID: "1", Region: "a"}))
}
