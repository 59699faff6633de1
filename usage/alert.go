package usage

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/internal/textsafe"
	"github.com/ipamkit/ipamkit/notify"
)

// AlertKind is the Kind of the alerts a report raises; receivers may route
// on it.
const (
	AlertKindUtilization     = "utilization"
	AlertKindAllClear        = "all-clear"
	AlertKindNothingMeasured = "nothing-measured"
)

// Alert returns the report as one alert for [notify] notifiers, and false
// when there is nothing to say: no findings and no failed targets. The
// alert's severity is the worst finding's (a scan with only failed targets
// is a warning: silence is not an all-clear), its resources the findings,
// worst first, each with its largest free block and threshold as a note.
func (r Report) Alert(source string) (notify.Alert, bool) {
	if len(r.Findings) == 0 && len(r.Errors) == 0 {
		return notify.Alert{}, false
	}
	a := notify.Alert{
		Kind:     AlertKindUtilization,
		Severity: notify.Warning,
		Source:   source,
		Time:     r.Scan.Finished,
	}
	if r.Worst() == notify.Critical {
		a.Severity = notify.Critical
	}
	var crit, warn int
	for _, f := range r.Findings {
		if f.Severity == notify.Critical {
			crit++
		} else {
			warn++
		}
		a.Resources = append(a.Resources, notifyResource(f))
	}
	switch {
	case len(r.Findings) == 0:
		a.Title = fmt.Sprintf("IP usage scan incomplete: %d %s failed", len(r.Errors), plural(len(r.Errors), "target", "targets"))
	default:
		a.Title = fmt.Sprintf("%d %s over threshold (%d critical, %d warning)", len(r.Findings), plural(len(r.Findings), "resource", "resources"), crit, warn)
	}
	a.Summary = r.summary()
	return a, true
}

// AllClear returns the alert that says a scan found nothing over threshold,
// for callers that want to hear it. A report that measured no resource
// (none whose usage is known) is no all-clear: AllClear then returns a
// warning of kind AlertKindNothingMeasured that says so, since silence is
// not good news.
func (r Report) AllClear(source string) notify.Alert {
	if !slices.ContainsFunc(r.Resources, func(x Resource) bool { return x.Known }) {
		return notify.Alert{
			Kind:     AlertKindNothingMeasured,
			Severity: notify.Warning,
			Title:    "IP usage: nothing measured",
			Summary:  r.summary() + " Check the sources, accounts and regions of the scan.",
			Source:   source,
			Time:     r.Scan.Finished,
		}
	}
	return notify.Alert{
		Kind:     AlertKindAllClear,
		Severity: notify.Info,
		Title:    "IP usage: all clear",
		Summary:  r.summary(),
		Source:   source,
		Time:     r.Scan.Finished,
	}
}

func (r Report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Scanned %d %s: %d %s measured, %d over threshold.",
		r.Scan.Targets, plural(r.Scan.Targets, "target", "targets"),
		len(r.Resources), plural(len(r.Resources), "resource", "resources"), len(r.Findings))
	if n := len(r.Errors); n > 0 {
		fmt.Fprintf(&b, " %d %s failed:", n, plural(n, "target", "targets"))
		for i, e := range r.Errors {
			if i == 5 {
				fmt.Fprintf(&b, " and %d more.", n-5)
				break
			}
			sep := ";"
			if i == n-1 {
				sep = "."
			}
			code := e.Code()
			if code == "" {
				code = "error"
			}
			fmt.Fprintf(&b, " %s (%s)%s", textsafe.Escape(e.Target.String()), textsafe.Escape(code), sep)
		}
	}
	return b.String()
}

// notifyResource is a finding as an alert shows it, with the threshold and
// the headroom as a note.
func notifyResource(f Finding) notify.Resource {
	nr := toNotify(f.Resource)
	nr.Note = f.Severity.String()
	if f.Threshold != 0 {
		nr.Note += fmt.Sprintf(" at %g%%", f.Threshold)
	}
	if f.ExhaustsWithin != 0 {
		nr.Note += fmt.Sprintf(", runs out within %d days", f.ExhaustsWithin)
	}
	if when := forecastPhrase(f.Forecast); when != "" {
		nr.Note = when + "; " + nr.Note
	}
	if f.LargestFree.IsValid() {
		nr.Note += fmt.Sprintf(", largest free block /%d", f.LargestFree.Bits())
	} else if f.Type == TypeVPC || f.Type == TypeIPAMPool {
		nr.Note += ", no free block"
	}
	return nr
}

// toNotify returns r as an alert or a metric names it. Its text from AWS
// (the name, the IDs) has its control characters escaped: a newline in a
// Name tag must not split a line of an alert.
func toNotify(r Resource) notify.Resource {
	return notify.Resource{
		ID: textsafe.Escape(r.ID), Name: textsafe.Escape(r.Name), Type: textsafe.Escape(string(r.Type)), CIDR: r.CIDR,
		AccountID: textsafe.Escape(r.AccountID), Region: textsafe.Escape(r.Region),
		Total: r.Total, Used: r.Used, Available: r.Available, Percent: r.Percent(),
	}
}

// FindingMetrics returns the monitor sample's metrics (PercentAssigned,
// IpAddressTotal, IpAddressAvailable by ResourceId) for the findings only,
// as the sample published them, at time t; then DaysToExhaustion for
// those whose forecast has a date.
func (r Report) FindingMetrics(t time.Time, optFns ...func(*notify.ResourceMetricsOptions)) []notify.Metric {
	rs := make([]notify.Resource, len(r.Findings))
	res := make([]Resource, len(r.Findings))
	for i, f := range r.Findings {
		rs[i], res[i] = notifyResource(f), f.Resource
	}
	return append(notify.ResourceMetrics(rs, t, optFns...), exhaustionMetrics(res, t, optFns...)...)
}

// ResourceMetrics returns the same metrics for every resource whose usage
// is known: a dashboard of everything, at three custom metrics a resource
// (four with a forecast that has a date).
func (r Report) ResourceMetrics(t time.Time, optFns ...func(*notify.ResourceMetricsOptions)) []notify.Metric {
	var rs []notify.Resource
	var known []Resource
	for _, x := range r.Resources {
		if x.Known {
			rs, known = append(rs, toNotify(x)), append(known, x)
		}
	}
	return append(notify.ResourceMetrics(rs, t, optFns...), exhaustionMetrics(known, t, optFns...)...)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
