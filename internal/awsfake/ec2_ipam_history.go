package awsfake

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
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

// Growth says that a subnet the builder made has been filling at perDay
// addresses a day: its history, as the monitor would have published it,
// is served by GetMetricData (see growthMetric).
func (b *Builder) Growth(subnetID string, perDay float64) {
	b.apply(fmt.Sprintf("growth of %s", subnetID), func(st *state) error {
		sn := st.subnets[subnetID]
		switch {
		case sn == nil:
			return fmt.Errorf("no subnet %q", subnetID)
		case !(perDay >= 0) || perDay > 1e12:
			return fmt.Errorf("growth %v: want 0 or more addresses a day", perDay)
		}
		sn.growth = perDay
		return nil
	})
}

// growthMetric answers a GetMetricData query for the monitor's metrics
// (IpAddressTotal, IpAddressAvailable or PercentAssigned by ResourceId,
// in any namespace) of a subnet with a growth (Builder.Growth) and no
// data put for it: the values of each period from StartTime to EndTime,
// the usage of the subnet then (its usage now less the growth since,
// never below zero, nor before it was made). It is the history the
// monitor would have published had it run every day, for whichever
// account asks. It reports false for any other query.
func growthMetric(st *state, c *call, in *cloudwatch.GetMetricDataInput, q cwtypes.MetricDataQuery) (cwtypes.MetricDataResult, bool) {
	ms := q.MetricStat
	name := aws.ToString(ms.Metric.MetricName)
	if name != "IpAddressTotal" && name != "IpAddressAvailable" && name != "PercentAssigned" || len(ms.Metric.Dimensions) != 1 ||
		aws.ToString(ms.Metric.Dimensions[0].Name) != "ResourceId" {
		return cwtypes.MetricDataResult{}, false
	}
	sn := st.subnets[aws.ToString(ms.Metric.Dimensions[0].Value)]
	if sn == nil || sn.growth == 0 || !sn.ipv4.IsValid() {
		return cwtypes.MetricDataResult{}, false
	}
	now, period := c.now(), time.Duration(*ms.Period)*time.Second
	made := now.Add(-historyHorizon)
	if sn.age > 0 {
		made = now.Add(-sn.age)
	}
	total := float64(uint64(1)<<(32-sn.ipv4.Bits())) - 5
	today := now.Truncate(24 * time.Hour)
	r := cwtypes.MetricDataResult{Id: q.Id, Label: aws.String(name), StatusCode: cwtypes.StatusCodeComplete, Timestamps: []time.Time{}, Values: []float64{}}
	start := in.StartTime.Truncate(period)
	if start.Before(*in.StartTime) {
		start = start.Add(period)
	}
	for t := start; t.Before(*in.EndTime) && !t.After(now); t = t.Add(period) {
		if t.Before(made) {
			continue
		}
		used := max(float64(sn.used)-sn.growth*(today.Sub(t).Hours()/24+1), 0)
		v := map[string]float64{"IpAddressTotal": total, "IpAddressAvailable": total - used, "PercentAssigned": used / total * 100}[name]
		r.Timestamps = append(r.Timestamps, t.UTC())
		r.Values = append(r.Values, v)
	}
	if in.ScanBy != cwtypes.ScanByTimestampAscending {
		slices.Reverse(r.Timestamps)
		slices.Reverse(r.Values)
	}
	return r, true
}
