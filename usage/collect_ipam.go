package usage

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ipamkit/ipamkit/ipam"
)

// ScopeType selects IPAM scopes: private or public space.
type ScopeType string

// The scope types, as IPAM names them.
const (
	ScopePrivate ScopeType = "private"
	ScopePublic  ScopeType = "public"
)

// orPrivate returns t, or ScopePrivate for the zero ScopeType.
func (t ScopeType) orPrivate() ScopeType {
	if t == "" {
		return ScopePrivate
	}
	return t
}

// IPAMOptions selects what [CollectIPAM] reads.
type IPAMOptions struct {
	// ScopeType selects the scopes; the zero value means ScopePrivate.
	ScopeType ScopeType
	// ResourceTypes restricts the resource types (TypeVPC, TypeSubnet,
	// TypeEIP, TypePublicIPv4Pool, TypeIPv6Pool); empty means all.
	ResourceTypes []ResourceType
}

// CollectIPAM reads the resource CIDRs that IPAM computes, from every IPAM
// scope of the requested type that client sees (not the last one, as the
// monitor sample did), every page, IPv4 and IPv6. Call it in the account
// and region that hold the IPAM: the records cover every account and
// operating region IPAM discovers.
//
// IpUsage is a fraction from 0 to 1; Used is that share of the CIDR's
// addresses, exactly ([ipam.Count.Fraction]). A record without IpUsage —
// IPAM does not compute it for IPv6 subnets — is kept with Known false.
//
// Where client sees no IPAM, or no scope of the requested type, the error
// is a [*NoIPAMError]: nothing measured is never an empty success.
func CollectIPAM(ctx context.Context, client IPAMAPI, opts IPAMOptions) ([]Resource, error) {
	scopes, err := ipamScopes(ctx, client, opts.ScopeType.orPrivate())
	if err != nil {
		return nil, err
	}
	var out []Resource
	for _, scope := range scopes {
		// One call per type asked for; with none, one unfiltered listing.
		types := opts.ResourceTypes
		if len(types) == 0 {
			types = []ResourceType{""}
		}
		for _, typ := range types {
			in := &ec2.GetIpamResourceCidrsInput{IpamScopeId: aws.String(scope), MaxResults: aws.Int32(maxPage)}
			if typ != "" {
				in.ResourceType = ipamResourceType(typ)
			}
			p := ec2.NewGetIpamResourceCidrsPaginator(client, in)
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("get IPAM resource CIDRs of scope %s: %w", scope, err)
				}
				for _, rc := range page.IpamResourceCidrs {
					r, err := ipamResource(rc)
					if err != nil {
						return nil, err
					}
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

// ErrNoIPAM is wrapped by every [*NoIPAMError].
var ErrNoIPAM = errors.New("no IPAM")

// NoIPAMError says that the account and region a collector read hold no
// IPAM, or no IPAM scope of the requested type: the IPAM lives elsewhere
// (its delegated administrator's account, its home region). It wraps
// [ErrNoIPAM]. A [Scanner] reports it as the [TargetError] of the target,
// which names the account and region.
type NoIPAMError struct {
	// ScopeType is the scope type asked for when the IPAM has no scope of
	// that type; empty when there is no IPAM at all.
	ScopeType ScopeType
}

// Error says what is missing and what to do.
func (e *NoIPAMError) Error() string {
	if e.ScopeType != "" {
		return fmt.Sprintf("the IPAM has no %s scope: choose a scope type it has", e.ScopeType)
	}
	return "no IPAM here: run as the IPAM's delegated administrator, or give the IPAM's account and home region"
}

// ErrorCode returns NoIPAM or NoIPAMScope, so that [TargetError.Code]
// reports it.
func (e *NoIPAMError) ErrorCode() string {
	if e.ScopeType != "" {
		return "NoIPAMScope"
	}
	return "NoIPAM"
}

// Unwrap returns [ErrNoIPAM].
func (e *NoIPAMError) Unwrap() error { return ErrNoIPAM }

// ipamScopes returns the IDs of every scope of type t, in a stable order,
// or a *NoIPAMError when there is none.
func ipamScopes(ctx context.Context, client ec2.DescribeIpamScopesAPIClient, t ScopeType) ([]string, error) {
	var ids []string
	found := false
	p := ec2.NewDescribeIpamScopesPaginator(client, &ec2.DescribeIpamScopesInput{MaxResults: aws.Int32(maxPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe IPAM scopes: %w", err)
		}
		for _, s := range page.IpamScopes {
			found = true
			if string(s.IpamScopeType) == string(t) {
				ids = append(ids, aws.ToString(s.IpamScopeId))
			}
		}
	}
	switch {
	case !found:
		return nil, &NoIPAMError{}
	case len(ids) == 0:
		return nil, &NoIPAMError{ScopeType: t}
	}
	slices.Sort(ids)
	return ids, nil
}

func ipamResourceType(t ResourceType) types.IpamResourceType { return types.IpamResourceType(t) }

func ipamResource(rc types.IpamResourceCidr) (Resource, error) {
	id := aws.ToString(rc.ResourceId)
	p, err := awsCIDR(aws.ToString(rc.ResourceCidr), id)
	if err != nil {
		return Resource{}, err
	}
	var tags map[string]string
	if len(rc.ResourceTags) > 0 {
		tags = make(map[string]string, len(rc.ResourceTags))
		for _, t := range rc.ResourceTags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	r := Resource{
		ID: id, Type: ResourceType(rc.ResourceType), Name: aws.ToString(rc.ResourceName), Source: SourceIPAM,
		AccountID: aws.ToString(rc.ResourceOwnerId), Region: aws.ToString(rc.ResourceRegion),
		VPCID: aws.ToString(rc.VpcId), PoolID: aws.ToString(rc.IpamPoolId), CIDR: p, Total: ipam.Size(p),
		ComplianceStatus: string(rc.ComplianceStatus), OverlapStatus: string(rc.OverlapStatus),
		ManagementState: string(rc.ManagementState), Tags: tags,
	}
	if rc.IpUsage != nil {
		r.Known = true
		r.Used = r.Total.Fraction(*rc.IpUsage)
		r.Available = r.Total.Sub(r.Used)
	}
	return r, nil
}
