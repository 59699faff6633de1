package awsfake

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// parseCIDR parses a CIDR that must have no host bits set.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, badRequest("InvalidParameterValue", "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, badRequest("InvalidParameterValue", "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block (did you mean %s?).", s, p.Masked())
	}
	return p, nil
}

// size returns the number of addresses of an IPv4 prefix, or 0 for IPv6.
func size4(p netip.Prefix) uint64 {
	if !p.Addr().Is4() {
		return 0
	}
	return 1 << (32 - p.Bits())
}

// addVPC adds an available VPC and returns its ID.
func (st *state) addVPC(accountID, region string, cidrs []string) (string, error) {
	if st.accounts[accountID] == nil {
		return "", fmt.Errorf("no account %q", accountID)
	}
	if !st.regionEnabled(region) {
		return "", fmt.Errorf("region %q is not enabled", region)
	}
	v := &vpc{account: accountID, region: region, state: "available"}
	for _, s := range cidrs {
		p, err := parseCIDR(s)
		if err != nil {
			return "", err
		}
		if p.Addr().Is4() {
			if p.Bits() < 16 || p.Bits() > 28 {
				return "", badRequest("InvalidVpc.Range", "The CIDR '%s' is invalid.", s)
			}
			v.ipv4 = append(v.ipv4, cidrBlock{assocID: st.newID("vpc-cidr-assoc"), prefix: p})
		} else {
			if p.Bits() < 44 || p.Bits() > 64 {
				return "", badRequest("InvalidVpc.Range", "The CIDR '%s' is invalid.", s)
			}
			v.ipv6 = append(v.ipv6, cidrBlock{assocID: st.newID("vpc-cidr-assoc"), prefix: p})
		}
	}
	if len(v.ipv4) == 0 {
		return "", fmt.Errorf("a VPC needs an IPv4 CIDR, got %v", cidrs)
	}
	v.id = st.newID("vpc")
	st.vpcs[v.id] = v
	st.vpcsByOwner.add(ownerKey(accountID, region), v.id)
	return v.id, nil
}

// addSubnet adds an available subnet to a VPC and returns its ID.
func (st *state) addSubnet(vpcID, cidr string, used int) (string, error) {
	return st.addSubnetInZone(vpcID, cidr, used, "")
}

// addSubnetInZone adds an available subnet in an availability zone of the
// VPC's region ("" for the first) and returns its ID.
func (st *state) addSubnetInZone(vpcID, cidr string, used int, az string) (string, error) {
	v := st.vpcs[vpcID]
	if v == nil {
		return "", badRequest("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", vpcID)
	}
	p, err := parseCIDR(cidr)
	if err != nil {
		return "", err
	}
	if az == "" {
		az = v.region + "a"
	}
	if len(az) != len(v.region)+1 || !strings.HasPrefix(az, v.region) || az[len(az)-1] < 'a' || az[len(az)-1] > 'f' {
		return "", badRequest("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %sa, %sb, %sc.", az, v.region, v.region, v.region)
	}
	s := &subnet{vpc: vpcID, account: v.account, region: v.region, az: az, state: "available"}
	if p.Addr().Is4() {
		if err := st.checkSubnetCIDR(v, p, v.ipv4); err != nil {
			return "", err
		}
		if used < 0 || uint64(used) > size4(p)-5 {
			return "", fmt.Errorf("subnet %s has %d usable addresses, not %d", p, size4(p)-5, used)
		}
		s.ipv4, s.used = p, uint64(used)
	} else {
		if err := st.checkSubnetCIDR(v, p, v.ipv6); err != nil {
			return "", err
		}
		s.ipv6 = []cidrBlock{{assocID: st.newID("subnet-cidr-assoc"), prefix: p}}
	}
	s.id = st.newID("subnet")
	st.subnets[s.id] = s
	st.subnetsByOwner.add(ownerKey(s.account, s.region), s.id)
	v.subnets = append(v.subnets, s.id)
	return s.id, nil
}

// addSubnetIPv6 associates an IPv6 CIDR with a subnet.
func (st *state) addSubnetIPv6(subnetID, cidr string) error {
	s := st.subnets[subnetID]
	if s == nil {
		return badRequest("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", subnetID)
	}
	p, err := parseCIDR(cidr)
	if err != nil {
		return err
	}
	if !p.Addr().Is6() {
		return fmt.Errorf("%s is not an IPv6 CIDR", p)
	}
	if err := st.checkSubnetCIDR(st.vpcs[s.vpc], p, st.vpcs[s.vpc].ipv6); err != nil {
		return err
	}
	s.ipv6 = append(s.ipv6, cidrBlock{assocID: st.newID("subnet-cidr-assoc"), prefix: p})
	st.changed(s.id)
	return nil
}

// checkSubnetCIDR checks that p lies in one of the VPC's blocks and overlaps
// no other subnet of the VPC.
func (st *state) checkSubnetCIDR(v *vpc, p netip.Prefix, blocks []cidrBlock) error {
	inside := false
	for _, b := range blocks {
		if b.prefix.Bits() <= p.Bits() && b.prefix.Contains(p.Addr()) {
			inside = true
		}
	}
	if !inside || (p.Addr().Is4() && (p.Bits() < 16 || p.Bits() > 28)) {
		return badRequest("InvalidSubnet.Range", "The CIDR '%s' is invalid.", p)
	}
	for _, id := range v.subnets {
		s := st.subnets[id]
		if s.ipv4.IsValid() && s.ipv4.Overlaps(p) {
			return badRequest("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", p)
		}
		for _, b := range s.ipv6 {
			if b.prefix.Overlaps(p) {
				return badRequest("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", p)
			}
		}
	}
	return nil
}

// available returns a subnet's available IPv4 addresses.
func (s *subnet) available() uint64 {
	if !s.ipv4.IsValid() {
		return 0
	}
	return size4(s.ipv4) - 5 - s.used
}

// exists reports whether a resource ID names anything in the state.
func (st *state) exists(id string) bool {
	switch {
	case st.vpcs[id] != nil, st.subnets[id] != nil, st.ipams[id] != nil,
		st.scopes[id] != nil, st.pools[id] != nil, st.allocs[id] != nil:
		return true
	}
	return false
}

// validTag checks a tag as EC2 does.
func validTag(t tag) error {
	switch {
	case t.key == "" || utf8.RuneCountInString(t.key) > 127:
		return badRequest("InvalidParameterValue", "Tag key %q must be 1 to 127 characters", t.key)
	case strings.HasPrefix(strings.ToLower(t.key), "aws:"):
		return badRequest("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
	case utf8.RuneCountInString(t.value) > 256:
		return badRequest("InvalidParameterValue", "Tag value for key %q must be at most 256 characters", t.key)
	}
	return nil
}
