package usage

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_history_test.go -package=usage . MetricDataAPI,AddressHistoryAPI

// HistoryOptions says which stretch of the past a history collector
// reads. The zero value is the DefaultForecastWindow up to now.
type HistoryOptions struct {
	// End is the end of the history, exclusive; the zero Time means Now().
	End time.Time
	// Window is how far back from End the history starts; zero means
	// [DefaultForecastWindow].
	Window time.Duration
	// Now returns the current time; nil means time.Now. Tests pin it.
	Now func() time.Time
}

// span returns the start and the end of the history o asks for.
func (o HistoryOptions) span() (start, end time.Time) {
	end = o.End
	if end.IsZero() {
		now := o.Now
		if now == nil {
			now = time.Now
		}
		end = now()
	}
	w := o.Window
	if w <= 0 {
		w = DefaultForecastWindow
	}
	return end.Add(-w), end
}

// historyDay is the spacing of the samples the collectors make: the daily
// points a forecast needs, and no more.
const historyDay = 24 * time.Hour

// countFromFloat returns the count nearest to v, a metric value: 0 for
// negative values and NaN, 2^128 at most.
func countFromFloat(v float64) ipam.Count {
	switch {
	case !(v > 0):
		return ipam.Count{}
	case v < 1<<53:
		return ipam.NewCount(uint64(math.Round(v)))
	case v >= 0x1p128:
		return ipam.MaxCount
	}
	c, err := ipam.ParseCount(strconv.FormatFloat(v, 'f', 0, 64))
	if err != nil { // unreachable: an integral float below 2^128
		return ipam.Count{}
	}
	return c
}

// sortSamples sorts s by time, keeping the order of samples at the same
// time.
func sortSamples(s []Sample) {
	slices.SortStableFunc(s, func(a, b Sample) int { return a.Time.Compare(b.Time) })
}
