package usage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

func TestEvaluateExhaustion(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	res := func(id string, used uint64, days float64) usage.Resource {
		r := usage.Resource{ID: id, Type: usage.TypeSubnet, Known: true, Total: ipam.NewCount(100), Used: ipam.NewCount(used), Available: ipam.NewCount(100 - used)}
		if days >= 0 {
			r.Forecast = &usage.Forecast{Status: usage.ForecastExhausts, Rate: 1, At: at, Exhaustion: at.Add(time.Duration(days * float64(24*time.Hour)))}
		} else {
			r.Forecast = &usage.Forecast{Status: usage.ForecastNotGrowing, At: at}
		}
		return r
	}
	rs := []usage.Resource{
		res("subnet-soon", 50, 5),        // critical by days only
		res("subnet-month", 50, 20),      // warning by days only
		res("subnet-full", 90, 20),       // critical by percent, warning by days
		res("subnet-far", 50, 90),        // nothing
		res("subnet-flat", 85, -1),       // critical by percent, no date
		res("subnet-edge", 10, 30),       // at exactly the warning days
		res("subnet-cap", 10, 7+1e-9/24), // just past the critical days
	}
	p := usage.Policy{Exhaustion: usage.ExhaustionDays{Warning: 30, Critical: 7}}
	got, err := usage.Evaluate(rs, p)
	require.NoError(t, err)
	type short struct {
		id       string
		sev      notify.Severity
		pct      float64
		withinDs int
	}
	var gotShort []short
	for _, f := range got {
		gotShort = append(gotShort, short{f.ID, f.Severity, f.Threshold, f.ExhaustsWithin})
	}
	assert.Equal(t, []short{
		{"subnet-full", notify.Critical, 80, 30},
		{"subnet-flat", notify.Critical, 80, 0},
		{"subnet-soon", notify.Critical, 0, 7},
		{"subnet-month", notify.Warning, 0, 30},
		{"subnet-cap", notify.Warning, 0, 30},
		{"subnet-edge", notify.Warning, 0, 30},
	}, gotShort)
	assert.Equal(t, "critical, runs out within 7 days: subnet-soon: 50 of 100 used (50.0%)", got[2].String())

	// The zero Policy raises nothing from a forecast.
	got, err = usage.Evaluate(rs, usage.Policy{})
	require.NoError(t, err)
	assert.Len(t, got, 2)
}

func TestExhaustionDaysValidate(t *testing.T) {
	t.Parallel()
	for _, d := range []usage.ExhaustionDays{{Warning: -1}, {Critical: -3}, {Warning: 7, Critical: 7}, {Warning: 7, Critical: 30}} {
		err := usage.Policy{Exhaustion: d}.Validate()
		assert.ErrorIs(t, err, usage.ErrBadPolicy, "%+v", d)
	}
	assert.NoError(t, usage.Policy{Exhaustion: usage.ExhaustionDays{Warning: 30}}.Validate())
}
