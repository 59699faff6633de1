package awsfake

import (
	stdjson "encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/json"
)

// RAM resource shares (restJson1, camelCase members). A share is owned by an
// account in a region; it associates principals (account IDs, OU and
// organization ARNs) and resources (IPAM pool ARNs), each association
// ASSOCIATING, then ASSOCIATED after Options.StateReads reads (and
// DISASSOCIATING, then DISASSOCIATED). Sharing does not change what
// DescribeIpamPools shows the principals.

// resourceShare is a RAM resource share.
type resourceShare struct {
	arn, name, owner, region string
	allowExternal            bool
	tags                     []tag
	created, updated         time.Time
	assocs                   []*shareAssociation
	seq                      int // creation order
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

// ramShareInput holds the members of the RAM operations' requests.
type ramShareInput struct {
	Name         string   `json:"name"`
	ResourceArns []string `json:"resourceArns"`
	Principals   []string `json:"principals"`
	Tags         []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"tags"`
	AllowExternalPrincipals *bool    `json:"allowExternalPrincipals"`
	ClientToken             string   `json:"clientToken"`
	ResourceShareArn        string   `json:"resourceShareArn"`
	ResourceShareArns       []string `json:"resourceShareArns"`
	ResourceOwner           string   `json:"resourceOwner"`
	ResourceShareStatus     string   `json:"resourceShareStatus"`
	AssociationType         string   `json:"associationType"`
	AssociationStatus       string   `json:"associationStatus"`
	ResourceArn             string   `json:"resourceArn"`
	Principal               string   `json:"principal"`
	ResourceType            string   `json:"resourceType"`
	MaxResults              *int     `json:"maxResults"`
	NextToken               *string  `json:"nextToken"`
}

func (in ramShareInput) page() pageRequest {
	r := pageRequest{maxResults: in.MaxResults}
	if in.NextToken != nil {
		r.token, r.present = *in.NextToken, true
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
					a.status, a.updated = st.transition("ASSOCIATING", "ASSOCIATED", true), now
				}
				out = append(out, a)
				return
			}
		}
		a := &shareAssociation{entity: entity, kind: kind, external: external, created: now, updated: now,
			status: st.transition("ASSOCIATING", "ASSOCIATED", true)}
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

func (st *state) writeShare(o *json.Object, sh *resourceShare) {
	jstr(o, "resourceShareArn", sh.arn)
	jstr(o, "name", sh.name)
	jstr(o, "owningAccountId", sh.owner)
	o.Key("allowExternalPrincipals").Boolean(sh.allowExternal)
	jstr(o, "status", "ACTIVE")
	jlist(o, "tags", len(sh.tags), func(i int, t *json.Object) {
		jstr(t, "key", sh.tags[i].key)
		jstr(t, "value", sh.tags[i].value)
	})
	jtime(o, "creationTime", sh.created)
	jtime(o, "lastUpdatedTime", sh.updated)
	jstr(o, "featureSet", "STANDARD")
}

func writeAssociation(o *json.Object, sh *resourceShare, a *shareAssociation, state string) {
	jstr(o, "resourceShareArn", sh.arn)
	jstr(o, "resourceShareName", sh.name)
	jstr(o, "associatedEntity", a.entity)
	jstr(o, "associationType", a.kind)
	jstr(o, "status", state)
	jtime(o, "creationTime", a.created)
	jtime(o, "lastUpdatedTime", a.updated)
	o.Key("external").Boolean(a.external)
}

// ramFingerprint is a canonical form of a request body, for clientToken checks.
func ramFingerprint(c *call) string {
	var in map[string]any
	if err := stdjson.Unmarshal(c.body, &in); err != nil {
		return string(c.body)
	}
	delete(in, "clientToken")
	canonical, err := stdjson.Marshal(in) // map keys come out sorted
	if err != nil {
		return string(c.body)
	}
	return string(canonical)
}

var ramCreateResourceShare = op("ram", "CreateResourceShare", decodeJSON[ramShareInput], func(s *Server, c *call, in ramShareInput) (any, error) {
	st := s.st
	if in.Name == "" {
		return nil, ramError("MissingRequiredParameterException", "The name parameter is required.")
	}
	key := c.account() + "/ram/" + in.ClientToken
	if in.ClientToken != "" {
		if used, ok := st.tokens[key]; ok {
			if used.fingerprint != ramFingerprint(c) {
				return nil, ramError("IdempotentParameterMismatchException", "The client token %s has already been used with different parameters.", in.ClientToken)
			}
			sh := st.shares[used.resourceID]
			return jsonMembers(func(o *json.Object) {
				jstruct(o, "resourceShare", func(r *json.Object) { st.writeShare(r, sh) })
				jstr(o, "clientToken", in.ClientToken)
			}), nil
		}
	}
	now := st.now().UTC()
	h := st.hexID("resource-share", 32)
	sh := &resourceShare{
		arn:  "arn:aws:ram:" + c.region + ":" + c.account() + ":resource-share/" + h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		name: in.Name, owner: c.account(), region: c.region, allowExternal: in.AllowExternalPrincipals == nil || *in.AllowExternalPrincipals,
		created: now, updated: now, seq: len(st.shares),
	}
	for _, t := range in.Tags {
		sh.tags = append(sh.tags, tag{t.Key, t.Value})
	}
	if _, err := st.associate(c, sh, in.Principals, in.ResourceArns); err != nil {
		return nil, err
	}
	st.shares[sh.arn] = sh
	token := in.ClientToken
	if token == "" {
		t := st.hexID("ram-token", 32)
		token = t[:8] + "-" + t[8:12] + "-" + t[12:16] + "-" + t[16:20] + "-" + t[20:]
	}
	st.tokens[c.account()+"/ram/"+token] = clientToken{fingerprint: ramFingerprint(c), resourceID: sh.arn}
	return jsonMembers(func(o *json.Object) {
		jstruct(o, "resourceShare", func(r *json.Object) { st.writeShare(r, sh) })
		jstr(o, "clientToken", token)
	}), nil
})

// ramAssociationOp builds Associate- and DisassociateResourceShare.
func ramAssociationOp(name string, associate bool) operation {
	return op("ram", name, decodeJSON[ramShareInput], func(s *Server, c *call, in ramShareInput) (any, error) {
		st := s.st
		sh, err := c.ownShare(st, in.ResourceShareArn)
		if err != nil {
			return nil, err
		}
		if len(in.Principals) == 0 && len(in.ResourceArns) == 0 {
			return nil, ramError("InvalidParameterException", "You must specify principals or resourceArns.")
		}
		var touched []*shareAssociation
		if associate {
			if touched, err = st.associate(c, sh, in.Principals, in.ResourceArns); err != nil {
				return nil, err
			}
		} else {
			now := st.now().UTC()
			for _, pair := range []struct {
				kind     string
				entities []string
			}{{"PRINCIPAL", in.Principals}, {"RESOURCE", in.ResourceArns}} {
				for _, e := range pair.entities {
					i := slices.IndexFunc(sh.assocs, func(a *shareAssociation) bool {
						return a.entity == e && a.kind == pair.kind && a.status.state != "DISASSOCIATED"
					})
					if i < 0 {
						return nil, ramError("UnknownResourceException", "%s is not associated with resource share %s.", e, sh.arn)
					}
					a := sh.assocs[i]
					a.status, a.updated = st.transition("DISASSOCIATING", "DISASSOCIATED", true), now
					touched = append(touched, a)
				}
			}
			sh.updated = now
		}
		return jsonMembers(func(o *json.Object) {
			jlist(o, "resourceShareAssociations", len(touched), func(i int, a *json.Object) {
				writeAssociation(a, sh, touched[i], touched[i].status.state)
			})
			jopt(o, "clientToken", in.ClientToken)
		}), nil
	})
}

var (
	ramAssociateResourceShare    = ramAssociationOp("AssociateResourceShare", true)
	ramDisassociateResourceShare = ramAssociationOp("DisassociateResourceShare", false)
)

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

// sharedWith reports whether a share has an ASSOCIATED principal that
// includes the account.
func (st *state) sharedWith(sh *resourceShare, accountID string) bool {
	a := st.accounts[accountID]
	for _, as := range sh.assocs {
		if as.kind != "PRINCIPAL" || as.status.state != "ASSOCIATED" {
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

var ramGetResourceShares = op("ram", "GetResourceShares", decodeJSON[ramShareInput], func(s *Server, c *call, in ramShareInput) (any, error) {
	st := s.st
	shares, err := st.sharesFor(c, in.ResourceOwner, in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	shares = slices.DeleteFunc(shares, func(sh *resourceShare) bool {
		return (in.Name != "" && sh.name != in.Name) || (in.ResourceShareStatus != "" && in.ResourceShareStatus != "ACTIVE")
	})
	page, next, err := paginate(c, shares, func(sh *resourceShare) string { return sh.arn }, in.page(), ramPage)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "resourceShares", len(page), func(i int, r *json.Object) { st.writeShare(r, page[i]) })
		jopt(o, "nextToken", next)
	}), nil
})

var ramGetResourceShareAssociations = op("ram", "GetResourceShareAssociations", decodeJSON[ramShareInput], func(s *Server, c *call, in ramShareInput) (any, error) {
	st := s.st
	switch {
	case in.AssociationType != "PRINCIPAL" && in.AssociationType != "RESOURCE":
		return nil, ramError("InvalidParameterException", "The associationType %q is not PRINCIPAL or RESOURCE.", in.AssociationType)
	case in.AssociationType == "PRINCIPAL" && in.ResourceArn != "":
		return nil, ramError("InvalidParameterException", "resourceArn cannot be used with the PRINCIPAL association type.")
	case in.AssociationType == "RESOURCE" && in.Principal != "":
		return nil, ramError("InvalidParameterException", "principal cannot be used with the RESOURCE association type.")
	}
	shares, err := st.sharesFor(c, "SELF", in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	type row struct {
		key string
		sh  *resourceShare
		a   *shareAssociation
	}
	var rows []row
	for _, sh := range shares {
		for _, a := range sh.assocs {
			if a.kind != in.AssociationType || (in.ResourceArn != "" && a.entity != in.ResourceArn) ||
				(in.Principal != "" && a.entity != in.Principal) || (in.AssociationStatus != "" && a.status.state != in.AssociationStatus) {
				continue
			}
			rows = append(rows, row{key: sh.arn + "|" + a.entity, sh: sh, a: a})
		}
	}
	slices.SortFunc(rows, func(x, y row) int { return strings.Compare(x.key, y.key) })
	page, next, err := paginate(c, rows, func(r row) string { return r.key }, in.page(), ramPage)
	if err != nil {
		return nil, err
	}
	states := make([]string, len(page))
	for i, r := range page {
		states[i] = r.a.status.observe()
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "resourceShareAssociations", len(page), func(i int, a *json.Object) { writeAssociation(a, page[i].sh, page[i].a, states[i]) })
		jopt(o, "nextToken", next)
	}), nil
})

var ramListResources = op("ram", "ListResources", decodeJSON[ramShareInput], func(s *Server, c *call, in ramShareInput) (any, error) {
	st := s.st
	if in.ResourceType != "" && !strings.EqualFold(in.ResourceType, "ec2:IpamPool") {
		return nil, ramError("InvalidParameterException", "The resource type %s is not modelled by this server.", in.ResourceType)
	}
	shares, err := st.sharesFor(c, in.ResourceOwner, in.ResourceShareArns)
	if err != nil {
		return nil, err
	}
	type row struct {
		key string
		sh  *resourceShare
		a   *shareAssociation
	}
	var rows []row
	for _, sh := range shares {
		if in.Principal != "" && !slices.ContainsFunc(sh.assocs, func(a *shareAssociation) bool {
			return a.kind == "PRINCIPAL" && a.entity == in.Principal && a.status.state == "ASSOCIATED"
		}) {
			continue
		}
		for _, a := range sh.assocs {
			if a.kind != "RESOURCE" || a.status.state != "ASSOCIATED" || (len(in.ResourceArns) > 0 && !slices.Contains(in.ResourceArns, a.entity)) {
				continue
			}
			rows = append(rows, row{key: a.entity + "|" + sh.arn, sh: sh, a: a})
		}
	}
	slices.SortFunc(rows, func(x, y row) int { return strings.Compare(x.key, y.key) })
	page, next, err := paginate(c, rows, func(r row) string { return r.key }, in.page(), ramPage)
	if err != nil {
		return nil, err
	}
	return jsonMembers(func(o *json.Object) {
		jlist(o, "resources", len(page), func(i int, r *json.Object) {
			jstr(r, "arn", page[i].a.entity)
			jstr(r, "type", "ec2:IpamPool")
			jstr(r, "resourceShareArn", page[i].sh.arn)
			jstr(r, "status", "AVAILABLE")
			jtime(r, "creationTime", page[i].a.created)
			jtime(r, "lastUpdatedTime", page[i].a.updated)
			jstr(r, "resourceRegionScope", "REGIONAL")
		})
		jopt(o, "nextToken", next)
	}), nil
})
