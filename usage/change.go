package usage

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

// ChangeKind says how a finding changed since the previous run.
type ChangeKind string

// The kinds of [Change], in the order a [Diff] lists them.
const (
	// ChangeEscalated is a finding that got worse: warning to critical.
	ChangeEscalated ChangeKind = "escalated"
	// ChangeNew is a finding that was not one in the previous run.
	ChangeNew ChangeKind = "new"
	// ChangeImproved is a finding that got better: critical to warning.
	ChangeImproved ChangeKind = "improved"
	// ChangeResolved is a previous finding that is no longer one: its
	// resource is below every threshold, or gone (see [Change.Reason]).
	ChangeResolved ChangeKind = "resolved"
	// ChangeUnverified is a previous finding that this run could not see
	// because a target failed or the scan was incomplete. It is neither
	// resolved nor forgotten: a failed target is not an all-clear.
	ChangeUnverified ChangeKind = "unverified"
	// ChangeUnchanged is a finding at the same severity as before.
	ChangeUnchanged ChangeKind = "unchanged"
)

// rank orders the kinds as a Diff lists them: what needs attention first.
func (k ChangeKind) rank() int {
	switch k {
	case ChangeEscalated:
		return 0
	case ChangeNew:
		return 1
	case ChangeImproved:
		return 2
	case ChangeResolved:
		return 3
	case ChangeUnverified:
		return 4
	}
	return 5
}

// Why a finding resolved: [Change.Reason] of a [ChangeResolved] change.
const (
	// ReasonBelowThreshold: the resource was measured below every
	// threshold (it emptied, or the policy changed).
	ReasonBelowThreshold = "below threshold"
	// ReasonGone: the resource was not measured at all by a complete scan:
	// deleted, or no longer in what is scanned.
	ReasonGone = "gone"
)

// Change is one finding, or former finding, compared with the previous
// run. It is a plain value, safe to copy.
type Change struct {
	Kind ChangeKind
	// Finding is this run's finding; for ChangeResolved and
	// ChangeUnverified, the previous run's, as the state kept it (its
	// resource has the identity, name and threshold, not the figures).
	Finding Finding
	// Before is the severity in the previous run; notify.Info when
	// ChangeNew.
	Before notify.Severity
	// Percent is the utilization this run measured, in percent; for
	// ChangeResolved with ReasonGone and for ChangeUnverified, the one
	// the previous run measured.
	Percent float64
	// Reason says why: for ChangeResolved, ReasonBelowThreshold or
	// ReasonGone; for ChangeEscalated and ChangeImproved, what moved
	// ("warning → critical"); for ChangeUnverified, which target failed.
	Reason string
	// Since is when the finding was first seen, as the state recorded it;
	// this run's time when ChangeNew.
	Since time.Time
}

// Diff is a run's findings compared with the previous run's: what
// [Compare] returns. The zero Diff has no change and nothing due.
type Diff struct {
	// Changes holds every finding of this run and every previous finding
	// that is resolved or unverified, changed ones first in the order of
	// the ChangeKind constants, then by the order of findings (worst
	// first; see [Evaluate]), the unchanged ones last.
	Changes []Change
	// Baseline says why every finding is new, when there was no usable
	// previous run: the first run, or state that could not be read. Empty
	// otherwise.
	Baseline string
	// Incomplete reports that a target failed: the alert is due whatever
	// changed, and previous findings the run could not see are
	// ChangeUnverified, never resolved.
	Incomplete bool
	// ReminderDue reports that a finding at or above the reminder's
	// severity has been outstanding, without an alert, for the reminder's
	// interval.
	ReminderDue bool
	// Next is the state to save for the next run.
	Next Snapshot
}

// Count returns the number of changes of kind k.
func (d Diff) Count(k ChangeKind) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Changed returns the changes other than ChangeUnchanged, in the order of
// d.Changes.
func (d Diff) Changed() []Change {
	var out []Change
	for _, c := range d.Changes {
		if c.Kind != ChangeUnchanged {
			out = append(out, c)
		}
	}
	return out
}

// Due reports whether the run has something to say: a change, a reminder
// due, or an incomplete scan (always said: silence is not an all-clear).
// An unverified finding alone is said, since its target failed.
func (d Diff) Due() bool {
	return d.Incomplete || d.ReminderDue || slices.ContainsFunc(d.Changes, func(c Change) bool { return c.Kind != ChangeUnchanged })
}

// Snapshot is what a run keeps for the next one: its findings in compact
// form, each with when it was first seen and last alerted. The zero
// Snapshot has no finding. See [State] for where it is kept, and
// [Snapshot.MarshalJSON] for its form.
type Snapshot struct {
	// Saved is when the run that wrote it finished.
	Saved time.Time
	// Findings are ordered by account, region, source, type, ID and CIDR.
	Findings []SnapshotFinding
}

// SnapshotFinding is one finding as a [Snapshot] keeps it: the identity of
// its resource, its name, and the figures a change is decided on.
type SnapshotFinding struct {
	Source    Source
	AccountID string
	Region    string
	Type      ResourceType
	ID        string
	CIDR      netip.Prefix
	Name      string
	Severity  notify.Severity
	Threshold float64 // the threshold reached, in percent
	Percent   float64 // the utilization measured, in percent
	// ExhaustsWithin is the exhaustion step reached, in days
	// (Finding.ExhaustsWithin); 0 when none.
	ExhaustsWithin int
	Since          time.Time
	// Reminded is when an alert last went out while the finding was
	// outstanding.
	Reminded time.Time
}

// Key returns the identity of the finding's resource, as [Resource.Key].
func (f SnapshotFinding) Key() Key {
	return Key{f.Source, f.AccountID, f.Region, f.Type, f.ID, f.CIDR}
}

// finding returns f as a Finding: the identity, name, severity and
// threshold; no figures.
func (f SnapshotFinding) finding() Finding {
	return Finding{
		Resource:       Resource{ID: f.ID, Type: f.Type, Name: f.Name, Source: f.Source, AccountID: f.AccountID, Region: f.Region, CIDR: f.CIDR},
		Severity:       f.Severity,
		Threshold:      f.Threshold,
		ExhaustsWithin: f.ExhaustsWithin,
	}
}

// DefaultRemindEvery is the reminder interval of the zero [CompareOptions].
const DefaultRemindEvery = 24 * time.Hour

// CompareOptions configures [Compare]. The zero value reminds of critical
// findings every DefaultRemindEvery.
type CompareOptions struct {
	// Now is the time of the run; the zero time means the report's
	// Scan.Finished.
	Now time.Time
	// RemindEvery is how long a finding at or above RemindSeverity stays
	// outstanding without an alert before a reminder is due. Zero means
	// DefaultRemindEvery; a negative value never reminds.
	RemindEvery time.Duration
	// RemindSeverity is the lowest severity reminded of; zero (notify.Info)
	// means notify.Critical.
	RemindSeverity notify.Severity
	// PreviousErr is why the previous state could not be read, when prev
	// is nil for that reason; it goes into Diff.Baseline.
	PreviousErr error
}

// Compare compares the findings of r with those of the previous run, prev,
// by resource (source, account, region, type, ID and CIDR). A nil prev is
// a first run: every finding is ChangeNew and Diff.Baseline says why
// (CompareOptions.PreviousErr when the state could not be read).
//
// A previous finding missing from r resolves: with ReasonBelowThreshold
// when r measured its resource, ReasonGone when r did not. But when r is
// incomplete (a target failed), a missing finding whose account and region
// are those of a failed target, or whose source is not ec2 (IPAM and pool
// figures are read centrally, so a failure anywhere may hide them), is
// ChangeUnverified and kept for the next run: a failed target is not an
// all-clear.
//
// Compare is pure: it reads only its arguments, and never modifies them.
func Compare(prev *Snapshot, r Report, optFns ...func(*CompareOptions)) Diff {
	var o CompareOptions
	for _, fn := range optFns {
		fn(&o)
	}
	now := o.Now
	if now.IsZero() {
		now = r.Scan.Finished
	}
	if o.RemindEvery == 0 {
		o.RemindEvery = DefaultRemindEvery
	}
	if o.RemindSeverity == notify.Info {
		o.RemindSeverity = notify.Critical
	}

	d := Diff{Incomplete: len(r.Errors) > 0, Next: Snapshot{Saved: now}}
	n := len(r.Findings)
	if prev != nil {
		n += len(prev.Findings)
	}
	d.Changes, d.Next.Findings = make([]Change, 0, n), make([]SnapshotFinding, 0, n)
	var before map[Key]int // index in prev.Findings
	switch {
	case prev == nil && o.PreviousErr != nil:
		d.Baseline = fmt.Sprintf("previous state unreadable (%v): every finding is reported as new", o.PreviousErr)
	case prev == nil:
		d.Baseline = "first run: no previous state, every finding is reported as new"
	default:
		before = make(map[Key]int, len(prev.Findings))
		for i, f := range prev.Findings {
			before[f.Key()] = i
		}
	}

	// This run's findings.
	seen := make(map[Key]bool, len(r.Findings))
	for _, f := range r.Findings {
		k := f.Key()
		if seen[k] {
			continue // a report keeps one finding per key; be safe
		}
		seen[k] = true
		c := Change{Finding: f, Percent: f.Percent(), Since: now}
		i, ok := before[k]
		next := snapshotFinding(f, now, now)
		switch {
		case !ok:
			c.Kind = ChangeNew
		default:
			p := prev.Findings[i]
			c.Before, c.Since = p.Severity, p.Since
			if c.Since.IsZero() {
				c.Since = now
			}
			next.Since, next.Reminded = c.Since, p.Reminded
			c.Kind, c.Reason = transition(p, f)
			if c.Kind == ChangeUnchanged && o.RemindEvery > 0 && f.Severity >= o.RemindSeverity && !now.Before(p.Reminded.Add(o.RemindEvery)) {
				d.ReminderDue = true
			}
		}
		d.Changes = append(d.Changes, c)
		d.Next.Findings = append(d.Next.Findings, next)
	}

	// Previous findings this run did not raise.
	var measured map[Key]int // index in r.Resources, built when first needed
	if prev != nil {
		for _, p := range prev.Findings {
			k := p.Key()
			if seen[k] {
				continue
			}
			seen[k] = true
			c := Change{Finding: p.finding(), Before: p.Severity, Percent: p.Percent, Since: p.Since}
			if measured == nil {
				measured = make(map[Key]int, len(r.Resources))
				for i, res := range r.Resources {
					measured[res.Key()] = i
				}
			}
			j, wasMeasured := measured[k]
			failed, hidden := hiddenBy(p, r)
			switch {
			case wasMeasured && r.Resources[j].Known:
				c.Kind, c.Reason, c.Percent = ChangeResolved, ReasonBelowThreshold, r.Resources[j].Percent()
			case wasMeasured:
				c.Kind, c.Reason = ChangeUnverified, "usage not known this run"
				d.Next.Findings = append(d.Next.Findings, p) // kept as it was
			case hidden:
				c.Kind, c.Reason = ChangeUnverified, failed
				d.Next.Findings = append(d.Next.Findings, p)
			default:
				c.Kind, c.Reason = ChangeResolved, ReasonGone
			}
			d.Changes = append(d.Changes, c)
		}
	}

	// The order of findings (compareFindings), with the percentages
	// computed once.
	slices.SortFunc(d.Changes, func(a, b Change) int { // a total order: keys are unique
		return cmp.Or(
			cmp.Compare(a.Kind.rank(), b.Kind.rank()),
			cmp.Compare(b.Finding.Severity, a.Finding.Severity),
			cmp.Compare(b.Percent, a.Percent),
			compareResources(a.Finding.Resource, b.Finding.Resource),
		)
	})
	if d.Due() {
		// The alert that goes out now reminds of everything outstanding.
		for i := range d.Next.Findings {
			d.Next.Findings[i].Reminded = now
		}
	}
	slices.SortFunc(d.Next.Findings, func(a, b SnapshotFinding) int {
		return cmp.Or(
			cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID), ipam.ComparePrefix(a.CIDR, b.CIDR),
		)
	})
	return d
}

// transition classifies a finding present in both runs.
//
// A finding whose severity did not change escalates when its exhaustion
// forecast moved closer past a step of Policy.Exhaustion (no step → 30
// days, or 30 → 7): "runs out within 7 days (was 30)". Moving away past a
// step is no change worth an alert; the snapshot keeps the new step, so
// moving back in escalates again.
func transition(p SnapshotFinding, f Finding) (ChangeKind, string) {
	switch {
	case f.Severity > p.Severity:
		return ChangeEscalated, p.Severity.String() + " → " + f.Severity.String()
	case f.Severity < p.Severity:
		return ChangeImproved, p.Severity.String() + " → " + f.Severity.String()
	case f.ExhaustsWithin != 0 && (p.ExhaustsWithin == 0 || f.ExhaustsWithin < p.ExhaustsWithin):
		reason := fmt.Sprintf("runs out within %d days", f.ExhaustsWithin)
		if p.ExhaustsWithin != 0 {
			reason += fmt.Sprintf(" (was %d)", p.ExhaustsWithin)
		}
		return ChangeEscalated, reason
	}
	return ChangeUnchanged, ""
}

// hiddenBy reports whether an incomplete report r may have missed the
// previous finding p, and which failed target says so.
func hiddenBy(p SnapshotFinding, r Report) (string, bool) {
	if len(r.Errors) == 0 {
		return "", false
	}
	for _, e := range r.Errors {
		t := e.Target
		if (t.AccountID == "" || t.AccountID == p.AccountID) && (t.Region == "" || t.Region == p.Region) {
			return "target " + t.String() + " failed", true
		}
	}
	if p.Source != SourceEC2 {
		return "scan incomplete: " + string(p.Source) + " figures may be missing", true
	}
	return "", false
}

// snapshotFinding returns f as a Snapshot keeps it.
func snapshotFinding(f Finding, since, reminded time.Time) SnapshotFinding {
	return SnapshotFinding{
		Source: f.Source, AccountID: f.AccountID, Region: f.Region, Type: f.Type, ID: f.ID, CIDR: f.CIDR,
		Name: f.Name, Severity: f.Severity, Threshold: f.Threshold, Percent: f.Percent(),
		ExhaustsWithin: f.ExhaustsWithin, Since: since, Reminded: reminded,
	}
}
