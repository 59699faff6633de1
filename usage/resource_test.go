package usage

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func subnet(account, region, id, cidr string, used uint64) Resource {
	p := ipam.MustParseCIDR(cidr)
	total := ipam.AWSUsable(p)
	u := ipam.NewCount(used)
	return Resource{
		ID: id, Type: TypeSubnet, Source: SourceEC2, AccountID: account, Region: region, VPCID: "vpc-1",
		CIDR: p, Known: true, Total: total, Used: u, Available: total.Sub(u),
	}
}

func TestResourceJSON(t *testing.T) {
	t.Parallel()
	known := subnet("012345678901", "eu-west-1", "subnet-1", "10.0.0.0/24", 200)
	known.LargestFree = ipam.MustParseCIDR("10.0.0.200/29")
	known.Tags = map[string]string{"Name": "app"}
	unknown := Resource{
		ID: "subnet-6", Type: TypeSubnet, Source: SourceIPAM, AccountID: "012345678901", Region: "eu-west-1",
		CIDR: ipam.MustParseCIDR("2001:db8::/64"), Total: ipam.Size(ipam.MustParseCIDR("2001:db8::/64")),
		ComplianceStatus: "compliant", OverlapStatus: "nonoverlapping", ManagementState: "managed",
	}
	vpc := Resource{
		ID: "vpc-1", Type: TypeVPC, Source: SourceEC2, AccountID: "012345678901", Region: "eu-west-1", VPCID: "vpc-1",
		CIDR: ipam.MustParseCIDR("10.0.0.0/24"), CIDRs: []netip.Prefix{ipam.MustParseCIDR("10.0.0.0/24"), ipam.MustParseCIDR("10.1.0.0/24")},
		Known: true, Total: ipam.NewCount(512), Used: ipam.NewCount(384), Available: ipam.NewCount(128),
		LargestFree: ipam.MustParseCIDR("10.1.0.128/25"),
	}
	tests := []struct {
		name string
		r    Resource
		want string
	}{
		{"known", known, `{"resourceId":"subnet-1","resourceType":"subnet","source":"ec2","accountId":"012345678901","region":"eu-west-1","vpcId":"vpc-1","cidr":"10.0.0.0/24","total":"251","largestFree":"10.0.0.200/29","tags":{"Name":"app"},"used":"200","available":"51","percent":79.6812749003984}`},
		{"unknown usage is null", unknown, `{"resourceId":"subnet-6","resourceType":"subnet","source":"ipam","accountId":"012345678901","region":"eu-west-1","cidr":"2001:db8::/64","total":"18446744073709551616","complianceStatus":"compliant","overlapStatus":"nonoverlapping","managementState":"managed","used":null,"available":null,"percent":null}`},
		{"several CIDRs", vpc, `{"resourceId":"vpc-1","resourceType":"vpc","source":"ec2","accountId":"012345678901","region":"eu-west-1","vpcId":"vpc-1","cidr":"10.0.0.0/24","cidrs":["10.0.0.0/24","10.1.0.0/24"],"total":"512","largestFree":"10.1.0.128/25","used":"384","available":"128","percent":75}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(b))
			var back Resource
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tt.r, back, "round trip")
		})
	}
}

func TestResourcePercent(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 50.0, Resource{Known: true, Total: ipam.NewCount(4), Used: ipam.NewCount(2)}.Percent())
	assert.Equal(t, 0.0, Resource{Total: ipam.NewCount(4), Used: ipam.NewCount(2)}.Percent(), "unknown")
	assert.Equal(t, 0.0, Resource{Known: true}.Percent(), "empty")
}

// TestReportMergesSources: a subnet or VPC measured by both the ipam and
// the ec2 sources is one resource, with EC2's exact figures and IPAM's
// statuses, so CloudWatch never averages two values under one ResourceId.
func TestReportMergesSources(t *testing.T) {
	t.Parallel()
	ipamOf := func(r Resource, usedFraction float64) Resource {
		r.Source, r.Total, r.Name, r.PoolID = SourceIPAM, ipam.Size(r.CIDR), "ipam-name", "ipam-pool-1"
		r.Used = r.Total.Fraction(usedFraction)
		r.Available = r.Total.Sub(r.Used)
		r.ComplianceStatus, r.OverlapStatus, r.ManagementState = "compliant", "overlapping", "managed"
		return r
	}
	ec2Subnet := subnet("111111111111", "us-east-1", "subnet-1", "10.0.0.0/24", 230) // 91.6% of 251
	vpcCIDRs := []netip.Prefix{ipam.MustParseCIDR("10.0.0.0/16"), ipam.MustParseCIDR("10.1.0.0/16")}
	ec2VPC := Resource{ID: "vpc-1", Type: TypeVPC, Source: SourceEC2, AccountID: "111111111111", Region: "us-east-1", VPCID: "vpc-1",
		CIDR: vpcCIDRs[0], CIDRs: vpcCIDRs, Known: true, Total: ipam.NewCount(131072), Used: ipam.NewCount(256), Available: ipam.NewCount(130816)}
	ipamSecondVPCCIDR := ipamOf(ec2VPC, 0)
	ipamSecondVPCCIDR.CIDR, ipamSecondVPCCIDR.CIDRs = vpcCIDRs[1], nil
	otherAccount := ipamOf(subnet("222222222222", "us-east-1", "subnet-2", "10.0.0.0/24", 0), 0.9)
	eip := ipamOf(Resource{ID: "eipalloc-1", Type: TypeEIP, AccountID: "111111111111", Region: "us-east-1", CIDR: ipam.MustParseCIDR("198.51.100.7/32"), Known: true}, 1)

	tests := []struct {
		name    string
		in      []Resource
		want    []Key
		subnet1 Resource // the merged subnet-1 of 111111111111, when in want
	}{
		{
			name: "subnet and VPC of both sources, in either order",
			in:   []Resource{ipamOf(ec2Subnet, 0.5), ec2Subnet, ec2VPC, ipamOf(ec2VPC, 0), ipamSecondVPCCIDR},
			want: []Key{ec2Subnet.Key(), ec2VPC.Key()},
		},
		{
			name: "another account or type: kept",
			in:   []Resource{ec2Subnet, otherAccount, eip, ipamOf(ec2Subnet, 0.5)},
			want: []Key{ec2Subnet.Key(), eip.Key(), otherAccount.Key()},
		},
		{
			name: "IPAM alone: kept",
			in:   []Resource{ipamOf(ec2Subnet, 0.5)},
			want: []Key{ipamOf(ec2Subnet, 0.5).Key()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := slices.Clone(tt.in)
			rep, err := NewReport(in, nil, ScanInfo{}, Policy{})
			require.NoError(t, err)
			assert.Equal(t, tt.in, in, "the input is not modified")
			var got []Key
			for _, r := range rep.Resources {
				got = append(got, r.Key())
			}
			assert.ElementsMatch(t, tt.want, got)
			ids := map[string]int{}
			for _, f := range rep.Findings {
				ids[f.AccountID+"/"+f.ID]++
			}
			for id, n := range ids {
				assert.Equal(t, 1, n, "%s is one finding", id)
			}
			for _, r := range rep.Resources {
				if r.Key() != ec2Subnet.Key() {
					continue
				}
				assert.Equal(t, "251", r.Total.String(), "EC2's exact figure: the usable addresses")
				assert.Equal(t, "230", r.Used.String())
				assert.Equal(t, "compliant overlapping managed", r.ComplianceStatus+" "+r.OverlapStatus+" "+r.ManagementState, "IPAM's statuses kept")
				assert.Equal(t, "ipam-pool-1", r.PoolID)
			}
			metrics := map[string]int{}
			for _, m := range rep.ResourceMetrics(t0) {
				metrics[m.Name+" "+fmt.Sprint(m.Dimensions)]++
			}
			for k, n := range metrics {
				assert.Equal(t, 1, n, "metric %s sent once", k)
			}
		})
	}
}

// TestMergeMergesSources: reports of the IPAM and of EC2, scanned apart
// and merged, keep each subnet once, with the finding of EC2's figures.
func TestMergeMergesSources(t *testing.T) {
	t.Parallel()
	ec2Subnet := subnet("111111111111", "us-east-1", "subnet-1", "10.0.0.0/24", 200) // 79.7%: under 80
	ipamSubnet := ec2Subnet
	ipamSubnet.Source, ipamSubnet.Total, ipamSubnet.Used = SourceIPAM, ipam.NewCount(256), ipam.NewCount(210) // 82%
	ipamSubnet.Available, ipamSubnet.ComplianceStatus = ipam.NewCount(46), "noncompliant"
	critical := subnet("111111111111", "us-east-1", "subnet-2", "10.0.1.0/24", 250)
	ipamCritical := critical
	ipamCritical.Source, ipamCritical.ComplianceStatus = SourceIPAM, "compliant"

	ipamRep, err := NewReport([]Resource{ipamSubnet, ipamCritical}, nil, ScanInfo{Targets: 1}, Policy{})
	require.NoError(t, err)
	ec2Rep, err := NewReport([]Resource{ec2Subnet, critical}, nil, ScanInfo{Targets: 1}, Policy{})
	require.NoError(t, err)
	require.Len(t, ipamRep.Findings, 2)

	m := Merge(ipamRep, ec2Rep)
	require.Len(t, m.Resources, 2)
	for _, r := range m.Resources {
		assert.Equal(t, SourceEC2, r.Source)
	}
	assert.Equal(t, "noncompliant", m.Resources[0].ComplianceStatus)
	require.Len(t, m.Findings, 1, "EC2's exact figure decides: subnet-1 is under the threshold")
	assert.Equal(t, critical.Key(), m.Findings[0].Key())
	assert.Equal(t, "compliant", m.Findings[0].ComplianceStatus, "with IPAM's status")
	assert.Equal(t, 2, m.Scan.Targets)
}
