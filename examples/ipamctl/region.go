package main

import (
	"errors"
	"fmt"
	"net"

	"github.com/ipamkit/ipamkit/usage"
)

// regionError is a target that failed because of its region, with what
// that means and what to do; it unwraps to the target's error.
type regionError struct {
	te   *usage.TargetError
	what string // "unknown" or "unknown or not enabled for the account"
}

func (e regionError) Error() string {
	return fmt.Sprintf("account %s region %s: the region is %s: enable it in the account's settings (AWS Regions) or leave it out of --regions: %v",
		e.te.Target.AccountID, e.te.Target.Region, e.what, e.te.Err)
}

func (e regionError) Unwrap() error { return e.te }

// explainRegion returns te as a regionError when its error says that the
// target's region is not there for the account, and te otherwise:
//
//   - EC2's AuthFailure: the region is not enabled (an opt-in region), or
//     is not a region at all where an endpoint answers for every name. The
//     credentials themselves work, or the scan would not have started (it
//     identifies the caller with them first).
//   - STS's RegionDisabledException, assuming a role there.
//   - No such host for the region's endpoint: no such region.
func explainRegion(te *usage.TargetError) error {
	var dns *net.DNSError
	switch {
	case te.Code() == "AuthFailure", te.Code() == "RegionDisabledException":
		return regionError{te: te, what: "unknown or not enabled for the account"}
	case errors.As(te.Err, &dns) && dns.IsNotFound:
		return regionError{te: te, what: "unknown (its endpoint " + dns.Name + " does not exist)"}
	}
	return te
}
