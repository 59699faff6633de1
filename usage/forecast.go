package usage

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
)

// Sample is one measurement of a resource: at Time, Used of Total
// addresses were in use. A Sample is a plain value: copy it freely.
type Sample struct {
	Time  time.Time  `json:"time"`
	Used  ipam.Count `json:"used"`
	Total ipam.Count `json:"total"`
}

// ForecastStatus says what a [Forecast] found. The zero value is
// [ForecastInsufficientHistory].
type ForecastStatus uint8

// The forecast statuses. Only [ForecastExhausts] comes with dates.
const (
	// ForecastInsufficientHistory: fewer than the minimum number of usable
	// samples (or no two at distinct times) since the window's start or
	// the last change of Total. Rate is 0.
	ForecastInsufficientHistory ForecastStatus = iota
	// ForecastExhausts: usage grows (Rate > 0) and the resource runs out
	// at Exhaustion, somewhere from Earliest to Latest.
	ForecastExhausts
	// ForecastNotGrowing: the median slope is exactly 0.
	ForecastNotGrowing
	// ForecastShrinking: the median slope is negative.
	ForecastShrinking
	// ForecastFull: the latest sample has Used >= Total. Rate is still
	// reported when there is enough history.
	ForecastFull
)

var forecastStatusNames = [...]string{
	ForecastInsufficientHistory: "insufficientHistory",
	ForecastExhausts:            "exhausts",
	ForecastNotGrowing:          "notGrowing",
	ForecastShrinking:           "shrinking",
	ForecastFull:                "full",
}

// String returns the status's camelCase name, as in JSON, or
// "ForecastStatus(n)" for a value that is not one of the constants.
func (s ForecastStatus) String() string {
	if int(s) < len(forecastStatusNames) {
		return forecastStatusNames[s]
	}
	return "ForecastStatus(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText implements [encoding.TextMarshaler] with the names of
// [ForecastStatus.String]. It fails for a value that is not a constant.
func (s ForecastStatus) MarshalText() ([]byte, error) {
	if int(s) >= len(forecastStatusNames) {
		return nil, fmt.Errorf("forecast status %d: not a known status", s)
	}
	return []byte(forecastStatusNames[s]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; it accepts the
// names [ForecastStatus.MarshalText] writes.
func (s *ForecastStatus) UnmarshalText(text []byte) error {
	for i, n := range forecastStatusNames {
		if n == string(text) {
			*s = ForecastStatus(i)
			return nil
		}
	}
	return fmt.Errorf("forecast status %q: want one of insufficientHistory, exhausts, notGrowing, shrinking, full", text)
}

// Forecast is when a resource runs out of addresses, projected from its
// history by [ForecastFrom].
//
// The zero Forecast is [ForecastInsufficientHistory] with no samples: a
// resource without history. Dates other than Since are the zero Time
// unless Status is [ForecastExhausts]; Latest is also zero then when the
// range of likely rates includes no growth at all (it may never run out).
// A Forecast is a plain value: copy it freely.
type Forecast struct {
	Status ForecastStatus `json:"status"`
	// Rate is the growth in addresses per day: the median of the pairwise
	// slopes (Theil–Sen). Negative when shrinking.
	Rate float64 `json:"rate"`
	// Exhaustion is when Used reaches Total at Rate, counted from the
	// latest sample: never before it.
	Exhaustion time.Time `json:"exhaustion,omitzero"`
	// Earliest and Latest bound Exhaustion from the fastest and slowest
	// likely rates: Earliest <= Exhaustion <= Latest, or Latest is zero.
	Earliest time.Time `json:"earliest,omitzero"`
	Latest   time.Time `json:"latest,omitzero"`
	// Samples is the number of samples the rate was computed from, after
	// the window, the rules for bad samples and subsampling.
	Samples int `json:"samples"`
	// Since is the time of the first sample used; the zero Time when
	// there were none.
	Since time.Time `json:"since,omitzero"`
	// TotalChanged reports that Total changed inside the window (a CIDR
	// was added or removed), so only the samples from the last change on
	// were used.
	TotalChanged bool `json:"totalChanged,omitempty"`
	// Used and Total are the latest sample's counts.
	Used  ipam.Count `json:"used"`
	Total ipam.Count `json:"total"`
	// At is the time of the latest sample, from which Exhaustion is
	// projected; the zero Time when there were none.
	At time.Time `json:"at,omitzero"`
}

// DaysLeft returns the days from the latest sample (At) to Exhaustion,
// and false unless Status is [ForecastExhausts]. It is 0 when the level
// has already reached Total.
func (f Forecast) DaysLeft() (float64, bool) {
	if f.Status != ForecastExhausts {
		return 0, false
	}
	return max(f.Exhaustion.Sub(f.At).Hours()/24, 0), true
}

// ForecastOptions configures [ForecastFrom]. The zero value means the
// documented defaults.
type ForecastOptions struct {
	// Window is how far back from the latest sample history counts; zero
	// means [DefaultForecastWindow].
	Window time.Duration
	// MaxSamples caps the samples in the window; beyond it they are
	// subsampled evenly, always keeping the first and the latest. Zero
	// means [DefaultForecastMaxSamples]; values below MinSamples mean
	// MinSamples.
	MaxSamples int
	// MinSamples is the least number of samples that give a rate; zero
	// (or less than 2) means [DefaultForecastMinSamples].
	MinSamples int
}

// The defaults of [ForecastOptions].
const (
	DefaultForecastWindow     = 90 * 24 * time.Hour
	DefaultForecastMaxSamples = 32
	DefaultForecastMinSamples = 3
)

// maxHorizon caps how far past the latest sample a projected date lies:
// far enough to mean "not in any plan", near enough that every date
// marshals (years up to 9999).
const maxHorizon = 100 * 365 * 24 * time.Hour

// Sample times outside the years 1 to 9899 are ignored, so that every
// projected date stays within what time.Time.MarshalText accepts.
var (
	minSampleTime = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC) // after the zero Time
	maxSampleTime = time.Date(9900, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ForecastFrom projects when a resource whose history is samples runs out
// of addresses.
//
// # Samples
//
// samples need not be sorted and are not modified. Samples with a zero
// Total or a Time that is zero or outside the years 1 to 9899 are ignored.
// Of samples at the same instant, the one with the largest Total, then the
// largest Used, is kept, so the result does not depend on their order.
// Only samples within the window (Window before the latest sample,
// inclusive) count, and of those only the ones from the last change of
// Total on: an added CIDR starts the history afresh (TotalChanged). Beyond
// MaxSamples the samples are subsampled evenly by index.
//
// # Method
//
// Rate is the Theil–Sen estimator: the median of the slopes (Used_j −
// Used_i) / (t_j − t_i) over every pair of samples, in addresses per day.
// It ignores up to 29% of outliers, and a step change near either end of
// the window moves only the few pairs that straddle it (a step halfway
// through moves the rate; the next samples bring it back). Differences
// of counts are exact (IPv6 included) and become float64 only to divide.
// The range of the rate is Sen's 95% confidence interval: the slopes at
// 1-based ranks (N − C)/2 and (N + C)/2 + 1 of the N sorted slopes of n
// samples, C = 1.96·√(n(n−1)(2n+5)/18), clamped to the smallest and
// largest slope.
//
// The level at the latest sample is the larger of its Used and the median
// of the samples carried forward at the rate (Used_i + rate·(t_last −
// t_i)): a step up that has just happened counts in full, while a dip in
// the latest sample does not postpone the date. Exhaustion is the latest
// sample's time plus what is left of Total above that level divided by
// the rate (at once if the level has reached Total); Earliest and Latest
// divide by the upper and lower end of the interval. Projections beyond
// 100 years are capped at 100 years after the latest sample.
//
// # Cost
//
// O(m) to copy the m samples, O(m log m) more when they are not in time
// order, then O(n²) in the n ≤ MaxSamples samples used (expected, with
// quickselect): with the defaults at most 496 slopes per resource. It
// borrows its buffers from a pool, so it seldom allocates; a [Forecaster]
// owns its buffers, and [ForecastAll] forecasts many resources on every
// core. It never panics and is safe for concurrent use.
func ForecastFrom(samples []Sample, opts ForecastOptions) Forecast {
	fc := forecasters.Get().(*Forecaster)
	fc.Options = opts
	f := fc.Forecast(samples)
	forecasters.Put(fc)
	return f
}

var forecasters = sync.Pool{New: func() any { return new(Forecaster) }}

// Forecaster computes forecasts as [ForecastFrom] does, with buffers it
// keeps from one forecast to the next: once they have grown to the
// longest history seen, a forecast does not allocate. The zero Forecaster
// uses the default options. A Forecaster is not safe for concurrent use;
// give each goroutine its own.
type Forecaster struct {
	// Options configures every forecast; the zero value means the
	// defaults.
	Options ForecastOptions

	s      []Sample
	xs     []float64
	us     []uint64
	slopes []float64
}

// NewForecaster returns a Forecaster with the options opts.
func NewForecaster(opts ForecastOptions) *Forecaster { return &Forecaster{Options: opts} }

// Forecast returns [ForecastFrom](samples, fc.Options). samples are not
// modified.
func (fc *Forecaster) Forecast(samples []Sample) Forecast {
	opts := fc.Options
	window := opts.Window
	if window <= 0 {
		window = DefaultForecastWindow
	}
	minN := opts.MinSamples
	if minN < 2 {
		minN = DefaultForecastMinSamples
	}
	maxN := opts.MaxSamples
	if maxN == 0 {
		maxN = DefaultForecastMaxSamples
	}
	maxN = max(maxN, minN)

	s := fc.s[:0]
	sorted := true // in strictly ascending time order
	for _, x := range samples {
		if x.Total.IsZero() || x.Time.Before(minSampleTime) || !x.Time.Before(maxSampleTime) {
			continue
		}
		if len(s) > 0 && !s[len(s)-1].Time.Before(x.Time) {
			sorted = false
		}
		s = append(s, x)
	}
	fc.s = s
	if len(s) == 0 {
		return Forecast{}
	}
	if !sorted {
		slices.SortFunc(s, func(a, b Sample) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			if c := a.Total.Compare(b.Total); c != 0 {
				return c
			}
			return a.Used.Compare(b.Used)
		})
		// Keep the last (largest) of each instant.
		k := 0
		for _, x := range s[1:] {
			if !x.Time.Equal(s[k].Time) {
				k++
			}
			s[k] = x
		}
		s = s[:k+1]
	}

	last := s[len(s)-1]
	f := Forecast{Used: last.Used, Total: last.Total, At: last.Time}

	// The window, then the last change of Total.
	xs := grow(fc.xs, len(s))
	fc.xs = xs
	for i, x := range s {
		xs[i] = days(x.Time, last.Time)
	}
	wdays := float64(window) / float64(24*time.Hour)
	start := 0
	for start < len(s)-1 && -xs[start] > wdays {
		start++
	}
	for i := len(s) - 1; i > start; i-- {
		if s[i].Total != s[i-1].Total {
			start = i
			f.TotalChanged = true
			break
		}
	}
	s, xs = s[start:], xs[start:]
	if len(s) > maxN {
		s, xs = subsample(s, xs, maxN)
	}
	f.Samples = len(s)
	f.Since = s[0].Time

	full := last.Used.Compare(last.Total) >= 0
	if len(s) < minN {
		if full {
			f.Status = ForecastFull
		}
		return f
	}

	n := len(s)
	// Counts that fit in 64 bits take a shorter path to the same exact
	// differences.
	small := true
	us := grow(fc.us, n)
	fc.us = us
	for i, x := range s {
		var ok bool
		us[i], ok = x.Used.Uint64()
		small = small && ok
	}
	slopes := grow(fc.slopes, max(n*(n-1)/2, n))[:0]
	fc.slopes = slopes
	for i := range n {
		for j := i + 1; j < n; j++ {
			dx := xs[j] - xs[i]
			if !(dx > 0) {
				continue
			}
			var dy float64
			switch {
			case !small:
				dy = diff(s[j].Used, s[i].Used)
			case us[j] >= us[i]:
				dy = float64(us[j] - us[i])
			default:
				dy = -float64(us[i] - us[j])
			}
			m := dy / dx
			if m-m != 0 { // NaN or ±Inf; cannot happen for dx > 0
				continue
			}
			slopes = append(slopes, m)
		}
	}
	if len(slopes) == 0 {
		if full {
			f.Status = ForecastFull
		}
		return f
	}
	rate, lo, hi := theilSen(slopes, n)
	f.Rate = rate
	switch {
	case full:
		f.Status = ForecastFull
	case rate > 0:
		f.Status = ForecastExhausts
		// The level the fitted line reaches at the latest sample: the
		// median of the samples carried forward at rate. xs are days
		// before the latest sample (<= 0).
		levels := slopes[:n]
		for i := range n {
			levels[i] = toFloat(s[i].Used) - rate*xs[i]
		}
		k := n / 2
		var buf [2]int
		ranks := appendRank(buf[:0], k-1+n%2)
		selectRanks(levels, 0, appendRank(ranks, k))
		level := levels[k]
		if n%2 == 0 {
			level = (levels[k-1] + level) / 2
		}
		// A step up that has just happened counts in full; a dip does
		// not postpone the date.
		level = max(level, toFloat(last.Used))
		remaining := max(toFloat(last.Total)-level, 0)
		f.Exhaustion = project(last.Time, remaining, rate)
		f.Earliest = project(last.Time, remaining, hi)
		if lo > 0 {
			f.Latest = project(last.Time, remaining, lo)
		}
	case rate < 0:
		f.Status = ForecastShrinking
	default:
		f.Status = ForecastNotGrowing
	}
	return f
}

// grow returns buf resliced to n elements, reallocated only when its
// capacity is short.
func grow[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// days returns t − ref in days.
func days(t, ref time.Time) float64 {
	const day = 86400
	return (float64(t.Unix())-float64(ref.Unix()))/day +
		float64(t.Nanosecond()-ref.Nanosecond())/(day*1e9)
}

// project returns when remaining addresses are used up at rate per day
// from t, capped at maxHorizon. rate is positive.
func project(t time.Time, remaining, rate float64) time.Time {
	d := remaining / rate * float64(24*time.Hour)
	if !(d < float64(maxHorizon)) {
		return t.Add(maxHorizon)
	}
	return t.Add(time.Duration(d))
}

// subsample keeps max samples of s (and their xs) evenly spread by
// index, the first and the last among them, in place.
func subsample(s []Sample, xs []float64, max int) ([]Sample, []float64) {
	n := len(s)
	for k := range max {
		i := k * (n - 1) / (max - 1) // >= k, so nothing is read after it is overwritten
		s[k], xs[k] = s[i], xs[i]
	}
	return s[:max], xs[:max]
}

// diff returns a − b exactly, then as the nearest float64.
func diff(a, b ipam.Count) float64 {
	if a.Compare(b) >= 0 {
		return toFloat(a.Sub(b))
	}
	return -toFloat(b.Sub(a))
}

// toFloat returns the nearest float64 to c.
func toFloat(c ipam.Count) float64 {
	if u, ok := c.Uint64(); ok {
		return float64(u)
	}
	var buf [40]byte
	v, _ := strconv.ParseFloat(string(c.AppendTo(buf[:0])), 64)
	return v
}

// theilSen returns the median of slopes and the ends of Sen's 95%
// confidence interval for n samples. It reorders slopes; len(slopes) > 0.
func theilSen(slopes []float64, n int) (med, lo, hi float64) {
	N := len(slopes)
	k := N / 2
	c := 1.96 * math.Sqrt(float64(n)*float64(n-1)*float64(2*n+5)/18)
	// 1-based ranks (N−C)/2 and (N+C)/2+1, as 0-based indexes.
	l := int(math.Round((float64(N)-c)/2)) - 1
	u := int(math.Round((float64(N) + c) / 2))
	l = min(max(l, 0), k)
	u = max(min(u, N-1), k)
	var buf [4]int
	ranks := appendRank(buf[:0], l)
	if N%2 == 0 {
		ranks = appendRank(ranks, k-1)
	}
	ranks = appendRank(appendRank(ranks, k), u)
	selectRanks(slopes, 0, ranks)
	med = slopes[k]
	if N%2 == 0 {
		med = (slopes[k-1] + med) / 2
	}
	return med, slopes[l], slopes[u]
}

// appendRank appends r to ranks, ascending and without duplicates, when
// it is not already the last.
func appendRank(ranks []int, r int) []int {
	if r < 0 || len(ranks) > 0 && ranks[len(ranks)-1] >= r {
		return ranks
	}
	return append(ranks, r)
}

// selectRanks reorders a, which starts at rank off of the whole, so that
// for each r of ranks (ascending, from off to off+len(a)−1) a[r−off] is
// the element that sorting would put there, with nothing greater before
// it and nothing smaller after it: one quickselect for several ranks,
// which shares the partitions above them.
func selectRanks(a []float64, off int, ranks []int) {
	for len(ranks) > 0 {
		if len(a) <= 16 {
			insertionSort(a)
			return
		}
		p := medianOf3(a[0], a[len(a)/2], a[len(a)-1])
		lt := partitionLess(a, p)
		if ranks[len(ranks)-1]-off < lt {
			a = a[:lt]
			continue
		}
		// p is an element of a, so at least one equals it.
		eq := lt + partitionLessEq(a[lt:], p)
		i := 0
		for i < len(ranks) && ranks[i]-off < lt {
			i++
		}
		if i > 0 {
			selectRanks(a[:lt], off, ranks[:i])
		}
		j := i
		for j < len(ranks) && ranks[j]-off < eq {
			j++
		}
		a, off, ranks = a[eq:], off+eq, ranks[j:]
	}
}

func insertionSort(a []float64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// partitionLess moves the elements of a below p to its front, and
// returns how many there are.
func partitionLess(a []float64, p float64) int {
	j := 0
	for i, x := range a {
		a[i] = a[j]
		a[j] = x
		j += b2i(x < p)
	}
	return j
}

// partitionLessEq moves the elements of a at most p to its front, and
// returns how many there are.
func partitionLessEq(a []float64, p float64) int {
	j := 0
	for i, x := range a {
		a[i] = a[j]
		a[j] = x
		j += b2i(x <= p)
	}
	return j
}

// b2i returns 1 for true and 0 for false; the compiler makes it a
// conditional move.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

func medianOf3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
