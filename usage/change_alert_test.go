package usage

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffAlert(t *testing.T) {
	t.Parallel()
	warn := Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}}
	other := Target{AccountID: "222222222222", Region: "eu-west-1"}
	tests := []struct {
		name          string
		before, after []Resource
		failed        []Target
		first         bool
		want          string // notify.DefaultText of the alert; "" when none is due
	}{
		{
			name:   "no change: nothing",
			before: []Resource{pct("a", TypeSubnet, 950, nil)},
			after:  []Resource{pct("a", TypeSubnet, 960, nil)},
		},
		{
			name:   "changes first, then the count of unchanged findings",
			before: []Resource{pct("esc", TypeSubnet, 650, nil), pct("gone", TypeVPC, 950, nil), pct("same", TypeSubnet, 990, nil)},
			after:  []Resource{pct("esc", TypeSubnet, 920, nil), pct("same", TypeSubnet, 990, nil), pct("new", TypeSubnet, 700, nil)},
			want: "[CRITICAL] IP usage changed: 1 escalated, 1 new, 1 resolved (1 unchanged)\n" +
				"Since the last run: 1 escalated, 1 new, 1 resolved. 1 finding unchanged. Scanned 2 targets: 3 resources measured, 3 over threshold.\n" +
				"Source: test  Time: 2026-11-30T09:00:00Z\n" +
				"[##################..]  92.0%  esc  111111111111  us-east-1  80 of 1000 free  escalated (warning → critical): critical at 90%\n" +
				"[##############......]  70.0%  new  111111111111  us-east-1  300 of 1000 free  new: warning at 60%\n" +
				"[....................]   0.0%  gone  111111111111  us-east-1  resolved (gone), was critical at 90%\n",
		},
		{
			name:   "only better: info",
			before: []Resource{pct("a", TypeSubnet, 950, nil)},
			after:  []Resource{pct("a", TypeSubnet, 100, nil)},
			want: "[INFO] IP usage changed: 1 resolved\n" +
				"Since the last run: 1 resolved. 0 findings unchanged. Scanned 2 targets: 1 resource measured, 0 over threshold.\n" +
				"Source: test  Time: 2026-11-30T09:00:00Z\n" +
				"[##..................]  10.0%  a  111111111111  us-east-1  resolved (below threshold), was critical at 90%\n",
		},
		{
			name:   "incomplete scan, nothing changed: sent, as today",
			before: []Resource{pct("a", TypeSubnet, 950, nil)},
			after:  []Resource{pct("a", TypeSubnet, 950, nil)},
			failed: []Target{other},
			want: "[CRITICAL] IP usage scan incomplete: 1 target failed\n" +
				"1 finding unchanged. Scanned 2 targets: 1 resource measured, 1 over threshold. 1 target failed: 222222222222/eu-west-1 (error).\n" +
				"Source: test  Time: 2026-11-30T09:00:00Z\n",
		},
		{
			name:  "first run: says why everything is new",
			first: true,
			after: []Resource{pct("a", TypeSubnet, 950, nil)},
			want: "[CRITICAL] IP usage changed: 1 new\n" +
				"First run: no previous state, every finding is reported as new. Since the last run: 1 new. 0 findings unchanged. Scanned 2 targets: 1 resource measured, 1 over threshold.\n" +
				"Source: test  Time: 2026-11-30T09:00:00Z\n" +
				"[###################.]  95.0%  a  111111111111  us-east-1  50 of 1000 free  new: critical at 90%\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var prev *Snapshot
			if !tt.first {
				d := Compare(nil, runReport(t, warn, run1, tt.before))
				prev = &d.Next
			}
			r := runReport(t, warn, run2, tt.after, tt.failed...)
			a, ok := Compare(prev, r).Alert(r, "test")
			if tt.want == "" {
				assert.False(t, ok, "alert due")
				return
			}
			require.True(t, ok, "alert due")
			assert.Equal(t, AlertKindChange, a.Kind)
			assert.Equal(t, tt.want, notify.DefaultText(a))
		})
	}
}

func TestDiffAlertUnchangedForPrograms(t *testing.T) {
	t.Parallel()
	warn := Policy{Thresholds: Thresholds{Warning: 60, Critical: 90}}
	prev := Compare(nil, runReport(t, warn, run1, []Resource{pct("same", TypeSubnet, 950, nil)})).Next
	r := runReport(t, warn, run2, []Resource{pct("same", TypeSubnet, 950, nil), pct("new", TypeSubnet, 650, nil)})
	a, ok := Compare(&prev, r).Alert(r, "test")
	require.True(t, ok)
	require.Len(t, a.Resources, 1)
	require.Len(t, a.Unchanged, 1)
	assert.Equal(t, notify.Resource{
		ID: "new", Type: "subnet", AccountID: "111111111111", Region: "us-east-1",
		Total: r.Findings[1].Total, Used: r.Findings[1].Used, Available: r.Findings[1].Available, Percent: 65,
		Note: "new: warning at 60%", Severity: notify.Warning, Change: notify.ChangeNew,
	}, a.Resources[0])
	assert.Equal(t, notify.ChangeUnchanged, a.Unchanged[0].Change)
	assert.Equal(t, notify.Critical, a.Unchanged[0].Severity)
	assert.Equal(t, notify.Warning, a.Severity, "an unchanged critical does not raise a change alert's severity")
}

// countingNotifier counts the alerts it gets, by title.
type countingNotifier struct {
	mu     sync.Mutex
	titles []string
	err    error
}

func (c *countingNotifier) Notify(_ context.Context, a notify.Alert) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.titles = append(c.titles, a.Title)
	return c.err
}

func (c *countingNotifier) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.titles...)
}

func TestReportDeliverChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var st MemoryState
	n := &countingNotifier{}
	m := notify.Multi{Notifiers: []notify.Notifier{n}}
	runs := []struct {
		at        []Resource
		wantTitle string // "" when nothing is sent
	}{
		{[]Resource{pct("a", TypeSubnet, 950, nil)}, "IP usage changed: 1 new"},
		{[]Resource{pct("a", TypeSubnet, 960, nil)}, ""},
		{[]Resource{pct("a", TypeSubnet, 100, nil)}, "IP usage changed: 1 resolved"},
		{[]Resource{pct("a", TypeSubnet, 100, nil)}, ""},
	}
	var want []string
	for i, run := range runs {
		r := runReport(t, Policy{}, run1.Add(time.Duration(i)*time.Hour), run.at)
		d, err := r.DeliverChange(ctx, &st, m)
		require.NoError(t, err, "run %d", i+1)
		require.NotNil(t, d.Diff, "run %d", i+1)
		assert.Equal(t, run.wantTitle != "", d.Due, "run %d: due", i+1)
		if run.wantTitle != "" {
			want = append(want, run.wantTitle)
		}
		assert.Equal(t, want, n.got(), "run %d: alerts so far", i+1)
	}
}

func TestReportDeliverChangeConflict(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var st MemoryState
	r := runReport(t, Policy{}, run1, []Resource{pct("a", TypeSubnet, 950, nil)})
	// Another run saves between this run's Load and Save.
	racing := stateFunc{
		load: st.Load,
		save: func(ctx context.Context, s Snapshot, v StateVersion) (StateVersion, error) {
			if _, err := st.Save(ctx, s, v); err != nil {
				return "", err
			}
			return st.Save(ctx, s, v) // the same version again: the second save loses
		},
	}
	n := &countingNotifier{}
	_, err := r.DeliverChange(ctx, racing, notify.Multi{Notifiers: []notify.Notifier{n}})
	require.ErrorIs(t, err, ErrStateConflict)
	assert.Empty(t, n.got(), "the run that lost the race sends nothing")
}

func TestReportDeliverChangeStateProblems(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	r := runReport(t, Policy{}, run1, []Resource{pct("a", TypeSubnet, 950, nil)})
	tests := []struct {
		name       string
		st         State
		notifyErr  error
		wantAlerts int
		wantErr    error
		wantSaved  bool // the state holds a finding afterwards
	}{
		{
			name:       "unreadable state: everything new, saved over",
			st:         &MemoryState{b: []byte("{not json")},
			wantAlerts: 1,
			wantErr:    ErrStateUnreadable,
			wantSaved:  true,
		},
		{
			name:       "state cannot be reached: alert as without state, nothing saved",
			st:         stateFunc{load: func(context.Context) (*Snapshot, StateVersion, error) { return nil, "", boom }},
			wantAlerts: 1,
			wantErr:    boom,
		},
		{
			name:       "every notifier failed: the previous state is saved back",
			st:         &MemoryState{},
			notifyErr:  boom,
			wantAlerts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := &countingNotifier{err: tt.notifyErr}
			d, err := r.DeliverChange(t.Context(), tt.st, notify.Multi{Notifiers: []notify.Notifier{n}})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, n.got(), tt.wantAlerts)
			assert.True(t, d.Due)
			if ms, ok := tt.st.(*MemoryState); ok {
				s, _, err := ms.Load(t.Context())
				require.NoError(t, err)
				require.NotNil(t, s)
				assert.Equal(t, tt.wantSaved, len(s.Findings) == 1, "saved findings: %v", s.Findings)
			}
		})
	}
}

// stateFunc is a State of two functions; a nil save fails the test's
// expectations by returning an error.
type stateFunc struct {
	load func(context.Context) (*Snapshot, StateVersion, error)
	save func(context.Context, Snapshot, StateVersion) (StateVersion, error)
}

func (s stateFunc) Load(ctx context.Context) (*Snapshot, StateVersion, error) { return s.load(ctx) }

func (s stateFunc) Save(ctx context.Context, snap Snapshot, v StateVersion) (StateVersion, error) {
	if s.save == nil {
		return "", errors.New("save not expected")
	}
	return s.save(ctx, snap, v)
}

func TestDiffAlertReminder(t *testing.T) {
	t.Parallel()
	crit := []Resource{pct("a", TypeSubnet, 950, nil)}
	prev := Compare(nil, runReport(t, Policy{}, run1, crit)).Next
	later := run1.Add(DefaultRemindEvery)
	r := runReport(t, Policy{}, later, crit)
	a, ok := Compare(&prev, r).Alert(r, "test")
	require.True(t, ok, "a reminder is due after a day")
	assert.Equal(t, "[CRITICAL] IP usage reminder: 1 resource still over threshold\n"+
		"1 finding unchanged. Reminder: findings are still outstanding. Scanned 2 targets: 1 resource measured, 1 over threshold.\n"+
		"Source: test  Time: 2026-12-01T08:00:00Z\n"+
		"[###################.]  95.0%  a  111111111111  us-east-1  50 of 1000 free  unchanged: critical at 80%\n", notify.DefaultText(a))
	assert.Empty(t, a.Unchanged)
	_, paged := notify.FilterNewCritical.Apply(a)
	assert.False(t, paged, "a reminder does not page")
}
