package ipam

import "net/netip"

// Free returns pools minus used as the minimal list of CIDRs in ascending
// address order, with the rules of [NewSpace]: used prefixes are clipped to
// the pools, duplicates and nested entries are tolerated, and all prefixes
// must be of one family. It runs in O(n log n) for n prefixes, whatever the
// size of the free space.
func Free(pools, used []netip.Prefix) ([]netip.Prefix, error) {
	s, err := NewSpace(pools, used)
	if err != nil {
		return nil, err
	}
	return s.Free(), nil
}
