package awsfake

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Organizations read operations and MoveAccount (awsJson1_1,
// AWSOrganizationsV20161128).

func invalidInput(reason, format string, args ...any) *apiError {
	e := badRequest("InvalidInputException", format, args...)
	e.extra = [][2]string{{"Reason", reason}}
	return e
}

// orgModel builds an Organizations read operation: the caller must be the
// management account or a delegated administrator.
func orgModel[In, Out any](name string, serve modelFunc[In, Out]) operation {
	return model("organizations", name, func(st *state, c *call, in *In) (*Out, error) {
		if !st.canReadOrganization(c.account()) {
			return nil, badRequest("AccessDeniedException", "You don't have permissions to access this resource.")
		}
		return serve(st, c, in)
	})
}

// checkParent validates a ParentId and checks that it exists.
func (st *state) checkParent(id string) error {
	if id == "" {
		return invalidInput("INPUT_REQUIRED", "You must specify a value for ParentId.")
	}
	if !rootIDPattern.MatchString(id) && !ouIDPattern.MatchString(id) {
		return invalidInput("INVALID_PATTERN", "You specified an invalid value for ParentId.")
	}
	if !st.hasParent(id) {
		return badRequest("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return nil
}

// sdkAccount is an account as Organizations answers it.
func (st *state) sdkAccount(a *account) types.Account {
	status := a.state
	if status != "ACTIVE" && status != "PENDING_CLOSURE" {
		status = "SUSPENDED"
	}
	return types.Account{Id: aws.String(a.id), Arn: aws.String(a.arn(st)), Email: aws.String(a.email), Name: aws.String(a.name),
		Status: types.AccountStatus(status), State: types.AccountState(a.state), JoinedMethod: types.AccountJoinedMethod(a.joinedMethod),
		JoinedTimestamp: aws.Time(a.joined), Paths: []string{st.path(a.parent) + a.id + "/"}}
}

// listAccounts pages accounts (sorted by ID) that pass keep.
func (st *state) listAccounts(c *call, maxResults *int32, nextToken *string, keep func(*account) bool) ([]types.Account, *string, error) {
	ids, next, err := paginateScan(c, st.accountIDs(), func(id string) string { return id },
		func(id *string) bool { return keep(st.accounts[*id]) }, page(maxResults, nextToken), orgList)
	out := make([]types.Account, len(ids))
	for i, id := range ids {
		out[i] = st.sdkAccount(st.accounts[id])
	}
	return out, optString(next), err
}

var orgListAccounts = orgModel("ListAccounts", func(st *state, c *call, in *organizations.ListAccountsInput) (*organizations.ListAccountsOutput, error) {
	accounts, next, err := st.listAccounts(c, in.MaxResults, in.NextToken, func(*account) bool { return true })
	return &organizations.ListAccountsOutput{Accounts: accounts, NextToken: next}, err
})

var orgListAccountsForParent = orgModel("ListAccountsForParent", func(st *state, c *call, in *organizations.ListAccountsForParentInput) (*organizations.ListAccountsForParentOutput, error) {
	parent := aws.ToString(in.ParentId)
	if err := st.checkParent(parent); err != nil {
		return nil, err
	}
	accounts, next, err := st.listAccounts(c, in.MaxResults, in.NextToken, func(a *account) bool { return a.parent == parent })
	return &organizations.ListAccountsForParentOutput{Accounts: accounts, NextToken: next}, err
})

var orgDescribeAccount = orgModel("DescribeAccount", func(st *state, c *call, in *organizations.DescribeAccountInput) (*organizations.DescribeAccountOutput, error) {
	id := aws.ToString(in.AccountId)
	if !accountIDPattern.MatchString(id) {
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for AccountId.")
	}
	a := st.accounts[id]
	if a == nil {
		return nil, badRequest("AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	out := st.sdkAccount(a)
	return &organizations.DescribeAccountOutput{Account: &out}, nil
})

var orgListParents = orgModel("ListParents", func(st *state, c *call, in *organizations.ListParentsInput) (*organizations.ListParentsOutput, error) {
	var parent string
	switch child := aws.ToString(in.ChildId); {
	case accountIDPattern.MatchString(child):
		if a := st.accounts[child]; a != nil {
			parent = a.parent
		}
	case ouIDPattern.MatchString(child):
		if ou := st.ous[child]; ou != nil {
			parent = ou.parent
		}
	default:
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for ChildId.")
	}
	if parent == "" {
		return nil, badRequest("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	pg, next, err := paginate(c, []string{parent}, func(s string) string { return s }, page(in.MaxResults, in.NextToken), orgList)
	out := &organizations.ListParentsOutput{Parents: make([]types.Parent, len(pg)), NextToken: optString(next)}
	for i, id := range pg {
		out.Parents[i] = types.Parent{Id: aws.String(id), Type: types.ParentTypeOrganizationalUnit}
		if id == st.rootID {
			out.Parents[i].Type = types.ParentTypeRoot
		}
	}
	return out, err
})

var orgListRoots = orgModel("ListRoots", func(st *state, c *call, in *organizations.ListRootsInput) (*organizations.ListRootsOutput, error) {
	pg, next, err := paginate(c, []string{st.rootID}, func(s string) string { return s }, page(in.MaxResults, in.NextToken), orgList)
	out := &organizations.ListRootsOutput{Roots: make([]types.Root, len(pg)), NextToken: optString(next)}
	for i, id := range pg {
		out.Roots[i] = types.Root{Id: aws.String(id), Arn: aws.String("arn:aws:organizations::" + st.mgmt + ":root/" + st.orgID + "/" + id),
			Name: aws.String("Root"), PolicyTypes: []types.PolicyTypeSummary{}}
	}
	return out, err
})

// sdkOU is an OU as Organizations answers it.
func (st *state) sdkOU(ou *orgUnit) types.OrganizationalUnit {
	return types.OrganizationalUnit{Id: aws.String(ou.id), Arn: aws.String("arn:aws:organizations::" + st.mgmt + ":ou/" + st.orgID + "/" + ou.id),
		Name: aws.String(ou.name), Path: aws.String(st.path(ou.id))}
}

var orgListOrganizationalUnitsForParent = orgModel("ListOrganizationalUnitsForParent", func(st *state, c *call, in *organizations.ListOrganizationalUnitsForParentInput) (*organizations.ListOrganizationalUnitsForParentOutput, error) {
	parent := aws.ToString(in.ParentId)
	if err := st.checkParent(parent); err != nil {
		return nil, err
	}
	var ous []*orgUnit
	for _, id := range sortedKeys(st.ous) {
		if st.ous[id].parent == parent {
			ous = append(ous, st.ous[id])
		}
	}
	pg, next, err := paginate(c, ous, func(ou *orgUnit) string { return ou.id }, page(in.MaxResults, in.NextToken), orgList)
	out := &organizations.ListOrganizationalUnitsForParentOutput{OrganizationalUnits: make([]types.OrganizationalUnit, len(pg)), NextToken: optString(next)}
	for i, ou := range pg {
		out.OrganizationalUnits[i] = st.sdkOU(ou)
	}
	return out, err
})

var orgDescribeOrganizationalUnit = orgModel("DescribeOrganizationalUnit", func(st *state, c *call, in *organizations.DescribeOrganizationalUnitInput) (*organizations.DescribeOrganizationalUnitOutput, error) {
	id := aws.ToString(in.OrganizationalUnitId)
	if !ouIDPattern.MatchString(id) {
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for OrganizationalUnitId.")
	}
	ou := st.ous[id]
	if ou == nil {
		return nil, badRequest("OrganizationalUnitNotFoundException", "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.")
	}
	out := st.sdkOU(ou)
	return &organizations.DescribeOrganizationalUnitOutput{OrganizationalUnit: &out}, nil
})

// orgMoveAccount moves an account to another OU or the root; only the
// management account may. Shares to OUs follow the account at once.
var orgMoveAccount = model("organizations", "MoveAccount", func(st *state, c *call, in *organizations.MoveAccountInput) (*organizations.MoveAccountOutput, error) {
	if c.account() != st.mgmt {
		return nil, badRequest("AccessDeniedException", "You don't have permissions to access this resource.")
	}
	id, from, to := aws.ToString(in.AccountId), aws.ToString(in.SourceParentId), aws.ToString(in.DestinationParentId)
	if !accountIDPattern.MatchString(id) {
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for AccountId.")
	}
	a := st.accounts[id]
	switch {
	case a == nil:
		return nil, badRequest("AccountNotFoundException", "You specified an account that doesn't exist.")
	case !st.hasParent(from):
		return nil, badRequest("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	case !st.hasParent(to):
		return nil, badRequest("DestinationParentNotFoundException", "We can't find a destination root or OU with the ParentId that you specified.")
	case a.parent == to:
		return nil, badRequest("DuplicateAccountException", "That account is already present in the specified destination.")
	case a.parent != from:
		return nil, badRequest("AccountNotFoundException", "You specified an account that doesn't exist in the source parent.")
	}
	a.parent = to
	return &organizations.MoveAccountOutput{}, nil
})
