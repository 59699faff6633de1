package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

func TestUsageForecast(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	srv.ResetCalls()
	args := "usage --org --source ec2 --regions us-east-1,us-west-2 --forecast --warning-days 30 --critical-days 10 -o json"
	require.Equal(t, 0, e.run(t.Context(), strings.Fields(args)), "stderr: %s", stderr.String())
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	getMetricData := 0
	for _, c := range srv.Calls() {
		if c.Operation == "GetMetricData" {
			getMetricData++
		}
	}
	assert.Equal(t, 1, getMetricData, "the history of %d resources in one call", len(rep.Resources))

	byName := map[string]usage.Resource{}
	for _, r := range rep.Resources {
		require.NotNil(t, r.Forecast, "every resource has a forecast: %s", r.ID)
		byName[r.Name] = r
	}
	soon := byName["Prod OU-us-east-1-b"].Forecast
	assert.Equal(t, usage.ForecastExhausts, soon.Status)
	assert.InDelta(t, 1, soon.Rate, 0.01)
	left, _ := soon.DaysLeft()
	assert.InDelta(t, 29, left, 1, "29 addresses left at 1 a day")
	assert.Equal(t, usage.ForecastInsufficientHistory, byName["Prod OU-us-east-1-c"].Forecast.Status, "no history in CloudWatch")

	findings := map[string]usage.Finding{}
	for _, f := range rep.Findings {
		findings[f.Name] = f
	}
	assert.Equal(t, notify.Warning, findings["Prod OU-us-east-1-b"].Severity)
	assert.Equal(t, 30, findings["Prod OU-us-east-1-b"].ExhaustsWithin)
	assert.Equal(t, notify.Critical, findings["SDLC OU-us-west-2-a"].Severity)
	assert.Equal(t, 10, findings["SDLC OU-us-west-2-a"].ExhaustsWithin, "96.6%% full and 7 days left")

	// The table has the columns, the date in UTC.
	e, stdout, stderr, _ = fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	require.Equal(t, 0, e.run(t.Context(), strings.Fields("usage --org --source ec2 --regions us-east-1 --forecast --window 20d")), "stderr: %s", stderr.String())
	lines := strings.Split(stdout.String(), "\n")
	assert.Contains(t, lines[0], "RATE/DAY  RUNS OUT")
	var row string
	for _, l := range lines {
		if strings.Contains(l, "Prod OU-us-east-1-b") {
			row = l
		}
	}
	// The second scan ran a moment after the first, so its date is the
	// first one's, or the day after when midnight (UTC) fell between them.
	first := soon.Exhaustion.UTC()
	dates := []string{first.Format(time.DateOnly), first.AddDate(0, 0, 1).Format(time.DateOnly)}
	assert.True(t, strings.Contains(row, "1.0       "+dates[0]) || strings.Contains(row, "1.0       "+dates[1]),
		"rate and date (%s) of the subnet filling up: %q", dates[0], row)
}

func TestUsageForecastErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args, want string
	}{
		{"usage --window 30d", "--window: only with --forecast"},
		{"usage --forecast --window 0d", "--window"},
		{"usage --forecast --window soon", "want a duration from an hour to 3650 days"},
		{"usage --forecast --history /no/such/dir", `--history "/no/such/dir": not cloudwatch, ipam, or a directory`},
		{"usage --forecast --warning-days 5 --critical-days 10", "--warning-days 5 --critical-days 10"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
			assert.Equal(t, 1, e.run(t.Context(), strings.Fields(tt.args)))
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), tt.want)
		})
	}
}

func TestUsageForecastHistorySources(t *testing.T) {
	t.Parallel()
	// A directory of reports saved with -o json: this run's own report is
	// the one sample before today's, too little for a rate.
	dir := t.TempDir()
	e, stdout, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	require.Equal(t, 0, e.run(t.Context(), strings.Fields("usage --org --source ec2 --regions us-east-1 -o json")), "stderr: %s", stderr.String())
	require.NoError(t, os.WriteFile(filepath.Join(dir, "yesterday.json"), stdout.Bytes(), 0o600))
	e, stdout, stderr, _ = fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	require.Equal(t, 0, e.run(t.Context(), strings.Fields("usage --org --source ec2 --regions us-east-1 --forecast -o json --history "+dir)), "stderr: %s", stderr.String())
	var rep usage.Report
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	for _, r := range rep.Resources {
		if r.Known {
			assert.Equal(t, 2, r.Forecast.Samples, "%s: the saved report and today", r.ID)
		}
	}

	// IPAM's history is read where the caller's IPAM is: the management
	// account has none. The run fails, but the report and the alert still
	// go out, without forecasts: silence is no all-clear.
	e, stdout, stderr, srv0 := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	topic := "arn:aws:sns:us-east-1:" + awsfake.DemoManagementAccount + ":" + awsfake.DemoTopicName
	assert.Equal(t, 1, e.run(t.Context(), strings.Fields("usage --org --source ec2 --regions us-east-1 --forecast --history ipam --notify sns="+topic)))
	assert.Contains(t, stdout.String(), "SEVERITY", "the report")
	assert.NotContains(t, stdout.String(), "RUNS OUT", "without forecasts")
	assert.Contains(t, stderr.String(), "no forecast: --history ipam: ")
	assert.Contains(t, stderr.String(), "--ipam-region")
	assert.Len(t, srv0.Messages(), 1, "the alert went out")

	// With --ipam-account, the history is read there, as the scan reads the
	// IPAM: through the role the scan assumes.
	e, stdout, stderr, srv := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
	args := "usage --org --source ec2 --regions us-east-1 --forecast --history ipam --ipam-account " + awsfake.DemoNetworkAccount + " --ipam-region us-east-1 -o json"
	require.Equal(t, 0, e.run(t.Context(), strings.Fields(args)), "stderr: %s", stderr.String())
	rep = usage.Report{}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
	vpcs := 0
	for _, r := range rep.Resources {
		if r.Type == usage.TypeVPC {
			require.NotNil(t, r.Forecast, r.ID)
			vpcs++
		}
	}
	assert.Positive(t, vpcs)
	history := 0
	for _, c := range srv.Calls() {
		if c.Operation == "GetIpamAddressHistory" {
			history++
			assert.Equal(t, awsfake.DemoNetworkAccount, c.Account, "read in the IPAM's account")
		}
	}
	assert.Positive(t, history, "GetIpamAddressHistory was called")
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"30d", "720h", "1h", "0d", "3651d", "d", "-5d", "soon", "1.5d", "90m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDays(s)
		if err != nil {
			if d != 0 {
				t.Errorf("parseDays(%q) = %v with error %v", s, d, err)
			}
			return
		}
		if d < time.Hour || d > 3650*24*time.Hour {
			t.Errorf("parseDays(%q) = %v: out of range", s, d)
		}
	})
}
