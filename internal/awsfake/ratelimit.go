package awsfake

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// RateLimit is a request rate limit as AWS applies it: a token bucket per
// calling account, region and API action. A call takes one token from its
// bucket; a bucket holds at most Burst tokens and gains Rate tokens a
// second, by the server's clock ([Options.Now]). A call that finds its
// bucket empty is answered with the service's throttling error (the
// errors of [FaultThrottle]: EC2 RequestLimitExceeded, STS Throttling, …)
// and takes no token, so a client that retries after a back-off gets
// through, as the SDK's standard retryer does.
type RateLimit struct {
	// Service is the SigV4 signing name of the service limited, such as
	// "ec2"; empty matches every service.
	Service string
	// Operations are the API actions limited, each with a bucket of its
	// own; a name ending in "*" matches every action it prefixes
	// ("Describe*"). Empty matches every action of Service.
	Operations []string
	// Burst is the bucket's capacity: how many calls may be made at once
	// from a full bucket. It must be at least 1.
	Burst int
	// Rate is how many tokens the bucket gains a second; it must be above
	// zero.
	Rate float64
}

// ErrBadRateLimit is wrapped by the error of [New] for a [RateLimit]
// without a burst or a refill rate.
var ErrBadRateLimit = errors.New("bad rate limit")

// AWSRateLimits returns the request rate limits AWS publishes for the
// services the fake serves, for [Options.RateLimits]: an EC2 account's
// limits in one region.
//
// The figures are those of "Request throttling for the Amazon EC2 API",
// table "Request token bucket sizes and refill rates"
// (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
// read on 2026-12-02): each API action has its own bucket per account and
// region, of
//
//   - non-mutating actions (Describe*, List*, Search*, Get*; DescribeVpcs,
//     DescribeSubnets and the IPAM reads among them): 100 tokens, refilled
//     at 20 a second;
//   - CreateTags and DeleteTags ("uncategorized actions"): 100 tokens, 10 a
//     second;
//   - mutating actions (every other action): 50 tokens, 5 a second.
//
// The smaller bucket of "unfiltered and unpaginated" calls (50 tokens, 10
// a second) covers only actions the fake does not serve
// (DescribeInstances, DescribeVolumes, …). AWS publishes no bucket sizes
// for STS, Organizations, RAM and the other services, so they are not
// limited here: add a RateLimit of your own to try a figure.
func AWSRateLimits() []RateLimit {
	return []RateLimit{
		{Service: "ec2", Operations: []string{"CreateTags", "DeleteTags"}, Burst: 100, Rate: 10},
		{Service: "ec2", Operations: []string{"Describe*", "List*", "Search*", "Get*"}, Burst: 100, Rate: 20},
		{Service: "ec2", Burst: 50, Rate: 5},
	}
}

// check reports a limit that could never let a call through.
func (r RateLimit) check() error {
	if r.Burst < 1 {
		return fmt.Errorf("%w: %s burst %d: want at least 1", ErrBadRateLimit, r.name(), r.Burst)
	}
	if !(r.Rate > 0) {
		return fmt.Errorf("%w: %s rate %v: want above 0 tokens a second", ErrBadRateLimit, r.name(), r.Rate)
	}
	return nil
}

// name names the limit in errors: "ec2 Describe*,List*".
func (r RateLimit) name() string {
	svc := r.Service
	if svc == "" {
		svc = "every service"
	}
	if len(r.Operations) == 0 {
		return svc
	}
	return svc + " " + strings.Join(r.Operations, ",")
}

// covers reports whether the limit applies to the operation op of the
// service svc.
func (r RateLimit) covers(svc, op string) bool {
	if r.Service != "" && r.Service != svc {
		return false
	}
	if len(r.Operations) == 0 {
		return true
	}
	for _, o := range r.Operations {
		if prefix, ok := strings.CutSuffix(o, "*"); ok && strings.HasPrefix(op, prefix) || o == op {
			return true
		}
	}
	return false
}

// bucketKey identifies a token bucket: one per limit, account, region and
// operation.
type bucketKey struct {
	limit                  int // index in rateLimiter.limits
	account, region, svcOp string
}

// bucket is a token bucket; tokens are as of last.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills b for the time since it was last seen, then takes a token
// if there is one. A clock that goes back refills nothing.
func (b *bucket) take(now time.Time, burst int, rate float64) bool {
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(float64(burst), b.tokens+el.Seconds()*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// rateLimiter holds the buckets of a server's rate limits. It is safe for
// concurrent use.
type rateLimiter struct {
	limits []RateLimit

	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

// newRateLimiter returns the limiter of limits, or nil when there are none.
func newRateLimiter(limits []RateLimit) (*rateLimiter, error) {
	if len(limits) == 0 {
		return nil, nil
	}
	var errs []error
	for _, r := range limits {
		errs = append(errs, r.check())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &rateLimiter{limits: limits, buckets: make(map[bucketKey]*bucket)}, nil
}

// allow takes a token for a call of op on svc by account in region, at
// now, from the bucket of the first limit that covers it. It reports
// whether the call may go ahead: true when no limit covers it.
func (l *rateLimiter) allow(now time.Time, account, region, svc, op string) bool {
	if l == nil {
		return true
	}
	for i, r := range l.limits {
		if !r.covers(svc, op) {
			continue
		}
		k := bucketKey{limit: i, account: account, region: region, svcOp: svc + ":" + op}
		l.mu.Lock()
		defer l.mu.Unlock()
		b := l.buckets[k]
		if b == nil {
			b = &bucket{tokens: float64(r.Burst), last: now}
			l.buckets[k] = b
		}
		return b.take(now, r.Burst, r.Rate)
	}
	return true
}

// tokens returns the tokens left in the bucket of a call, as of its last
// call, and whether the bucket exists; for tests.
func (l *rateLimiter) tokens(account, region, svc, op string) (float64, bool) {
	for i, r := range l.limits {
		if r.covers(svc, op) {
			l.mu.Lock()
			defer l.mu.Unlock()
			b, ok := l.buckets[bucketKey{limit: i, account: account, region: region, svcOp: svc + ":" + op}]
			if !ok {
				return 0, false
			}
			return b.tokens, true
		}
	}
	return 0, false
}
