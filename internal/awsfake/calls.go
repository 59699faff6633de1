package awsfake

import (
	"net/http"
	"slices"
)

// Call is one request the server answered, as recorded in its call log.
type Call struct {
	Service     string // SigV4 signing name, such as "ec2"
	Operation   string // such as "DescribeSubnets"
	Account     string // the calling account; empty when unauthenticated
	Region      string // the region of the credential scope
	AccessKeyID string
	Status      int    // HTTP status of the answer
	ErrorCode   string // the AWS error code; empty on success
}

// logCall records the outcome of a call.
func (s *Server) logCall(c *call, e *apiError) {
	rec := Call{Service: c.svc.name, Operation: c.op, Region: c.region, AccessKeyID: c.accessKey, Status: http.StatusOK}
	if c.who != nil {
		rec.Account = c.who.account
	}
	if e != nil {
		rec.Status, rec.ErrorCode = e.status, e.code
	}
	s.calls = append(s.calls, rec)
}

// Calls returns a copy of the call log, in the order calls were answered.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ResetCalls empties the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}
