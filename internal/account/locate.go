package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// LocateAPI is the part of *organizations.Client that [Locate] calls.
type LocateAPI interface {
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput, optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	DescribeOrganizationalUnit(ctx context.Context, in *organizations.DescribeOrganizationalUnitInput, optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
	organizations.ListParentsAPIClient
	organizations.ListRootsAPIClient
}

// Locate returns one account with its place in the tree (ParentID,
// ParentName, Path), in a few calls rather than the whole tree of
// [ListTree]: DescribeAccount, then ListParents and DescribeOrganizationalUnit
// up to the root, and ListRoots for the root's name. Use it for an event
// about one account (a Control Tower lifecycle event); call it with the
// management account's or a delegated administrator's credentials.
func Locate(ctx context.Context, client LocateAPI, accountID string) (Account, error) {
	out, err := client.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(accountID)})
	if err != nil {
		return Account{}, fmt.Errorf("describe account %s: %w", accountID, err)
	}
	if out.Account == nil {
		return Account{}, fmt.Errorf("describe account %s: Organizations returned no account", accountID)
	}
	a := newAccount(*out.Account)
	var names []string // from the account's parent up to the root
	for child := accountID; ; {
		parent, err := parentOf(ctx, client, child)
		if err != nil {
			return Account{}, fmt.Errorf("parents of account %s: %w", accountID, err)
		}
		var name string
		if parent.Type == orgtypes.ParentTypeRoot {
			name, err = rootName(ctx, client, aws.ToString(parent.Id))
		} else {
			name, err = unitName(ctx, client, aws.ToString(parent.Id))
		}
		if err != nil {
			return Account{}, fmt.Errorf("parents of account %s: %w", accountID, err)
		}
		if child == accountID {
			a.ParentID, a.ParentName = aws.ToString(parent.Id), name
		}
		names = append(names, name)
		if parent.Type == orgtypes.ParentTypeRoot {
			break
		}
		child = aws.ToString(parent.Id)
	}
	slices.Reverse(names)
	a.Path = strings.Join(names, "/")
	return a, nil
}

// parentOf returns the one parent of child, an account or OU ID.
func parentOf(ctx context.Context, client organizations.ListParentsAPIClient, child string) (orgtypes.Parent, error) {
	p := organizations.NewListParentsPaginator(client, &organizations.ListParentsInput{ChildId: aws.String(child), MaxResults: aws.Int32(orgPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return orgtypes.Parent{}, fmt.Errorf("list parents of %s: %w", child, err)
		}
		if len(page.Parents) > 0 {
			return page.Parents[0], nil
		}
	}
	return orgtypes.Parent{}, errors.New("no parent of " + child + " listed by Organizations")
}

func unitName(ctx context.Context, client LocateAPI, id string) (string, error) {
	out, err := client.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("describe OU %s: %w", id, err)
	}
	if out.OrganizationalUnit == nil {
		return "", fmt.Errorf("describe OU %s: Organizations returned no OU", id)
	}
	return aws.ToString(out.OrganizationalUnit.Name), nil
}

func rootName(ctx context.Context, client organizations.ListRootsAPIClient, id string) (string, error) {
	p := organizations.NewListRootsPaginator(client, &organizations.ListRootsInput{MaxResults: aws.Int32(orgPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list roots: %w", err)
		}
		for _, r := range page.Roots {
			if aws.ToString(r.Id) == id {
				return aws.ToString(r.Name), nil
			}
		}
	}
	return "", fmt.Errorf("list roots: no root %s", id)
}
