package usage

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"golang.org/x/sync/errgroup"

	"github.com/ipamkit/ipamkit/ipam"
)

// AddressHistoryAPI is the part of *ec2.Client that [IPAMHistory] calls.
type AddressHistoryAPI interface {
	ec2.GetIpamAddressHistoryAPIClient
}

var _ AddressHistoryAPI = (*ec2.Client)(nil)

// IPAMHistoryOptions configures [IPAMHistory]. The zero value reads the
// default window up to now, 8 CIDRs at a time.
type IPAMHistoryOptions struct {
	HistoryOptions
	// Concurrency is how many CIDRs are read at once; zero means 8.
	Concurrency int
}

// IPAMHistory reads the history of resources from IPAM's address history
// (GetIpamAddressHistory) in the scope scopeID: which resources held which
// CIDR, and from when to when.
//
// IPAM records resources by exact CIDR — the history of a /16 holds the
// VPCs that had the /16, not the subnets in it — and records no use of
// addresses inside a subnet. So IPAMHistory gives a history to the
// resources that contain other resources of the list: a VPC (its subnets
// in resources, by VPC ID) and an IPAM pool (the VPCs in resources that
// name it as their pool). Each day of the window, Used is the space of the
// children whose CIDR some resource of the child's type held then (a
// subnet deleted and made again counts throughout), and Total the
// resource's Total now. Children that no longer exist are not in the list,
// so their past is missing, which makes the growth look faster: an
// estimate on the side of caution. Other resources get nil (no history).
//
// It reads each distinct child CIDR once, every page at 1,000 records (the
// API's most), Concurrency at a time: one call per child CIDR for n
// children (IPAM has no call that answers for several CIDRs). The window
// is sent as StartTime and EndTime; IPAM answers what it retains of it.
// The first error stops the reading and names the CIDR.
func IPAMHistory(ctx context.Context, client AddressHistoryAPI, scopeID string, resources []Resource, optFns ...func(*IPAMHistoryOptions)) ([][]Sample, error) {
	var o IPAMHistoryOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	start, end := o.span()
	start, end = start.UTC(), end.UTC()

	type child struct {
		cidr  netip.Prefix
		vpcID string
		typ   ResourceType
	}
	type parentKey struct {
		account, region string
		typ             ResourceType
		id              string
	}
	// The children of each parent, by the parent's index.
	parents := map[parentKey][]int{}
	for i, r := range resources {
		if r.Type == TypeVPC || r.Type == TypeIPAMPool {
			k := parentKey{r.AccountID, r.Region, r.Type, r.ID}
			if r.Type == TypeIPAMPool {
				k.account, k.region = "", "" // a pool holds VPCs of any account and region
			}
			parents[k] = append(parents[k], i)
		}
	}
	children := make([][]child, len(resources))
	seen := map[child]int{}
	var distinct []child
	add := func(parent []int, c child) {
		for _, p := range parent {
			if !c.cidr.IsValid() || c.cidr.Addr().Is4() != resources[p].CIDR.Addr().Is4() || slices.Contains(children[p], c) {
				continue
			}
			children[p] = append(children[p], c)
		}
		if _, ok := seen[c]; !ok {
			seen[c] = len(distinct)
			distinct = append(distinct, c)
		}
	}
	for _, r := range resources {
		switch {
		case r.Type == TypeSubnet && r.VPCID != "":
			if ps := parents[parentKey{r.AccountID, r.Region, TypeVPC, r.VPCID}]; len(ps) > 0 {
				add(ps, child{r.CIDR, r.VPCID, TypeSubnet})
			}
		case r.Type == TypeVPC && r.PoolID != "":
			if ps := parents[parentKey{"", "", TypeIPAMPool, r.PoolID}]; len(ps) > 0 {
				add(ps, child{r.CIDR, "", TypeVPC})
			}
		}
	}

	// When each distinct child CIDR was held.
	held := make([][]interval, len(distinct))
	var g errgroup.Group
	g.SetLimit(o.Concurrency)
	for k, c := range distinct {
		g.Go(func() error {
			in := &ec2.GetIpamAddressHistoryInput{
				Cidr: aws.String(c.cidr.String()), IpamScopeId: aws.String(scopeID),
				StartTime: aws.Time(start), EndTime: aws.Time(end), MaxResults: aws.Int32(maxPage),
			}
			if c.vpcID != "" {
				in.VpcId = aws.String(c.vpcID)
			}
			p := ec2.NewGetIpamAddressHistoryPaginator(client, in)
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("read IPAM address history of %s in scope %s: %w", c.cidr, scopeID, err)
				}
				for _, h := range page.HistoryRecords {
					if string(h.ResourceType) != string(c.typ) || h.SampledStartTime == nil {
						continue
					}
					iv := interval{from: *h.SampledStartTime, to: end}
					if h.SampledEndTime != nil && h.SampledEndTime.Before(end) {
						iv.to = *h.SampledEndTime
					}
					held[k] = append(held[k], iv)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	out := make([][]Sample, len(resources))
	for p, cs := range children {
		if len(cs) == 0 || resources[p].Total.IsZero() {
			continue
		}
		for t := end; !t.Before(start); t = t.Add(-historyDay) {
			var used ipam.Count
			for _, c := range cs {
				if heldAt(held[seen[c]], t) {
					used = used.Add(ipam.Size(c.cidr))
				}
			}
			out[p] = append(out[p], Sample{Time: t, Used: used, Total: resources[p].Total})
		}
		sortSamples(out[p])
	}
	return out, nil
}

// interval is a stretch of time, from inclusive, to inclusive.
type interval struct{ from, to time.Time }

func heldAt(ivs []interval, t time.Time) bool {
	for _, iv := range ivs {
		if !t.Before(iv.from) && !t.After(iv.to) {
			return true
		}
	}
	return false
}

// ScopesHistoryAPI is the part of *ec2.Client that [IPAMScopesHistory]
// calls.
type ScopesHistoryAPI interface {
	ec2.DescribeIpamScopesAPIClient
	AddressHistoryAPI
}

var _ ScopesHistoryAPI = (*ec2.Client)(nil)

// IPAMScopesHistory is [IPAMHistory] over every scope of type t of the
// IPAMs the client sees (the caller's, in the client's region): a resource
// gets the history of the first scope, in ID order, that gives it one.
// Without such a scope it returns a [*NoIPAMError].
func IPAMScopesHistory(ctx context.Context, client ScopesHistoryAPI, t ScopeType, resources []Resource, optFns ...func(*IPAMHistoryOptions)) ([][]Sample, error) {
	scopes, err := ipamScopes(ctx, client, t)
	if err != nil {
		return nil, err
	}
	out := make([][]Sample, len(resources))
	for _, scope := range scopes {
		hs, err := IPAMHistory(ctx, client, scope, resources, optFns...)
		if err != nil {
			return nil, err
		}
		for i, h := range hs {
			if out[i] == nil {
				out[i] = h
			}
		}
	}
	return out, nil
}
