package awsfake

import (
	"slices"
	"sync"
	"time"
)

// Asynchronous states. A write leaves a pool, a pool CIDR or a RAM
// association in a transitional state (create-in-progress,
// pending-provision, ASSOCIATING, …) that settles in its final state in one
// of two ways: after [Options.StateReads] reads of it, or, when
// [Options.Delays] gives its kind of change a delay, once the server's
// clock ([Options.Now]) has passed that delay, whoever reads it and whether
// anyone does. What a change does when it settles (an allocation released,
// a pool's StateMessage) happens then, not at the write.

// Delays are how long each kind of asynchronous change takes, by the
// server's clock. A zero delay settles that kind of change by reads
// instead ([Options.StateReads]); the zero Delays settles everything by
// reads, as unit tests want. [RealisticDelays] are of the order AWS takes.
type Delays struct {
	PoolCreate  time.Duration // create-in-progress to create-complete or create-failed
	PoolModify  time.Duration // modify-in-progress to modify-complete
	PoolDelete  time.Duration // delete-in-progress to gone; the pool's allocations are released then
	Provision   time.Duration // pending-provision to provisioned or failed-provision
	Deprovision time.Duration // pending-deprovision to deprovisioned (the source pool's allocation released then) or failed-deprovision
	Association time.Duration // RAM ASSOCIATING to ASSOCIATED, DISASSOCIATING to DISASSOCIATED
}

// RealisticDelays are delays of the order AWS takes for private-scope
// pools, CIDRs and RAM associations: seconds, not minutes. They are round
// figures, not measurements; AWS's vary from call to call.
var RealisticDelays = Delays{
	PoolCreate: 3 * time.Second, PoolModify: 2 * time.Second, PoolDelete: 5 * time.Second,
	Provision: 5 * time.Second, Deprovision: 5 * time.Second, Association: 5 * time.Second,
}

// Realistic makes a server behave more like AWS for an account with the
// default quotas: [RealisticDelays], 50 pools per scope and 50 CIDRs per
// pool (AWS's defaults), and at most 10 changes in flight on one pool (a
// guess: AWS publishes no figure). Pass it to [New] before options of your
// own, as in
//
//	awsfake.New(awsfake.Realistic, func(o *awsfake.Options) { o.World = w })
func Realistic(o *Options) {
	o.Delays = RealisticDelays
	o.PoolsPerScope, o.CIDRsPerPool, o.PoolMutations = 50, 50, 10
}

// limits are the quotas a server enforces; zero means none.
type limits struct{ poolsPerScope, cidrsPerPool, poolMutations, metricDataPage int }

// Clock is a clock for tests that moves only when told to: pass its Now as
// [Options.Now] and call Advance instead of sleeping. The zero Clock reads
// 2024-01-02T03:04:05Z, when the accounts of built worlds joined their
// organization. A Clock is safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	elapsed time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return worldEpoch.Add(c.elapsed)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.elapsed += d
}

// transition is an asynchronous state: the current state, the state it
// settles in, and when it does.
type transition struct {
	state, settle string
	reads         int       // reads left before it settles, when due is zero
	due           time.Time // when it settles by the clock; zero: by reads
	then          func()    // runs once, as it settles
}

// observe counts one read of a resource in a transitional state and, when
// it settles by reads, settles it once no reads remain. It returns the
// state to report for this read.
func (t *transition) observe() string {
	cur := t.state
	if t.settle != "" && t.due.IsZero() {
		if t.reads--; t.reads <= 0 {
			t.finish()
		}
	}
	return cur
}

// busy reports whether the transition has not settled yet.
func (t *transition) busy() bool { return t.settle != "" }

func (t *transition) finish() {
	t.state, t.settle = t.settle, ""
	if f := t.then; f != nil {
		t.then = nil
		f()
	}
}

// begin puts t in state from, to settle in state to after delay d by the
// clock, or after Options.StateReads reads when d is zero. then, if not
// nil, runs as it settles; it must not begin another transition.
func (st *state) begin(t *transition, d time.Duration, from, to string, then func()) {
	*t = transition{state: from, settle: to, reads: st.stateReads, then: then}
	if d > 0 {
		t.due = st.now().Add(d)
		st.pending = append(st.pending, t)
	}
}

// advance settles the transitions whose time has come, earliest first. It
// runs before every call, so states move with time whoever reads them.
func (st *state) advance() {
	if len(st.pending) == 0 {
		return
	}
	now := st.now()
	slices.SortStableFunc(st.pending, func(a, b *transition) int { return a.due.Compare(b.due) })
	n := 0
	for _, t := range st.pending {
		switch {
		case !t.busy() || t.due.IsZero(): // settled, or begun again by reads
		case !now.Before(t.due):
			t.finish()
		default:
			st.pending[n] = t
			n++
		}
	}
	clear(st.pending[n:])
	st.pending = st.pending[:n]
}
