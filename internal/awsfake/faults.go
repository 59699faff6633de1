package awsfake

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"
)

// FaultKind is the kind of failure a [Fault] injects.
type FaultKind int

const (
	// FaultThrottle answers the service's throttling error: EC2
	// RequestLimitExceeded (503), STS and SNS Throttling (400), Organizations
	// TooManyRequestsException (400), RAM ThrottlingException (429), Lambda
	// TooManyRequestsException (429), others ThrottlingException (400).
	FaultThrottle FaultKind = iota + 1
	// FaultAccessDenied answers the service's authorization error: EC2
	// UnauthorizedOperation (403), STS AccessDenied (403), the JSON services
	// AccessDeniedException.
	FaultAccessDenied
	// FaultInternalError answers a 500: EC2 InternalError, Organizations
	// ServiceException, others InternalFailure.
	FaultInternalError
	// FaultUnavailable answers a 503: EC2 Unavailable, others ServiceUnavailable.
	FaultUnavailable
	// FaultLatency delays the answer by Fault.Latency, then serves the call.
	// The server waits without holding its lock, and stops waiting when the
	// client gives up.
	FaultLatency
	// FaultRegionDisabled answers as a region the account has not enabled:
	// EC2 AuthFailure (401), STS RegionDisabledException (403), others
	// UnrecognizedClientException.
	FaultRegionDisabled
)

// Fault is a rule that makes matching calls fail instead of being served.
// Empty fields match anything. The zero Fault with a Kind fails every call.
type Fault struct {
	Service   string // SigV4 signing name: "ec2", "sts", "organizations", …
	Operation string // such as "DescribeSubnets"
	Account   string // the calling account
	Region    string // the region of the request's credential scope
	Principal string // a prefix of the caller's ARN, such as "arn:aws:sts::333333333333:assumed-role/OrganizationAccountAccessRole/"
	Kind      FaultKind
	Latency   time.Duration // for FaultLatency

	// Count is how many matching calls fail; zero means every one.
	Count int
	// Probability, when above zero, fails a matching call with this chance
	// (0 to 1), drawn from a random source seeded with Seed, so a run is
	// repeatable. Calls spared by chance do not use up Count.
	Probability float64
	Seed        uint64
}

// faultRule is an injected fault and what is left of it.
type faultRule struct {
	Fault
	left int // calls left to fail; -1 for unlimited
	rnd  *rand.Rand
}

// InjectFault adds a fault rule. Rules are tried in the order they were
// added; the first that matches a call and has calls left decides it.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &faultRule{Fault: f, left: f.Count}
	if f.Count <= 0 {
		r.left = -1
	}
	if f.Probability > 0 {
		r.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
	}
	s.faults = append(s.faults, r)
}

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault applies the first fault rule that matches the call: it returns
// the error that fails the call, or how long to delay it.
func (s *Server) matchFault(c *call) (time.Duration, *apiError) {
	for _, r := range s.faults {
		if r.left == 0 || !matches(r.Service, c.svc.name) || !matches(r.Operation, c.op) ||
			!matches(r.Account, c.account()) || !matches(r.Region, c.region) || !strings.HasPrefix(c.who.arn, r.Principal) {
			continue
		}
		if r.rnd != nil && r.rnd.Float64() >= r.Probability {
			continue
		}
		if r.left > 0 {
			r.left--
		}
		s.faults = slices.DeleteFunc(s.faults, func(r *faultRule) bool { return r.left == 0 })
		if r.Kind == FaultLatency {
			return r.Latency, nil
		}
		return 0, faultError(r.Kind, c)
	}
	return 0, nil
}

func matches(want, got string) bool { return want == "" || want == got }

// faultError is the error a fault kind answers in a service's dialect.
func faultError(k FaultKind, c *call) *apiError {
	svc, proto := c.svc.name, c.proto
	switch k {
	case FaultThrottle:
		switch {
		case proto == protoEC2Query:
			return newError(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		case svc == "monitoring":
			e := badRequest("ThrottlingException", "Rate exceeded")
			e.queryCode = "Throttling"
			return e
		case proto == protoAWSQuery:
			return badRequest("Throttling", "Rate exceeded")
		case svc == "organizations":
			return badRequest("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.")
		case svc == "ram":
			return newError(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		case svc == "lambda":
			return newError(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded")
		}
		return badRequest("ThrottlingException", "Rate exceeded")
	case FaultAccessDenied:
		switch proto {
		case protoEC2Query:
			return newError(http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
		case protoAWSQuery:
			return newError(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: %s:%s", c.who.arn, svc, c.op)
		case protoRestJSON:
			return newError(http.StatusForbidden, "AccessDeniedException", "User: %s is not authorized to perform: %s:%s", c.who.arn, svc, c.op)
		}
		return badRequest("AccessDeniedException", "You don't have permissions to access this resource.")
	case FaultUnavailable:
		if proto == protoEC2Query {
			return newError(http.StatusServiceUnavailable, "Unavailable", "The server is overloaded and can't handle the request.")
		}
		return newError(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Try again later.")
	case FaultRegionDisabled:
		switch proto {
		case protoEC2Query:
			return newError(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
		case protoAWSQuery:
			return newError(http.StatusForbidden, "RegionDisabledException", "STS is not activated in this region for account:%s. Your account administrator can activate STS in this region using the IAM Console.", c.account())
		}
		return invalidAccessKey(proto)
	}
	if svc == "organizations" {
		return newError(http.StatusInternalServerError, "ServiceException", "AWS Organizations can't complete your request because of an internal service error. Try again later.")
	}
	return internalError(proto)
}
