package hierarchy

import (
	"context"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onClock makes Apply wait on clock: each wait advances it instead of
// sleeping, so the fake's timed states settle as they would in AWS while
// the test runs at full speed.
func onClock(clock *awsfake.Clock) func(*ApplyOptions) {
	return func(o *ApplyOptions) {
		o.Now = clock.Now
		o.sleep = func(ctx context.Context, d time.Duration) error {
			clock.Advance(d)
			return ctx.Err()
		}
	}
}

// TestWireApplyRealistic applies the Control Tower sample's tree against a
// fake whose states settle with time, as AWS's do (awsfake.Realistic: pool
// creation 3 s, provisioning 5 s, AWS's default quotas), and nobody reads
// a state more often than the waiter's back-off asks. The sample slept 30
// s between calls and never looked; Apply waits for each state it needs,
// and the next plan is empty.
func TestWireApplyRealistic(t *testing.T) {
	t.Parallel()
	var clock awsfake.Clock
	w := newWireIPAM(t, awsfake.Realistic, func(o *awsfake.Options) { o.Now = clock.Now })
	cs := w.plan(t, ControlTowerSpec())
	start := clock.Now()
	res, err := Apply(t.Context(), w.client, cs, onClock(&clock))
	require.NoError(t, err)
	require.Len(t, res.Done, len(cs.Ops))
	assert.Empty(t, w.plan(t, ControlTowerSpec()).Ops, "re-plan after apply must be empty")

	// 7 pools created and 7 CIDRs provisioned, one after the other: at
	// least 7 × (3 s + 5 s) of AWS's time, and not much more than the
	// waiter's back-off adds.
	took := clock.Now().Sub(start)
	assert.GreaterOrEqual(t, took, 7*(awsfake.RealisticDelays.PoolCreate+awsfake.RealisticDelays.Provision))
	assert.Less(t, took, 4*7*(awsfake.RealisticDelays.PoolCreate+awsfake.RealisticDelays.Provision), "waits of %v", took)
	_, cidrs := w.paths(t)
	assert.Equal(t, ctCIDRs, cidrs)
}
