package usage

import (
	"encoding/json"
	"net/netip"
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
