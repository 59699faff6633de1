package usage

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/ipamkit/ipamkit/internal/jsonversion"
	"github.com/ipamkit/ipamkit/notify"
)

// ScanInfo describes the scans behind a report.
type ScanInfo struct {
	Started  time.Time // when the first scan started
	Finished time.Time // when the last scan finished
	Targets  int       // targets scanned or attempted
	APICalls int       // AWS API calls made, retries included
}

// Duration returns Finished minus Started.
func (s ScanInfo) Duration() time.Duration { return s.Finished.Sub(s.Started) }

type scanInfoJSON struct {
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
	DurationMS int64     `json:"durationMs"`
	Targets    int       `json:"targets"`
	APICalls   int       `json:"apiCalls"`
}

// MarshalJSON adds durationMs, derived, to the fields.
func (s ScanInfo) MarshalJSON() ([]byte, error) {
	return json.Marshal(scanInfoJSON{s.Started, s.Finished, s.Duration().Milliseconds(), s.Targets, s.APICalls})
}

// UnmarshalJSON decodes what [ScanInfo.MarshalJSON] writes.
func (s *ScanInfo) UnmarshalJSON(b []byte) error {
	var v scanInfoJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = ScanInfo{v.Started, v.Finished, v.Targets, v.APICalls}
	return nil
}

// Report is the result of one scan, or of several merged: every resource
// measured, the findings among them, and the targets that failed. Its JSON
// form is the contract with downstream workflows; it only ever gains
// fields.
//
// Resources are ordered by account, region, source, type, ID and CIDR;
// findings worst first (see [Evaluate]); errors by account and region.
type Report struct {
	Resources []Resource     `json:"resources"`
	Findings  []Finding      `json:"findings"`
	Errors    []*TargetError `json:"errors"`
	Scan      ScanInfo       `json:"scan"`
}

// FormatVersion is the version of the JSON form of a [Report], written as
// its "formatVersion" member. It changes only when a member is removed or
// changes meaning; new members do not change it, so a consumer that checks
// the version can rely on every member it knows.
const FormatVersion = 1

// MarshalJSON encodes r with its struct tags, after a "formatVersion"
// member holding [FormatVersion]. The resources, findings and errors are
// written as [Resource.MarshalJSON], [Finding.MarshalJSON] and
// [TargetError.MarshalJSON] say.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report // the struct tags, without these methods
	return jsonversion.Marshal(FormatVersion, plain(r))
}

// UnmarshalJSON decodes what [Report.MarshalJSON] writes, such as a report
// saved by an earlier run. It refuses a formatVersion newer than
// [FormatVersion], whose members may mean something else; a missing one is
// read as the current version.
func (r *Report) UnmarshalJSON(b []byte) error {
	if err := jsonversion.Check("report", b, FormatVersion); err != nil {
		return err
	}
	type plain Report
	return json.Unmarshal(b, (*plain)(r))
}

// NewReport evaluates resources against p and returns the report, with
// everything in its documented order. An invalid policy gives an error
// wrapping [ErrBadPolicy].
func NewReport(resources []Resource, errs []*TargetError, scan ScanInfo, p Policy) (Report, error) {
	findings, err := Evaluate(resources, p)
	if err != nil {
		return Report{}, err
	}
	r := Report{
		Resources: slices.Clone(resources),
		Findings:  findings,
		Errors:    slices.Clone(errs),
		Scan:      scan,
	}
	r.sort()
	return r, nil
}

func (r *Report) sort() {
	slices.SortStableFunc(r.Resources, compareResources)
	slices.SortStableFunc(r.Findings, compareFindings)
	slices.SortStableFunc(r.Errors, func(a, b *TargetError) int { return compareTargets(a.Target, b.Target) })
}

// Worst returns the highest severity among the findings; notify.Info, the
// zero Severity, when there are none.
func (r Report) Worst() notify.Severity {
	if len(r.Findings) == 0 {
		return notify.Info
	}
	return r.Findings[0].Severity
}

// Merge combines reports of scans over disjoint sets of targets into the
// report one scan over all of them would give: the way a Step Functions
// distributed map fans a large organization out over many invocations and
// merges their results. Scan figures add up; the scan runs from the
// earliest start to the latest finish.
//
// Should the same resource appear in several reports, the one from the
// report given last is kept. Merge does not modify its arguments.
func Merge(reports ...Report) Report {
	var out Report
	for _, r := range reports {
		out.Resources = append(out.Resources, r.Resources...)
		out.Findings = append(out.Findings, r.Findings...)
		out.Errors = append(out.Errors, r.Errors...)
		s := r.Scan
		if !s.Started.IsZero() && (out.Scan.Started.IsZero() || s.Started.Before(out.Scan.Started)) {
			out.Scan.Started = s.Started
		}
		if s.Finished.After(out.Scan.Finished) {
			out.Scan.Finished = s.Finished
		}
		out.Scan.Targets += s.Targets
		out.Scan.APICalls += s.APICalls
	}
	out.Resources = keepLast(out.Resources, Resource.Key)
	out.Findings = keepLast(out.Findings, func(f Finding) Key { return f.Key() })
	out.sort()
	return out
}

// keepLast drops every element whose key appears again later in s, in
// place.
func keepLast[T any](s []T, key func(T) Key) []T {
	last := make(map[Key]int, len(s))
	for i, v := range s {
		last[key(v)] = i
	}
	out := s[:0]
	for i, v := range s {
		if last[key(v)] == i {
			out = append(out, v)
		}
	}
	return out
}
