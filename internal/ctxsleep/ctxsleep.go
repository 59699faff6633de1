// Package ctxsleep waits for a duration or until a context is done: the
// pause between retries and state reads of the waiters and notifiers.
package ctxsleep

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done and then returns ctx.Err(). A d of
// zero or less returns at once, with ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
