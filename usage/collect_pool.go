package usage

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ipamkit/ipamkit/ipam"
)

// CollectPools measures the IPAM pools of scopes of type scopeType (the
// zero value means ScopePrivate): for each pool, its provisioned CIDRs
// against its allocations, with exact counts and the largest free block —
// what is left to hand out, which IPAM's own metrics do not say. Call it in
// the account and region that hold the IPAM.
//
// It makes the fewest calls the APIs allow: one listing of the pools, then
// per pool its CIDRs (1,000 a page) and its allocations (100,000 a page).
// Pools being deleted are skipped.
func CollectPools(ctx context.Context, client PoolsAPI, scopeType ScopeType) ([]Resource, error) {
	var pools []types.IpamPool
	p := ec2.NewDescribeIpamPoolsPaginator(client, &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(maxPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe IPAM pools: %w", err)
		}
		for _, pool := range page.IpamPools {
			if string(pool.IpamScopeType) == string(scopeType.orPrivate()) && !strings.HasPrefix(string(pool.State), "delete-") {
				pools = append(pools, pool)
			}
		}
	}
	out := make([]Resource, 0, len(pools))
	for _, pool := range pools {
		r, err := poolResource(ctx, client, pool)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func poolResource(ctx context.Context, client PoolsAPI, pool types.IpamPool) (Resource, error) {
	id := aws.ToString(pool.IpamPoolId)
	var cidrs []netip.Prefix
	cp := ec2.NewGetIpamPoolCidrsPaginator(client, &ec2.GetIpamPoolCidrsInput{IpamPoolId: aws.String(id), MaxResults: aws.Int32(maxPage)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return Resource{}, fmt.Errorf("get CIDRs of IPAM pool %s: %w", id, err)
		}
		for _, c := range page.IpamPoolCidrs {
			// A CIDR being deprovisioned still holds its allocations.
			if c.State != types.IpamPoolCidrStateProvisioned && c.State != types.IpamPoolCidrStatePendingDeprovision {
				continue
			}
			p, err := awsCIDR(aws.ToString(c.Cidr), id)
			if err != nil {
				return Resource{}, err
			}
			cidrs = append(cidrs, p)
		}
	}
	var allocs []netip.Prefix
	ap := ec2.NewGetIpamPoolAllocationsPaginator(client, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: aws.String(id), MaxResults: aws.Int32(maxAllocationsPage)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return Resource{}, fmt.Errorf("get allocations of IPAM pool %s: %w", id, err)
		}
		for _, a := range page.IpamPoolAllocations {
			p, err := awsCIDR(aws.ToString(a.Cidr), id)
			if err != nil {
				return Resource{}, err
			}
			allocs = append(allocs, p)
		}
	}
	tags := tagMap(pool.Tags)
	region := aws.ToString(pool.Locale)
	if region == "" || region == "None" { // AWS answers "None" for a pool without a locale
		region = aws.ToString(pool.IpamRegion)
	}
	r := Resource{
		ID: id, Type: TypeIPAMPool, Name: tags["Name"], Source: SourcePools, AccountID: aws.ToString(pool.OwnerId),
		Region: region, PoolID: id, Known: true, Tags: tags,
	}
	if len(cidrs) == 0 {
		return r, nil // nothing provisioned: 0 of 0, never a finding
	}
	// A pool of one family may still list allocations of the other only if
	// IPAM is inconsistent; keep the pool's family.
	family := cidrs[0].Addr().Is4()
	allocs = slices.DeleteFunc(allocs, func(a netip.Prefix) bool { return a.Addr().Is4() != family })
	space, err := ipam.NewSpace(cidrs, allocs)
	if err != nil {
		return Resource{}, fmt.Errorf("IPAM pool %s: %w", id, err)
	}
	slices.SortFunc(cidrs, ipam.ComparePrefix)
	u := space.Usage()
	r.CIDR, r.Total, r.Used, r.Available = cidrs[0], u.Total, u.Used, u.Free
	if len(cidrs) > 1 {
		r.CIDRs = cidrs
	}
	r.LargestFree, _ = space.Largest()
	return r, nil
}
