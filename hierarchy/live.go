package hierarchy

import "net/netip"

// Live is the pool tree of one IPAM scope as it is: what Read fills from
// DescribeIpamPools, GetIpamPoolCidrs and GetIpamPoolAllocations, and what
// tests write by hand. Order does not matter. The zero Live is an empty
// scope. [Plan] only reads a Live, so one may be shared between goroutines
// that do not modify it.
type Live struct {
	Pools []LivePool `json:"pools"`
	// Scope is the scope the pools were read from, as [Read] found it; the
	// zero LiveScope (a Live written by hand) means unknown.
	Scope LiveScope `json:"scope,omitzero"`
}

// LiveScope is an IPAM scope and what [Plan] needs to know about its IPAM.
type LiveScope struct {
	ID        string   `json:"id"`                  // ipam-scope-…
	Type      Scope    `json:"type,omitempty"`      // private or public
	IPAMID    string   `json:"ipamId,omitempty"`    // ipam-…
	AccountID string   `json:"accountId,omitempty"` // the IPAM's owner
	Region    string   `json:"region,omitempty"`    // the IPAM's home region
	Regions   []string `json:"regions,omitempty"`   // the IPAM's operating regions, sorted
}

// PlanOptions sets the [Options] that come from the scope the tree was
// read from: ScopeID (for the client tokens, and for [Apply] to create
// pools in) and Regions (to check locales). Pass the method value to Plan,
// before options of your own:
//
//	cs, err := hierarchy.Plan(spec, live, live.PlanOptions)
//
// A zero [LiveScope] sets nothing.
func (l Live) PlanOptions(o *Options) {
	if l.Scope.ID != "" {
		o.ScopeID = l.Scope.ID
	}
	if len(l.Scope.Regions) > 0 {
		o.Regions = l.Scope.Regions
	}
}

// LivePool is one pool of the live tree.
type LivePool struct {
	ID       string `json:"id"`                 // ipam-pool-…
	ParentID string `json:"parentId,omitempty"` // the source pool; "" for a top pool
	Family   Family `json:"family"`
	// Locale is the pool's region, "" for none (AWS returns "None").
	Locale               string            `json:"locale,omitempty"`
	Description          string            `json:"description,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"`
	Allocation           Allocation        `json:"allocation,omitzero"`
	AutoImport           bool              `json:"autoImport,omitempty"`
	PublicIPSource       string            `json:"publicIpSource,omitempty"`
	PubliclyAdvertisable bool              `json:"publiclyAdvertisable,omitempty"`
	// State is the pool's IPAM state, such as "create-complete". Pools in
	// the states [LivePool.Gone] reports are ignored by [Plan].
	State string `json:"state,omitempty"`
	// CIDRs are the CIDRs provisioned to the pool, with their states.
	CIDRs []LiveCIDR `json:"cidrs,omitempty"`
	// Allocations are the allocations made from the pool: its child pools
	// (ResourceType "ipam-pool"), VPCs, custom allocations.
	Allocations []LiveAllocation `json:"allocations,omitempty"`
}

// LiveCIDR is a CIDR provisioned to a pool, with its IPAM state such as
// "provisioned" or "pending-provision".
type LiveCIDR struct {
	CIDR  netip.Prefix `json:"cidr"`
	State string       `json:"state,omitempty"`
	// ID is IPAM's ID of the provisioned CIDR (ipam-pool-cidr-…), when read.
	ID string `json:"id,omitempty"`
	// FailureReason is why a provision or deprovision failed, as IPAM says.
	FailureReason string `json:"failureReason,omitempty"`
}

// LiveAllocation is an allocation from a pool: a child pool's CIDR
// (ResourceType "ipam-pool", ResourceID its pool ID), a VPC's, or a custom
// reservation.
type LiveAllocation struct {
	ID           string       `json:"id,omitempty"`
	CIDR         netip.Prefix `json:"cidr"`
	ResourceType string       `json:"resourceType,omitempty"`
	ResourceID   string       `json:"resourceId,omitempty"`
}

// ResourceTypePool is the allocation resource type of a child pool.
const ResourceTypePool = "ipam-pool"

// Gone reports whether the pool is being deleted, is deleted, or failed to
// be created: states in which it holds no space a plan can use.
func (p LivePool) Gone() bool {
	switch p.State {
	case "delete-in-progress", "delete-complete", "create-failed":
		return true
	}
	return false
}

// Provisioned returns the CIDRs that hold space: provisioned, being
// provisioned, or of unknown state; not failed, deprovisioned or being
// deprovisioned.
func (p LivePool) Provisioned() []netip.Prefix {
	var out []netip.Prefix
	for _, c := range p.CIDRs {
		switch c.State {
		case "", "provisioned", "pending-provision", "pending-import":
			out = append(out, c.CIDR)
		}
	}
	return out
}

// Path returns the value of the path tag key, and whether the pool has it.
func (p LivePool) Path(tagKey string) (string, bool) {
	v, ok := p.Tags[tagKey]
	return v, ok
}
