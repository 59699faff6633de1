package notify

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFilterApply(t *testing.T) {
	t.Parallel()
	newCrit := Resource{ID: "a", Severity: Critical, Change: ChangeNew}
	escCrit := Resource{ID: "b", Severity: Critical, Change: ChangeEscalated}
	newWarn := Resource{ID: "c", Severity: Warning, Change: ChangeNew}
	resolved := Resource{ID: "d", Change: ChangeResolved}
	same := Resource{ID: "e", Severity: Critical, Change: ChangeUnchanged}
	change := Alert{Kind: "utilization-change", Severity: Critical, Title: "IP usage changed", Resources: []Resource{newCrit, escCrit, newWarn, resolved}, Unchanged: []Resource{same}}
	failed := Alert{Kind: "scan-failed", Severity: Critical, Title: "scan failed"}
	onlyWarn := Alert{Kind: "utilization-change", Severity: Warning, Title: "IP usage changed", Resources: []Resource{newWarn}}
	critNoNew := Alert{Kind: "utilization-change", Severity: Critical, Title: "reminder", Unchanged: []Resource{same}}

	tests := []struct {
		name   string
		f      Filter
		in     Alert
		want   Alert
		wantOK bool
	}{
		{"all passes the full diff", FilterAll, change, change, true},
		{"changes drops the unchanged", FilterChanges, change, Alert{Kind: change.Kind, Severity: Critical, Title: change.Title, Resources: change.Resources}, true},
		{"new-critical keeps the new and escalated criticals", FilterNewCritical, change,
			Alert{Kind: change.Kind, Severity: Critical, Title: "2 resources newly critical", Resources: []Resource{newCrit, escCrit}}, true},
		{"new-critical passes a failed scan", FilterNewCritical, failed, failed, true},
		{"new-critical drops a warning", FilterNewCritical, onlyWarn, Alert{}, false},
		{"new-critical drops a critical reminder", FilterNewCritical, critNoNew, Alert{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := tt.f.Apply(tt.in)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Len(t, change.Resources, 4, "Apply does not modify its argument")
}

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Filter{"": FilterAll, "all": FilterAll, "changes": FilterChanges, "new-critical": FilterNewCritical} {
		got, err := ParseFilter(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseFilter("pager")
	assert.ErrorContains(t, err, `"pager"`)
}

func TestFiltered(t *testing.T) {
	t.Parallel()
	var got []string
	n := NotifierFunc(func(_ context.Context, a Alert) error { got = append(got, a.Title); return nil })
	f := Filtered(n, FilterNewCritical)
	require.NoError(t, f.Notify(t.Context(), Alert{Severity: Warning, Title: "quiet"}))
	require.NoError(t, f.Notify(t.Context(), Alert{Severity: Critical, Title: "loud"}))
	assert.Equal(t, []string{"loud"}, got)
}

func TestNewMultiFilter(t *testing.T) {
	t.Parallel()
	_, err := NewMulti(aws.Config{}, []Spec{{Kind: SpecText, Name: "chat", Filter: "sometimes"}})
	require.Error(t, err)
	assert.ErrorContains(t, err, `chat: unknown filter "sometimes"`)
}
