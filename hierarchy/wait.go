package hierarchy

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/waiter"
	"github.com/ipamkit/ipamkit/internal/ctxsleep"
)

// Default delays between the reads of a [PoolWaiter] and between retries
// of [Apply].
const (
	DefaultMinDelay = 2 * time.Second
	DefaultMaxDelay = 30 * time.Second
)

// ErrWaitTimeout is wrapped by the error of a [PoolWaiter] that gave up:
// the pool or CIDR was still in a transitional state when the maximum wait
// time ran out. Nothing failed; waiting longer, or running apply again,
// finishes the job.
var ErrWaitTimeout = errors.New("exceeded the maximum wait time")

// StateError reports a pool or a CIDR that IPAM put in a failed state
// (create-failed, modify-failed, delete-failed, failed-provision,
// failed-deprovision), with IPAM's reason. CIDR is zero for a pool's state.
type StateError struct {
	PoolID string
	CIDR   netip.Prefix
	State  string
	// Reason is the pool's StateMessage or the CIDR's FailureReason; it may
	// be empty.
	Reason string
}

// Error returns "pool ID is STATE: REASON" or "CIDR C of pool ID is
// STATE: REASON".
func (e *StateError) Error() string {
	s := "pool " + e.PoolID
	if e.CIDR.IsValid() {
		s = "CIDR " + e.CIDR.String() + " of pool " + e.PoolID
	}
	s += " is " + e.State
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// WaiterOptions configures a [PoolWaiter]. The zero value is ready to use.
type WaiterOptions struct {
	// MinDelay is the shortest wait between two reads; zero means
	// [DefaultMinDelay].
	MinDelay time.Duration
	// MaxDelay is the longest wait between two reads; zero means
	// [DefaultMaxDelay]. Delays grow from MinDelay to MaxDelay with
	// jitter, as the SDK's waiters do (smithy-go's waiter.ComputeDelay).
	MaxDelay time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// sleep waits d or until ctx is done; nil means a timer. Tests replace
	// it so that no test sleeps.
	sleep func(ctx context.Context, d time.Duration) error
}

func (o WaiterOptions) withDefaults() WaiterOptions {
	if o.MinDelay <= 0 {
		o.MinDelay = DefaultMinDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.sleep == nil {
		o.sleep = ctxsleep.Sleep
	}
	return o
}

// PoolWaiter waits for IPAM pools and their CIDRs to leave their
// transitional states, in the shape of the SDK's waiters (the SDK has none
// for IPAM): it reads the state at once, then again after delays that grow
// from MinDelay to MaxDelay, until the state is final, the maximum wait
// time passes ([ErrWaitTimeout]) or ctx is done. A failed state is a
// [*StateError] with IPAM's reason. A PoolWaiter is safe for concurrent use.
type PoolWaiter struct {
	client WaitAPI
	o      WaiterOptions
}

// NewPoolWaiter returns a waiter that reads through client. Options are
// applied in order.
func NewPoolWaiter(client WaitAPI, optFns ...func(*WaiterOptions)) *PoolWaiter {
	var o WaiterOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return &PoolWaiter{client: client, o: o.withDefaults()}
}

// WaitPool waits until the pool is create-complete or modify-complete, and
// returns it as DescribeIpamPools lists it (without CIDRs). create-failed
// and modify-failed are [*StateError]s, and so is a pool being deleted. A
// pool that is not found yet is waited for: EC2 is eventually consistent
// right after CreateIpamPool.
func (w *PoolWaiter) WaitPool(ctx context.Context, poolID string, maxWaitDur time.Duration) (LivePool, error) {
	var got LivePool
	err := w.wait(ctx, maxWaitDur, "pool "+poolID, func(ctx context.Context) (bool, string, error) {
		lp, found, err := w.describe(ctx, poolID)
		if err != nil || !found {
			return false, "not found yet", err
		}
		got = lp.LivePool
		switch lp.State {
		case "create-complete", "modify-complete", "restore-complete", "isolate-complete":
			return true, lp.State, nil
		case "create-failed", "modify-failed", "delete-in-progress", "delete-complete", "delete-failed":
			return false, lp.State, &StateError{PoolID: poolID, State: lp.State, Reason: lp.stateMessage}
		}
		return false, lp.State, nil
	})
	return got, err
}

// WaitPoolDeleted waits until the pool is delete-complete or no longer
// found. delete-failed is a [*StateError].
func (w *PoolWaiter) WaitPoolDeleted(ctx context.Context, poolID string, maxWaitDur time.Duration) error {
	return w.wait(ctx, maxWaitDur, "pool "+poolID, func(ctx context.Context) (bool, string, error) {
		lp, found, err := w.describe(ctx, poolID)
		switch {
		case err != nil:
			return false, "", err
		case !found || lp.State == "delete-complete":
			return true, "deleted", nil
		case lp.State == "delete-failed":
			return false, lp.State, &StateError{PoolID: poolID, State: lp.State, Reason: lp.stateMessage}
		}
		return false, lp.State, nil
	})
}

// WaitProvisioned waits until a CIDR of the pool is provisioned and returns
// it. ref identifies the CIDR: by its ID when it has one (as
// ProvisionIpamPoolCidr answers), else by its CIDR. failed-provision is a
// [*StateError] with the CIDR's FailureReason.
func (w *PoolWaiter) WaitProvisioned(ctx context.Context, poolID string, ref LiveCIDR, maxWaitDur time.Duration) (LiveCIDR, error) {
	return w.waitCIDR(ctx, poolID, ref, maxWaitDur, "provisioned", "failed-provision", false)
}

// WaitDeprovisioned waits until a CIDR of the pool is deprovisioned or no
// longer listed, and returns it as last seen. failed-deprovision is a
// [*StateError] with the CIDR's FailureReason.
func (w *PoolWaiter) WaitDeprovisioned(ctx context.Context, poolID string, ref LiveCIDR, maxWaitDur time.Duration) (LiveCIDR, error) {
	return w.waitCIDR(ctx, poolID, ref, maxWaitDur, "deprovisioned", "failed-deprovision", true)
}

func (w *PoolWaiter) waitCIDR(ctx context.Context, poolID string, ref LiveCIDR, maxWaitDur time.Duration, want, failed string, goneIsDone bool) (LiveCIDR, error) {
	got := ref
	what := "CIDR " + ref.CIDR.String() + " of pool " + poolID
	if !ref.CIDR.IsValid() {
		what = "CIDR " + ref.ID + " of pool " + poolID
	}
	err := w.wait(ctx, maxWaitDur, what, func(ctx context.Context) (bool, string, error) {
		cidrs, err := poolCIDRs(ctx, w.client, poolID)
		if err != nil {
			if goneIsDone && errorCode(err) == codePoolNotFound {
				return true, "gone", nil
			}
			return false, "", err
		}
		i := slices.IndexFunc(cidrs, func(c LiveCIDR) bool {
			if ref.ID != "" {
				return c.ID == ref.ID
			}
			return c.CIDR == ref.CIDR
		})
		if i < 0 {
			return goneIsDone, "not listed", nil
		}
		got = cidrs[i]
		switch got.State {
		case want:
			return true, got.State, nil
		case failed:
			return false, got.State, &StateError{PoolID: poolID, CIDR: got.CIDR, State: got.State, Reason: got.FailureReason}
		}
		return false, got.State, nil
	})
	return got, err
}

// describe reads one pool; found is false when IPAM does not know it.
func (w *PoolWaiter) describe(ctx context.Context, poolID string) (lp waitedPool, found bool, err error) {
	out, err := w.client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{poolID}})
	switch {
	case errorCode(err) == codePoolNotFound:
		return waitedPool{}, false, nil
	case err != nil:
		return waitedPool{}, false, fmt.Errorf("describe IPAM pool %s: %w", poolID, err)
	case len(out.IpamPools) == 0:
		return waitedPool{}, false, nil
	}
	ap := out.IpamPools[0]
	return waitedPool{LivePool: livePool(ap), stateMessage: aws.ToString(ap.StateMessage)}, true, nil
}

type waitedPool struct {
	LivePool
	stateMessage string
}

// wait runs check until it reports done or an error, in the shape of
// smithy-go's waiters: the first check at once, then after delays from
// waiter.ComputeDelay, within maxWaitDur.
func (w *PoolWaiter) wait(ctx context.Context, maxWaitDur time.Duration, what string, check func(context.Context) (done bool, seen string, err error)) error {
	if maxWaitDur <= 0 {
		return fmt.Errorf("wait for %s: the maximum wait time must be greater than zero", what)
	}
	if w.o.MinDelay > w.o.MaxDelay {
		return fmt.Errorf("wait for %s: MinDelay %v is longer than MaxDelay %v", what, w.o.MinDelay, w.o.MaxDelay)
	}
	start := w.o.Now()
	for attempt := int64(1); ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("wait for %s: %w", what, err)
		}
		done, seen, err := check(ctx)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		// Unlike the SDK's waiters, stop while a whole MinDelay is still
		// left: ComputeDelay shortens the last delay to leave MinDelay, and
		// a clock that moves only by the delays would never get there.
		remaining := maxWaitDur - w.o.Now().Sub(start)
		if remaining <= w.o.MinDelay {
			return fmt.Errorf("%s still %s after %v: %w", what, seen, maxWaitDur, ErrWaitTimeout)
		}
		delay, err := waiter.ComputeDelay(attempt, w.o.MinDelay, w.o.MaxDelay, remaining)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", what, err)
		}
		if err := w.o.sleep(ctx, delay); err != nil {
			return fmt.Errorf("wait for %s (still %s): %w", what, seen, err)
		}
	}
}
