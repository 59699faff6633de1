package awsfake

import (
	"github.com/aws/smithy-go/encoding/json"
)

// Organizations read operations (awsJson1_1, AWSOrganizationsV20161128).

// orgInput is the input members of the Organizations read operations.
type orgInput struct {
	MaxResults           *int    `json:"MaxResults"`
	NextToken            *string `json:"NextToken"`
	ParentID             string  `json:"ParentId"`
	ChildID              string  `json:"ChildId"`
	AccountID            string  `json:"AccountId"`
	OrganizationalUnitID string  `json:"OrganizationalUnitId"`
}

func (in orgInput) page() pageRequest {
	r := pageRequest{maxResults: in.MaxResults}
	if in.NextToken != nil {
		r.token, r.present = *in.NextToken, true
	}
	return r
}

func invalidInput(reason, format string, args ...any) *apiError {
	e := badRequest("InvalidInputException", format, args...)
	e.extra = [][2]string{{"Reason", reason}}
	return e
}

// orgOp builds an Organizations read operation: the caller must be the
// management account or a delegated administrator.
func orgOp(name string, serve func(st *state, c *call, in orgInput) (any, error)) operation {
	return op("organizations", name, decodeJSON[orgInput], func(s *Server, c *call, in orgInput) (any, error) {
		if !s.st.canReadOrganization(c.account()) {
			return nil, badRequest("AccessDeniedException", "You don't have permissions to access this resource.")
		}
		return serve(s.st, c, in)
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

func (st *state) writeAccount(o *json.Object, a *account) {
	jstr(o, "Id", a.id)
	jstr(o, "Arn", a.arn(st))
	jstr(o, "Email", a.email)
	jstr(o, "Name", a.name)
	status := a.state
	if status != "ACTIVE" && status != "PENDING_CLOSURE" {
		status = "SUSPENDED"
	}
	jstr(o, "Status", status)
	jstr(o, "State", a.state)
	jstr(o, "JoinedMethod", a.joinedMethod)
	jtime(o, "JoinedTimestamp", a.joined)
	jstrings(o, "Paths", []string{st.path(a.parent) + a.id + "/"})
}

// listAccounts pages accounts (sorted by ID) that pass keep.
func (st *state) listAccounts(c *call, in orgInput, keep func(*account) bool) (any, error) {
	var accts []*account
	for _, id := range sortedKeys(st.accounts) {
		if keep(st.accounts[id]) {
			accts = append(accts, st.accounts[id])
		}
	}
	page, next, err := paginate(c, accts, func(a *account) string { return a.id }, in.page(), orgList)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "Accounts", len(page), func(i int, item *json.Object) { st.writeAccount(item, page[i]) })
		jopt(o, "NextToken", next)
	}), nil
}

var orgListAccounts = orgOp("ListAccounts", func(st *state, c *call, in orgInput) (any, error) {
	return st.listAccounts(c, in, func(*account) bool { return true })
})

var orgListAccountsForParent = orgOp("ListAccountsForParent", func(st *state, c *call, in orgInput) (any, error) {
	if err := st.checkParent(in.ParentID); err != nil {
		return nil, err
	}
	return st.listAccounts(c, in, func(a *account) bool { return a.parent == in.ParentID })
})

var orgDescribeAccount = orgOp("DescribeAccount", func(st *state, c *call, in orgInput) (any, error) {
	if !accountIDPattern.MatchString(in.AccountID) {
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for AccountId.")
	}
	a := st.accounts[in.AccountID]
	if a == nil {
		return nil, badRequest("AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return jsonMembers(func(o *json.Object) {
		jstruct(o, "Account", func(item *json.Object) { st.writeAccount(item, a) })
	}), nil
})

var orgListParents = orgOp("ListParents", func(st *state, c *call, in orgInput) (any, error) {
	var parent string
	switch {
	case accountIDPattern.MatchString(in.ChildID):
		if a := st.accounts[in.ChildID]; a != nil {
			parent = a.parent
		}
	case ouIDPattern.MatchString(in.ChildID):
		if ou := st.ous[in.ChildID]; ou != nil {
			parent = ou.parent
		}
	default:
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for ChildId.")
	}
	if parent == "" {
		return nil, badRequest("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	parents := []string{parent}
	page, next, err := paginate(c, parents, func(s string) string { return s }, in.page(), orgList)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "Parents", len(page), func(i int, item *json.Object) {
			jstr(item, "Id", page[i])
			typ := "ORGANIZATIONAL_UNIT"
			if page[i] == st.rootID {
				typ = "ROOT"
			}
			jstr(item, "Type", typ)
		})
		jopt(o, "NextToken", next)
	}), nil
})

var orgListRoots = orgOp("ListRoots", func(st *state, c *call, in orgInput) (any, error) {
	page, next, err := paginate(c, []string{st.rootID}, func(s string) string { return s }, in.page(), orgList)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "Roots", len(page), func(i int, item *json.Object) {
			jstr(item, "Id", page[i])
			jstr(item, "Arn", "arn:aws:organizations::"+st.mgmt+":root/"+st.orgID+"/"+page[i])
			jstr(item, "Name", "Root")
			jlist(item, "PolicyTypes", 0, nil)
		})
		jopt(o, "NextToken", next)
	}), nil
})

func (st *state) writeOU(o *json.Object, ou *orgUnit) {
	jstr(o, "Id", ou.id)
	jstr(o, "Arn", "arn:aws:organizations::"+st.mgmt+":ou/"+st.orgID+"/"+ou.id)
	jstr(o, "Name", ou.name)
	jstr(o, "Path", st.path(ou.id))
}

var orgListOrganizationalUnitsForParent = orgOp("ListOrganizationalUnitsForParent", func(st *state, c *call, in orgInput) (any, error) {
	if err := st.checkParent(in.ParentID); err != nil {
		return nil, err
	}
	var ous []*orgUnit
	for _, id := range sortedKeys(st.ous) {
		if st.ous[id].parent == in.ParentID {
			ous = append(ous, st.ous[id])
		}
	}
	page, next, err := paginate(c, ous, func(ou *orgUnit) string { return ou.id }, in.page(), orgList)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "OrganizationalUnits", len(page), func(i int, item *json.Object) { st.writeOU(item, page[i]) })
		jopt(o, "NextToken", next)
	}), nil
})

var orgDescribeOrganizationalUnit = orgOp("DescribeOrganizationalUnit", func(st *state, c *call, in orgInput) (any, error) {
	if !ouIDPattern.MatchString(in.OrganizationalUnitID) {
		return nil, invalidInput("INVALID_PATTERN", "You specified an invalid value for OrganizationalUnitId.")
	}
	ou := st.ous[in.OrganizationalUnitID]
	if ou == nil {
		return nil, badRequest("OrganizationalUnitNotFoundException", "We can't find an organizational unit (OU) with the OrganizationalUnitId that you specified.")
	}
	return jsonMembers(func(o *json.Object) {
		jstruct(o, "OrganizationalUnit", func(item *json.Object) { st.writeOU(item, ou) })
	}), nil
})
