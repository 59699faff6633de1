package awsfake

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Latency is how long the server takes to answer each call, as a round
// trip to AWS takes: the same time for every call, or times drawn from a
// log-normal distribution with the given median and 99th percentile, the
// shape service latencies usually have (most calls near the median, a long
// tail). The zero Latency answers at once.
type Latency struct {
	// Median is the time half the calls take at most; zero means no
	// latency.
	Median time.Duration
	// P99 is the time 99 % of the calls take at most. Zero, or Median,
	// gives every call the Median; otherwise it must be above Median.
	P99 time.Duration
	// Seed seeds the draws: the same seed gives the same sequence of
	// latencies, in the order calls arrive.
	Seed uint64
}

// maxLatencyFactor bounds a drawn latency to this many times the P99, so
// that the far tail of the distribution cannot stall a run.
const maxLatencyFactor = 10

// z99 is the standard normal quantile of 0.99.
const z99 = 2.3263478740408408

// ErrBadLatency is wrapped by the errors of [ParseLatency] and [New] for a
// latency that is negative or whose P99 is below its median.
var ErrBadLatency = errors.New("bad latency")

// ParseLatency parses a latency as the --latency flag of 'ipamctl demo
// serve' takes it: "50ms" (every call 50 ms) or "50ms/400ms" (median
// 50 ms, 99th percentile 400 ms), durations as time.ParseDuration reads
// them. "0" means none. It returns an error wrapping [ErrBadLatency] that
// names the bad part.
func ParseLatency(s string) (Latency, error) {
	med, p99, hasP99 := strings.Cut(strings.TrimSpace(s), "/")
	var l Latency
	var err error
	if l.Median, err = time.ParseDuration(strings.TrimSpace(med)); err != nil {
		return Latency{}, fmt.Errorf("%w: median %q: want a duration such as 50ms", ErrBadLatency, med)
	}
	if hasP99 {
		if l.P99, err = time.ParseDuration(strings.TrimSpace(p99)); err != nil {
			return Latency{}, fmt.Errorf("%w: p99 %q: want a duration such as 400ms, after the median and a slash", ErrBadLatency, p99)
		}
	}
	if err := l.check(); err != nil {
		return Latency{}, err
	}
	return l, nil
}

// String returns the latency as [ParseLatency] reads it.
func (l Latency) String() string {
	if l.P99 == 0 || l.P99 == l.Median {
		return l.Median.String()
	}
	return l.Median.String() + "/" + l.P99.String()
}

// check reports a negative latency or a P99 below the median.
func (l Latency) check() error {
	switch {
	case l.Median < 0:
		return fmt.Errorf("%w: median %v is negative", ErrBadLatency, l.Median)
	case l.P99 < 0:
		return fmt.Errorf("%w: p99 %v is negative", ErrBadLatency, l.P99)
	case l.P99 != 0 && l.P99 < l.Median:
		return fmt.Errorf("%w: p99 %v is below the median %v (did you swap them?)", ErrBadLatency, l.P99, l.Median)
	case l.P99 > 0 && l.Median == 0:
		return fmt.Errorf("%w: p99 %v without a median", ErrBadLatency, l.P99)
	}
	return nil
}

// latencies draws the latency of each call. It is safe for concurrent use.
type latencies struct {
	median time.Duration
	mu     float64 // log of the median, in nanoseconds
	sigma  float64 // zero for a fixed latency
	limit  time.Duration

	lock sync.Mutex
	rnd  *rand.Rand
}

// newLatencies returns the draws of l, or nil when l is zero.
func newLatencies(l Latency) *latencies {
	if l.Median <= 0 {
		return nil
	}
	d := &latencies{median: l.Median}
	if l.P99 > l.Median {
		d.mu = math.Log(float64(l.Median))
		d.sigma = math.Log(float64(l.P99)/float64(l.Median)) / z99
		d.limit = maxLatencyFactor * l.P99
		d.rnd = rand.New(rand.NewPCG(l.Seed, l.Seed^0x1a7e9c))
	}
	return d
}

// next returns the latency of the next call: the median when fixed,
// otherwise exp(mu + sigma·Z) for a standard normal Z, at most limit.
func (d *latencies) next() time.Duration {
	if d == nil {
		return 0
	}
	if d.sigma == 0 {
		return d.median
	}
	d.lock.Lock()
	z := d.rnd.NormFloat64()
	d.lock.Unlock()
	return min(time.Duration(math.Exp(d.mu+d.sigma*z)), d.limit)
}

// wait waits for d or until ctx is done, whichever comes first, and
// reports whether d passed. It is the server's way to hold an answer back
// without holding its lock.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
