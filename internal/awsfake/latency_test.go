package awsfake

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Latency
		wantErr  bool
	}{
		{name: "fixed", in: "50ms", want: Latency{Median: 50 * time.Millisecond}},
		{name: "median and p99", in: "50ms/400ms", want: Latency{Median: 50 * time.Millisecond, P99: 400 * time.Millisecond}},
		{name: "spaces", in: " 50ms / 0.4s ", want: Latency{Median: 50 * time.Millisecond, P99: 400 * time.Millisecond}},
		{name: "none", in: "0", want: Latency{}},
		{name: "p99 equal to the median", in: "1s/1s", want: Latency{Median: time.Second, P99: time.Second}},
		{name: "no unit", in: "50", wantErr: true},
		{name: "empty", in: "", wantErr: true},
		{name: "negative", in: "-5ms", wantErr: true},
		{name: "p99 below the median", in: "50ms/10ms", wantErr: true},
		{name: "bad p99", in: "50ms/x", wantErr: true},
		{name: "p99 without a median", in: "0/400ms", wantErr: true},
		{name: "no median", in: "/400ms", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseLatency(tt.in)
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadLatency, "ParseLatency(%q)", tt.in)
				return
			}
			require.NoError(t, err, "ParseLatency(%q)", tt.in)
			assert.Equal(t, tt.want, got, "ParseLatency(%q)", tt.in)
		})
	}
}

func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"50ms", "50ms/400ms", "0", "1s/1s", "-5ms", "50ms/10ms", "/", "1h/2h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLatency(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadLatency)
			return
		}
		again, err := ParseLatency(l.String())
		require.NoError(t, err, "String() of %q is %q", s, l.String())
		assert.Equal(t, l.Median, again.Median, "round trip of %q", s)
		if l.P99 != l.Median {
			assert.Equal(t, l.P99, again.P99, "round trip of %q", s)
		}
		assert.GreaterOrEqual(t, newLatencies(l).next(), time.Duration(0), "a draw of %q", s)
	})
}

func TestLatencyDraws(t *testing.T) {
	t.Parallel()
	fixed := newLatencies(Latency{Median: 50 * time.Millisecond})
	for range 100 {
		require.Equal(t, 50*time.Millisecond, fixed.next(), "a fixed latency")
	}
	assert.Nil(t, newLatencies(Latency{}), "no latency")
	assert.Equal(t, time.Duration(0), newLatencies(Latency{}).next(), "no latency")

	l := Latency{Median: 50 * time.Millisecond, P99: 400 * time.Millisecond, Seed: 1}
	draw := func() []time.Duration {
		d := newLatencies(l)
		out := make([]time.Duration, 20_000)
		for i := range out {
			out[i] = d.next()
		}
		return out
	}
	got := draw()
	assert.Equal(t, got, draw(), "the same seed draws the same latencies")
	sorted := slices.Sorted(slices.Values(got))
	median, p99 := sorted[len(sorted)/2], sorted[len(sorted)*99/100]
	assert.InEpsilon(t, float64(l.Median), float64(median), 0.05, "median of 20,000 draws: %v", median)
	assert.InEpsilon(t, float64(l.P99), float64(p99), 0.15, "p99 of 20,000 draws: %v", p99)
	assert.LessOrEqual(t, sorted[len(sorted)-1], maxLatencyFactor*l.P99, "the tail is bounded")
	assert.Greater(t, sorted[0], time.Duration(0), "no draw is zero or negative")
}

// delayRecorder replaces a server's sleep: it records each delay asked
// for and returns at once, as if the delay had passed.
type delayRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func recordDelays(srv *Server) *delayRecorder {
	r := &delayRecorder{}
	srv.sleep = func(_ context.Context, d time.Duration) bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.delays = append(r.delays, d)
		return true
	}
	return r
}

func (r *delayRecorder) take() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.delays
	r.delays = nil
	return out
}

func TestServerLatency(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world, func(o *Options) { o.Latency = Latency{Median: 50 * time.Millisecond} })
	rec := recordDelays(srv)
	client := ec2Client(srv, prodKey, "us-east-1")

	_, err := client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{50 * time.Millisecond}, rec.take(), "a served call")

	srv.InjectFault(Fault{Operation: "DescribeVpcs", Kind: FaultLatency, Latency: time.Second, Count: 1})
	_, err = client.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second + 50*time.Millisecond}, rec.take(), "an injected latency adds to the round trip")

	_, err = ec2Client(srv, "AKIAUNKNOWNKEY000000", "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.Error(t, err)
	assert.Equal(t, []time.Duration{50 * time.Millisecond}, rec.take(), "an error takes a round trip too")
}

func TestServerLatencyCanceled(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world, func(o *Options) { o.Latency = Latency{Median: time.Hour} })
	srv.sleep = func(context.Context, time.Duration) bool { return false } // the client went away
	_, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
	require.Error(t, err)
	calls := callsTo(srv, "DescribeVpcs")
	require.NotEmpty(t, calls)
	assert.Equal(t, "RequestCanceled", calls[0].ErrorCode, "a call given up during its latency is logged as such")
}

func TestNewBadLatency(t *testing.T) {
	_, err := New(func(o *Options) { o.Latency = Latency{Median: time.Second, P99: time.Millisecond} })
	require.ErrorIs(t, err, ErrBadLatency)
	assert.ErrorContains(t, err, "below the median")
}
