package usage

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipamkit/ipamkit/notify"
)

// DeliverChange sends the report on change rather than on every run: it
// loads the previous run's snapshot from st, compares ([Compare]), saves
// this run's snapshot with a compare-and-swap, and only then sends the
// alert on change ([Diff.Alert]) to every notifier of m, when due; the
// metrics go to the sinks as [Report.Deliver] sends them.
// DeliverOptions.AllClear is not read: a resolution is itself the news.
//
// Saving before sending is what makes two overlapping runs alert once:
// the run whose Save loses gets an error wrapping [ErrStateConflict], sends
// nothing, and returns a Delivery with Due false. Should every notifier
// then fail, the previous snapshot is saved back, so that the next run
// says it all again.
//
// A state that cannot be loaded is not fatal: every finding is then new,
// as without state, and Diff.Baseline says why; one that cannot be decoded
// ([ErrStateUnreadable]) is saved over, one that cannot be read at all is
// left alone. A failure to save, other
// than a conflict, does not stop the alert either; it is returned, joined
// with any failure to load, alongside the Delivery.
func (r Report) DeliverChange(ctx context.Context, st State, m notify.Multi, optFns ...func(*DeliverOptions)) (Delivery, error) {
	var o DeliverOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var stateErrs []error
	prev, v, err := st.Load(ctx)
	if err != nil {
		prev = nil
		stateErrs = append(stateErrs, fmt.Errorf("load state: %w", err))
	}
	co := o.Change
	if err != nil {
		co.PreviousErr = err
	}
	diff := Compare(prev, r, func(c *CompareOptions) { *c = co })
	d := Delivery{Diff: &diff}

	// A state that could not be read at all has no version to swap:
	// saving over it blindly could undo another run's save.
	var saved StateVersion
	err = nil
	if len(stateErrs) == 0 || v != "" {
		saved, err = st.Save(ctx, diff.Next, v)
	}
	switch {
	case errors.Is(err, ErrStateConflict):
		d.Alert, _ = diff.Alert(r, o.Source)
		return d, fmt.Errorf("save state: %w", err)
	case err != nil:
		stateErrs = append(stateErrs, fmt.Errorf("save state: %w", err))
	}

	d.Alert, d.Due = diff.Alert(r, o.Source)
	if !d.Due {
		if a, ok := r.Alert(o.Source); ok {
			d.Alert = a
		} else {
			d.Alert = r.AllClear(o.Source)
		}
	}
	if d.Due && len(m.Notifiers) > 0 {
		d.NotifyErrors = sinkErrors(m.Notify(ctx, d.Alert))
		d.Notified = len(m.Notifiers) - len(d.NotifyErrors)
		if d.AllNotifiersFailed() && saved != "" {
			back := Snapshot{Saved: diff.Next.Saved} // no findings: all new again
			if prev != nil {
				back = *prev
			}
			if _, err := st.Save(ctx, back, saved); err != nil {
				stateErrs = append(stateErrs, fmt.Errorf("restore state after every notifier failed: %w", err))
			}
		}
	}
	r.deliverMetrics(ctx, m, o, &d)
	return d, errors.Join(stateErrs...)
}
