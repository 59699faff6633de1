package awsfake

import (
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// discoveryFailure is why IPAM cannot discover an account in a region.
type discoveryFailure struct{ code, message string }

// ec2GetIpamDiscoveredAccounts lists the accounts an IPAM's resource
// discovery covers in one region: every active account of the
// organization, with a failure reason where discovery fails
// ([Builder.DiscoveryFailure]).
var ec2GetIpamDiscoveredAccounts = model("ec2", "GetIpamDiscoveredAccounts", func(st *state, c *call, in *ec2.GetIpamDiscoveredAccountsInput) (*ec2.GetIpamDiscoveredAccountsOutput, error) {
	discoveryID, region := aws.ToString(in.IpamResourceDiscoveryId), aws.ToString(in.DiscoveryRegion)
	if err := errors.Join(required(c, "IpamResourceDiscoveryId", discoveryID != ""), required(c, "DiscoveryRegion", region != "")); err != nil {
		return nil, err
	}
	filters := filtersOf(in.Filters)
	var owner *ipam
	for _, i := range st.ipams {
		if i.discovery == discoveryID && c.visibleIPAM(i) {
			owner = i
		}
	}
	if owner == nil {
		return nil, badRequest("InvalidIpamResourceDiscoveryId.NotFound", "The ipam resource discovery ID '%s' does not exist", discoveryID)
	}
	if !slices.Contains(owner.operating, region) {
		return nil, badRequest("InvalidParameterValue", "The discovery region '%s' is not an operating region of the resource discovery", region)
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
				return one(region), true
			}
			return nil, false
		}
	}
	if err := checkFilters(filters, fields(nil)); err != nil {
		return nil, err
	}
	var accounts []*account
	for _, id := range st.accountIDs() {
		a := st.accounts[id]
		if a.state == "ACTIVE" && matchFilters(filters, fields(a), nil) {
			accounts = append(accounts, a)
		}
	}
	pg, next, err := paginate(c, accounts, func(a *account) string { return a.id }, page(in.MaxResults, in.NextToken), ec2IPAM)
	if err != nil {
		return nil, err
	}
	now := st.now().UTC().Truncate(time.Second)
	out := &ec2.GetIpamDiscoveredAccountsOutput{IpamDiscoveredAccounts: make([]types.IpamDiscoveredAccount, len(pg)), NextToken: optString(next)}
	for k, a := range pg {
		out.IpamDiscoveredAccounts[k] = types.IpamDiscoveredAccount{AccountId: aws.String(a.id), DiscoveryRegion: aws.String(region),
			LastAttemptedDiscoveryTime: aws.Time(now), LastSuccessfulDiscoveryTime: aws.Time(now)}
		if f, failed := st.discovery[[2]string{a.id, region}]; failed {
			out.IpamDiscoveredAccounts[k].LastSuccessfulDiscoveryTime = nil
			out.IpamDiscoveredAccounts[k].FailureReason = &types.IpamDiscoveryFailureReason{Code: types.IpamDiscoveryFailureCode(f.code), Message: aws.String(f.message)}
		}
	}
	return out, nil
})
