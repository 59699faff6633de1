package awsfake

import (
	"net/netip"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2AddressHistory is GetIpamAddressHistory's MaxResults range: 1 to
// 1000, 100 when not given (the API reference).
var ec2AddressHistory = pageRange{min: 1, max: 1000, def: 100}

// historyHorizon is how far back a resource made "before any history"
// (no Builder.Age) is said to start.
const historyHorizon = 3 * 365 * 24 * time.Hour

// ec2GetIpamAddressHistory answers the VPCs and subnets of the scope's
// resource CIDRs whose CIDR is exactly the one asked for (as IPAM does:
// not the subnets inside a VPC's CIDR), held at some time of the window
// StartTime to EndTime. A record starts when the resource was made (its
// Builder.Age before the clock's now) and, since the resource still
// exists, ends now. EndTime defaults to now and StartTime to EndTime.
var ec2GetIpamAddressHistory = model("ec2", "GetIpamAddressHistory", func(st *state, c *call, in *ec2.GetIpamAddressHistoryInput) (*ec2.GetIpamAddressHistoryOutput, error) {
	scopeID, cidr := aws.ToString(in.IpamScopeId), aws.ToString(in.Cidr)
	if err := required(c, "Cidr", cidr != ""); err != nil {
		return nil, err
	}
	if err := required(c, "IpamScopeId", scopeID != ""); err != nil {
		return nil, err
	}
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return nil, badRequest("InvalidParameterValue", "The value '%s' for parameter Cidr is invalid.", cidr)
	}
	if !ipamScopeIDPattern.MatchString(scopeID) {
		return nil, malformed("InvalidIpamScopeId")(scopeID)
	}
	sc := st.scopes[scopeID]
	if sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
		return nil, notFoundScope(scopeID)
	}
	now := c.now()
	end := now
	if in.EndTime != nil {
		end = *in.EndTime
	}
	start := end
	if in.StartTime != nil {
		start = *in.StartTime
	}
	if start.After(end) {
		return nil, badRequest("InvalidParameterValue", "The StartTime must be before the EndTime.")
	}
	vpcID := aws.ToString(in.VpcId)
	made := func(r *resourceCIDR) time.Time {
		age := historyHorizon
		switch r.resourceType {
		case "vpc":
			if v := st.vpcs[r.resourceID]; v != nil && v.age > 0 {
				age = v.age
			}
		case "subnet":
			if sn := st.subnets[r.resourceID]; sn != nil && sn.age > 0 {
				age = sn.age
			}
		}
		return now.Add(-age)
	}
	match := func(r *resourceCIDR) bool {
		return r.prefix == prefix.Masked() && (r.resourceType == "vpc" || r.resourceType == "subnet") &&
			(vpcID == "" || r.vpcID == vpcID) && !made(r).After(end) && !now.Before(start)
	}
	pg, next, err := paginateScan(c, st.resourceCIDRs(sc), func(r resourceCIDR) string { return r.key }, match, page(in.MaxResults, in.NextToken), ec2AddressHistory)
	if err != nil {
		return nil, err
	}
	out := &ec2.GetIpamAddressHistoryOutput{HistoryRecords: make([]types.IpamAddressHistoryRecord, len(pg)), NextToken: optString(next)}
	for k, r := range pg {
		out.HistoryRecords[k] = types.IpamAddressHistoryRecord{
			ResourceCidr: aws.String(r.prefix.String()), ResourceId: aws.String(r.resourceID), ResourceName: optString(r.tags["Name"]),
			ResourceOwnerId: aws.String(r.owner), ResourceRegion: aws.String(r.region), ResourceType: types.IpamAddressHistoryResourceType(r.resourceType),
			ResourceComplianceStatus: types.IpamComplianceStatus(r.compliance), ResourceOverlapStatus: types.IpamOverlapStatus(r.overlap),
			VpcId: optString(r.vpcID), SampledStartTime: aws.Time(made(&r)), SampledEndTime: aws.Time(now),
		}
	}
	return out, nil
})
