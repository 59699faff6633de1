package account

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// orgPage is the largest page the Organizations list operations allow
// (MaxResults 1 to 20).
const orgPage = 20

// TreeAPI is the part of *organizations.Client that [ListTree] calls.
type TreeAPI interface {
	organizations.ListRootsAPIClient
	organizations.ListOrganizationalUnitsForParentAPIClient
	organizations.ListAccountsForParentAPIClient
}

// Account is an account of the organization.
type Account struct {
	ID    string // 12 digits, leading zeros kept
	ARN   string // arn:<partition>:organizations::<management>:account/o-…/<id>
	Name  string
	Email string
	// State is ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE or
	// CLOSED; for an organization that reports only the retiring Status, the
	// state that Status names.
	State orgtypes.AccountState

	// ParentID, ParentName and Path place the account in the tree: its
	// root or OU, and that parent's path ("Root/Workloads/Prod"). Only
	// [ListTree] fills them.
	ParentID, ParentName, Path string
}

// Active reports whether a is ACTIVE: neither suspended, closing, closed
// nor still joining.
func (a Account) Active() bool { return a.State == orgtypes.AccountStateActive }

func newAccount(a orgtypes.Account) Account {
	state := a.State
	if state == "" { // organizations that predate State
		state = orgtypes.AccountState(a.Status)
	}
	return Account{ID: aws.ToString(a.Id), ARN: aws.ToString(a.Arn), Name: aws.ToString(a.Name), Email: aws.ToString(a.Email), State: state}
}

// ListAccounts returns every account of the organization, whatever its
// state, ordered by ID: every page of ListAccounts at the largest page
// size. Call it with the management account's or a delegated
// administrator's credentials.
func ListAccounts(ctx context.Context, client organizations.ListAccountsAPIClient) ([]Account, error) {
	var out []Account
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{MaxResults: aws.Int32(orgPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		for _, a := range page.Accounts {
			out = append(out, newAccount(a))
		}
	}
	slices.SortFunc(out, func(a, b Account) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Unit is a root or an organizational unit of the organization.
type Unit struct {
	ID       string // r-… for a root, ou-… for an OU
	ARN      string
	Name     string
	ParentID string // empty for a root
	// Path is the names from the root down to the unit, joined by "/":
	// "Root/Workloads/Prod".
	Path string
}

// IsRoot reports whether u is a root of the organization.
func (u Unit) IsRoot() bool { return u.ParentID == "" }

// Tree is the organization's roots, OUs and accounts. The zero Tree is an
// empty organization.
type Tree struct {
	// Units are the roots and OUs, each before its children, the children
	// of a unit in name order.
	Units []Unit
	// Accounts are every account, with its parent, ordered by ID.
	Accounts []Account
}

// Unit returns the unit id.
func (t *Tree) Unit(id string) (Unit, bool) {
	i := slices.IndexFunc(t.Units, func(u Unit) bool { return u.ID == id })
	if i < 0 {
		return Unit{}, false
	}
	return t.Units[i], true
}

// Account returns the account id.
func (t *Tree) Account(id string) (Account, bool) {
	i, ok := slices.BinarySearchFunc(t.Accounts, id, func(a Account, id string) int { return cmp.Compare(a.ID, id) })
	if !ok {
		return Account{}, false
	}
	return t.Accounts[i], true
}

// ListTree reads the organization's tree: its roots, every OU at any
// depth, and the accounts directly under each, every page at the largest
// page size (ListRoots, then ListOrganizationalUnitsForParent and
// ListAccountsForParent per unit). Call it with the management account's or
// a delegated administrator's credentials.
func ListTree(ctx context.Context, client TreeAPI) (*Tree, error) {
	t := &Tree{}
	rp := organizations.NewListRootsPaginator(client, &organizations.ListRootsInput{MaxResults: aws.Int32(orgPage)})
	var roots []Unit
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roots: %w", err)
		}
		for _, r := range page.Roots {
			roots = append(roots, Unit{ID: aws.ToString(r.Id), ARN: aws.ToString(r.Arn), Name: aws.ToString(r.Name), Path: aws.ToString(r.Name)})
		}
	}
	slices.SortFunc(roots, func(a, b Unit) int { return cmp.Compare(a.Name, b.Name) })
	for _, r := range roots {
		if err := t.walk(ctx, client, r); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(t.Accounts, func(a, b Account) int { return cmp.Compare(a.ID, b.ID) })
	return t, nil
}

// walk adds u, its accounts and, depth first, its child units to t.
func (t *Tree) walk(ctx context.Context, client TreeAPI, u Unit) error {
	t.Units = append(t.Units, u)
	ap := organizations.NewListAccountsForParentPaginator(client, &organizations.ListAccountsForParentInput{
		ParentId: aws.String(u.ID), MaxResults: aws.Int32(orgPage),
	})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the accounts of %s (%s): %w", u.Path, u.ID, err)
		}
		for _, a := range page.Accounts {
			acct := newAccount(a)
			acct.ParentID, acct.ParentName, acct.Path = u.ID, u.Name, u.Path
			t.Accounts = append(t.Accounts, acct)
		}
	}
	var children []Unit
	op := organizations.NewListOrganizationalUnitsForParentPaginator(client, &organizations.ListOrganizationalUnitsForParentInput{
		ParentId: aws.String(u.ID), MaxResults: aws.Int32(orgPage),
	})
	for op.HasMorePages() {
		page, err := op.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list the OUs of %s (%s): %w", u.Path, u.ID, err)
		}
		for _, ou := range page.OrganizationalUnits {
			name := aws.ToString(ou.Name)
			children = append(children, Unit{ID: aws.ToString(ou.Id), ARN: aws.ToString(ou.Arn), Name: name, ParentID: u.ID, Path: u.Path + "/" + name})
		}
	}
	slices.SortFunc(children, func(a, b Unit) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	for _, c := range children {
		if err := t.walk(ctx, client, c); err != nil {
			return err
		}
	}
	return nil
}
