package usage

import (
	"fmt"
	"strings"

	"github.com/ipamkit/ipamkit/notify"
)

// AlertKindChange is the Kind of the alerts on change ([Diff.Alert]).
const AlertKindChange = "utilization-change"

// Alert returns the alert on change of a run whose report is r: the
// changes, each a resource whose Change and Note say what happened, and
// the unchanged findings in Alert.Unchanged, counted in the summary (in
// Alert.Resources when the alert is only a reminder of them). It
// returns false when the run has nothing to say ([Diff.Due]): no change,
// no reminder due, a complete scan.
//
// The severity is the worst among this run's findings (a reminder is as
// urgent as what it reminds of), at least a warning when the scan was
// incomplete, and Info when the only changes are for the better. The
// summary says why every finding is new on a first run, that a reminder
// is due, and which targets failed (see [Report.Alert]).
func (d Diff) Alert(r Report, source string) (notify.Alert, bool) {
	if !d.Due() {
		return notify.Alert{}, false
	}
	a := notify.Alert{Kind: AlertKindChange, Source: source, Time: r.Scan.Finished}
	counts := map[ChangeKind]int{}
	for _, c := range d.Changes {
		counts[c.Kind]++
		nr := changeResource(c)
		if c.Kind == ChangeUnchanged {
			a.Unchanged = append(a.Unchanged, nr)
		} else {
			a.Resources = append(a.Resources, nr)
		}
		if c.Kind != ChangeResolved && c.Kind != ChangeUnverified && c.Finding.Severity > a.Severity {
			if c.Kind != ChangeUnchanged || d.ReminderDue || d.Incomplete {
				a.Severity = c.Finding.Severity
			}
		}
	}
	if d.Incomplete && a.Severity < notify.Warning {
		a.Severity = notify.Warning
	}

	var parts []string
	for _, k := range []ChangeKind{ChangeEscalated, ChangeNew, ChangeImproved, ChangeResolved, ChangeUnverified} {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	switch {
	case len(parts) > 0:
		a.Title = "IP usage changed: " + strings.Join(parts, ", ")
	case d.ReminderDue:
		a.Title = fmt.Sprintf("IP usage reminder: %d %s still over threshold", counts[ChangeUnchanged], plural(counts[ChangeUnchanged], "resource", "resources"))
		a.Resources, a.Unchanged = a.Unchanged, nil // what it reminds of is the news
	default:
		a.Title = fmt.Sprintf("IP usage scan incomplete: %d %s failed", len(r.Errors), plural(len(r.Errors), "target", "targets"))
	}
	if n := counts[ChangeUnchanged]; n > 0 && len(parts) > 0 {
		a.Title += fmt.Sprintf(" (%d unchanged)", n)
	}

	var b strings.Builder
	if d.Baseline != "" {
		b.WriteString(upperFirst(d.Baseline) + ". ")
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, "Since the last run: %s. ", strings.Join(parts, ", "))
	}
	n := counts[ChangeUnchanged]
	fmt.Fprintf(&b, "%d %s unchanged.", n, plural(n, "finding", "findings"))
	if d.ReminderDue {
		b.WriteString(" Reminder: findings are still outstanding.")
	}
	b.WriteString(" " + r.summary())
	a.Summary = b.String()
	return a, true
}

// changeResource is a change as an alert shows it: the finding's
// resource, with the change and the severity in its note.
func changeResource(c Change) notify.Resource {
	nr := notifyResource(c.Finding)
	nr.Change, nr.Severity = string(c.Kind), c.Finding.Severity
	switch c.Kind {
	case ChangeResolved:
		nr.Percent, nr.Severity = c.Percent, notify.Info
		if c.Reason == ReasonGone {
			nr.Percent = 0 // nothing is used of what is gone; Change.Percent keeps the last figure
		}
		nr.Note = fmt.Sprintf("resolved (%s), was %s at %g%%", c.Reason, c.Before, c.Finding.Threshold)
	case ChangeUnverified:
		nr.Percent = c.Percent
		nr.Note = fmt.Sprintf("unverified (%s), was %s at %g%%", c.Reason, c.Before, c.Finding.Threshold)
	case ChangeEscalated, ChangeImproved:
		nr.Note = string(c.Kind) + " (" + c.Reason + "): " + nr.Note
	default:
		nr.Note = string(c.Kind) + ": " + nr.Note
	}
	return nr
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
