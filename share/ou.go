package share

import (
	"context"
	"fmt"
	"strings"

	"github.com/ipamkit/ipamkit/internal/account"
)

// Target is an account and region with the role assumed there, as
// [account.Configs] turns it into an aws.Config.
type Target = account.Target

// DefaultRoleName is the role assumed in the networking account when
// [NetworkTarget] is given no role name: the one Control Tower puts in
// every account it manages.
const DefaultRoleName = "AWSControlTowerExecution"

// NetworkTarget returns the target of the networking account (the IPAM's
// owner or delegated administrator) in the IPAM's home region, where the
// pools are shared from: the role roleName ("" means [DefaultRoleName]) in
// the partition of callerARN, with externalID when the role's trust policy
// asks for one. Pass it to account.Configs.Config and build the RAM and EC2
// clients from the configuration it returns. When the caller already runs
// in the networking account, use its own configuration instead.
func NetworkTarget(callerARN, networkAccountID, region, roleName, externalID string) Target {
	if roleName == "" {
		roleName = DefaultRoleName
	}
	return Target{AccountID: networkAccountID, Region: region, RoleARN: account.RoleARN(callerARN, networkAccountID, roleName), ExternalID: externalID}
}

// OUARN returns the ARN of the OU that holds a, as RAM takes it for a
// principal: arn:<partition>:organizations::<management account>:ou/<org
// id>/<OU id>. It is built from the account's own ARN, which names the
// management account and the organization, so it needs no call. It fails
// for an account directly under the root, which has no OU.
func OUARN(a Account) (string, error) {
	if !strings.HasPrefix(a.ParentID, "ou-") {
		return "", fmt.Errorf("account %s is directly under the root %s: it has no OU to share with", a.ID, a.ParentID)
	}
	// arn:aws:organizations::111111111111:account/o-abc/222222222222
	parts := strings.SplitN(a.ARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "organizations" {
		return "", fmt.Errorf("account %s: ARN %q is not an Organizations account ARN", a.ID, a.ARN)
	}
	res := strings.Split(parts[5], "/")
	if len(res) != 3 || res[0] != "account" || !strings.HasPrefix(res[1], "o-") {
		return "", fmt.Errorf("account %s: ARN %q is not an Organizations account ARN", a.ID, a.ARN)
	}
	return fmt.Sprintf("arn:%s:organizations::%s:ou/%s/%s", parts[1], parts[4], res[1], a.ParentID), nil
}

// org is the organization as one run reads it: the whole tree once, or the
// accounts located one by one, each read at most once.
type org struct {
	client OrganizationsAPI
	tree   *account.Tree
	byID   map[string]Account
}

// all reads the whole tree (every page of ListRoots,
// ListOrganizationalUnitsForParent and ListAccountsForParent).
func (o *org) all(ctx context.Context) (*account.Tree, error) {
	if o.tree != nil {
		return o.tree, nil
	}
	t, err := account.ListTree(ctx, o.client)
	if err != nil {
		return nil, classify(fmt.Errorf("read the organization's tree (call Organizations as the management account or a delegated administrator): %w", err))
	}
	o.tree = t
	return t, nil
}

// locate returns one account with its OU and path (DescribeAccount,
// ListParents and DescribeOrganizationalUnit up to the root).
func (o *org) locate(ctx context.Context, id string) (Account, error) {
	if a, ok := o.byID[id]; ok {
		return a, nil
	}
	if o.tree != nil {
		if a, ok := o.tree.Account(id); ok {
			return a, nil
		}
	}
	a, err := account.Locate(ctx, o.client, id)
	if err != nil {
		return Account{}, classify(fmt.Errorf("locate account %s in the organization (call Organizations as the management account or a delegated administrator): %w", id, err))
	}
	if o.byID == nil {
		o.byID = map[string]Account{}
	}
	o.byID[id] = a
	return a, nil
}
