package awsfake

import (
	"cmp"
	"errors"
	"net/http"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 IPAM write operations (ec2query). New pools and CIDRs start in a
// transitional state that settles by reads or with time (async.go).

// netmask reads a netmask length member into dst: 0 to 128, or -1 when absent.
func netmask(name string, n *int32, dst *int) error {
	*dst = -1
	if n == nil {
		return nil
	}
	if *n < 0 || *n > 128 {
		return badRequest("InvalidParameterValue", "Value (%d) for parameter %s is invalid. Expected a value between 0 and 128.", *n, name)
	}
	*dst = int(*n)
	return nil
}

// specifiedTags returns the tags of TagSpecifications for a resource type.
func specifiedTags(specs []types.TagSpecification, resourceType string) ([]tag, error) {
	var tags []tag
	for _, sp := range specs {
		if string(sp.ResourceType) != resourceType {
			return nil, badRequest("InvalidParameterValue", "'%s' is not a valid taggable resource type for this operation.", sp.ResourceType)
		}
		for _, t := range sp.Tags {
			t := tag{aws.ToString(t.Key), aws.ToString(t.Value)}
			if err := validTag(t); err != nil {
				return nil, err
			}
			tags = append(tags, t)
		}
	}
	return tags, nil
}

// requestTags returns the tags of an IPAM request.
func requestTags(ts []types.RequestIpamResourceTag) []tag {
	var out []tag
	for _, t := range ts {
		out = append(out, tag{aws.ToString(t.Key), aws.ToString(t.Value)})
	}
	return out
}

var ec2CreateIpamPool = model("ec2", "CreateIpamPool", func(st *state, c *call, in *ec2.CreateIpamPoolInput) (*ec2.CreateIpamPoolOutput, error) {
	if err := errors.Join(required(c, "IpamScopeId", in.IpamScopeId != nil), required(c, "AddressFamily", in.AddressFamily != "")); err != nil {
		return nil, err
	}
	id, err := st.replay(c, in.ClientToken, in)
	if err != nil {
		return nil, err
	}
	p := st.poolEver(id)
	if p == nil {
		pi := poolInput{scope: aws.ToString(in.IpamScopeId), family: string(in.AddressFamily), parent: aws.ToString(in.SourceIpamPoolId),
			locale: aws.ToString(in.Locale), description: aws.ToString(in.Description),
			autoImport: aws.ToBool(in.AutoImport), allocTags: requestTags(in.AllocationResourceTags),
			publicSource: string(in.PublicIpSource), awsService: string(in.AwsService), advertisable: aws.ToBool(in.PubliclyAdvertisable)}
		if err := errors.Join(enumValue("PublicIpSource", pi.publicSource, types.IpamPoolPublicIpSource("").Values()),
			enumValue("AwsService", pi.awsService, types.IpamPoolAwsService("").Values())); err != nil {
			return nil, err
		}
		if err := errors.Join(netmask("AllocationMinNetmaskLength", in.AllocationMinNetmaskLength, &pi.minLen),
			netmask("AllocationMaxNetmaskLength", in.AllocationMaxNetmaskLength, &pi.maxLen),
			netmask("AllocationDefaultNetmaskLength", in.AllocationDefaultNetmaskLength, &pi.defLen)); err != nil {
			return nil, err
		}
		if pi.locale == "None" {
			pi.locale = ""
		}
		if pi.tags, err = specifiedTags(in.TagSpecifications, "ipam-pool"); err != nil {
			return nil, err
		}
		if !ipamScopeIDPattern.MatchString(pi.scope) {
			return nil, malformed("InvalidIpamScopeId")(pi.scope)
		}
		if sc := st.scopes[pi.scope]; sc == nil || !c.visibleIPAM(st.ipams[sc.ipam]) {
			return nil, notFoundScope(pi.scope)
		}
		if pi.parent != "" {
			parent, err := c.visiblePool(st, pi.parent)
			if err != nil {
				return nil, err
			}
			if err := st.checkMutations(parent); err != nil {
				return nil, err
			}
		}
		if p, err = st.addPool(pi, true); err != nil {
			return nil, err
		}
		st.remember(c, aws.ToString(in.ClientToken), in, p.id)
	}
	return &ec2.CreateIpamPoolOutput{IpamPool: st.sdkPool(p, p.status.state)}, nil
})

var ec2ModifyIpamPool = model("ec2", "ModifyIpamPool", func(st *state, c *call, in *ec2.ModifyIpamPoolInput) (*ec2.ModifyIpamPoolOutput, error) {
	if err := required(c, "IpamPoolId", in.IpamPoolId != nil); err != nil {
		return nil, err
	}
	var minLen, maxLen, defLen int
	if err := errors.Join(netmask("AllocationMinNetmaskLength", in.AllocationMinNetmaskLength, &minLen),
		netmask("AllocationMaxNetmaskLength", in.AllocationMaxNetmaskLength, &maxLen),
		netmask("AllocationDefaultNetmaskLength", in.AllocationDefaultNetmaskLength, &defLen)); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	clearDefault := aws.ToBool(in.ClearAllocationDefaultNetmaskLength)
	addTags, removeTags := requestTags(in.AddAllocationResourceTags), requestTags(in.RemoveAllocationResourceTags)
	if in.Description == nil && in.AutoImport == nil && minLen < 0 && maxLen < 0 && defLen < 0 &&
		!clearDefault && len(addTags) == 0 && len(removeTags) == 0 {
		return nil, badRequest("InvalidParameterCombination", "The request must contain a modification to the ipam pool")
	}
	if clearDefault && defLen >= 0 {
		return nil, badRequest("InvalidParameterCombination", "AllocationDefaultNetmaskLength cannot be used with ClearAllocationDefaultNetmaskLength")
	}
	if err := writable(p, false); err != nil {
		return nil, err
	}
	next := *p
	next.description = aws.ToString(cmp.Or(in.Description, &p.description))
	next.autoImport = aws.ToBool(cmp.Or(in.AutoImport, &p.autoImport))
	for _, set := range []struct{ from, to *int }{{&minLen, &next.minLen}, {&maxLen, &next.maxLen}, {&defLen, &next.defLen}} {
		if *set.from >= 0 {
			*set.to = *set.from
		}
	}
	if clearDefault {
		next.defLen = -1
	}
	for _, t := range addTags {
		if err := validTag(t); err != nil {
			return nil, err
		}
		if !slices.Contains(next.allocTags, t) {
			next.allocTags = append(slices.Clone(next.allocTags), t)
		}
	}
	next.allocTags = slices.DeleteFunc(slices.Clone(next.allocTags), func(t tag) bool { return slices.Contains(removeTags, t) })
	if err := checkPoolRules(&next); err != nil {
		return nil, err
	}
	if next.autoImport && next.locale == "" {
		return nil, badRequest("InvalidParameterValue", "A locale must be set on the pool to enable auto import")
	}
	*p = next
	st.begin(&p.status, st.delays.PoolModify, "modify-in-progress", "modify-complete", nil)
	return &ec2.ModifyIpamPoolOutput{IpamPool: st.sdkPool(p, p.status.state)}, nil
})

var ec2DeleteIpamPool = model("ec2", "DeleteIpamPool", func(st *state, c *call, in *ec2.DeleteIpamPoolInput) (*ec2.DeleteIpamPoolOutput, error) {
	if err := required(c, "IpamPoolId", in.IpamPoolId != nil); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	if err := writable(p, true); err != nil {
		return nil, err
	}
	live := slices.ContainsFunc(p.cidrs, (*poolCIDR).holdsSpace)
	switch cascade := aws.ToBool(in.Cascade); {
	case live && !cascade:
		return nil, badRequest("DependencyViolation", "The specified action is not valid for %s. There are one or more pool cidrs provisioned in the pool.", p.id)
	case cascade && st.scopes[p.scope].scopeType != "private":
		return nil, badRequest("InvalidParameterCombination", "Cascade can only be used to delete pools in a private scope")
	}
	st.deletePool(p)
	return &ec2.DeleteIpamPoolOutput{IpamPool: st.sdkPool(p, p.status.state)}, nil
})

// writable refuses a change to a pool while a change of its own is in
// flight, or when it is not complete (a create-failed pool may still be
// deleted): IncorrectState, which clears as the change settles.
func writable(p *ipamPool, deleting bool) error {
	switch st := p.status.state; {
	case p.status.busy(), !p.usable() && !(deleting && st == "create-failed"):
		return badRequest("IncorrectState", "The pool %s is in state %s", p.id, st)
	}
	return nil
}

// deletePool starts deleting a pool and its child pools. Their
// allocations, in them and in their source pools, are released as the
// deletion settles.
func (st *state) deletePool(p *ipamPool) {
	for _, child := range st.pools {
		if child.parent == p.id && child.status.state != "delete-in-progress" && child.status.state != "delete-complete" {
			st.deletePool(child)
		}
	}
	st.begin(&p.status, st.delays.PoolDelete, "delete-in-progress", "delete-complete", func() {
		for id, a := range st.allocs {
			if a.pool == p.id || (a.resourceType == "ipam-pool" && a.resourceID == p.id) {
				delete(st.allocs, id)
			}
		}
		p.cidrs = nil
	})
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

// sdkPoolCIDR is a pool CIDR as EC2 answers it, in the given state: with
// no CIDR when a netmask request found none, and with its FailureReason
// as soon as it is known to fail, as AWS shows it even while
// pending-provision.
func sdkPoolCIDR(pc *poolCIDR, state string) *types.IpamPoolCidr {
	out := &types.IpamPoolCidr{IpamPoolCidrId: aws.String(pc.id), State: types.IpamPoolCidrState(state), NetmaskLength: aws.Int32(int32(pc.bits))}
	if pc.prefix.IsValid() {
		out.Cidr = aws.String(pc.prefix.String())
	}
	if pc.failure != "" && state != "pending-deprovision" {
		out.FailureReason = &types.IpamPoolCidrFailureReason{Code: types.IpamPoolCidrFailureCode(pc.failureCode), Message: aws.String(pc.failure)}
	}
	return out
}

var ec2ProvisionIpamPoolCidr = model("ec2", "ProvisionIpamPoolCidr", func(st *state, c *call, in *ec2.ProvisionIpamPoolCidrInput) (*ec2.ProvisionIpamPoolCidrOutput, error) {
	var mask int
	if err := errors.Join(required(c, "IpamPoolId", in.IpamPoolId != nil), netmask("NetmaskLength", in.NetmaskLength, &mask)); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	cidr := aws.ToString(in.Cidr)
	switch {
	case cidr == "" && mask < 0:
		return nil, badRequest("MissingParameter", "Either NetmaskLength or Cidr is required")
	case cidr != "" && mask >= 0:
		return nil, badRequest("InvalidParameterCombination", "Cidr cannot be used with NetmaskLength")
	}
	id, err := st.replay(c, in.ClientToken, in)
	if err != nil {
		return nil, err
	}
	if pc := st.cidrEver(p, id); pc != nil {
		return &ec2.ProvisionIpamPoolCidrOutput{IpamPoolCidr: sdkPoolCIDR(pc, pc.status.state)}, nil
	}
	pc, err := st.provisionCIDR(p.id, cidr, mask, true)
	if err != nil {
		return nil, err
	}
	st.remember(c, aws.ToString(in.ClientToken), in, pc.id)
	return &ec2.ProvisionIpamPoolCidrOutput{IpamPoolCidr: sdkPoolCIDR(pc, pc.status.state)}, nil
})

var ec2DeprovisionIpamPoolCidr = model("ec2", "DeprovisionIpamPoolCidr", func(st *state, c *call, in *ec2.DeprovisionIpamPoolCidrInput) (*ec2.DeprovisionIpamPoolCidrOutput, error) {
	if err := required(c, "IpamPoolId", in.IpamPoolId != nil); err != nil {
		return nil, err
	}
	p, err := c.visiblePool(st, aws.ToString(in.IpamPoolId))
	if err != nil {
		return nil, err
	}
	prefix, err := parseCIDR(aws.ToString(in.Cidr))
	if err != nil {
		return nil, err
	}
	if !p.usable() {
		return nil, badRequest("IncorrectState", "The pool %s is in state %s", p.id, p.status.state)
	}
	if err := st.checkMutations(p); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(p.cidrs, func(pc *poolCIDR) bool { return pc.prefix == prefix && pc.status.state == "provisioned" })
	if i < 0 {
		return nil, newError(http.StatusBadRequest, "InvalidParameterValue", "The CIDR %s is not provisioned in pool %s", prefix, p.id)
	}
	pc := p.cidrs[i]
	if slices.ContainsFunc(st.allocationsOf(p.id), func(a *allocation) bool { return prefix.Overlaps(a.prefix) }) {
		st.begin(&pc.status, st.delays.Deprovision, "pending-deprovision", "failed-deprovision", nil)
		pc.failure = "The CIDR has one or more allocations."
	} else {
		st.begin(&pc.status, st.delays.Deprovision, "pending-deprovision", "deprovisioned", func() {
			for id, a := range st.allocs {
				if a.resourceType == "ipam-pool" && a.resourceID == p.id && a.prefix == prefix {
					delete(st.allocs, id)
				}
			}
		})
	}
	return &ec2.DeprovisionIpamPoolCidrOutput{IpamPoolCidr: sdkPoolCIDR(pc, pc.status.state)}, nil
})

// enumValue refuses a value outside an SDK enum's values; empty is absent.
func enumValue[E ~string](name, v string, values []E) error {
	if v == "" || slices.Contains(values, E(v)) {
		return nil
	}
	return badRequest("InvalidParameterValue", "Value (%s) for parameter %s is invalid.", v, name)
}
