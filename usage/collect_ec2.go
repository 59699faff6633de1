package usage

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ipamkit/ipamkit/ipam"
)

// CollectEC2 measures the VPCs and subnets that client sees in region,
// whether IPAM manages their space or not: the monitor sample's stated
// purpose, done from EC2 itself.
//
// Subnets: one resource per IPv4 CIDR, from its available-address count.
// Total is the CIDR minus the 5 addresses AWS reserves ([ipam.AWSUsable]),
// so a subnet whose instances take every usable address is at 100%. EC2
// reports no address counts for IPv6, so each IPv6 CIDR of a subnet is a
// resource whose usage is not Known.
//
// VPCs: one resource per VPC and address family, over all its associated
// CIDR blocks of that family: Used is the space its subnets take, and
// LargestFree is the largest CIDR not allocated to a subnet, so "no /24
// left in vpc-…" shows before a team needs one.
//
// It pages through DescribeVpcs and DescribeSubnets at the largest page
// size and keeps only what the resources need.
func CollectEC2(ctx context.Context, client VPCAPI, region string) ([]Resource, error) {
	var vpcs []types.Vpc
	vp := ec2.NewDescribeVpcsPaginator(client, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(maxPage)})
	for vp.HasMorePages() {
		page, err := vp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe VPCs: %w", err)
		}
		vpcs = append(vpcs, page.Vpcs...)
	}

	var out []Resource
	subnetsOf := make(map[string][]netip.Prefix) // VPC ID -> subnet CIDRs, both families
	sp := ec2.NewDescribeSubnetsPaginator(client, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(maxPage)})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe subnets: %w", err)
		}
		for _, s := range page.Subnets {
			rs, cidrs, err := subnetResources(s, region)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
			vpcID := aws.ToString(s.VpcId)
			subnetsOf[vpcID] = append(subnetsOf[vpcID], cidrs...)
		}
	}

	for _, v := range vpcs {
		rs, err := vpcResources(v, region, subnetsOf[aws.ToString(v.VpcId)])
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func subnetResources(s types.Subnet, region string) ([]Resource, []netip.Prefix, error) {
	id := aws.ToString(s.SubnetId)
	tags := tagMap(s.Tags)
	base := Resource{
		ID: id, Type: TypeSubnet, Name: tags["Name"], Source: SourceEC2,
		AccountID: aws.ToString(s.OwnerId), Region: region, VPCID: aws.ToString(s.VpcId), Tags: tags,
	}
	var out []Resource
	var cidrs []netip.Prefix
	if s.CidrBlock != nil {
		p, err := awsCIDR(*s.CidrBlock, id)
		if err != nil {
			return nil, nil, err
		}
		r := base
		r.CIDR, r.Total = p, ipam.AWSUsable(p)
		if s.AvailableIpAddressCount != nil {
			avail := ipam.NewCount(uint64(max(*s.AvailableIpAddressCount, 0)))
			r.Known, r.Available, r.Used = true, avail, r.Total.Sub(avail)
		}
		out, cidrs = append(out, r), append(cidrs, p)
	}
	for _, a := range s.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState == nil || a.Ipv6CidrBlockState.State != types.SubnetCidrBlockStateCodeAssociated {
			continue
		}
		p, err := awsCIDR(aws.ToString(a.Ipv6CidrBlock), id)
		if err != nil {
			return nil, nil, err
		}
		r := base
		r.CIDR, r.Total = p, ipam.AWSUsable(p)
		out, cidrs = append(out, r), append(cidrs, p)
	}
	return out, cidrs, nil
}

func vpcResources(v types.Vpc, region string, subnets []netip.Prefix) ([]Resource, error) {
	id := aws.ToString(v.VpcId)
	var v4, v6 []netip.Prefix
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState == nil || a.CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated {
			continue
		}
		p, err := awsCIDR(aws.ToString(a.CidrBlock), id)
		if err != nil {
			return nil, err
		}
		v4 = append(v4, p)
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState == nil || a.Ipv6CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated {
			continue
		}
		p, err := awsCIDR(aws.ToString(a.Ipv6CidrBlock), id)
		if err != nil {
			return nil, err
		}
		v6 = append(v6, p)
	}
	tags := tagMap(v.Tags)
	var out []Resource
	for _, blocks := range [][]netip.Prefix{v4, v6} {
		if len(blocks) == 0 {
			continue
		}
		slices.SortFunc(blocks, ipam.ComparePrefix)
		var used []netip.Prefix
		for _, s := range subnets {
			if s.Addr().Is4() == blocks[0].Addr().Is4() {
				used = append(used, s)
			}
		}
		space, err := ipam.NewSpace(blocks, used)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		u := space.Usage()
		largest, _ := space.Largest()
		r := Resource{
			ID: id, Type: TypeVPC, Name: tags["Name"], Source: SourceEC2, AccountID: aws.ToString(v.OwnerId),
			Region: region, VPCID: id, CIDR: blocks[0], Known: true,
			Total: u.Total, Used: u.Used, Available: u.Free, LargestFree: largest, Tags: tags,
		}
		if len(blocks) > 1 {
			r.CIDRs = blocks
		}
		out = append(out, r)
	}
	return out, nil
}

// awsCIDR parses a CIDR as AWS returns it, naming the resource on error.
func awsCIDR(s, resourceID string) (netip.Prefix, error) {
	p, err := ipam.ParseCIDRMasked(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%s: CIDR from AWS: %w", resourceID, err)
	}
	return p, nil
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
