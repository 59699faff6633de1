package usage

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

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
	// nothing to say: no findings and no failed targets. The all-clear goes
	// only when at least one resource was measured; otherwise the warning
	// that nothing was measured goes in its place.
	AllClear bool
	// Metrics says which resources get metrics; empty means
	// MetricsFindings, and a value not listed sends none.
	Metrics MetricSet
	// MetricOptions shapes the metrics (extra dimensions); the zero value
	// gives the monitor sample's.
	MetricOptions notify.ResourceMetricsOptions
	// Change configures the comparison of [Report.DeliverChange] with the
	// previous run: reminders, and the time of the run.
	Change CompareOptions
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
	// Diff is the comparison with the previous run, from
	// [Report.DeliverChange]; nil from Deliver.
	Diff *Diff
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
	r.deliverMetrics(ctx, m, o, &d)
	return d
}

// deliverMetrics sends the metrics o asks for to every sink of m, and
// records them in d.
func (r Report) deliverMetrics(ctx context.Context, m notify.Multi, o DeliverOptions, d *Delivery) {
	if len(m.Sinks) == 0 {
		return
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

// AlertKindScanFailed is the Kind of [ScanFailedAlert].
const AlertKindScanFailed = "scan-failed"

// ScanFailedAlert returns the alert that says a whole scan could not start
// or finish — the caller or the organization could not be read — so that a
// dead monitor is heard rather than silent. It is critical: nothing was
// measured. Its summary is the error's text with every URL reduced to its
// scheme and host (see [RedactURLs]), and its title names the AWS error
// code when there is one. at is the time of the failure.
func ScanFailedAlert(err error, source string, at time.Time) notify.Alert {
	title := "IP usage scan failed: nothing was measured"
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) && coded.ErrorCode() != "" {
		title += " (" + coded.ErrorCode() + ")"
	}
	summary := "The scan could not run."
	if err != nil {
		summary = RedactURLs(err.Error())
	}
	return notify.Alert{
		Kind:     AlertKindScanFailed,
		Severity: notify.Critical,
		Title:    title,
		Summary:  summary,
		Source:   source,
		Time:     at,
	}
}

// DeliverScanFailure sends [ScanFailedAlert] of err, once, to every
// notifier of m, and nothing to its sinks: there are no figures. Of the
// options it reads Source. As [Report.Deliver], it tries every notifier
// and names each one that failed in the Delivery.
func DeliverScanFailure(ctx context.Context, m notify.Multi, err error, at time.Time, optFns ...func(*DeliverOptions)) Delivery {
	var o DeliverOptions
	for _, fn := range optFns {
		fn(&o)
	}
	d := Delivery{Alert: ScanFailedAlert(err, o.Source, at), Due: true}
	if len(m.Notifiers) > 0 {
		d.NotifyErrors = sinkErrors(m.Notify(ctx, d.Alert))
		d.Notified = len(m.Notifiers) - len(d.NotifyErrors)
	}
	return d
}

// urlPattern matches a URL in the text of an error.
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// RedactURLs returns s with every URL reduced to its scheme and host, and
// "/[redacted]" when it had user information, a path or a query: an
// endpoint in an error may carry a credential.
func RedactURLs(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(raw string) string {
		trimmed := strings.TrimRight(raw, ".,;:)]")
		tail := raw[len(trimmed):] // punctuation of the sentence, not of the URL
		u, err := url.Parse(trimmed)
		if err != nil || u.Host == "" {
			return "[redacted]" + tail
		}
		out := u.Scheme + "://" + u.Host
		if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			out += "/[redacted]"
		}
		return out + tail
	})
}
