package awsfake

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/aws/aws-sdk-go-v2/service/ram/types"
)

// RAM resource shares (restJson1, camelCase members). A share is owned by an
// account in a region; it associates principals (account IDs, OU and
// organization ARNs) and resources (IPAM pool ARNs), each association
// ASSOCIATING, then ASSOCIATED as it settles (and DISASSOCIATING, then
// DISASSOCIATED; see async.go). A pool shared with an account shows in its
// DescribeIpamPools, and it may allocate VPC CIDRs from it.

// resourceShare is a RAM resource share.
type resourceShare struct {
	arn, name, owner, region string
	allowExternal            bool
	tags                     []tag
	created, updated         time.Time
	assocs                   []*shareAssociation
	seq                      int  // creation order
	deleted                  bool // by DeleteResourceShare
}

// shareAssociation is a principal or resource associated with a share.
type shareAssociation struct {
	entity, kind     string // kind is PRINCIPAL or RESOURCE
	status           transition
	external         bool
	created, updated time.Time
}

// RAM limits (aws-facts §5.6, §7).
const maxResourcesPerCall = 100

var (
	ramPage          = pageRange{min: 1, max: 500, def: 500}
	ouARNPattern     = lazyPattern(`^arn:aws:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	orgARNPattern    = lazyPattern(`^arn:aws:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$`)
	ipamPoolARNRegex = lazyPattern(`^arn:aws:ec2::(\d{12}):ipam-pool/(ipam-pool-[0-9a-f]{8,17})$`)
)

func ramError(code, format string, args ...any) *apiError {
	return badRequest(code, format, args...)
}

// page is the paging part of a typed request.
func page(maxResults *int32, nextToken *string) pageRequest {
	r := pageRequest{token: aws.ToString(nextToken), present: nextToken != nil}
	if maxResults != nil {
		n := int(*maxResults)
		r.maxResults = &n
	}
	return r
}

// checkPrincipal validates a principal and reports whether it lies outside
// the organization.
func (st *state) checkPrincipal(p string) (external bool, err error) {
	switch {
	case accountIDPattern.MatchString(p):
		return st.accounts[p] == nil, nil
	case ouARNPattern.MatchString(p):
		id := p[strings.LastIndex(p, "/")+1:]
		if st.ous[id] == nil {
			return false, ramError("UnknownResourceException", "OrganizationalUnit %s could not be found.", p)
		}
		return false, nil
	case orgARNPattern.MatchString(p):
		if !strings.HasSuffix(p, "/"+st.orgID) {
			return false, ramError("UnknownResourceException", "Organization %s could not be found.", p)
		}
		return false, nil
	case strings.HasPrefix(p, "arn:"):
		return false, ramError("MalformedArnException", "The specified principal %s is not a valid ARN.", p)
	}
	return false, ramError("InvalidParameterException", "The principal %s is not valid.", p)
}

// checkResource validates a resource ARN the caller shares: an IPAM pool of
// the caller's, in the region of the request.
func (c *call) checkResource(st *state, arn string) error {
	m := ipamPoolARNRegex.FindStringSubmatch(arn)
	if m == nil {
		if strings.HasPrefix(arn, "arn:") {
			return ramError("UnknownResourceException", "The resource %s could not be found or is not shareable here.", arn)
		}
		return ramError("MalformedArnException", "The specified resource ARN %s is not valid.", arn)
	}
	p := st.pools[m[2]]
	if p == nil || m[1] != c.account() || !c.visibleIPAM(st.ipams[p.ipam]) {
		return ramError("UnknownResourceException", "The resource %s could not be found.", arn)
	}
	return nil
}

// ownShare finds a share the caller owns in the request's region.
func (c *call) ownShare(st *state, arn string) (*resourceShare, error) {
	sh := st.shares[arn]
	if arn == "" {
		return nil, ramError("MissingRequiredParameterException", "The resourceShareArn parameter is required.")
	}
	if !strings.HasPrefix(arn, "arn:aws:ram:") {
		return nil, ramError("MalformedArnException", "The specified resource share ARN %s is not valid.", arn)
	}
	if sh == nil || sh.owner != c.account() || sh.region != c.region {
		return nil, ramError("UnknownResourceException", "ResourceShare %s could not be found.", arn)
	}
	return sh, nil
}

// associate adds (or re-adds) principals and resources to a share and
// returns the associations touched.
func (st *state) associate(c *call, sh *resourceShare, principals, resources []string) ([]*shareAssociation, error) {
	if len(resources) > maxResourcesPerCall {
		return nil, ramError("ResourceShareLimitExceededException", "You can associate up to %d resources per call.", maxResourcesPerCall)
	}
	ext := map[string]bool{}
	for _, p := range principals {
		external, err := st.checkPrincipal(p)
		if err != nil {
			return nil, err
		}
		if external && !sh.allowExternal {
			return nil, ramError("OperationNotPermittedException", "The resource share %s does not allow principals outside your organization.", sh.arn)
		}
		ext[p] = external
	}
	for _, r := range resources {
		if err := c.checkResource(st, r); err != nil {
			return nil, err
		}
	}
	now := st.now().UTC()
	var out []*shareAssociation
	add := func(entity, kind string, external bool) {
		for _, a := range sh.assocs {
			if a.entity == entity && a.kind == kind {
				if a.status.state == "DISASSOCIATED" || a.status.state == "DISASSOCIATING" {
					st.begin(&a.status, st.delays.Association, "ASSOCIATING", "ASSOCIATED", nil)
					a.updated = now
				}
				out = append(out, a)
				return
			}
		}
		a := &shareAssociation{entity: entity, kind: kind, external: external, created: now, updated: now}
		st.begin(&a.status, st.delays.Association, "ASSOCIATING", "ASSOCIATED", nil)
		sh.assocs = append(sh.assocs, a)
		out = append(out, a)
	}
	for _, p := range principals {
		add(p, "PRINCIPAL", ext[p])
	}
	for _, r := range resources {
		add(r, "RESOURCE", false)
	}
	sh.updated = now
	return out, nil
}

// grants reports whether an association gives access: from when it is
// ASSOCIATED until it is DISASSOCIATED.
func (a *shareAssociation) grants() bool {
	return a.status.state == "ASSOCIATED" || a.status.state == "DISASSOCIATING"
}

// sdkShare is a share as RAM answers it.
func sdkShare(sh *resourceShare) *types.ResourceShare {
	out := &types.ResourceShare{ResourceShareArn: aws.String(sh.arn), Name: aws.String(sh.name), OwningAccountId: aws.String(sh.owner),
		AllowExternalPrincipals: aws.Bool(sh.allowExternal), Status: shareStatus(sh), Tags: make([]types.Tag, len(sh.tags)),
		CreationTime: aws.Time(sh.created), LastUpdatedTime: aws.Time(sh.updated), FeatureSet: types.ResourceShareFeatureSetStandard}
	for i, t := range sh.tags {
		out.Tags[i] = types.Tag{Key: aws.String(t.key), Value: aws.String(t.value)}
	}
	return out
}

// shareStatus is a share's status: ACTIVE, or DELETED once deleted.
func shareStatus(sh *resourceShare) types.ResourceShareStatus {
	if sh.deleted {
		return types.ResourceShareStatusDeleted
	}
	return types.ResourceShareStatusActive
}

// sdkAssociation is an association as RAM answers it, in the given state.
func sdkAssociation(sh *resourceShare, a *shareAssociation, state string) types.ResourceShareAssociation {
	return types.ResourceShareAssociation{ResourceShareArn: aws.String(sh.arn), ResourceShareName: aws.String(sh.name),
		AssociatedEntity: aws.String(a.entity), AssociationType: types.ResourceShareAssociationType(a.kind),
		Status: types.ResourceShareAssociationStatus(state), CreationTime: aws.Time(a.created), LastUpdatedTime: aws.Time(a.updated),
		External: aws.Bool(a.external)}
}

var ramCreateResourceShare = model("ram", "CreateResourceShare", func(st *state, c *call, in *ram.CreateResourceShareInput) (*ram.CreateResourceShareOutput, error) {
	if err := required(c, "name", aws.ToString(in.Name) != ""); err != nil {
		return nil, err
	}
	arn, err := st.replay(c, in.ClientToken, in)
	if err != nil {
		return nil, err
	}
	if sh := st.shares[arn]; sh != nil {
		return &ram.CreateResourceShareOutput{ResourceShare: sdkShare(sh), ClientToken: in.ClientToken}, nil
	}
	now := st.now().UTC()
	h := st.hexID("resource-share", 32)
	sh := &resourceShare{
		arn:  "arn:aws:ram:" + c.region + ":" + c.account() + ":resource-share/" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		name: aws.ToString(in.Name), owner: c.account(), region: c.region, allowExternal: aws.ToBool(cmp.Or(in.AllowExternalPrincipals, aws.Bool(true))),
		created: now, updated: now, seq: len(st.shares),
	}
	for _, t := range in.Tags {
		sh.tags = append(sh.tags, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
	}
	if _, err := st.associate(c, sh, in.Principals, in.ResourceArns); err != nil {
		return nil, err
	}
	st.shares[sh.arn] = sh
	token := aws.ToString(in.ClientToken)
	if token == "" {
		t := st.hexID("ram-token", 32)
		token = t[:8] + "-" + t[8:12] + "-" + t[12:16] + "-" + t[16:20] + "-" + t[20:]
	}
	st.remember(c, token, in, sh.arn)
	return &ram.CreateResourceShareOutput{ResourceShare: sdkShare(sh), ClientToken: aws.String(token)}, nil
})

// changeAssociations associates principals and resources with a share, or
// disassociates them, and returns the associations touched. A client
// token seen before with the same request answers the associations as
// they are now, changing nothing.
func (st *state) changeAssociations(c *call, arn, token *string, in any, principals, resources []string, associate bool) ([]types.ResourceShareAssociation, error) {
	sh, err := c.ownShare(st, aws.ToString(arn))
	if err != nil {
		return nil, err
	}
	if len(principals) == 0 && len(resources) == 0 {
		return nil, ramError("InvalidParameterException", "You must specify principals or resourceArns.")
	}
	if done, err := st.replay(c, token, in); err != nil {
		return nil, err
	} else if done == sh.arn {
		var out []types.ResourceShareAssociation
		for _, a := range sh.assocs {
			if slices.Contains(principals, a.entity) || slices.Contains(resources, a.entity) {
				out = append(out, sdkAssociation(sh, a, a.status.state))
			}
		}
		return out, nil
	}
	if sh.deleted {
		return nil, ramError("InvalidStateTransitionException", "The resource share %s is deleted.", sh.arn)
	}
	var touched []*shareAssociation
	if associate {
		if touched, err = st.associate(c, sh, principals, resources); err != nil {
			return nil, err
		}
	} else {
		now := st.now().UTC()
		for _, pair := range []struct {
			kind     string
			entities []string
		}{{"PRINCIPAL", principals}, {"RESOURCE", resources}} {
			for _, e := range pair.entities {
				i := slices.IndexFunc(sh.assocs, func(a *shareAssociation) bool {
					return a.entity == e && a.kind == pair.kind && a.status.state != "DISASSOCIATED"
				})
				if i < 0 {
					return nil, ramError("UnknownResourceException", "%s is not associated with resource share %s.", e, sh.arn)
				}
				a := sh.assocs[i]
				st.begin(&a.status, st.delays.Association, "DISASSOCIATING", "DISASSOCIATED", nil)
				a.updated = now
				touched = append(touched, a)
			}
		}
		sh.updated = now
	}
	st.remember(c, aws.ToString(token), in, sh.arn)
	out := make([]types.ResourceShareAssociation, len(touched))
	for i, a := range touched {
		out[i] = sdkAssociation(sh, a, a.status.state)
	}
	return out, nil
}

var ramAssociateResourceShare = model("ram", "AssociateResourceShare", func(st *state, c *call, in *ram.AssociateResourceShareInput) (*ram.AssociateResourceShareOutput, error) {
	out, err := st.changeAssociations(c, in.ResourceShareArn, in.ClientToken, in, in.Principals, in.ResourceArns, true)
	return &ram.AssociateResourceShareOutput{ResourceShareAssociations: out, ClientToken: in.ClientToken}, err
})

var ramDisassociateResourceShare = model("ram", "DisassociateResourceShare", func(st *state, c *call, in *ram.DisassociateResourceShareInput) (*ram.DisassociateResourceShareOutput, error) {
	out, err := st.changeAssociations(c, in.ResourceShareArn, in.ClientToken, in, in.Principals, in.ResourceArns, false)
	return &ram.DisassociateResourceShareOutput{ResourceShareAssociations: out, ClientToken: in.ClientToken}, err
})

var ramDeleteResourceShare = model("ram", "DeleteResourceShare", func(st *state, c *call, in *ram.DeleteResourceShareInput) (*ram.DeleteResourceShareOutput, error) {
	sh, err := c.ownShare(st, aws.ToString(in.ResourceShareArn))
	if err != nil {
		return nil, err
	}
	out := &ram.DeleteResourceShareOutput{ReturnValue: aws.Bool(true), ClientToken: in.ClientToken}
	if done, err := st.replay(c, in.ClientToken, in); err != nil {
		return nil, err
	} else if done == sh.arn {
		return out, nil
	}
	if sh.deleted {
		return nil, ramError("InvalidStateTransitionException", "The resource share %s is already deleted.", sh.arn)
	}
	now := st.now().UTC()
	for _, a := range sh.assocs {
		if a.status.state != "DISASSOCIATED" {
			st.begin(&a.status, st.delays.Association, "DISASSOCIATING", "DISASSOCIATED", nil)
			a.updated = now
		}
	}
	sh.deleted, sh.updated = true, now
	st.remember(c, aws.ToString(in.ClientToken), in, sh.arn)
	return out, nil
})

// sharesFor lists the shares a request sees, sorted by ARN: its own
// (SELF) or those shared with its account (OTHER-ACCOUNTS: an associated
// principal that is the account, its OU or an ancestor, or the organization).
func (st *state) sharesFor(c *call, owner string, arns []string) ([]*resourceShare, error) {
	switch owner {
	case "SELF", "OTHER-ACCOUNTS":
	case "":
		return nil, ramError("MissingRequiredParameterException", "The resourceOwner parameter is required.")
	default:
		return nil, ramError("InvalidParameterException", "The resourceOwner %s is not SELF or OTHER-ACCOUNTS.", owner)
	}
	var out []*resourceShare
	for _, arn := range sortedKeys(st.shares) {
		sh := st.shares[arn]
		if sh.region != c.region || (len(arns) > 0 && !slices.Contains(arns, arn)) {
			continue
		}
		if owner == "SELF" && sh.owner == c.account() {
			out = append(out, sh)
		}
		if owner == "OTHER-ACCOUNTS" && sh.owner != c.account() && st.sharedWith(sh, c.account()) {
			out = append(out, sh)
		}
	}
	return out, nil
}

// sharedWith reports whether a share has a principal that includes the
// account: the account, an OU it is in (directly or through child OUs), or
// the organization, ASSOCIATED or still DISASSOCIATING.
func (st *state) sharedWith(sh *resourceShare, accountID string) bool {
	a := st.accounts[accountID]
	for _, as := range sh.assocs {
		if as.kind != "PRINCIPAL" || !as.grants() {
			continue
		}
		switch {
		case as.entity == accountID:
			return true
		case orgARNPattern.MatchString(as.entity):
			if a != nil {
				return true
			}
		case ouARNPattern.MatchString(as.entity) && a != nil:
			ou := as.entity[strings.LastIndex(as.entity, "/")+1:]
			if strings.Contains(st.path(a.parent), "/"+ou+"/") {
				return true
			}
		}
	}
	return false
}

var ramGetResourceShares = model("ram", "GetResourceShares", func(st *state, c *call, in *ram.GetResourceSharesInput) (*ram.GetResourceSharesOutput, error) {
	shares, err := st.sharesFor(c, string(in.ResourceOwner), in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	shares = slices.DeleteFunc(shares, func(sh *resourceShare) bool {
		return (in.Name != nil && sh.name != *in.Name) || (in.ResourceShareStatus != "" && in.ResourceShareStatus != shareStatus(sh))
	})
	pg, next, err := paginate(c, shares, func(sh *resourceShare) string { return sh.arn }, page(in.MaxResults, in.NextToken), ramPage)
	out := &ram.GetResourceSharesOutput{ResourceShares: make([]types.ResourceShare, len(pg)), NextToken: optString(next)}
	for i, sh := range pg {
		out.ResourceShares[i] = *sdkShare(sh)
	}
	return out, err
})

// shareRow is a share and one of its associations, in a listing.
type shareRow struct {
	key string
	sh  *resourceShare
	a   *shareAssociation
}

var ramGetResourceShareAssociations = model("ram", "GetResourceShareAssociations", func(st *state, c *call, in *ram.GetResourceShareAssociationsInput) (*ram.GetResourceShareAssociationsOutput, error) {
	kind, resource, principal := string(in.AssociationType), aws.ToString(in.ResourceArn), aws.ToString(in.Principal)
	switch {
	case kind != "PRINCIPAL" && kind != "RESOURCE":
		return nil, ramError("InvalidParameterException", "The associationType %q is not PRINCIPAL or RESOURCE.", kind)
	case kind == "PRINCIPAL" && resource != "":
		return nil, ramError("InvalidParameterException", "resourceArn cannot be used with the PRINCIPAL association type.")
	case kind == "RESOURCE" && principal != "":
		return nil, ramError("InvalidParameterException", "principal cannot be used with the RESOURCE association type.")
	}
	shares, err := st.sharesFor(c, "SELF", in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	var rows []shareRow
	for _, sh := range shares {
		for _, a := range sh.assocs {
			if a.kind == kind && (resource == "" || a.entity == resource) && (principal == "" || a.entity == principal) &&
				(in.AssociationStatus == "" || a.status.state == string(in.AssociationStatus)) {
				rows = append(rows, shareRow{key: sh.arn + "|" + a.entity, sh: sh, a: a})
			}
		}
	}
	slices.SortFunc(rows, func(x, y shareRow) int { return strings.Compare(x.key, y.key) })
	pg, next, err := paginate(c, rows, func(r shareRow) string { return r.key }, page(in.MaxResults, in.NextToken), ramPage)
	out := &ram.GetResourceShareAssociationsOutput{ResourceShareAssociations: make([]types.ResourceShareAssociation, len(pg)), NextToken: optString(next)}
	for i, r := range pg {
		out.ResourceShareAssociations[i] = sdkAssociation(r.sh, r.a, r.a.status.observe())
	}
	return out, err
})

var ramListResources = model("ram", "ListResources", func(st *state, c *call, in *ram.ListResourcesInput) (*ram.ListResourcesOutput, error) {
	if rt := aws.ToString(in.ResourceType); rt != "" && !strings.EqualFold(rt, "ec2:IpamPool") {
		return nil, ramError("InvalidParameterException", "The resource type %s is not modelled by this server.", rt)
	}
	shares, err := st.sharesFor(c, string(in.ResourceOwner), in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	principal := aws.ToString(in.Principal)
	var rows []shareRow
	for _, sh := range shares {
		if principal != "" && !slices.ContainsFunc(sh.assocs, func(a *shareAssociation) bool {
			return a.kind == "PRINCIPAL" && a.entity == principal && a.status.state == "ASSOCIATED"
		}) {
			continue
		}
		for _, a := range sh.assocs {
			if a.kind == "RESOURCE" && a.status.state == "ASSOCIATED" && (len(in.ResourceArns) == 0 || slices.Contains(in.ResourceArns, a.entity)) {
				rows = append(rows, shareRow{key: a.entity + "|" + sh.arn, sh: sh, a: a})
			}
		}
	}
	slices.SortFunc(rows, func(x, y shareRow) int { return strings.Compare(x.key, y.key) })
	pg, next, err := paginate(c, rows, func(r shareRow) string { return r.key }, page(in.MaxResults, in.NextToken), ramPage)
	out := &ram.ListResourcesOutput{Resources: make([]types.Resource, len(pg)), NextToken: optString(next)}
	for i, r := range pg {
		out.Resources[i] = types.Resource{Arn: aws.String(r.a.entity), Type: aws.String("ec2:IpamPool"), ResourceShareArn: aws.String(r.sh.arn),
			Status: types.ResourceStatusAvailable, CreationTime: aws.Time(r.a.created), LastUpdatedTime: aws.Time(r.a.updated),
			ResourceRegionScope: types.ResourceRegionScopeRegional}
	}
	return out, err
})
