package usage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportAlert(t *testing.T) {
	t.Parallel()
	full := pct("vpc-full", TypeVPC, 990, nil)
	half := pct("subnet-half", TypeSubnet, 700, nil)
	roomy := pct("ipam-pool-1", TypeIPAMPool, 850, nil)
	roomy.LargestFree = ipam.MustParseCIDR("10.0.4.0/22")
	errs := []*TargetError{{Target: Target{AccountID: "222222222222", Region: "eu-west-1"}, Err: codedError{"AccessDenied"}}}
	finished := t0.Add(time.Minute)
	rep, err := NewReport([]Resource{half, full, roomy}, errs, ScanInfo{Started: t0, Finished: finished, Targets: 3}, Policy{Thresholds: Thresholds{Warning: 60}})
	require.NoError(t, err)

	a, ok := rep.Alert("ipamkit/usage")
	require.True(t, ok)
	assert.Equal(t, notify.Critical, a.Severity)
	assert.Equal(t, AlertKindUtilization, a.Kind)
	assert.Equal(t, "3 resources over threshold (2 critical, 1 warning)", a.Title)
	assert.Equal(t, "Scanned 3 targets: 3 resources measured, 3 over threshold. 1 target failed: 222222222222/eu-west-1 (AccessDenied).", a.Summary)
	assert.Equal(t, finished, a.Time)
	var notes []string
	for _, r := range a.Resources {
		notes = append(notes, r.ID+": "+r.Note)
	}
	assert.Equal(t, []string{
		"vpc-full: critical at 80%, no free block",
		"ipam-pool-1: critical at 80%, largest free block /22",
		"subnet-half: warning at 60%",
	}, notes)
	assert.Equal(t, "99", formatPct(a.Resources[0].Percent))
	assert.Equal(t, "1000", a.Resources[0].Total.String())

	assert.Len(t, rep.FindingMetrics(finished), 9, "three metrics per finding")
	assert.Len(t, rep.ResourceMetrics(finished), 9)
}

func TestReportAlertQuietAndFailed(t *testing.T) {
	t.Parallel()
	quiet, err := NewReport([]Resource{pct("a", TypeSubnet, 10, nil), {ID: "unknown"}}, nil, ScanInfo{Targets: 1}, Policy{})
	require.NoError(t, err)
	_, ok := quiet.Alert("x")
	assert.False(t, ok, "nothing to say")
	clear := quiet.AllClear("x")
	assert.Equal(t, notify.Info, clear.Severity)
	assert.Equal(t, "Scanned 1 target: 2 resources measured, 0 over threshold.", clear.Summary)
	assert.Len(t, quiet.ResourceMetrics(t0), 3, "unknown usage is not a metric")
	assert.Empty(t, quiet.FindingMetrics(t0))

	var errs []*TargetError
	for _, acct := range []string{"1", "2", "3", "4", "5", "6", "7"} {
		errs = append(errs, &TargetError{Target: Target{AccountID: acct, Region: "r"}, Err: errors.New("boom")})
	}
	failed, err := NewReport(nil, errs, ScanInfo{Targets: 7}, Policy{})
	require.NoError(t, err)
	a, ok := failed.Alert("x")
	require.True(t, ok, "failed targets are not silence")
	assert.Equal(t, notify.Warning, a.Severity)
	assert.Equal(t, "IP usage scan incomplete: 7 targets failed", a.Title)
	assert.Equal(t, "Scanned 7 targets: 0 resources measured, 0 over threshold. 7 targets failed: 1/r (error); 2/r (error); 3/r (error); 4/r (error); 5/r (error); and 2 more.", a.Summary)
}

// TestReportAlertEscapesControlCharacters: a newline or an escape
// sequence in a Name tag does not split or rewrite a line of the alert.
func TestReportAlertEscapesControlCharacters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want string
	}{
		{"web\nFAKE LINE", `web\nFAKE LINE`},
		{"red\x1b[31m", `red\x1b[31m`},
		{"tab\tcr\r", `tab\tcr\r`},
		{"rlo\u202eexe.txt", `rlo\u202eexe.txt`},
		{"plain é", "plain é"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			r := pct("subnet-1", TypeSubnet, 900, nil)
			r.Name = tt.name
			rep, err := NewReport([]Resource{r}, nil, ScanInfo{Targets: 1}, Policy{})
			require.NoError(t, err)
			a, ok := rep.Alert("x")
			require.True(t, ok)
			require.Len(t, a.Resources, 1)
			assert.Equal(t, tt.want, a.Resources[0].Name)
			text := notify.DefaultText(a)
			for _, line := range strings.Split(text, "\n") {
				assert.False(t, strings.HasPrefix(line, "FAKE LINE"), "a line of its own:\n%s", text)
			}
			assert.NotContains(t, text, "\x1b")
			assert.Contains(t, text, tt.want)
		})
	}
}
