package awsfake

import (
	"fmt"
	"slices"
	"time"
)

var (
	accountIDPattern = lazyPattern(`^\d{12}$`)
	ouIDPattern      = lazyPattern(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	rootIDPattern    = lazyPattern(`^r-[0-9a-z]{4,32}$`)
	roleNamePattern  = lazyPattern(`^[\w+=,.@-]{1,64}$`)
)

// worldEpoch is when the accounts of a built world joined the organization,
// fixed so that worlds are deterministic.
var worldEpoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// addOU adds an OU under parent and returns its ID.
func (st *state) addOU(parent, name string) (string, error) {
	if !st.hasParent(parent) {
		return "", fmt.Errorf("no parent %q", parent)
	}
	if name == "" || len(name) > 128 {
		return "", fmt.Errorf("OU name %q must be 1 to 128 characters", name)
	}
	for _, ou := range st.ous {
		if ou.parent == parent && ou.name == name {
			return "", fmt.Errorf("parent %q already has an OU named %q", parent, name)
		}
	}
	id := "ou-" + st.rootID[2:] + "-" + st.hexID("ou", 8)
	st.ous[id] = &orgUnit{id: id, name: name, parent: parent}
	return id, nil
}

// addAccount adds an ACTIVE account under parent.
func (st *state) addAccount(parent, id, name, email string) error {
	switch {
	case !accountIDPattern.MatchString(id):
		return fmt.Errorf("account ID %q is not 12 digits", id)
	case st.accounts[id] != nil:
		return fmt.Errorf("account %q already exists", id)
	case !st.hasParent(parent):
		return fmt.Errorf("no parent %q", parent)
	case name == "" || len(name) > 128:
		return fmt.Errorf("account name %q must be 1 to 128 characters", name)
	case len(email) < 6 || len(email) > 64:
		return fmt.Errorf("email %q must be 6 to 64 characters", email)
	}
	method := "CREATED"
	if id == st.mgmt {
		method = "INVITED"
	}
	st.accounts[id] = &account{
		id: id, name: name, email: email, state: "ACTIVE", parent: parent,
		joinedMethod: method, joined: worldEpoch,
	}
	st.accountOrder = nil
	return nil
}

// accountIDs returns the IDs of every account in ascending order; the
// slice must not be changed. It is sorted once after accounts are added,
// not once per page: ListAccounts pages through organizations of
// thousands of accounts, 20 at a time.
func (st *state) accountIDs() []string {
	if st.accountOrder == nil {
		st.accountOrder = sortedKeys(st.accounts)
	}
	return st.accountOrder
}

// addRole adds an IAM role and returns its ARN.
func (st *state) addRole(accountID, name, externalID string, trusted []string) (string, error) {
	if st.accounts[accountID] == nil {
		return "", fmt.Errorf("no account %q", accountID)
	}
	if !roleNamePattern.MatchString(name) {
		return "", fmt.Errorf("role name %q is not valid", name)
	}
	arn := "arn:aws:iam::" + accountID + ":role/" + name
	if st.roles[arn] != nil {
		return "", fmt.Errorf("role %q already exists", arn)
	}
	st.roles[arn] = &role{account: accountID, name: name, arn: arn, externalID: externalID, trusted: slices.Clone(trusted)}
	return arn, nil
}

// canReadOrganization reports whether an account may call the Organizations
// read operations: the management account and delegated administrators.
func (st *state) canReadOrganization(accountID string) bool {
	return accountID == st.mgmt || st.delegated[accountID]
}
