package usage

import (
	"context"
	"errors"

	"github.com/ipamkit/ipamkit/notify"
)

// MetricSet says which resources of a report [Report.Deliver] sends
// metrics for.
type MetricSet string

const (
	// MetricsFindings sends the metrics of the findings only, as the
	// monitor sample did ([Report.FindingMetrics]); the default.
	MetricsFindings MetricSet = "findings"
	// MetricsAll sends the metrics of every resource whose usage is known
	// ([Report.ResourceMetrics]).
	MetricsAll MetricSet = "all"
	// MetricsNone sends no metrics.
	MetricsNone MetricSet = "none"
)

// DeliverOptions configures [Report.Deliver]. The zero value sends the
// alert only when there is something to say, and the findings' metrics.
type DeliverOptions struct {
	// Source is the Source of the alert, such as the program's name.
	Source string
	// AllClear sends the all-clear ([Report.AllClear]) when the report has
	// nothing to say: no findings and no failed targets.
	AllClear bool
	// Metrics says which resources get metrics; empty means
	// MetricsFindings, and a value not listed sends none.
	Metrics MetricSet
	// MetricOptions shapes the metrics (extra dimensions); the zero value
	// gives the monitor sample's.
	MetricOptions notify.ResourceMetricsOptions
}

// Delivery is what [Report.Deliver] did; the zero Delivery is nothing
// due and nothing sent. Its errors name the notifier or sink that failed
// (see [notify.Named]) and, as every error of [notify], hold no
// credential: no webhook URL, no secret.
type Delivery struct {
	// Alert is the report's alert ([Report.Alert]), or its all-clear when
	// it has nothing to say, whether or not it was sent: the text a
	// program shows as the outcome of the scan.
	Alert notify.Alert
	// Due reports whether Alert was to be sent: the report had something to
	// say, or DeliverOptions.AllClear asked for the all-clear.
	Due bool
	// Notified is the number of notifiers that took the alert.
	Notified int
	// Metrics is the number of metrics sent to the sinks; zero when there
	// were none to send or no sink.
	Metrics int
	// NotifyErrors has one error per notifier that failed, in the order of
	// the notifiers.
	NotifyErrors []*notify.SinkError
	// MetricErrors has one error per sink that failed, in the order of the
	// sinks.
	MetricErrors []*notify.SinkError
}

// Failures returns every error of d: the notifiers', then the sinks'.
func (d Delivery) Failures() []*notify.SinkError {
	return append(append([]*notify.SinkError(nil), d.NotifyErrors...), d.MetricErrors...)
}

// AllNotifiersFailed reports whether an alert was due, there were
// notifiers, and every one of them failed: nothing was said. A program that
// is retried on error (a Lambda function) may then fail, since a retry
// cannot deliver anything twice.
func (d Delivery) AllNotifiersFailed() bool {
	return d.Due && d.Notified == 0 && len(d.NotifyErrors) > 0
}

// Deliver sends the report: its alert to every notifier of m when it is
// due (a finding or a failed target, or the all-clear when
// DeliverOptions.AllClear asks for it), then its metrics, timed at
// r.Scan.Finished, to every sink of m. It tries every notifier and sink,
// and reports each failure in the Delivery rather than stopping: one
// broken webhook does not silence the others. Deliver is safe for
// concurrent use when m is.
func (r Report) Deliver(ctx context.Context, m notify.Multi, optFns ...func(*DeliverOptions)) Delivery {
	var o DeliverOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var d Delivery
	d.Alert, d.Due = r.Alert(o.Source)
	if !d.Due {
		d.Alert, d.Due = r.AllClear(o.Source), o.AllClear
	}
	if d.Due && len(m.Notifiers) > 0 {
		d.NotifyErrors = sinkErrors(m.Notify(ctx, d.Alert))
		d.Notified = len(m.Notifiers) - len(d.NotifyErrors)
	}
	if len(m.Sinks) == 0 {
		return d
	}
	opt := func(mo *notify.ResourceMetricsOptions) { *mo = o.MetricOptions }
	var ms []notify.Metric
	switch o.Metrics {
	case MetricsFindings, "":
		ms = r.FindingMetrics(r.Scan.Finished, opt)
	case MetricsAll:
		ms = r.ResourceMetrics(r.Scan.Finished, opt)
	}
	if len(ms) > 0 {
		d.Metrics = len(ms)
		d.MetricErrors = sinkErrors(m.PutMetrics(ctx, ms))
	}
	return d
}

// sinkErrors splits an error of notify.Multi into its *notify.SinkError
// values, one per target that failed. Multi wraps every failure in one;
// another error is kept whole, under the name "notify".
func sinkErrors(err error) []*notify.SinkError {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]*notify.SinkError, 0, len(errs))
	for _, err := range errs {
		se := &notify.SinkError{Name: "notify", Err: err}
		errors.As(err, &se)
		out = append(out, se)
	}
	return out
}
