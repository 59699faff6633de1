package awsfake

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/aws/smithy-go/encoding/xml"
)

// EC2 IPAM write operations (ec2query). New pools and CIDRs start in a
// transitional state that settles after Options.StateReads reads.

// optNetmask reads an optional netmask length, 0 to 128; -1 when absent.
func (c *call) optNetmask(name string) (int, error) {
	n, err := c.optInt(name)
	if err != nil || n == nil {
		return -1, err
	}
	if *n < 0 || *n > 128 {
		return -1, badRequest("InvalidParameterValue", "Value (%d) for parameter %s is invalid. Expected a value between 0 and 128.", *n, name)
	}
	return *n, nil
}

// tagSpecifications reads TagSpecification.N for a resource type.
func (c *call) tagSpecifications(resourceType string) ([]tag, error) {
	var tags []tag
	for _, i := range c.indices("TagSpecification") {
		p := "TagSpecification." + strconv.Itoa(i)
		if rt := c.str(p + ".ResourceType"); rt != resourceType {
			return nil, badRequest("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", rt)
		}
		for _, t := range c.tagList(p + ".Tag") {
			if err := validTag(t); err != nil {
				return nil, err
			}
			tags = append(tags, t)
		}
	}
	return tags, nil
}

var ec2CreateIpamPool = op("ec2", "CreateIpamPool",
	func(c *call) (poolInput, error) {
		var in poolInput
		if err := dryRun(c); err != nil {
			return in, err
		}
		var err error
		if in.scope, err = c.required("IpamScopeId"); err != nil {
			return in, err
		}
		if in.family, err = c.required("AddressFamily"); err != nil {
			return in, err
		}
		in.locale, in.parent, in.description = c.str("Locale"), c.str("SourceIpamPoolId"), c.str("Description")
		if in.locale == "None" {
			in.locale = ""
		}
		auto, err := c.optBool("AutoImport")
		if err != nil {
			return in, err
		}
		in.autoImport = auto != nil && *auto
		if in.minLen, err = c.optNetmask("AllocationMinNetmaskLength"); err != nil {
			return in, err
		}
		if in.maxLen, err = c.optNetmask("AllocationMaxNetmaskLength"); err != nil {
			return in, err
		}
		if in.defLen, err = c.optNetmask("AllocationDefaultNetmaskLength"); err != nil {
			return in, err
		}
		in.allocTags = c.tagList("AllocationResourceTag")
		in.tags, err = c.tagSpecifications("ipam-pool")
		return in, err
	},
	func(s *Server, c *call, in poolInput) (any, error) {
		st := s.st
		id, err := st.replay(c)
		if err != nil {
			return nil, err
		}
		p := st.pools[id]
		if p == nil {
			sc := st.scopes[in.scope]
			if !ipamScopeIDPattern.MatchString(in.scope) {
				return nil, malformed("InvalidIpamScopeId")(in.scope)
			}
			if sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
				return nil, notFoundScope(in.scope)
			}
			if in.parent != "" {
				if _, err := c.visiblePool(st, in.parent); err != nil {
					return nil, err
				}
			}
			if p, err = st.addPool(in, true); err != nil {
				return nil, err
			}
			st.remember(c, p.id)
		}
		return xmlMembers(func(v xml.Value) {
			xstruct(v, "ipamPool", func(m xml.Value) { st.writePool(m, p, p.status.state) })
		}), nil
	})

// modifyPoolInput is the input of ModifyIpamPool.
type modifyPoolInput struct {
	poolID                 string
	description            *string
	autoImport             *bool
	minLen, maxLen, defLen int // -1 when unchanged
	clearDefault           bool
	addTags, removeTags    []tag
}

var ec2ModifyIpamPool = op("ec2", "ModifyIpamPool",
	func(c *call) (modifyPoolInput, error) {
		var in modifyPoolInput
		if err := dryRun(c); err != nil {
			return in, err
		}
		var err error
		if in.poolID, err = c.required("IpamPoolId"); err != nil {
			return in, err
		}
		if c.has("Description") {
			d := c.str("Description")
			in.description = &d
		}
		if in.autoImport, err = c.optBool("AutoImport"); err != nil {
			return in, err
		}
		if in.minLen, err = c.optNetmask("AllocationMinNetmaskLength"); err != nil {
			return in, err
		}
		if in.maxLen, err = c.optNetmask("AllocationMaxNetmaskLength"); err != nil {
			return in, err
		}
		if in.defLen, err = c.optNetmask("AllocationDefaultNetmaskLength"); err != nil {
			return in, err
		}
		clear, err := c.optBool("ClearAllocationDefaultNetmaskLength")
		if err != nil {
			return in, err
		}
		in.clearDefault = clear != nil && *clear
		in.addTags, in.removeTags = c.tagList("AddAllocationResourceTag"), c.tagList("RemoveAllocationResourceTag")
		return in, nil
	},
	func(s *Server, c *call, in modifyPoolInput) (any, error) {
		st := s.st
		p, err := c.visiblePool(st, in.poolID)
		if err != nil {
			return nil, err
		}
		if in.description == nil && in.autoImport == nil && in.minLen < 0 && in.maxLen < 0 && in.defLen < 0 &&
			!in.clearDefault && len(in.addTags) == 0 && len(in.removeTags) == 0 {
			return nil, badRequest("InvalidParameterCombination", "The request must contain a modification to the ipam pool")
		}
		if in.clearDefault && in.defLen >= 0 {
			return nil, badRequest("InvalidParameterCombination", "AllocationDefaultNetmaskLength cannot be used with ClearAllocationDefaultNetmaskLength")
		}
		if !p.usable() {
			return nil, badRequest("IncorrectState", "The pool %s is in state %s", p.id, p.status.state)
		}
		next := *p
		if in.description != nil {
			next.description = *in.description
		}
		if in.autoImport != nil {
			next.autoImport = *in.autoImport
		}
		for _, set := range []struct{ from, to *int }{{&in.minLen, &next.minLen}, {&in.maxLen, &next.maxLen}, {&in.defLen, &next.defLen}} {
			if *set.from >= 0 {
				*set.to = *set.from
			}
		}
		if in.clearDefault {
			next.defLen = -1
		}
		for _, t := range in.addTags {
			if err := validTag(t); err != nil {
				return nil, err
			}
			if !slices.Contains(next.allocTags, t) {
				next.allocTags = append(slices.Clone(next.allocTags), t)
			}
		}
		next.allocTags = slices.DeleteFunc(slices.Clone(next.allocTags), func(t tag) bool { return slices.Contains(in.removeTags, t) })
		if err := checkPoolRules(&next); err != nil {
			return nil, err
		}
		if next.autoImport && next.locale == "" {
			return nil, badRequest("InvalidParameterValue", "A locale must be set on the pool to enable auto import")
		}
		next.status = st.transition("modify-in-progress", "modify-complete", true)
		*p = next
		return xmlMembers(func(v xml.Value) {
			xstruct(v, "ipamPool", func(m xml.Value) { st.writePool(m, p, p.status.state) })
		}), nil
	})

// deletePoolInput is the input of DeleteIpamPool.
type deletePoolInput struct {
	poolID  string
	cascade bool
}

var ec2DeleteIpamPool = op("ec2", "DeleteIpamPool",
	func(c *call) (deletePoolInput, error) {
		var in deletePoolInput
		if err := dryRun(c); err != nil {
			return in, err
		}
		var err error
		if in.poolID, err = c.required("IpamPoolId"); err != nil {
			return in, err
		}
		cascade, err := c.optBool("Cascade")
		in.cascade = cascade != nil && *cascade
		return in, err
	},
	func(s *Server, c *call, in deletePoolInput) (any, error) {
		st := s.st
		p, err := c.visiblePool(st, in.poolID)
		if err != nil {
			return nil, err
		}
		if !p.usable() {
			return nil, badRequest("IncorrectState", "The pool %s is in state %s", p.id, p.status.state)
		}
		live := slices.ContainsFunc(p.cidrs, func(pc *poolCIDR) bool { return pc.status.state != "deprovisioned" })
		switch {
		case live && !in.cascade:
			return nil, badRequest("DependencyViolation", "The specified action is not valid for %s. There are one or more pool cidrs provisioned in the pool.", p.id)
		case in.cascade && st.scopes[p.scope].scopeType != "private":
			return nil, badRequest("InvalidParameterCombination", "Cascade can only be used to delete pools in a private scope")
		}
		st.deletePool(p)
		return xmlMembers(func(v xml.Value) {
			xstruct(v, "ipamPool", func(m xml.Value) { st.writePool(m, p, p.status.state) })
		}), nil
	})

// deletePool starts deleting a pool, its child pools, allocations and CIDRs,
// and returns its CIDRs to its source pool.
func (st *state) deletePool(p *ipamPool) {
	for _, child := range st.pools {
		if child.parent == p.id && child.status.state != "delete-in-progress" && child.status.state != "delete-complete" {
			st.deletePool(child)
		}
	}
	for id, a := range st.allocs {
		if a.pool == p.id || (a.resourceType == "ipam-pool" && a.resourceID == p.id) {
			delete(st.allocs, id)
		}
	}
	p.cidrs = nil
	p.status = st.transition("delete-in-progress", "delete-complete", true)
}

// checkPoolRules checks a pool's allocation netmask rules.
func checkPoolRules(p *ipamPool) error {
	maxBits := familyBits(p.family)
	for _, n := range []int{p.minLen, p.maxLen, p.defLen} {
		if n > maxBits {
			return badRequest("InvalidParameterValue", "The allocation netmask length %d is not valid for address family %s (0 to %d)", n, p.family, maxBits)
		}
	}
	if p.minLen >= 0 && p.maxLen >= 0 && p.minLen > p.maxLen {
		return badRequest("InvalidParameterValue", "The allocation maximum netmask length %d must be greater than the minimum %d", p.maxLen, p.minLen)
	}
	if p.defLen >= 0 && ((p.minLen >= 0 && p.defLen < p.minLen) || (p.maxLen >= 0 && p.defLen > p.maxLen)) {
		return badRequest("InvalidParameterValue", "The allocation default netmask length %d must be between the minimum and maximum", p.defLen)
	}
	return nil
}

// poolCIDRInput is the input of ProvisionIpamPoolCidr and DeprovisionIpamPoolCidr.
type poolCIDRInput struct {
	poolID, cidr string
	netmask      int // -1 when absent
}

func decodePoolCIDR(c *call) (poolCIDRInput, error) {
	var in poolCIDRInput
	if err := dryRun(c); err != nil {
		return in, err
	}
	var err error
	if in.poolID, err = c.required("IpamPoolId"); err != nil {
		return in, err
	}
	in.cidr = c.str("Cidr")
	in.netmask, err = c.optNetmask("NetmaskLength")
	return in, err
}

func writePoolCIDR(v xml.Value, pc *poolCIDR) {
	xstruct(v, "ipamPoolCidr", func(m xml.Value) {
		xstr(m, "ipamPoolCidrId", pc.id)
		xstr(m, "cidr", pc.prefix.String())
		xstr(m, "state", pc.status.state)
		xint(m, "netmaskLength", int64(pc.prefix.Bits()))
	})
}

var ec2ProvisionIpamPoolCidr = op("ec2", "ProvisionIpamPoolCidr", decodePoolCIDR, func(s *Server, c *call, in poolCIDRInput) (any, error) {
	st := s.st
	p, err := c.visiblePool(st, in.poolID)
	if err != nil {
		return nil, err
	}
	switch {
	case in.cidr == "" && in.netmask < 0:
		return nil, badRequest("MissingParameter", "Either NetmaskLength or Cidr is required")
	case in.cidr != "" && in.netmask >= 0:
		return nil, badRequest("InvalidParameterCombination", "Cidr cannot be used with NetmaskLength")
	}
	id, err := st.replay(c)
	if err != nil {
		return nil, err
	}
	var pc *poolCIDR
	for _, known := range p.cidrs {
		if known.id == id {
			pc = known
		}
	}
	if pc == nil {
		if pc, err = st.provisionCIDR(p.id, in.cidr, in.netmask, true); err != nil {
			return nil, err
		}
		st.remember(c, pc.id)
	}
	return xmlMembers(func(v xml.Value) { writePoolCIDR(v, pc) }), nil
})

var ec2DeprovisionIpamPoolCidr = op("ec2", "DeprovisionIpamPoolCidr", decodePoolCIDR, func(s *Server, c *call, in poolCIDRInput) (any, error) {
	st := s.st
	p, err := c.visiblePool(st, in.poolID)
	if err != nil {
		return nil, err
	}
	prefix, err := parseCIDR(in.cidr)
	if err != nil {
		return nil, err
	}
	var pc *poolCIDR
	for _, known := range p.cidrs {
		if known.prefix == prefix && known.status.state == "provisioned" {
			pc = known
		}
	}
	if pc == nil {
		return nil, newError(http.StatusBadRequest, "InvalidParameterValue", "The CIDR %s is not provisioned in pool %s", prefix, p.id)
	}
	inUse := slices.ContainsFunc(st.allocationsOf(p.id), func(a *allocation) bool { return prefix.Overlaps(a.prefix) })
	if inUse {
		pc.status = st.transition("pending-deprovision", "failed-deprovision", true)
		pc.failure = "The CIDR has one or more allocations."
	} else {
		pc.status = st.transition("pending-deprovision", "deprovisioned", true)
		for id, a := range st.allocs {
			if a.resourceType == "ipam-pool" && a.resourceID == p.id && a.prefix == prefix {
				delete(st.allocs, id)
			}
		}
	}
	return xmlMembers(func(v xml.Value) { writePoolCIDR(v, pc) }), nil
})
