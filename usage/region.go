package usage

import (
	"errors"
	"net"
)

// ErrRegionUnavailable is matched (errors.Is) by the error of a target
// whose region is not there for its account: not a region at all, or an
// opt-in region the account has not enabled. The target's error says which,
// and what to do.
var ErrRegionUnavailable = errors.New("region unknown or not enabled")

// regionError is a target's error that its region explains.
type regionError struct {
	what string // "unknown or not enabled for the account", "unknown (its endpoint … does not exist)"
	err  error
}

func (e *regionError) Error() string {
	return "the region is " + e.what + ": enable it in the account's settings (AWS Regions) or leave it out of the regions scanned: " + e.err.Error()
}

// Unwrap returns ErrRegionUnavailable and the error AWS or the network gave,
// so that its code ([TargetError.Code]) is still found.
func (e *regionError) Unwrap() []error { return []error{ErrRegionUnavailable, e.err} }

// explainRegion returns err wrapped in a regionError when it says that the
// target's region is not there for the account, and err otherwise:
//
//   - EC2's AuthFailure: the region is not enabled (an opt-in region), or is
//     not a region at all where an endpoint answers for every name. The
//     credentials themselves work, or the scan would not have started (it
//     identifies the caller with them first).
//   - STS's RegionDisabledException, assuming a role there.
//   - No such host for the region's endpoint: no such region.
func explainRegion(err error) error {
	var coded interface{ ErrorCode() string }
	var dns *net.DNSError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &coded) && (coded.ErrorCode() == "AuthFailure" || coded.ErrorCode() == "RegionDisabledException"):
		return &regionError{what: "unknown or not enabled for the account", err: err}
	case errors.As(err, &dns) && dns.IsNotFound:
		return &regionError{what: "unknown (its endpoint " + dns.Name + " does not exist)", err: err}
	}
	return err
}
