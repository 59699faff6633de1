package account

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func TestLocate(t *testing.T) {
	t.Parallel()
	m := NewMockOrganizationsAPI(gomock.NewController(t))
	m.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
			assert.Equal(t, "000000000005", aws.ToString(in.AccountId))
			return &organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: in.AccountId, State: orgtypes.AccountStateActive}}, nil
		})
	parents := map[string]orgtypes.Parent{
		"000000000005": {Id: aws.String("ou-pay"), Type: orgtypes.ParentTypeOrganizationalUnit},
		"ou-pay":       {Id: aws.String("ou-prod"), Type: orgtypes.ParentTypeOrganizationalUnit},
		"ou-prod":      {Id: aws.String("r-root"), Type: orgtypes.ParentTypeRoot},
	}
	m.EXPECT().ListParents(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.ListParentsInput, _ ...func(*organizations.Options)) (*organizations.ListParentsOutput, error) {
			assert.Equal(t, int32(20), aws.ToInt32(in.MaxResults))
			return &organizations.ListParentsOutput{Parents: []orgtypes.Parent{parents[aws.ToString(in.ChildId)]}}, nil
		}).Times(3)
	names := map[string]string{"ou-pay": "Payments", "ou-prod": "Prod"}
	m.EXPECT().DescribeOrganizationalUnit(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *organizations.DescribeOrganizationalUnitInput, _ ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error) {
			return &organizations.DescribeOrganizationalUnitOutput{OrganizationalUnit: &orgtypes.OrganizationalUnit{
				Id: in.OrganizationalUnitId, Name: aws.String(names[aws.ToString(in.OrganizationalUnitId)]),
			}}, nil
		}).Times(2)
	m.EXPECT().ListRoots(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListRootsOutput{Roots: []orgtypes.Root{{Id: aws.String("r-root"), Name: aws.String("Root")}}}, nil)

	a, err := Locate(t.Context(), m, "000000000005")
	require.NoError(t, err)
	assert.Equal(t, Account{ID: "000000000005", State: orgtypes.AccountStateActive, ParentID: "ou-pay", ParentName: "Payments", Path: "Root/Prod/Payments"}, a)
}

func TestLocateErrors(t *testing.T) {
	t.Parallel()
	t.Run("account", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"AccountNotFoundException"})
		_, err := Locate(t.Context(), m, "000000000009")
		require.ErrorIs(t, err, codedError{"AccountNotFoundException"})
		assert.ErrorContains(t, err, "describe account 000000000009: ")
	})
	t.Run("parents", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: aws.String("000000000009")}}, nil)
		m.EXPECT().ListParents(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListParentsOutput{}, nil)
		_, err := Locate(t.Context(), m, "000000000009")
		require.ErrorContains(t, err, "parents of account 000000000009: no parent of 000000000009 listed by Organizations")
	})
	t.Run("OU", func(t *testing.T) {
		t.Parallel()
		m := NewMockOrganizationsAPI(gomock.NewController(t))
		m.EXPECT().DescribeAccount(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.DescribeAccountOutput{Account: &orgtypes.Account{Id: aws.String("000000000009")}}, nil)
		m.EXPECT().ListParents(gomock.Any(), gomock.Any(), gomock.Any()).Return(&organizations.ListParentsOutput{Parents: []orgtypes.Parent{
			{Id: aws.String("ou-x"), Type: orgtypes.ParentTypeOrganizationalUnit},
		}}, nil)
		m.EXPECT().DescribeOrganizationalUnit(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, codedError{"TooManyRequestsException"})
		_, err := Locate(t.Context(), m, "000000000009")
		require.ErrorIs(t, err, codedError{"TooManyRequestsException"})
		assert.ErrorContains(t, err, "describe OU ou-x: ")
	})
}
