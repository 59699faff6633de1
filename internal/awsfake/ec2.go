package awsfake

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/encoding/xml"
)

// EC2 operations on VPCs, subnets and regions (ec2query).

var (
	vpcIDPattern    = lazyPattern(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDPattern = lazyPattern(`^subnet-[0-9a-f]{8,17}$`)
)

// describeInput is the common input of the EC2 Describe operations.
type describeInput struct {
	ids     []string
	filters []filter
	page    pageRequest
}

// describeOf is the common input of a typed EC2 Describe request whose IDs
// are named idsName (IpamId, IpamPoolId, …) on the wire.
func describeOf(idsName string, ids []string, filters []types.Filter, maxResults *int32, nextToken *string) (describeInput, error) {
	in := describeInput{ids: ids, filters: filtersOf(filters), page: page(maxResults, nextToken)}
	if len(in.ids) > 0 && maxResults != nil {
		return in, badRequest("InvalidParameterCombination", "The parameter %s cannot be used with the parameter maxResults", lowerFirst(idsName)+"s")
	}
	return in, nil
}

// filtersOf returns typed EC2 filters as the model matches them.
func filtersOf(fs []types.Filter) []filter {
	out := make([]filter, len(fs))
	for i, f := range fs {
		out[i] = filter{name: aws.ToString(f.Name), values: f.Values}
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// describe selects the items named by IDs (each must exist and be
// visible) or else the candidates (sorted IDs), keeps those that pass the
// filters and returns the requested page. It scans only as far as the page
// needs, so paging through a large set costs time in proportion to each
// page. notFound answers an unknown ID, malformed a badly formed one.
func describe[T any](c *call, in describeInput, all map[string]T, candidates []string, visible func(T) bool,
	fields func(T) fieldsFunc, tags func(string) map[string]string,
	idPattern pattern, malformed, notFound func(string) error, r pageRange,
) ([]T, string, error) {
	var none T
	if err := checkFilters(in.filters, fields(none)); err != nil {
		return nil, "", err
	}
	if len(in.ids) > 0 {
		for _, id := range in.ids {
			if !idPattern.MatchString(id) {
				return nil, "", malformed(id)
			}
			if it, ok := all[id]; !ok || !visible(it) {
				return nil, "", notFound(id)
			}
		}
		candidates = slices.Compact(slices.Sorted(slices.Values(in.ids)))
	}
	match := func(id *string) bool {
		it, ok := all[*id]
		return ok && visible(it) && (len(in.filters) == 0 || matchFilters(in.filters, fields(it), tags(*id)))
	}
	ids, next, err := paginateScan(c, candidates, func(id string) string { return id }, match, in.page, r)
	if err != nil {
		return nil, "", err
	}
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = all[id]
	}
	return out, next, nil
}

var ec2DescribeVpcs = model("ec2", "DescribeVpcs", func(st *state, c *call, req *ec2.DescribeVpcsInput) (*listing, error) {
	in, err := describeOf("VpcId", req.VpcIds, req.Filters, req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	vpcs, next, err := describe(c, in, st.vpcs, st.vpcsByOwner.get(ownerKey(c.account(), c.region)),
		func(v *vpc) bool { return v.account == c.account() && v.region == c.region },
		vpcFields, st.tagsOf, vpcIDPattern,
		func(id string) error { return badRequest("InvalidVpcID.Malformed", "Invalid id: \"%s\"", id) },
		func(id string) error {
			return badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
		},
		ec2Describe)
	if err != nil {
		return nil, err
	}
	out := &listing{set: "vpcSet", items: make([][]byte, len(vpcs)), next: next}
	for i, v := range vpcs {
		out.items[i] = st.fragment(v.id, func(item xml.Value) { encodeItem(item, st.sdkVPC(v)) })
	}
	return out, nil
})

// vpcFields answers the DescribeVpcs filters.
func vpcFields(v *vpc) fieldsFunc {
	return func(name string) ([]string, bool) {
		if v == nil {
			v = &vpc{}
		}
		var out []string
		switch name {
		case "vpc-id":
			return one(v.id), true
		case "owner-id":
			return one(v.account), true
		case "state":
			return one(v.state), true
		case "is-default":
			return one(strconv.FormatBool(v.isDefault)), true
		case "dhcp-options-id":
			return one(dhcpOptionsID), true
		case "cidr", "cidr-block":
			if len(v.ipv4) > 0 {
				out = one(v.ipv4[0].prefix.String())
			}
			return out, true
		case "cidr-block-association.cidr-block":
			for _, b := range v.ipv4 {
				out = append(out, b.prefix.String())
			}
			return out, true
		case "cidr-block-association.association-id":
			for _, b := range v.ipv4 {
				out = append(out, b.assocID)
			}
			return out, true
		case "cidr-block-association.state", "ipv6-cidr-block-association.state":
			return one("associated"), true
		case "ipv6-cidr-block-association.ipv6-cidr-block":
			for _, b := range v.ipv6 {
				out = append(out, b.prefix.String())
			}
			return out, true
		case "ipv6-cidr-block-association.association-id":
			for _, b := range v.ipv6 {
				out = append(out, b.assocID)
			}
			return out, true
		}
		return nil, false
	}
}

const dhcpOptionsID = "dopt-0f00ba11c0ffee000"

// sdkVPC is a VPC as EC2 answers it.
func (st *state) sdkVPC(v *vpc) *types.Vpc {
	out := &types.Vpc{VpcId: aws.String(v.id), OwnerId: aws.String(v.account), State: types.VpcState(v.state),
		CidrBlock: aws.String(v.ipv4[0].prefix.String()), DhcpOptionsId: aws.String(dhcpOptionsID),
		InstanceTenancy: types.TenancyDefault, IsDefault: aws.Bool(v.isDefault), Tags: sdkTags(st.tagsOf(v.id)),
		CidrBlockAssociationSet:     make([]types.VpcCidrBlockAssociation, len(v.ipv4)),
		Ipv6CidrBlockAssociationSet: make([]types.VpcIpv6CidrBlockAssociation, len(v.ipv6))}
	associated := &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}
	for i, b := range v.ipv4 {
		out.CidrBlockAssociationSet[i] = types.VpcCidrBlockAssociation{CidrBlock: aws.String(b.prefix.String()),
			AssociationId: aws.String(b.assocID), CidrBlockState: associated}
	}
	for i, b := range v.ipv6 {
		out.Ipv6CidrBlockAssociationSet[i] = types.VpcIpv6CidrBlockAssociation{Ipv6CidrBlock: aws.String(b.prefix.String()),
			AssociationId: aws.String(b.assocID), Ipv6CidrBlockState: associated, NetworkBorderGroup: aws.String(v.region),
			Ipv6Pool: aws.String("Amazon"), IpSource: types.IpSourceAmazon}
	}
	return out
}

var ec2DescribeSubnets = model("ec2", "DescribeSubnets", func(st *state, c *call, req *ec2.DescribeSubnetsInput) (*listing, error) {
	in, err := describeOf("SubnetId", req.SubnetIds, req.Filters, req.MaxResults, req.NextToken)
	if err != nil {
		return nil, err
	}
	subnets, next, err := describe(c, in, st.subnets, st.subnetsByOwner.get(ownerKey(c.account(), c.region)),
		func(sn *subnet) bool { return sn.account == c.account() && sn.region == c.region },
		subnetFields, st.tagsOf, subnetIDPattern,
		func(id string) error { return badRequest("InvalidSubnetID.Malformed", "Invalid id: \"%s\"", id) },
		func(id string) error {
			return badRequest("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
		},
		ec2Describe)
	if err != nil {
		return nil, err
	}
	out := &listing{set: "subnetSet", items: make([][]byte, len(subnets)), next: next}
	for i, sn := range subnets {
		out.items[i] = st.fragment(sn.id, func(item xml.Value) { encodeItem(item, st.sdkSubnet(sn)) })
	}
	return out, nil
})

// subnetFields answers the DescribeSubnets filters.
func subnetFields(sn *subnet) fieldsFunc {
	return func(name string) ([]string, bool) {
		if sn == nil {
			sn = &subnet{}
		}
		switch name {
		case "subnet-id":
			return one(sn.id), true
		case "vpc-id", "vpcId":
			return one(sn.vpc), true
		case "owner-id":
			return one(sn.account), true
		case "state":
			return one(sn.state), true
		case "availability-zone", "availabilityZone":
			return one(sn.az), true
		case "availability-zone-id", "availabilityZoneId":
			return one(azID(sn.az)), true
		case "available-ip-address-count", "availableIpAddressCount":
			return one(utoa(sn.available())), true
		case "default-for-az", "defaultForAz":
			return one("false"), true
		case "subnet-arn":
			return one(sn.arn()), true
		case "ipv6-native":
			return one(strconv.FormatBool(!sn.ipv4.IsValid())), true
		case "cidr-block", "cidr", "cidrBlock":
			if sn.ipv4.IsValid() {
				return one(sn.ipv4.String()), true
			}
			return nil, true
		case "ipv6-cidr-block-association.ipv6-cidr-block":
			var out []string
			for _, b := range sn.ipv6 {
				out = append(out, b.prefix.String())
			}
			return out, true
		case "ipv6-cidr-block-association.association-id":
			var out []string
			for _, b := range sn.ipv6 {
				out = append(out, b.assocID)
			}
			return out, true
		case "ipv6-cidr-block-association.state":
			return one("associated"), true
		}
		return nil, false
	}
}

func (sn *subnet) arn() string {
	return "arn:aws:ec2:" + sn.region + ":" + sn.account + ":subnet/" + sn.id
}

// sdkSubnet is a subnet as EC2 answers it.
func (st *state) sdkSubnet(sn *subnet) *types.Subnet {
	out := &types.Subnet{SubnetId: aws.String(sn.id), SubnetArn: aws.String(sn.arn()), VpcId: aws.String(sn.vpc),
		OwnerId: aws.String(sn.account), State: types.SubnetState(sn.state), AvailableIpAddressCount: aws.Int32(int32(sn.available())),
		AvailabilityZone: aws.String(sn.az), AvailabilityZoneId: aws.String(azID(sn.az)), DefaultForAz: aws.Bool(false),
		MapPublicIpOnLaunch: aws.Bool(false), AssignIpv6AddressOnCreation: aws.Bool(false), Ipv6Native: aws.Bool(!sn.ipv4.IsValid()),
		Ipv6CidrBlockAssociationSet: make([]types.SubnetIpv6CidrBlockAssociation, len(sn.ipv6)), Tags: sdkTags(st.tagsOf(sn.id))}
	if sn.ipv4.IsValid() {
		out.CidrBlock = aws.String(sn.ipv4.String())
	}
	for i, b := range sn.ipv6 {
		out.Ipv6CidrBlockAssociationSet[i] = types.SubnetIpv6CidrBlockAssociation{Ipv6CidrBlock: aws.String(b.prefix.String()),
			AssociationId: aws.String(b.assocID), IpSource: types.IpSourceAmazon,
			Ipv6CidrBlockState: &types.SubnetCidrBlockState{State: types.SubnetCidrBlockStateCodeAssociated}}
	}
	return out
}

// encodeItem writes an SDK output struct's members into an EC2 list item.
func encodeItem(item xml.Value, out any) { encodeXML(item, ec2Out, reflect.ValueOf(out).Elem()) }

var ec2DescribeRegions = model("ec2", "DescribeRegions", func(st *state, c *call, in *ec2.DescribeRegionsInput) (*ec2.DescribeRegionsOutput, error) {
	fields := func(r region) fieldsFunc {
		return func(name string) ([]string, bool) {
			switch name {
			case "region-name":
				return one(r.name), true
			case "endpoint":
				return one(regionEndpoint(r.name)), true
			case "opt-in-status":
				return one(r.optIn), true
			}
			return nil, false
		}
	}
	filters := filtersOf(in.Filters)
	if err := checkFilters(filters, fields(region{})); err != nil {
		return nil, err
	}
	for _, n := range in.RegionNames {
		if !slices.ContainsFunc(st.regions, func(r region) bool { return r.name == n }) {
			return nil, badRequest("InvalidParameterValue", "Invalid region: %s", n)
		}
	}
	out := &ec2.DescribeRegionsOutput{Regions: []types.Region{}}
	for _, r := range st.regions {
		named := slices.Contains(in.RegionNames, r.name)
		if (len(in.RegionNames) > 0 && !named) || (!r.enabled && !aws.ToBool(in.AllRegions) && !named) || !matchFilters(filters, fields(r), nil) {
			continue
		}
		out.Regions = append(out.Regions, types.Region{RegionName: aws.String(r.name), Endpoint: aws.String(regionEndpoint(r.name)), OptInStatus: aws.String(r.optIn)})
	}
	slices.SortFunc(out.Regions, func(a, b types.Region) int { return strings.Compare(*a.RegionName, *b.RegionName) })
	return out, nil
})

func regionEndpoint(name string) string { return "ec2." + name + ".amazonaws.com" }
