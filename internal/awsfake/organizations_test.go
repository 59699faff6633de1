package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListAccountsPages(t *testing.T) {
	w := newTestWorld(t)
	tests := []struct {
		name       string
		key        string
		maxResults *int32
		wantPages  []int
	}{
		{name: "MaxResults 20", key: DefaultAccessKeyID, maxResults: aws.Int32(20), wantPages: []int{20, 8}},
		{name: "default page size", key: DefaultAccessKeyID, wantPages: []int{20, 8}},
		{name: "MaxResults 7", key: DefaultAccessKeyID, maxResults: aws.Int32(7), wantPages: []int{7, 7, 7, 7}},
		{name: "delegated administrator", key: networkKey, maxResults: aws.Int32(20), wantPages: []int{20, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, w.world)
			p := organizations.NewListAccountsPaginator(orgClient(srv, tt.key), &organizations.ListAccountsInput{MaxResults: tt.maxResults})
			var pages []int
			seen := map[string]types.Account{}
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				require.NoError(t, err)
				pages = append(pages, len(out.Accounts))
				for _, a := range out.Accounts {
					seen[aws.ToString(a.Id)] = a
				}
			}
			assert.Equal(t, tt.wantPages, pages)
			require.Len(t, seen, 28)
			prod := seen[prodAccount]
			assert.Equal(t, "prod", aws.ToString(prod.Name))
			assert.Equal(t, "prod@example.com", aws.ToString(prod.Email))
			assert.Equal(t, types.AccountStateActive, prod.State)
			assert.Equal(t, types.AccountStatusActive, prod.Status)
			assert.Equal(t, types.AccountJoinedMethodCreated, prod.JoinedMethod)
			assert.NotNil(t, prod.JoinedTimestamp)
			orgID := w.world.orgIDForTest(t)
			assert.Equal(t, "arn:aws:organizations::"+mgmtAccount+":account/"+orgID+"/"+prodAccount, aws.ToString(prod.Arn))
			assert.Equal(t, []string{orgID + "/" + w.root + "/" + w.workloads + "/" + w.prodOU + "/" + prodAccount + "/"}, prod.Paths)
			assert.Equal(t, types.AccountJoinedMethodInvited, seen[mgmtAccount].JoinedMethod)
		})
	}
}

// orgIDForTest returns the organization ID a world loads with.
func (w *World) orgIDForTest(t *testing.T) string {
	st, err := w.load()
	require.NoError(t, err)
	return st.orgID
}

func TestOrganizationsErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	mgmt := orgClient(srv, DefaultAccessKeyID)
	ctx := t.Context()

	t.Run("MaxResults out of range", func(t *testing.T) {
		for _, tt := range []struct {
			n      int32
			reason types.InvalidInputExceptionReason
		}{{0, types.InvalidInputExceptionReasonMinValueExceeded}, {21, types.InvalidInputExceptionReasonMaxValueExceeded}} {
			_, err := mgmt.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(tt.n)})
			var invalid *types.InvalidInputException
			require.ErrorAs(t, err, &invalid, "MaxResults %d", tt.n)
			assert.Equal(t, tt.reason, invalid.Reason, "MaxResults %d", tt.n)
		}
	})
	t.Run("bad token", func(t *testing.T) {
		_, err := mgmt.ListRoots(ctx, &organizations.ListRootsInput{NextToken: aws.String("garbage")})
		var invalid *types.InvalidInputException
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, types.InvalidInputExceptionReasonInvalidPaginationToken, invalid.Reason)
	})
	t.Run("member account is denied", func(t *testing.T) {
		_, err := orgClient(srv, prodKey).ListAccounts(ctx, &organizations.ListAccountsInput{})
		var denied *types.AccessDeniedException
		require.ErrorAs(t, err, &denied)
		assert.Contains(t, aws.ToString(denied.Message), "permissions")
	})
	t.Run("not found", func(t *testing.T) {
		_, err := mgmt.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("999999999999")})
		var child *types.ChildNotFoundException
		assert.ErrorAs(t, err, &child)
		_, err = mgmt.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("ou-abcd-12345678")})
		var ou *types.OrganizationalUnitNotFoundException
		assert.ErrorAs(t, err, &ou)
		_, err = mgmt.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("ou-abcd-12345678")})
		var parent *types.ParentNotFoundException
		assert.ErrorAs(t, err, &parent)
		_, err = mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("999999999999")})
		var acct *types.AccountNotFoundException
		assert.ErrorAs(t, err, &acct)
	})
	t.Run("bad pattern", func(t *testing.T) {
		_, err := mgmt.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String("Prod")})
		var invalid *types.InvalidInputException
		require.ErrorAs(t, err, &invalid)
		assert.Equal(t, types.InvalidInputExceptionReasonInvalidPattern, invalid.Reason)
	})
}

func TestOrganizationTree(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := orgClient(srv, DefaultAccessKeyID)
	ctx := t.Context()
	orgID := w.world.orgIDForTest(t)

	roots, err := client.ListRoots(ctx, &organizations.ListRootsInput{})
	require.NoError(t, err)
	require.Len(t, roots.Roots, 1)
	assert.Equal(t, w.root, aws.ToString(roots.Roots[0].Id))
	assert.Equal(t, "arn:aws:organizations::"+mgmtAccount+":root/"+orgID+"/"+w.root, aws.ToString(roots.Roots[0].Arn))

	parents := []struct {
		child, parent string
		typ           types.ParentType
	}{
		{prodAccount, w.prodOU, types.ParentTypeOrganizationalUnit},
		{w.prodOU, w.workloads, types.ParentTypeOrganizationalUnit},
		{w.workloads, w.root, types.ParentTypeRoot},
		{mgmtAccount, w.root, types.ParentTypeRoot},
	}
	for _, tt := range parents {
		out, err := client.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(tt.child)})
		require.NoError(t, err, "ListParents(%s)", tt.child)
		require.Len(t, out.Parents, 1)
		assert.Equal(t, tt.parent, aws.ToString(out.Parents[0].Id), "parent of %s", tt.child)
		assert.Equal(t, tt.typ, out.Parents[0].Type, "parent type of %s", tt.child)
	}

	ous, err := client.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &w.workloads})
	require.NoError(t, err)
	var names []string
	for _, ou := range ous.OrganizationalUnits {
		names = append(names, aws.ToString(ou.Name))
	}
	assert.ElementsMatch(t, []string{"Prod OU", "SDLC OU"}, names)

	ou, err := client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: &w.prodOU})
	require.NoError(t, err)
	assert.Equal(t, "Prod OU", aws.ToString(ou.OrganizationalUnit.Name))
	assert.Equal(t, orgID+"/"+w.root+"/"+w.workloads+"/"+w.prodOU+"/", aws.ToString(ou.OrganizationalUnit.Path))
	assert.Equal(t, "arn:aws:organizations::"+mgmtAccount+":ou/"+orgID+"/"+w.prodOU, aws.ToString(ou.OrganizationalUnit.Arn))

	p := organizations.NewListAccountsForParentPaginator(client, &organizations.ListAccountsForParentInput{ParentId: &w.sdlcOU})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		require.NoError(t, err)
		n += len(out.Accounts)
	}
	assert.Equal(t, 25, n)

	acct, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(devAccount)})
	require.NoError(t, err)
	assert.Equal(t, "dev", aws.ToString(acct.Account.Name))
}
