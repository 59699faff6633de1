package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Notifier delivers an [Alert] somewhere people or programs will see it.
// Implementations must be safe for concurrent use and must not keep a
// reference to the alert after Notify returns.
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// NotifierFunc adapts a function to the [Notifier] interface.
type NotifierFunc func(ctx context.Context, a Alert) error

// Notify calls f(ctx, a).
func (f NotifierFunc) Notify(ctx context.Context, a Alert) error { return f(ctx, a) }

// MetricSink records [Metric] values somewhere, such as CloudWatch.
// Implementations must be safe for concurrent use, must accept any number of
// metrics (batching them as their backend requires) and must not keep a
// reference to the slice after PutMetrics returns.
type MetricSink interface {
	PutMetrics(ctx context.Context, ms []Metric) error
}

// MetricSinkFunc adapts a function to the [MetricSink] interface.
type MetricSinkFunc func(ctx context.Context, ms []Metric) error

// PutMetrics calls f(ctx, ms).
func (f MetricSinkFunc) PutMetrics(ctx context.Context, ms []Metric) error { return f(ctx, ms) }

// Named gives n a name for the errors of [Multi]; otherwise Multi names a
// notifier by its String method, or by its type.
func Named(name string, n Notifier) Notifier { return namedNotifier{name, n} }

// NamedSink gives s a name for the errors of [Multi], as [Named] does for
// notifiers.
func NamedSink(name string, s MetricSink) MetricSink { return namedSink{name, s} }

type namedNotifier struct {
	name string
	Notifier
}

func (n namedNotifier) String() string { return n.name }

type namedSink struct {
	name string
	MetricSink
}

func (n namedSink) String() string { return n.name }

// SinkError reports that one target of a [Multi] failed. Err is what the
// target returned.
type SinkError struct {
	Name string // the target's name: see [Named]
	Err  error  // what the target returned
}

// Error returns the name and the target's error.
func (e *SinkError) Error() string { return e.Name + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *SinkError) Unwrap() error { return e.Err }

// Multi delivers alerts to all its Notifiers and metrics to all its Sinks,
// concurrently, one goroutine per target. A failing target does not stop the
// others: Notify and PutMetrics wait for every target and return nil, or the
// errors.Join of one [*SinkError] per failed target, in the order of the
// slice. Cancelling the context is passed on to every target.
//
// The zero value delivers nothing. A Multi is safe for concurrent use when
// its targets are and its slices are not modified.
type Multi struct {
	Notifiers []Notifier   // receive Notify
	Sinks     []MetricSink // receive PutMetrics
}

// Notify sends a to every notifier of m.
func (m Multi) Notify(ctx context.Context, a Alert) error {
	return fanOut(m.Notifiers, func(n Notifier) error { return n.Notify(ctx, a) })
}

// PutMetrics sends ms to every sink of m.
func (m Multi) PutMetrics(ctx context.Context, ms []Metric) error {
	return fanOut(m.Sinks, func(s MetricSink) error { return s.PutMetrics(ctx, ms) })
}

func fanOut[T any](targets []T, call func(T) error) error {
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := call(t); err != nil {
				errs[i] = &SinkError{Name: targetName(i, t), Err: err}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func targetName(i int, t any) string {
	if s, ok := t.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("#%d (%T)", i+1, t)
}
