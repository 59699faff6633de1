package usage

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	run1 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	run2 = run1.Add(time.Hour)
)

// runReport is the report of a scan that measured resources under p, at
// finished, with the given failed targets.
func runReport(t testing.TB, p Policy, finished time.Time, resources []Resource, failed ...Target) Report {
	t.Helper()
	var errs []*TargetError
	for _, tg := range failed {
		errs = append(errs, &TargetError{Target: tg, Err: errors.New("AccessDenied")})
	}
	r, err := NewReport(resources, errs, ScanInfo{Finished: finished, Targets: 2}, p)
	require.NoError(t, err)
	return r
}

// in returns r in another account or region.
func in(r Resource, account, region string) Resource {
	r.AccountID, r.Region = account, region
	return r
}

func from(r Resource, src Source) Resource {
	r.Source = src
	return r
}

// changeRow is one change, as the tests compare them.
type changeRow struct {
	ID     string
	Kind   ChangeKind
	Before notify.Severity
	Reason string
}

func rows(d Diff) []changeRow {
	var out []changeRow
	for _, c := range d.Changes {
		out = append(out, changeRow{c.Finding.ID, c.Kind, c.Before, c.Reason})
	}
	return out
}

func TestCompareTransitions(t *testing.T) {
	t.Parallel()
	warn := Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}}
	other := Target{AccountID: "222222222222", Region: "eu-west-1"}
	tests := []struct {
		name       string
		p1, p2     Policy
		before     []Resource
		after      []Resource
		failed     []Target
		want       []changeRow
		wantDue    bool
		wantKept   []string // IDs in the next snapshot
		incomplete bool
	}{
		{
			name:   "unchanged: nothing due",
			p1:     warn,
			p2:     warn,
			before: []Resource{pct("a", TypeSubnet, 950, nil), pct("b", TypeSubnet, 650, nil)},
			after:  []Resource{pct("a", TypeSubnet, 960, nil), pct("b", TypeSubnet, 700, nil)},
			want: []changeRow{
				{"a", ChangeUnchanged, notify.Critical, ""},
				{"b", ChangeUnchanged, notify.Warning, ""},
			},
			wantKept: []string{"a", "b"},
		},
		{
			name:     "new finding",
			p1:       warn,
			p2:       warn,
			before:   []Resource{pct("a", TypeSubnet, 100, nil)},
			after:    []Resource{pct("a", TypeSubnet, 650, nil)},
			want:     []changeRow{{"a", ChangeNew, notify.Info, ""}},
			wantDue:  true,
			wantKept: []string{"a"},
		},
		{
			name:     "escalated: warning to critical",
			p1:       warn,
			p2:       warn,
			before:   []Resource{pct("a", TypeSubnet, 650, nil)},
			after:    []Resource{pct("a", TypeSubnet, 950, nil)},
			want:     []changeRow{{"a", ChangeEscalated, notify.Warning, "warning → critical"}},
			wantDue:  true,
			wantKept: []string{"a"},
		},
		{
			name:     "improved: critical to warning",
			p1:       warn,
			p2:       warn,
			before:   []Resource{pct("a", TypeSubnet, 950, nil)},
			after:    []Resource{pct("a", TypeSubnet, 650, nil)},
			want:     []changeRow{{"a", ChangeImproved, notify.Critical, "critical → warning"}},
			wantDue:  true,
			wantKept: []string{"a"},
		},
		{
			name:    "resolved below threshold",
			p1:      warn,
			p2:      warn,
			before:  []Resource{pct("a", TypeSubnet, 950, nil)},
			after:   []Resource{pct("a", TypeSubnet, 100, nil)},
			want:    []changeRow{{"a", ChangeResolved, notify.Critical, ReasonBelowThreshold}},
			wantDue: true,
		},
		{
			name:    "resolved: resource gone (deleted VPC)",
			p1:      warn,
			p2:      warn,
			before:  []Resource{pct("vpc-gone", TypeVPC, 950, nil), pct("b", TypeSubnet, 100, nil)},
			after:   []Resource{pct("b", TypeSubnet, 100, nil)},
			want:    []changeRow{{"vpc-gone", ChangeResolved, notify.Critical, ReasonGone}},
			wantDue: true,
		},
		{
			name:    "threshold raised between runs: resolved below threshold",
			p1:      Policy{},
			p2:      Policy{Thresholds: Thresholds{Critical: 90}},
			before:  []Resource{pct("a", TypeSubnet, 850, nil)},
			after:   []Resource{pct("a", TypeSubnet, 850, nil)},
			want:    []changeRow{{"a", ChangeResolved, notify.Critical, ReasonBelowThreshold}},
			wantDue: true,
		},
		{
			name:     "threshold lowered between runs: new",
			p1:       Policy{},
			p2:       Policy{Thresholds: Thresholds{Critical: 50}},
			before:   []Resource{pct("a", TypeSubnet, 600, nil)},
			after:    []Resource{pct("a", TypeSubnet, 600, nil)},
			want:     []changeRow{{"a", ChangeNew, notify.Info, ""}},
			wantDue:  true,
			wantKept: []string{"a"},
		},
		{
			name:     "warning level added between runs: critical stays, a new warning",
			p1:       Policy{},
			p2:       warn,
			before:   []Resource{pct("a", TypeSubnet, 950, nil), pct("b", TypeSubnet, 700, nil)},
			after:    []Resource{pct("a", TypeSubnet, 950, nil), pct("b", TypeSubnet, 700, nil)},
			want:     []changeRow{{"b", ChangeNew, notify.Info, ""}, {"a", ChangeUnchanged, notify.Critical, ""}},
			wantDue:  true,
			wantKept: []string{"a", "b"},
		},
		{
			name:     "same ID from another source is another finding",
			p1:       warn,
			p2:       warn,
			before:   []Resource{pct("vpc-1", TypeVPC, 950, nil)},
			after:    []Resource{from(pct("vpc-1", TypeVPC, 950, nil), SourcePools)},
			want:     []changeRow{{"vpc-1", ChangeNew, notify.Info, ""}, {"vpc-1", ChangeResolved, notify.Critical, ReasonGone}},
			wantDue:  true,
			wantKept: []string{"vpc-1"},
		},
		{
			name:       "failed target: its finding is unverified, kept, and the alert is due",
			p1:         warn,
			p2:         warn,
			before:     []Resource{pct("a", TypeSubnet, 950, nil), in(pct("x", TypeSubnet, 950, nil), other.AccountID, other.Region)},
			after:      []Resource{pct("a", TypeSubnet, 950, nil)},
			failed:     []Target{other},
			want:       []changeRow{{"x", ChangeUnverified, notify.Critical, "target 222222222222/eu-west-1 failed"}, {"a", ChangeUnchanged, notify.Critical, ""}},
			wantDue:    true,
			wantKept:   []string{"a", "x"},
			incomplete: true,
		},
		{
			name:       "failed target elsewhere: an ec2 finding that is gone resolves",
			p1:         warn,
			p2:         warn,
			before:     []Resource{pct("a", TypeSubnet, 950, nil)},
			after:      nil,
			failed:     []Target{other},
			want:       []changeRow{{"a", ChangeResolved, notify.Critical, ReasonGone}},
			wantDue:    true,
			incomplete: true,
		},
		{
			name:       "failed target elsewhere: an IPAM finding that is missing is unverified",
			p1:         warn,
			p2:         warn,
			before:     []Resource{from(pct("a", TypeSubnet, 950, nil), SourceIPAM)},
			failed:     []Target{other},
			want:       []changeRow{{"a", ChangeUnverified, notify.Critical, "scan incomplete: ipam figures may be missing"}},
			wantDue:    true,
			wantKept:   []string{"a"},
			incomplete: true,
		},
		{
			name:       "failed account in every region",
			p1:         warn,
			p2:         warn,
			before:     []Resource{in(pct("x", TypeSubnet, 950, nil), other.AccountID, "ap-south-1")},
			failed:     []Target{{AccountID: other.AccountID}},
			want:       []changeRow{{"x", ChangeUnverified, notify.Critical, "target 222222222222/ failed"}},
			wantDue:    true,
			wantKept:   []string{"x"},
			incomplete: true,
		},
		{
			name:       "incomplete scan with nothing changed is still due",
			p1:         warn,
			p2:         warn,
			before:     []Resource{pct("a", TypeSubnet, 950, nil)},
			after:      []Resource{pct("a", TypeSubnet, 950, nil)},
			failed:     []Target{other},
			want:       []changeRow{{"a", ChangeUnchanged, notify.Critical, ""}},
			wantDue:    true,
			wantKept:   []string{"a"},
			incomplete: true,
		},
		{
			name:     "usage no longer known: unverified",
			p1:       warn,
			p2:       warn,
			before:   []Resource{pct("a", TypeSubnet, 950, nil)},
			after:    []Resource{{ID: "a", Type: TypeSubnet, Source: SourceEC2, AccountID: "111111111111", Region: "us-east-1"}},
			want:     []changeRow{{"a", ChangeUnverified, notify.Critical, "usage not known this run"}},
			wantDue:  true,
			wantKept: []string{"a"},
		},
		{
			name:   "order: escalated, new, improved, resolved, then unchanged",
			p1:     warn,
			p2:     warn,
			before: []Resource{pct("esc", TypeSubnet, 650, nil), pct("imp", TypeSubnet, 950, nil), pct("res", TypeSubnet, 950, nil), pct("same", TypeSubnet, 990, nil)},
			after:  []Resource{pct("esc", TypeSubnet, 920, nil), pct("imp", TypeSubnet, 650, nil), pct("new", TypeSubnet, 700, nil), pct("same", TypeSubnet, 990, nil)},
			want: []changeRow{
				{"esc", ChangeEscalated, notify.Warning, "warning → critical"},
				{"new", ChangeNew, notify.Info, ""},
				{"imp", ChangeImproved, notify.Critical, "critical → warning"},
				{"res", ChangeResolved, notify.Critical, ReasonGone},
				{"same", ChangeUnchanged, notify.Critical, ""},
			},
			wantDue:  true,
			wantKept: []string{"esc", "imp", "new", "same"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			first := Compare(nil, runReport(t, tt.p1, run1, tt.before))
			d := Compare(&first.Next, runReport(t, tt.p2, run2, tt.after, tt.failed...))
			assert.Equal(t, tt.want, rows(d), "changes")
			assert.Equal(t, tt.wantDue, d.Due(), "Due")
			assert.Equal(t, tt.incomplete, d.Incomplete, "Incomplete")
			assert.False(t, d.ReminderDue, "ReminderDue an hour after an alert")
			assert.Empty(t, d.Baseline, "Baseline with a previous run")
			var kept []string
			for _, f := range d.Next.Findings {
				kept = append(kept, f.ID)
			}
			assert.ElementsMatch(t, tt.wantKept, kept, "next snapshot")
			assert.Equal(t, run2, d.Next.Saved)
		})
	}
}

func TestCompareBaseline(t *testing.T) {
	t.Parallel()
	r := runReport(t, Policy{}, run1, []Resource{pct("a", TypeSubnet, 950, nil)})
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"first run", nil, "first run: no previous state, every finding is reported as new"},
		{"unreadable", ErrStateUnreadable, "previous state unreadable (state unreadable): every finding is reported as new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := Compare(nil, r, func(o *CompareOptions) { o.PreviousErr = tt.err })
			assert.Equal(t, tt.want, d.Baseline)
			assert.Equal(t, []changeRow{{"a", ChangeNew, notify.Info, ""}}, rows(d))
			assert.True(t, d.Due())
			require.Len(t, d.Next.Findings, 1)
			assert.Equal(t, run1, d.Next.Findings[0].Since)
			assert.Equal(t, run1, d.Next.Findings[0].Reminded)
		})
	}
}

func TestCompareReminders(t *testing.T) {
	t.Parallel()
	warn := Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}}
	crit := []Resource{pct("c", TypeSubnet, 950, nil)}
	onlyWarn := []Resource{pct("w", TypeSubnet, 650, nil)}
	tests := []struct {
		name      string
		resources []Resource
		later     time.Duration
		opts      CompareOptions
		want      bool
	}{
		{"critical, 23h later: not yet", crit, 23 * time.Hour, CompareOptions{}, false},
		{"critical, 24h later: due", crit, 24 * time.Hour, CompareOptions{}, true},
		{"warning only, 48h later: warnings are not reminded by default", onlyWarn, 48 * time.Hour, CompareOptions{}, false},
		{"warning, reminders from warning", onlyWarn, 48 * time.Hour, CompareOptions{RemindSeverity: notify.Warning}, true},
		{"custom interval", crit, 2 * time.Hour, CompareOptions{RemindEvery: time.Hour}, true},
		{"reminders off", crit, 1000 * time.Hour, CompareOptions{RemindEvery: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			first := Compare(nil, runReport(t, warn, run1, tt.resources))
			at := run1.Add(tt.later)
			d := Compare(&first.Next, runReport(t, warn, at, tt.resources), func(o *CompareOptions) { *o = tt.opts })
			assert.Equal(t, tt.want, d.ReminderDue, "ReminderDue")
			assert.Equal(t, tt.want, d.Due(), "Due")
			wantReminded := run1
			if tt.want {
				wantReminded = at
			}
			require.Len(t, d.Next.Findings, 1)
			assert.Equal(t, wantReminded, d.Next.Findings[0].Reminded, "Reminded")
			assert.Equal(t, run1, d.Next.Findings[0].Since, "Since")
		})
	}
}

// TestCompareProperties checks, over random pairs of runs, what must hold
// whatever the findings: every finding and every previous finding appears
// exactly once; nothing of a failed target resolves; the next snapshot
// holds this run's findings and the unverified ones; comparing a run with
// its own snapshot changes nothing.
func TestCompareProperties(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 18))
	accounts := []string{"111111111111", "222222222222"}
	regions := []string{"us-east-1", "eu-west-1"}
	sources := []Source{SourceEC2, SourceIPAM}
	randomRun := func() []Resource {
		var rs []Resource
		for i := range 12 {
			if rng.IntN(4) == 0 {
				continue // not measured: gone
			}
			r := pct(string(rune('a'+i)), TypeSubnet, uint64(rng.IntN(1001)), nil)
			r = from(in(r, accounts[i%2], regions[(i/2)%2]), sources[(i/4)%2])
			rs = append(rs, r)
		}
		return rs
	}
	p := Policy{Thresholds: Thresholds{Warning: 50, Critical: 80}}
	for range 500 {
		var failed []Target
		if rng.IntN(3) == 0 {
			failed = append(failed, Target{AccountID: accounts[rng.IntN(2)], Region: regions[rng.IntN(2)]})
		}
		before := runReport(t, p, run1, randomRun())
		after := runReport(t, p, run2, randomRun(), failed...)
		prev := Compare(nil, before).Next
		d := Compare(&prev, after)

		seen := map[Key]int{}
		for _, c := range d.Changes {
			seen[c.Finding.Key()]++
			if c.Kind == ChangeResolved {
				_, hidden := hiddenBy(snapshotFinding(c.Finding, run1, run1), after)
				if c.Reason == ReasonGone && hidden {
					t.Fatalf("seed %d: %s resolved as gone although a target failed", seed, c.Finding.ID)
				}
			}
		}
		for _, f := range after.Findings {
			require.Equal(t, 1, seen[f.Key()], "seed %d: finding %s listed once", seed, f.ID)
		}
		for _, f := range prev.Findings {
			require.Equal(t, 1, seen[f.Key()], "seed %d: previous finding %s listed once", seed, f.ID)
		}
		require.Len(t, d.Next.Findings, len(after.Findings)+d.Count(ChangeUnverified), "seed %d: next snapshot", seed)

		again := Compare(&d.Next, after, func(o *CompareOptions) { o.Now = run2.Add(time.Minute) })
		require.Equal(t, again.Count(ChangeUnverified), len(again.Changed()), "seed %d: only unverified findings change on a rerun", seed)
		require.Equal(t, len(failed) > 0, again.Due(), "seed %d: a rerun is due only when incomplete", seed)
	}
}

// TestCompareForecastStep checks that a finding whose severity stays the
// same escalates when its exhaustion forecast moves closer past a step, that
// moving away is no change, and that the step survives the state's JSON.
func TestCompareForecastStep(t *testing.T) {
	t.Parallel()
	p := Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}, Exhaustion: ExhaustionDays{Warning: 30}}
	runsOut := func(r Resource, at time.Time, days int) Resource {
		r.Forecast = &Forecast{Status: ForecastExhausts, At: at, Exhaustion: at.Add(time.Duration(days) * 24 * time.Hour)}
		return r
	}
	a := pct("a", TypeSubnet, 650, nil) // a warning by its percentage alone
	first := Compare(nil, runReport(t, p, run1, []Resource{a}))

	// The state is saved and read back between runs.
	b, err := first.Next.MarshalJSON()
	require.NoError(t, err)
	prev, err := ParseSnapshot(b)
	require.NoError(t, err)

	d := Compare(prev, runReport(t, p, run2, []Resource{runsOut(a, run2, 20)}))
	assert.Equal(t, []changeRow{{"a", ChangeEscalated, notify.Warning, "runs out within 30 days"}}, rows(d))
	assert.True(t, d.Due(), "Due")
	require.Len(t, d.Next.Findings, 1)
	assert.Equal(t, 30, d.Next.Findings[0].ExhaustsWithin, "the step kept for the next run")

	b, err = d.Next.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"days":30`)
	prev, err = ParseSnapshot(b)
	require.NoError(t, err)

	run3 := run2.Add(time.Hour)
	same := Compare(prev, runReport(t, p, run3, []Resource{runsOut(a, run3, 19)}))
	assert.Equal(t, []changeRow{{"a", ChangeUnchanged, notify.Warning, ""}}, rows(same), "still within the same step")

	away := Compare(prev, runReport(t, p, run3, []Resource{a}))
	assert.Equal(t, []changeRow{{"a", ChangeUnchanged, notify.Warning, ""}}, rows(away), "moving away past a step is no alert")
	assert.False(t, away.Due(), "Due")
}
