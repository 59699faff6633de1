package awsfake

import (
	"net/netip"
	"slices"

	"github.com/aws/smithy-go/encoding/xml"
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
	owner := st.ipams[p.ipam].account
	if owner == c.account() {
		return p, nil
	}
	arn := st.poolARN(p)
	for _, sh := range st.shares {
		if sh.owner == owner && st.sharedWith(sh, c.account()) && slices.ContainsFunc(sh.assocs, func(a *shareAssociation) bool {
			return a.kind == "RESOURCE" && a.entity == arn && a.status.state == "ASSOCIATED"
		}) {
			return p, nil
		}
	}
	return nil, notFoundPool(id)
}

// createVpcInput is the input of CreateVpc.
type createVpcInput struct {
	cidr, poolID string
	netmask      int // -1 when absent
	tags         []tag
}

var ec2CreateVpc = op("ec2", "CreateVpc",
	func(c *call) (createVpcInput, error) {
		in := createVpcInput{cidr: c.str("CidrBlock"), poolID: c.str("Ipv4IpamPoolId")}
		if err := dryRun(c); err != nil {
			return in, err
		}
		var err error
		if in.netmask, err = c.optNetmask("Ipv4NetmaskLength"); err != nil {
			return in, err
		}
		switch {
		case in.cidr == "" && in.poolID == "":
			return in, badRequest("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.")
		case in.poolID == "" && in.netmask >= 0:
			return in, badRequest("InvalidParameterCombination", "Ipv4NetmaskLength can only be used with Ipv4IpamPoolId")
		}
		in.tags, err = c.tagSpecifications("vpc")
		return in, err
	},
	func(s *Server, c *call, in createVpcInput) (any, error) {
		st := s.st
		var pool *ipamPool
		var prefix netip.Prefix
		if in.cidr != "" {
			var err error
			if prefix, err = parseCIDR(in.cidr); err != nil {
				return nil, err
			}
		}
		if in.poolID != "" {
			var err error
			if pool, err = st.poolFor(c, in.poolID); err != nil {
				return nil, err
			}
			if pool.locale != c.region {
				return nil, badRequest("InvalidParameterCombination", "The IPAM pool %s has locale %s and cannot allocate to a VPC in %s", pool.id, localeOf(pool), c.region)
			}
			tags := map[string]string{}
			for _, t := range in.tags {
				tags[t.key] = t.value
			}
			for _, t := range pool.allocTags {
				if v, ok := tags[t.key]; !ok || v != t.value {
					return nil, badRequest("InvalidParameterValue", "The IPAM pool %s requires the allocation resource tag %s=%s on the VPC", pool.id, t.key, t.value)
				}
			}
			if prefix, err = st.allocationPrefix(pool, prefix, in.netmask); err != nil {
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
		st.setTags(id, in.tags)
		v := st.vpcs[id]
		return xmlMembers(func(x xml.Value) {
			xstruct(x, "vpc", func(item xml.Value) {
				v.state = "pending"
				st.writeVpc(item, v)
				v.state = "available"
			})
		}), nil
	})

// decodeResourceID decodes the input of a Delete operation: one resource ID.
func decodeResourceID(name string) func(*call) (string, error) {
	return func(c *call) (string, error) {
		if err := dryRun(c); err != nil {
			return "", err
		}
		return c.required(name)
	}
}

var ec2DeleteVpc = op("ec2", "DeleteVpc", decodeResourceID("VpcId"), func(s *Server, c *call, id string) (any, error) {
	st := s.st
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
	return xmlMembers(func(x xml.Value) { xbool(x, "return", true) }), nil
})

// createSubnetInput is the input of CreateSubnet.
type createSubnetInput struct {
	vpcID, cidr, az string
	tags            []tag
}

var ec2CreateSubnet = op("ec2", "CreateSubnet",
	func(c *call) (createSubnetInput, error) {
		in := createSubnetInput{vpcID: c.str("VpcId"), cidr: c.str("CidrBlock"), az: c.str("AvailabilityZone")}
		if err := dryRun(c); err != nil {
			return in, err
		}
		if in.vpcID == "" {
			return in, badRequest("MissingParameter", "The request must contain the parameter vpcId")
		}
		if in.cidr == "" {
			in.cidr = c.str("Ipv6CidrBlock")
		}
		if in.cidr == "" {
			return in, badRequest("MissingParameter", "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.")
		}
		var err error
		in.tags, err = c.tagSpecifications("subnet")
		return in, err
	},
	func(s *Server, c *call, in createSubnetInput) (any, error) {
		st := s.st
		if v := st.vpcs[in.vpcID]; v == nil || v.account != c.account() || v.region != c.region {
			return nil, badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", in.vpcID)
		}
		id, err := st.addSubnetInZone(in.vpcID, in.cidr, 0, in.az)
		if err != nil {
			return nil, err
		}
		st.setTags(id, in.tags)
		sn := st.subnets[id]
		return xmlMembers(func(x xml.Value) {
			xstruct(x, "subnet", func(item xml.Value) {
				sn.state = "pending"
				st.writeSubnet(item, sn)
				sn.state = "available"
			})
		}), nil
	})

var ec2DeleteSubnet = op("ec2", "DeleteSubnet", decodeResourceID("SubnetId"), func(s *Server, c *call, id string) (any, error) {
	st := s.st
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
	return xmlMembers(func(x xml.Value) { xbool(x, "return", true) }), nil
})
