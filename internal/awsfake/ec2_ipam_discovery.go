package awsfake

import (
	"slices"
	"time"

	"github.com/aws/smithy-go/encoding/xml"
)

// discoveryFailure is why IPAM cannot discover an account in a region.
type discoveryFailure struct{ code, message string }

type discoveredAccountsInput struct {
	discoveryID, region string
	filters             []filter
	page                pageRequest
}

// ec2GetIpamDiscoveredAccounts lists the accounts an IPAM's resource
// discovery covers in one region: every active account of the
// organization, with a failure reason where discovery fails
// ([Builder.DiscoveryFailure]).
var ec2GetIpamDiscoveredAccounts = op("ec2", "GetIpamDiscoveredAccounts", func(c *call) (discoveredAccountsInput, error) {
	if err := dryRun(c); err != nil {
		return discoveredAccountsInput{}, err
	}
	id, err := c.required("IpamResourceDiscoveryId")
	if err != nil {
		return discoveredAccountsInput{}, err
	}
	region, err := c.required("DiscoveryRegion")
	if err != nil {
		return discoveredAccountsInput{}, err
	}
	page, err := ec2Page(c)
	if err != nil {
		return discoveredAccountsInput{}, err
	}
	return discoveredAccountsInput{discoveryID: id, region: region, filters: c.filters(), page: page}, nil
}, func(s *Server, c *call, in discoveredAccountsInput) (any, error) {
	st := s.st
	var owner *ipam
	for _, i := range st.ipams {
		if i.discovery == in.discoveryID && c.visibleIPAM(i) {
			owner = i
		}
	}
	if owner == nil {
		return nil, badRequest("InvalidIpamResourceDiscoveryId.NotFound", "The ipam resource discovery ID '%s' does not exist", in.discoveryID)
	}
	if !slices.Contains(owner.operating, in.region) {
		return nil, badRequest("InvalidParameterValue", "The discovery region '%s' is not an operating region of the resource discovery", in.region)
	}
	fields := func(a *account) fieldsFunc {
		return func(name string) ([]string, bool) {
			if a == nil {
				return nil, slices.Contains([]string{"account-id", "discovery-region"}, name)
			}
			switch name {
			case "account-id":
				return one(a.id), true
			case "discovery-region":
				return one(in.region), true
			}
			return nil, false
		}
	}
	if err := checkFilters(in.filters, fields(nil)); err != nil {
		return nil, err
	}
	var accounts []*account
	for _, id := range sortedKeys(st.accounts) {
		a := st.accounts[id]
		if a.state == "ACTIVE" && matchFilters(in.filters, fields(a), nil) {
			accounts = append(accounts, a)
		}
	}
	page, next, err := paginate(c, accounts, func(a *account) string { return a.id }, in.page, ec2IPAM)
	if err != nil {
		return nil, err
	}
	now := st.now().UTC().Truncate(time.Second)
	return xmlMembers(func(v xml.Value) {
		xlist(v, "ipamDiscoveredAccountSet", len(page), func(k int, item xml.Value) {
			a := page[k]
			xstr(item, "accountId", a.id)
			xstr(item, "discoveryRegion", in.region)
			xstr(item, "lastAttemptedDiscoveryTime", now.Format(time.RFC3339))
			if f, failed := st.discovery[[2]string{a.id, in.region}]; failed {
				xstruct(item, "failureReason", func(r xml.Value) {
					xstr(r, "code", f.code)
					xstr(r, "message", f.message)
				})
			} else {
				xstr(item, "lastSuccessfulDiscoveryTime", now.Format(time.RFC3339))
			}
		})
		xopt(v, "nextToken", next)
	}), nil
})
