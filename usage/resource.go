package usage

import (
	"cmp"
	"encoding/json"
	"net/netip"
	"slices"

	"github.com/ipamkit/ipamkit/ipam"
)

// ResourceType is the kind of a measured resource. The IPAM types use the
// names of GetIpamResourceCidrs (vpc, subnet, eip, public-ipv4-pool,
// ipv6-pool); TypeIPAMPool is a pool measured from its own CIDRs and
// allocations.
type ResourceType string

// The resource types.
const (
	TypeVPC            ResourceType = "vpc"
	TypeSubnet         ResourceType = "subnet"
	TypeEIP            ResourceType = "eip"
	TypePublicIPv4Pool ResourceType = "public-ipv4-pool"
	TypeIPv6Pool       ResourceType = "ipv6-pool"
	TypeIPAMPool       ResourceType = "ipam-pool"
)

// Source says where a resource's figures come from.
type Source string

// The sources.
const (
	// SourceIPAM is GetIpamResourceCidrs: what IPAM computes for the
	// resources it discovers.
	SourceIPAM Source = "ipam"
	// SourceEC2 is DescribeVpcs and DescribeSubnets: the space of every VPC
	// and subnet, whether IPAM manages it or not.
	SourceEC2 Source = "ec2"
	// SourcePools is DescribeIpamPools, GetIpamPoolCidrs and
	// GetIpamPoolAllocations: how full each IPAM pool is.
	SourcePools Source = "pools"
)

// Resource is the measured utilization of one resource CIDR or, for a VPC or
// pool with several CIDR blocks of one address family, of all of them
// together. Address counts are exact.
//
// Resource is a plain value: copy it freely. A Resource is keyed by its
// source, account, region, type, ID and CIDR; see [Resource.Key].
type Resource struct {
	ID        string       `json:"resourceId"`       // vpc-…, subnet-…, ipam-pool-…, eipalloc-…
	Type      ResourceType `json:"resourceType"`     //
	Name      string       `json:"name,omitempty"`   // the Name tag, or IPAM's resource name
	Source    Source       `json:"source"`           //
	AccountID string       `json:"accountId"`        // owner, 12 digits
	Region    string       `json:"region"`           //
	VPCID     string       `json:"vpcId,omitempty"`  // the VPC of a subnet or VPC; empty otherwise
	PoolID    string       `json:"poolId,omitempty"` // the IPAM pool the CIDR belongs to, if any

	// CIDR is the resource's CIDR, or its first one in address order when
	// CIDRs lists several.
	CIDR netip.Prefix `json:"cidr"`
	// CIDRs are all the CIDR blocks measured together; nil when only CIDR.
	CIDRs []netip.Prefix `json:"cidrs,omitempty"`

	// Known is false when the source did not say how much is used: IPAM
	// leaves IpUsage out for some records, and AWS reports no address
	// counts for IPv6 subnets. Used and Available are then zero, Percent
	// is 0 and the resource is never a finding. In JSON, used, available
	// and percent are then null.
	Known     bool       `json:"-"`
	Total     ipam.Count `json:"total"`     // addresses that can be used
	Used      ipam.Count `json:"used"`      // addresses in use
	Available ipam.Count `json:"available"` // Total minus Used

	// LargestFree is the largest free CIDR: the unallocated space of a VPC
	// (its CIDRs minus its subnets), or of a pool (its CIDRs minus its
	// allocations). The zero Prefix when unknown or nothing is free.
	LargestFree netip.Prefix `json:"largestFree,omitzero"`

	// The statuses IPAM reports for its records; empty for other sources.
	ComplianceStatus string `json:"complianceStatus,omitempty"`
	OverlapStatus    string `json:"overlapStatus,omitempty"`
	ManagementState  string `json:"managementState,omitempty"`

	Tags map[string]string `json:"tags,omitempty"`

	// Forecast is when the resource runs out, from its history (see
	// [Report.WithForecasts]); nil when no forecast was asked for. Copies
	// of the Resource share it: treat it as read-only.
	Forecast *Forecast `json:"forecast,omitempty"`
}

// Percent returns Used as a percentage of Total, from 0 to 100; 0 when the
// usage is not known or Total is 0.
func (r Resource) Percent() float64 {
	if !r.Known {
		return 0
	}
	return r.Used.Percent(r.Total)
}

// Key identifies a resource across scans and reports.
type Key struct {
	Source    Source
	AccountID string
	Region    string
	Type      ResourceType
	ID        string
	CIDR      netip.Prefix
}

// Key returns the identity of r.
func (r Resource) Key() Key {
	return Key{r.Source, r.AccountID, r.Region, r.Type, r.ID, r.CIDR}
}

// resourceJSON is the JSON form of a Resource: its struct tags, with the
// members that are null when the usage is not known, and the derived
// percent. Members of the embedded Resource that have the same name are
// shadowed.
type resourceJSON struct {
	plainResource
	Used      *ipam.Count `json:"used"`
	Available *ipam.Count `json:"available"`
	Percent   *float64    `json:"percent"`
}

// plainResource is Resource without its methods, for its struct tags.
type plainResource Resource

// MarshalJSON encodes r with the member names of its struct tags, which
// downstream workflows read: resourceId, resourceType, cidr, accountId,
// region, vpcId, total, used and available (decimal strings: IPv6 counts
// overflow JSON numbers), percent (a number, 0 to 100) and largestFree (a
// CIDR). Used, available and percent are null when the usage is not known.
func (r Resource) MarshalJSON() ([]byte, error) { return json.Marshal(r.toJSON()) }

func (r Resource) toJSON() resourceJSON {
	v := resourceJSON{plainResource: plainResource(r)}
	if r.Known {
		p := r.Percent()
		v.Used, v.Available, v.Percent = &r.Used, &r.Available, &p
	}
	return v
}

// UnmarshalJSON decodes what [Resource.MarshalJSON] writes. The percent is
// derived from the counts, so it is not read back.
func (r *Resource) UnmarshalJSON(b []byte) error {
	var v resourceJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = v.resource()
	return nil
}

func (v resourceJSON) resource() Resource {
	r := Resource(v.plainResource)
	if v.Used != nil && v.Available != nil {
		r.Known, r.Used, r.Available = true, *v.Used, *v.Available
	}
	return r
}

// mergeSources returns rs with each VPC and subnet measured by both
// SourceIPAM and SourceEC2 kept once: the SourceEC2 resource, whose figures
// are exact (a subnet's usable addresses, a VPC's largest free block), with
// the IPAM record's pool, compliance, overlap and management state, and
// its name when EC2 has none. An IPAM record matches an EC2 resource of the
// same account, region, type and ID whose CIDR, or one of whose CIDRs, is
// the record's. rs is not modified.
func mergeSources(rs []Resource) []Resource {
	if !slices.ContainsFunc(rs, func(r Resource) bool {
		return r.Source == SourceIPAM && (r.Type == TypeVPC || r.Type == TypeSubnet)
	}) {
		return rs // nothing to merge: no index of every EC2 resource, no copy
	}
	type id struct {
		account, region string
		typ             ResourceType
		id              string
	}
	ec2 := make(map[id][]int)
	for i, r := range rs {
		if r.Source == SourceEC2 {
			k := id{r.AccountID, r.Region, r.Type, r.ID}
			ec2[k] = append(ec2[k], i)
		}
	}
	if len(ec2) == 0 {
		return rs
	}
	out := slices.Clone(rs)
	drop := make([]bool, len(rs))
	for i, r := range rs {
		if r.Source != SourceIPAM || (r.Type != TypeVPC && r.Type != TypeSubnet) {
			continue
		}
		for _, j := range ec2[id{r.AccountID, r.Region, r.Type, r.ID}] {
			e := &out[j]
			if e.CIDR != r.CIDR && !slices.Contains(e.CIDRs, r.CIDR) {
				continue
			}
			drop[i] = true
			if e.ComplianceStatus == "" && e.OverlapStatus == "" && e.ManagementState == "" {
				e.ComplianceStatus, e.OverlapStatus, e.ManagementState = r.ComplianceStatus, r.OverlapStatus, r.ManagementState
			}
			e.PoolID = cmp.Or(e.PoolID, r.PoolID)
			e.Name = cmp.Or(e.Name, r.Name)
			break
		}
	}
	kept := out[:0]
	for i, r := range out {
		if !drop[i] {
			kept = append(kept, r)
		}
	}
	return kept
}
