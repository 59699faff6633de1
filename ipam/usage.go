package ipam

import (
	"encoding/json"
	"net/netip"
)

// Usage is how full a set of pools is. Counts are exact; Total is Used plus
// Free. The zero value is an empty pool set (0 of 0, 0%).
type Usage struct {
	Total Count // addresses in the pools
	Used  Count // addresses in the pools covered by used prefixes
	Free  Count // Total minus Used
}

// Percent returns Used as a percentage of Total, from 0 to 100; 0 when Total
// is 0. It is the one place where a float appears, for display and
// thresholds.
func (u Usage) Percent() float64 { return u.Used.Percent(u.Total) }

type usageJSON struct {
	Total   Count   `json:"total"`
	Used    Count   `json:"used"`
	Free    Count   `json:"free"`
	Percent float64 `json:"percent"`
}

// MarshalJSON encodes u as {"total":"N","used":"N","free":"N","percent":P}:
// counts as decimal strings (an IPv6 count overflows a JSON number) and the
// percentage as a number.
func (u Usage) MarshalJSON() ([]byte, error) {
	return json.Marshal(usageJSON{u.Total, u.Used, u.Free, u.Percent()})
}

// UnmarshalJSON decodes the form [Usage.MarshalJSON] writes. The percentage
// is derived, so it is ignored.
func (u *Usage) UnmarshalJSON(b []byte) error {
	var v usageJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*u = Usage{Total: v.Total, Used: v.Used, Free: v.Free}
	return nil
}

// Utilization returns the usage of pools given the used prefixes, with the
// rules of [NewSpace]: overlaps and duplicates are counted once and used
// space outside the pools is ignored.
func Utilization(pools, used []netip.Prefix) (Usage, error) {
	s, err := NewSpace(pools, used)
	if err != nil {
		return Usage{}, err
	}
	return s.Usage(), nil
}

// AWSReservedPerSubnet is the number of addresses AWS reserves in every
// subnet CIDR: the network address, the next three (VPC router, DNS, future
// use) and the last one.
const AWSReservedPerSubnet = 5

// AWSUsable returns the number of addresses that instances can use in a
// subnet CIDR: its size minus the [AWSReservedPerSubnet] addresses AWS keeps,
// or 0 for a CIDR too small to be a subnet. AWS reserves the same five
// addresses in IPv4 and IPv6 subnet CIDRs.
func AWSUsable(subnet netip.Prefix) Count {
	return Size(subnet).Sub(NewCount(AWSReservedPerSubnet))
}
