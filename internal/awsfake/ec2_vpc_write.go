package awsfake

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 VPC and subnet writes (ec2query). A VPC may take its IPv4 CIDR from
// an IPAM pool that its account owns or that a RAM share has made available
// to it; the pool then holds a vpc allocation until the VPC is deleted. New
// VPCs and subnets are answered "pending" and read back "available": AWS
// makes them available within moments, and modelling the wait would only
// slow waiters down.

// poolFor finds a pool by ID that an account may allocate from in a region:
// one of its own IPAM, or one shared with it through RAM.
func (st *state) poolFor(c *call, id string) (*ipamPool, error) {
	if !ipamPoolIDPattern.MatchString(id) {
		return nil, malformed("InvalidIpamPoolId")(id)
	}
	p := st.pools[id]
	if p == nil || p.status.state == "delete-complete" {
		return nil, notFoundPool(id)
	}
	if st.ipams[p.ipam].account == c.account() || st.sharedPool(p, c.account(), "") {
		return p, nil
	}
	return nil, notFoundPool(id)
}

// sharedPool reports whether a pool of another account is shared with an
// account through an ASSOCIATED share of the pool's owner: in region (the
// share's region or the pool's locale), or anywhere when region is "".
func (st *state) sharedPool(p *ipamPool, accountID, region string) bool {
	owner := st.ipams[p.ipam].account
	if owner == accountID {
		return false
	}
	arn := st.poolARN(p)
	for _, sh := range st.shares {
		if sh.owner == owner && (region == "" || sh.region == region || p.locale == region) && st.sharedWith(sh, accountID) &&
			slices.ContainsFunc(sh.assocs, func(a *shareAssociation) bool {
				return a.kind == "RESOURCE" && a.entity == arn && a.grants()
			}) {
			return true
		}
	}
	return false
}

var ec2CreateVpc = model("ec2", "CreateVpc", func(st *state, c *call, in *ec2.CreateVpcInput) (*ec2.CreateVpcOutput, error) {
	var mask int
	if err := netmask("Ipv4NetmaskLength", in.Ipv4NetmaskLength, &mask); err != nil {
		return nil, err
	}
	cidr, poolID := aws.ToString(in.CidrBlock), aws.ToString(in.Ipv4IpamPoolId)
	switch {
	case cidr == "" && poolID == "":
		return nil, badRequest("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
	case poolID == "" && mask >= 0:
		return nil, badRequest("InvalidParameterCombination", "Ipv4NetmaskLength can only be used with Ipv4IpamPoolId")
	}
	tags, err := specifiedTags(in.TagSpecifications, "vpc")
	if err != nil {
		return nil, err
	}
	var pool *ipamPool
	var prefix netip.Prefix
	if cidr != "" {
		if prefix, err = parseCIDR(cidr); err != nil {
			return nil, err
		}
	}
	if poolID != "" {
		if pool, err = st.poolFor(c, poolID); err != nil {
			return nil, err
		}
		if pool.locale != c.region {
			return nil, badRequest("InvalidParameterCombination", "The IPAM pool %s has locale %s and cannot allocate to a VPC in %s", pool.id, localeOf(pool), c.region)
		}
		for _, t := range pool.allocTags {
			if !slices.Contains(tags, t) {
				return nil, badRequest("InvalidParameterValue", "The IPAM pool %s requires the allocation resource tag %s=%s on the VPC", pool.id, t.key, t.value)
			}
		}
		if prefix, err = st.allocationPrefix(pool, prefix, mask); err != nil {
			return nil, err
		}
	}
	id, err := st.addVPC(c.account(), c.region, []string{prefix.String()})
	if err != nil {
		return nil, err
	}
	if pool != nil {
		if _, err := st.allocate(pool, prefix, -1, allocation{resourceID: id, resourceType: "vpc", resourceRegion: c.region, resourceOwner: c.account()}); err != nil {
			return nil, err // unreachable: allocationPrefix checked it
		}
	}
	st.setTags(id, tags)
	out := st.sdkVPC(st.vpcs[id])
	out.State = types.VpcStatePending
	return &ec2.CreateVpcOutput{Vpc: out}, nil
})

var ec2DeleteVpc = model("ec2", "DeleteVpc", func(st *state, c *call, in *ec2.DeleteVpcInput) (*ec2.DeleteVpcOutput, error) {
	id := aws.ToString(in.VpcId)
	if err := required(c, "VpcId", id != ""); err != nil {
		return nil, err
	}
	v := st.vpcs[id]
	if v == nil || v.account != c.account() || v.region != c.region {
		return nil, badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
	}
	if len(v.subnets) > 0 {
		return nil, badRequest("DependencyViolation", "The vpc '%s' has dependencies and cannot be deleted.", id)
	}
	for aid, a := range st.allocs {
		if a.resourceType == "vpc" && a.resourceID == id {
			delete(st.allocs, aid)
		}
	}
	delete(st.vpcs, id)
	st.vpcsByOwner.remove(ownerKey(v.account, v.region), id)
	delete(st.tags, id)
	st.changed(id)
	return &ec2.DeleteVpcOutput{}, nil
})

var ec2CreateSubnet = model("ec2", "CreateSubnet", func(st *state, c *call, in *ec2.CreateSubnetInput) (*ec2.CreateSubnetOutput, error) {
	vpcID, cidr := aws.ToString(in.VpcId), cmp.Or(aws.ToString(in.CidrBlock), aws.ToString(in.Ipv6CidrBlock))
	if vpcID == "" {
		return nil, badRequest("MissingParameter", "The request must contain the parameter vpcId")
	}
	if cidr == "" {
		return nil, badRequest("MissingParameter", "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.")
	}
	tags, err := specifiedTags(in.TagSpecifications, "subnet")
	if err != nil {
		return nil, err
	}
	if v := st.vpcs[vpcID]; v == nil || v.account != c.account() || v.region != c.region {
		return nil, badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
	}
	id, err := st.addSubnetInZone(vpcID, cidr, 0, aws.ToString(in.AvailabilityZone))
	if err != nil {
		return nil, err
	}
	st.setTags(id, tags)
	out := st.sdkSubnet(st.subnets[id])
	out.State = types.SubnetStatePending
	return &ec2.CreateSubnetOutput{Subnet: out}, nil
})

var ec2DeleteSubnet = model("ec2", "DeleteSubnet", func(st *state, c *call, in *ec2.DeleteSubnetInput) (*ec2.DeleteSubnetOutput, error) {
	id := aws.ToString(in.SubnetId)
	if err := required(c, "SubnetId", id != ""); err != nil {
		return nil, err
	}
	sn := st.subnets[id]
	if sn == nil || sn.account != c.account() || sn.region != c.region {
		return nil, badRequest("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	}
	v := st.vpcs[sn.vpc]
	v.subnets = slices.DeleteFunc(v.subnets, func(s string) bool { return s == id })
	delete(st.subnets, id)
	st.subnetsByOwner.remove(ownerKey(sn.account, sn.region), id)
	delete(st.tags, id)
	st.changed(id)
	return &ec2.DeleteSubnetOutput{}, nil
})
