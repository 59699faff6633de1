package usage

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ipamkit/ipamkit/notify"
)

// WithForecasts returns a copy of r whose resources carry their forecast
// (Resource.Forecast), and whose findings are evaluated again against p,
// so that its exhaustion thresholds (Policy.Exhaustion) apply.
// histories[i] is the history of r.Resources[i], as the history
// collectors ([CloudWatchHistory], [IPAMHistory], [ReportHistory]) return
// it; a missing or nil history gives a forecast from the resource's
// figures alone (too little history). Each resource whose usage is known
// adds its own figures at r.Scan.Finished as its latest sample. The
// forecasts are computed on every core ([ForecastAll]) with opts. r is
// not modified; an invalid policy gives an error wrapping [ErrBadPolicy].
func (r Report) WithForecasts(histories [][]Sample, opts ForecastOptions, p Policy) (Report, error) {
	hs := make([][]Sample, len(r.Resources))
	for i, res := range r.Resources {
		var h []Sample
		if i < len(histories) {
			h = histories[i]
		}
		hs[i] = withLatest(h, res, r.Scan.Finished)
	}
	fs := ForecastAll(hs, opts)
	out := r
	out.Resources = slices.Clone(r.Resources)
	for i := range out.Resources {
		out.Resources[i].Forecast = &fs[i]
	}
	findings, err := Evaluate(out.Resources, p)
	if err != nil {
		return Report{}, err
	}
	out.Findings = findings
	out.sort()
	return out, nil
}

// forecastPhrase says when f runs out, date first, as an alert reads it:
// "runs out in 9 days, about 2026-12-11"; "" when f has no date.
func forecastPhrase(f *Forecast) string {
	if f == nil {
		return ""
	}
	left, ok := f.DaysLeft()
	if !ok {
		return ""
	}
	date := f.Exhaustion.UTC().Format(time.DateOnly)
	switch d := int(math.Floor(left)); {
	case left < 1:
		return "runs out within a day, about " + date
	case d == 1:
		return "runs out in 1 day, about " + date
	default:
		return fmt.Sprintf("runs out in %d days, about %s", d, date)
	}
}

// exhaustionMetrics returns the notify.MetricDaysToExhaustion metric of
// each resource of rs whose forecast has a date, with the dimensions of
// its other metrics, at time t.
func exhaustionMetrics(rs []Resource, t time.Time, optFns ...func(*notify.ResourceMetricsOptions)) []notify.Metric {
	var o notify.ResourceMetricsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	var ms []notify.Metric
	for _, r := range rs {
		left, ok := r.Forecast.daysLeft()
		if !ok {
			continue
		}
		nr := toNotify(r)
		dims := []notify.Dimension{{Name: notify.DimensionResourceID, Value: nr.ID}}
		if o.Dimensions != nil {
			dims = append(dims, o.Dimensions(nr)...)
		}
		ms = append(ms, notify.Metric{Name: notify.MetricDaysToExhaustion, Value: math.Round(left*10) / 10, Unit: notify.UnitNone, Dimensions: dims, Time: t})
	}
	return ms
}

// daysLeft is [Forecast.DaysLeft] of a forecast that may be nil.
func (f *Forecast) daysLeft() (float64, bool) {
	if f == nil {
		return 0, false
	}
	return f.DaysLeft()
}
