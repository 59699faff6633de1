package usage

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// pools returns a mock IPAM with one empty private pool.
func pools(t *testing.T) EC2API {
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{{
		IpamPoolId: aws.String("ipam-pool-1"), IpamScopeType: types.IpamScopeTypePrivate, OwnerId: aws.String("000000000009"), Locale: aws.String("eu-west-1"),
	}}}, nil)
	m.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.GetIpamPoolCidrsOutput{}, nil)
	m.EXPECT().GetIpamPoolAllocations(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.GetIpamPoolAllocationsOutput{}, nil)
	return m
}

func TestOrganizationScannerAccounts(t *testing.T) {
	t.Parallel()
	ident := NewMockCallerIdentityAPI(gomock.NewController(t))
	ident.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(&sts.GetCallerIdentityOutput{
		Account: aws.String("000000000001"), Arn: aws.String("arn:aws-cn:sts::000000000001:assumed-role/Ops/me"),
	}, nil).Times(1) // once for both scans

	var mu sync.Mutex
	var seen []Target
	clients := ClientFactoryFunc(func(_ context.Context, tg Target) (EC2API, error) {
		mu.Lock()
		seen = append(seen, tg)
		mu.Unlock()
		if tg.AccountID == "000000000009" {
			return pools(t), nil
		}
		return oneSubnet(t, tg.AccountID, 10), nil
	})
	s, err := NewOrganizationScanner(aws.Config{Region: "us-east-1"}, func(o *OrganizationScanOptions) {
		o.Accounts, o.Regions = []string{"000000000002", "000000000001"}, []string{"eu-west-1", "eu-west-2"}
		o.RoleName, o.ExternalID = "Reader", "s3cret"
		o.Sources = []Source{SourceEC2, SourcePools}
		o.IPAMAccount, o.IPAMRegion = "000000000009", "eu-west-1"
		o.Identity, o.Clients = ident, clients
	})
	require.NoError(t, err)
	for range 2 {
		seen = nil
		rep, err := s.Scan(t.Context())
		require.NoError(t, err)
		assert.Empty(t, rep.Errors)
		assert.Equal(t, 5, rep.Scan.Targets, "the IPAM, then two accounts in two regions")
		assert.Len(t, rep.Resources, 5)
		require.Len(t, seen, 5)
		assert.Equal(t, Target{AccountID: "000000000009", Region: "eu-west-1", RoleARN: "arn:aws-cn:iam::000000000009:role/Reader", ExternalID: "s3cret"},
			seen[0], "the IPAM first, through the role, in the caller's partition")
		assert.ElementsMatch(t, []Target{
			{AccountID: "000000000002", Region: "eu-west-1", RoleARN: "arn:aws-cn:iam::000000000002:role/Reader", ExternalID: "s3cret"},
			{AccountID: "000000000002", Region: "eu-west-2", RoleARN: "arn:aws-cn:iam::000000000002:role/Reader", ExternalID: "s3cret"},
			{AccountID: "000000000001", Region: "eu-west-1"},
			{AccountID: "000000000001", Region: "eu-west-2"},
		}, seen[1:], "the caller's own account with its own credentials")
	}
}

func TestOrganizationScannerOrganization(t *testing.T) {
	t.Parallel()
	ident := NewMockCallerIdentityAPI(gomock.NewController(t))
	org := NewMockOrganizationsAPI(gomock.NewController(t))
	org.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListAccountsOutput{Accounts: []orgtypes.Account{
		{Id: aws.String("000000000001"), State: orgtypes.AccountStateActive},
		{Id: aws.String("000000000002"), State: orgtypes.AccountStateActive},
		{Id: aws.String("000000000003"), State: orgtypes.AccountStateSuspended},
	}}, nil)
	var mu sync.Mutex
	roles := map[string]string{}
	s, err := NewOrganizationScanner(aws.Config{Region: "eu-west-1"}, func(o *OrganizationScanOptions) {
		o.Organization, o.Sources = true, []Source{SourceEC2}
		o.Caller = Caller{AccountID: "000000000001", ARN: "arn:aws:iam::000000000001:user/me"}
		o.Identity, o.Organizations = ident, org
		o.Clients = ClientFactoryFunc(func(_ context.Context, tg Target) (EC2API, error) {
			mu.Lock()
			roles[tg.AccountID] = tg.RoleARN
			mu.Unlock()
			return oneSubnet(t, tg.AccountID, 10), nil
		})
	})
	require.NoError(t, err)
	rep, err := s.Scan(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Scan.Targets, "active accounts only")
	assert.Equal(t, map[string]string{"000000000001": "", "000000000002": "arn:aws:iam::000000000002:role/OrganizationAccountAccessRole"}, roles,
		"the default role, and none for the caller's account")
}

func TestOrganizationScannerFailures(t *testing.T) {
	t.Parallel()
	noClients := ClientFactoryFunc(func(context.Context, Target) (EC2API, error) {
		t.Error("no target may be scanned")
		return nil, errors.New("unreachable")
	})
	t.Run("caller", func(t *testing.T) {
		t.Parallel()
		ident := NewMockCallerIdentityAPI(gomock.NewController(t))
		ident.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"ExpiredToken"})
		_, err := ScanOrganization(t.Context(), aws.Config{Region: "eu-west-1"}, func(o *OrganizationScanOptions) { o.Identity, o.Clients = ident, noClients })
		var se *ScanError
		require.ErrorAs(t, err, &se)
		assert.ErrorIs(t, err, codedError{"ExpiredToken"})
		assert.EqualError(t, err, "find the caller's account: sts:GetCallerIdentity: api error ExpiredToken: no (region eu-west-1: check the credentials and the STS endpoint of the AWS configuration)")
	})
	t.Run("organization", func(t *testing.T) {
		t.Parallel()
		org := NewMockOrganizationsAPI(gomock.NewController(t))
		org.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"AccessDeniedException"})
		_, err := ScanOrganization(t.Context(), aws.Config{Region: "eu-west-1"}, func(o *OrganizationScanOptions) {
			o.Organization, o.Sources = true, []Source{SourceEC2}
			o.Caller = Caller{AccountID: "000000000004", ARN: "arn:aws:iam::000000000004:user/me"}
			o.Organizations, o.Clients = org, noClients
		})
		var se *ScanError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, "000000000004", se.AccountID)
		assert.ErrorIs(t, err, codedError{"AccessDeniedException"})
		assert.EqualError(t, err, "targets of the organization: list accounts: api error AccessDeniedException: no (account 000000000004 region eu-west-1: "+
			"run as the management account or a delegated administrator of AWS Organizations, allowed organizations:ListAccounts)")
	})
	t.Run("no active account", func(t *testing.T) {
		t.Parallel()
		org := NewMockOrganizationsAPI(gomock.NewController(t))
		org.EXPECT().ListAccounts(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListAccountsOutput{Accounts: []orgtypes.Account{
			{Id: aws.String("000000000003"), State: orgtypes.AccountStateSuspended},
		}}, nil)
		_, err := ScanOrganization(t.Context(), aws.Config{Region: "eu-west-1"}, func(o *OrganizationScanOptions) {
			o.Organization, o.Sources = true, []Source{SourceEC2}
			o.Caller = Caller{AccountID: "000000000004", ARN: "arn:aws:iam::000000000004:user/me"}
			o.Organizations, o.Clients = org, noClients
		})
		var se *ScanError
		require.ErrorAs(t, err, &se, "no account to scan is no success")
		assert.ErrorIs(t, err, ErrNoTargets)
		assert.ErrorContains(t, err, "account 000000000004 region eu-west-1")
	})
	t.Run("options", func(t *testing.T) {
		t.Parallel()
		_, err := NewOrganizationScanner(aws.Config{}, func(o *OrganizationScanOptions) {
			o.Organization, o.Accounts = true, []string{"000000000001"}
			o.Sources = []Source{"dns"}
			o.Policy.Critical = 150
		})
		require.ErrorIs(t, err, ErrBadPolicy)
		require.ErrorIs(t, err, ErrNoRegion)
		assert.ErrorContains(t, err, "not both")
		assert.ErrorContains(t, err, `unknown source "dns"`)
	})
}

// TestOrganizationScannerRegionOfSTS: a configuration without a region
// calls STS in the first region scanned, not nowhere.
func TestOrganizationScannerRegionOfSTS(t *testing.T) {
	t.Parallel()
	ident := NewMockCallerIdentityAPI(gomock.NewController(t))
	ident.EXPECT().GetCallerIdentity(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"InvalidClientTokenId"})
	_, err := ScanOrganization(t.Context(), aws.Config{}, func(o *OrganizationScanOptions) {
		o.Regions, o.Identity = []string{"ap-south-2", "eu-west-1"}, ident
	})
	var se *ScanError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "ap-south-2", se.Region)
}
