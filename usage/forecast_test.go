package usage_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var forecastSeed = flag.Uint64("forecast.seed", 1, "seed of the random forecast property tests")

var day0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func day(d float64) time.Time { return day0.Add(time.Duration(d * float64(24*time.Hour))) }

// daily returns n daily samples from day0 whose used and total come from f.
func daily(n int, f func(i int) (used, total uint64)) []usage.Sample {
	s := make([]usage.Sample, n)
	for i := range s {
		u, t := f(i)
		s[i] = usage.Sample{Time: day(float64(i)), Used: ipam.NewCount(u), Total: ipam.NewCount(t)}
	}
	return s
}

func linear(n int, start, perDay, total uint64) []usage.Sample {
	return daily(n, func(i int) (uint64, uint64) { return start + perDay*uint64(i), total })
}

// bigCount returns x as a Count; x must be from 0 to 2^128.
func bigCount(t testing.TB, x *big.Int) ipam.Count {
	c, err := ipam.ParseCount(x.String())
	require.NoError(t, err)
	return c
}

// ipv6Series is a /32 pool (2^96 addresses) that allocates 1,000 /56s
// (2^72 addresses each) a day from 10,000,000 /56s in use, over 90 days.
func ipv6Series(t testing.TB) []usage.Sample {
	s := make([]usage.Sample, 90)
	total := bigCount(t, new(big.Int).Lsh(big.NewInt(1), 96))
	for i := range s {
		used := new(big.Int).Lsh(big.NewInt(10_000_000+1000*int64(i)), 72)
		s[i] = usage.Sample{Time: day(float64(i)), Used: bigCount(t, used), Total: total}
	}
	return s
}

func exhausts(rate float64, at time.Time, samples int, since time.Time, used, total uint64) usage.Forecast {
	return usage.Forecast{
		Status: usage.ForecastExhausts, Rate: rate,
		Exhaustion: at, Earliest: at, Latest: at,
		Samples: samples, Since: since,
		Used: ipam.NewCount(used), Total: ipam.NewCount(total),
	}
}

func TestForecastFrom(t *testing.T) {
	t.Parallel()
	gaps := slices.Concat(linear(30, 1000, 10, 10000), linear(90, 1000, 10, 10000)[60:])
	changed := daily(90, func(i int) (uint64, uint64) {
		if i < 60 {
			return 100 + 5*uint64(i), 1000
		}
		return 100 + 5*uint64(i), 2000
	})
	full := linear(10, 910, 10, 1000)
	shuffled := linear(10, 1000, 10, 10000)
	shuffled = append(shuffled, shuffled[3], usage.Sample{Time: day(4), Used: ipam.NewCount(1), Total: ipam.NewCount(9)})
	slices.Reverse(shuffled)

	tests := []struct {
		name    string
		samples []usage.Sample
		opts    usage.ForecastOptions
		want    usage.Forecast
	}{
		{name: "none", want: usage.Forecast{}},
		{
			name:    "zero totals ignored",
			samples: daily(5, func(int) (uint64, uint64) { return 5, 0 }),
			want:    usage.Forecast{},
		},
		{
			name:    "too little history",
			samples: linear(2, 100, 10, 1000),
			want:    usage.Forecast{Samples: 2, Since: day0, Used: ipam.NewCount(110), Total: ipam.NewCount(1000)},
		},
		{
			// 90 daily samples, subsampled to 32; 8110 left at 10 a day.
			name:    "linear",
			samples: linear(90, 1000, 10, 10000),
			want:    exhausts(10, day(89+811), 32, day0, 1890, 10000),
		},
		{
			name:    "linear, every sample",
			samples: linear(90, 1000, 10, 10000),
			opts:    usage.ForecastOptions{MaxSamples: 90},
			want:    exhausts(10, day(89+811), 90, day0, 1890, 10000),
		},
		{
			name:    "window",
			samples: linear(200, 0, 10, 10000),
			opts:    usage.ForecastOptions{Window: 30 * 24 * time.Hour},
			want:    exhausts(10, day(199+801), 31, day(169), 1990, 10000),
		},
		{
			name:    "gaps",
			samples: gaps,
			want:    exhausts(10, day(89+811), 32, day0, 1890, 10000),
		},
		{
			name:    "duplicates and order",
			samples: shuffled,
			want:    exhausts(10, day(9+891), 10, day0, 1090, 10000),
		},
		{
			name:    "flat",
			samples: linear(30, 500, 0, 1000),
			want:    usage.Forecast{Status: usage.ForecastNotGrowing, Samples: 30, Since: day0, Used: ipam.NewCount(500), Total: ipam.NewCount(1000)},
		},
		{
			name:    "shrinking",
			samples: daily(30, func(i int) (uint64, uint64) { return 900 - 5*uint64(i), 1000 }),
			want:    usage.Forecast{Status: usage.ForecastShrinking, Rate: -5, Samples: 30, Since: day0, Used: ipam.NewCount(755), Total: ipam.NewCount(1000)},
		},
		{
			name:    "already full",
			samples: full,
			want:    usage.Forecast{Status: usage.ForecastFull, Rate: 10, Samples: 10, Since: day0, Used: ipam.NewCount(1000), Total: ipam.NewCount(1000)},
		},
		{
			name:    "full without history",
			samples: full[9:],
			want:    usage.Forecast{Status: usage.ForecastFull, Samples: 1, Since: day(9), Used: ipam.NewCount(1000), Total: ipam.NewCount(1000)},
		},
		{
			// Only the 30 samples since the CIDR was added count.
			name:    "total changed",
			samples: changed,
			want: func() usage.Forecast {
				f := exhausts(5, day(89+(2000-545)/5.0), 30, day(60), 545, 2000)
				f.TotalChanged = true
				return f
			}(),
		},
		{
			name:    "total changed, too little since",
			samples: changed[:61],
			want:    usage.Forecast{TotalChanged: true, Samples: 1, Since: day(60), Used: ipam.NewCount(400), Total: ipam.NewCount(2000)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := slices.Clone(tt.samples)
			tt.want.At = latest(tt.samples)
			got := usage.ForecastFrom(tt.samples, tt.opts)
			assert.Equal(t, tt.want, got, "ForecastFrom(%s)", tt.name)
			assert.Equal(t, in, tt.samples, "ForecastFrom(%s) modified its input", tt.name)
		})
	}
}

func TestForecastFromStepped(t *testing.T) {
	t.Parallel()
	// A step of 500 on day 80 of 90: the pairs across it are too few to
	// move the median off the underlying 10 a day.
	s := daily(90, func(i int) (uint64, uint64) {
		u := 1000 + 10*uint64(i)
		if i >= 80 {
			u += 500
		}
		return u, 10000
	})
	got := usage.ForecastFrom(s, usage.ForecastOptions{})
	assert.Equal(t, usage.ForecastExhausts, got.Status)
	assert.Equal(t, 10.0, got.Rate, "stepped series")
	assert.Equal(t, day(89+(10000-2390)/10.0), got.Exhaustion)
	assertOrdered(t, got, s, "stepped series")
}

func TestForecastFromIPv6(t *testing.T) {
	t.Parallel()
	s := ipv6Series(t)
	got := usage.ForecastFrom(s, usage.ForecastOptions{})
	assert.Equal(t, usage.ForecastExhausts, got.Status)
	assert.Equal(t, 1000*math.Exp2(72), got.Rate)
	// 16,777,216 − 10,089,000 /56s left at 1,000 a day.
	want := day(89 + (16_777_216-10_089_000)/1000.0)
	assert.WithinDuration(t, want, got.Exhaustion, time.Millisecond)
	assert.Equal(t, got.Exhaustion, got.Earliest)
	assert.Equal(t, got.Exhaustion, got.Latest)
	assert.Equal(t, s[89].Used, got.Used)
}

func TestForecastFromNoisy(t *testing.T) {
	t.Parallel()
	seed := *forecastSeed
	r := rand.New(rand.NewPCG(seed, 14))
	misses, slack := 0, 5*24*time.Hour
	for c := range 200 {
		rate := 1 + r.Float64()*100
		start := r.Float64() * 10000
		total := uint64(start + rate*90*(2+r.Float64()*10))
		s := daily(90, func(i int) (uint64, uint64) {
			u := start + rate*float64(i) + r.NormFloat64()*rate*2
			if r.IntN(20) == 0 { // an outlier
				u += r.Float64() * rate * 200
			}
			return uint64(max(u, 0)), total
		})
		got := usage.ForecastFrom(s, usage.ForecastOptions{})
		in := "seed %d case %d: rate %.2f"
		require.Equal(t, usage.ForecastExhausts, got.Status, in, seed, c, rate)
		assert.InDelta(t, rate, got.Rate, rate*0.25, in, seed, c, rate)
		assertOrdered(t, got, s, in, seed, c, rate)
		// The true line's date lies in the range in nearly every case:
		// the range is a 95% interval of the rate, and the level is
		// known to within the noise, about two days' growth.
		remaining := float64(total) - (start + rate*89)
		truth := day(89 + remaining/rate)
		if truth.Before(got.Earliest.Add(-slack)) || !got.Latest.IsZero() && truth.After(got.Latest.Add(slack)) {
			misses++
			t.Logf(in+": true date %v outside [%v, %v]", seed, c, rate, truth, got.Earliest, got.Latest)
		}
	}
	assert.LessOrEqual(t, misses, 30, "seed %d: true dates outside the range in %d of 200 cases", seed, misses)
}

func TestForecastFromProperties(t *testing.T) {
	t.Parallel()
	seed := *forecastSeed
	r := rand.New(rand.NewPCG(seed, 41))
	for c := range 500 {
		n := r.IntN(120)
		s := make([]usage.Sample, n)
		for i := range s {
			total := uint64(r.IntN(3)) * 1000
			s[i] = usage.Sample{
				Time:  day(float64(r.IntN(200)) + r.Float64()*float64(r.IntN(2))),
				Used:  ipam.NewCount(uint64(r.IntN(1200))),
				Total: ipam.NewCount(total),
			}
		}
		in := "seed %d case %d"
		got := usage.ForecastFrom(s, usage.ForecastOptions{})
		assertOrdered(t, got, s, in, seed, c)
		// Order does not matter.
		r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
		assert.Equal(t, got, usage.ForecastFrom(s, usage.ForecastOptions{}), in+": shuffled", seed, c)
	}
}

// latest returns the time of the latest sample a forecast uses.
func latest(s []usage.Sample) time.Time {
	var last time.Time
	for _, x := range s {
		if y := x.Time.Year(); !x.Total.IsZero() && y >= 1 && y <= 9899 && x.Time.After(last) {
			last = x.Time
		}
	}
	return last
}

// assertOrdered checks the promises every forecast keeps.
func assertOrdered(t *testing.T, f usage.Forecast, s []usage.Sample, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	var last time.Time
	for _, x := range s {
		if y := x.Time.Year(); !x.Total.IsZero() && y >= 1 && y <= 9899 && x.Time.After(last) {
			last = x.Time
		}
	}
	assert.False(t, math.IsNaN(f.Rate) || math.IsInf(f.Rate, 0), msg)
	if f.Status != usage.ForecastExhausts {
		assert.True(t, f.Exhaustion.IsZero() && f.Earliest.IsZero() && f.Latest.IsZero(), msg)
		return
	}
	assert.Greater(t, f.Rate, 0.0, msg)
	assert.False(t, f.Exhaustion.Before(last), msg)
	assert.False(t, f.Earliest.Before(last), msg)
	assert.False(t, f.Exhaustion.Before(f.Earliest), msg)
	if !f.Latest.IsZero() {
		assert.False(t, f.Latest.Before(f.Exhaustion), msg)
	}
}

func TestForecastStatusText(t *testing.T) {
	t.Parallel()
	for _, s := range []usage.ForecastStatus{usage.ForecastInsufficientHistory, usage.ForecastExhausts, usage.ForecastNotGrowing, usage.ForecastShrinking, usage.ForecastFull} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, s.String(), string(b))
		var back usage.ForecastStatus
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	_, err := usage.ForecastStatus(9).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "ForecastStatus(9)", usage.ForecastStatus(9).String())
	var s usage.ForecastStatus
	assert.ErrorContains(t, s.UnmarshalText([]byte("soon")), `"soon"`)
}

func TestForecastJSON(t *testing.T) {
	t.Parallel()
	f := usage.ForecastFrom(linear(90, 1000, 10, 10000), usage.ForecastOptions{})
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"exhausts","rate":10,
		"exhaustion":"2029-02-17T00:00:00Z","earliest":"2029-02-17T00:00:00Z","latest":"2029-02-17T00:00:00Z",
		"samples":32,"since":"2026-09-01T00:00:00Z","used":"1890","total":"10000","at":"2026-11-29T00:00:00Z"}`, string(b))
	var back usage.Forecast
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, f, back)

	b, err = json.Marshal(usage.Forecast{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"insufficientHistory","rate":0,"samples":0,"used":"0","total":"0"}`, string(b))
}

func ExampleForecastFrom() {
	// A /24 subnet (251 usable addresses) that gains about 3 addresses a
	// day, with one day when a batch job held 40 more.
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var history []usage.Sample
	for i := range 30 {
		used := uint64(100 + 3*i)
		if i == 20 {
			used += 40
		}
		history = append(history, usage.Sample{
			Time:  start.AddDate(0, 0, i),
			Used:  ipam.NewCount(used),
			Total: ipam.NewCount(251),
		})
	}
	f := usage.ForecastFrom(history, usage.ForecastOptions{})
	fmt.Printf("%s at %.1f addresses a day from %d samples\n", f.Status, f.Rate, f.Samples)
	fmt.Printf("runs out about %s (%s to %s)\n",
		f.Exhaustion.Format(time.DateOnly), f.Earliest.Format(time.DateOnly), f.Latest.Format(time.DateOnly))
	// Output:
	// exhausts at 3.0 addresses a day from 30 samples
	// runs out about 2026-12-21 (2026-12-21 to 2026-12-21)
}

func ExampleForecastFrom_totalChanged() {
	// A VPC that got a second /24 on day 10: only the history since counts.
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var history []usage.Sample
	for i := range 20 {
		total := uint64(256)
		if i >= 10 {
			total = 512
		}
		history = append(history, usage.Sample{Time: start.AddDate(0, 0, i), Used: ipam.NewCount(uint64(200 + 5*i)), Total: ipam.NewCount(total)})
	}
	f := usage.ForecastFrom(history, usage.ForecastOptions{})
	fmt.Println(f.Status, f.Rate, f.Samples, f.Since.Format(time.DateOnly), f.TotalChanged, f.Exhaustion.Format(time.DateOnly))
	// Output:
	// exhausts 5 10 2026-11-11 true 2027-01-02
}

// forecastFleet returns the issue's fleet: 100,000 resources of 90 daily
// samples each, noisy linear growth at various rates (1,000 distinct
// series, each shared by 100 resources).
func forecastFleet() [][]usage.Sample {
	const resources, distinct = 100_000, 1000
	r := rand.New(rand.NewPCG(1, 14))
	series := make([][]usage.Sample, distinct)
	for k := range series {
		rate := r.Float64() * 50
		series[k] = daily(90, func(i int) (uint64, uint64) {
			return uint64(max(1000+rate*float64(i)+r.NormFloat64()*rate, 0)), 65536
		})
	}
	fleet := make([][]usage.Sample, resources)
	for i := range fleet {
		fleet[i] = series[i%distinct]
	}
	return fleet
}

// BenchmarkForecastFrom forecasts the issue's fleet (see forecastFleet)
// with ForecastFrom. One iteration is the whole fleet, on one goroutine.
func BenchmarkForecastFrom(b *testing.B) {
	fleet := forecastFleet()
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range fleet {
			usage.ForecastFrom(h, usage.ForecastOptions{})
		}
	}
}

// BenchmarkForecaster forecasts the fleet with one Forecaster, on one
// goroutine.
func BenchmarkForecaster(b *testing.B) {
	fleet := forecastFleet()
	fc := usage.NewForecaster(usage.ForecastOptions{})
	b.ReportAllocs()
	for b.Loop() {
		for _, h := range fleet {
			fc.Forecast(h)
		}
	}
}

// BenchmarkForecastAll forecasts the fleet with ForecastAll, on every
// core.
func BenchmarkForecastAll(b *testing.B) {
	fleet := forecastFleet()
	b.ReportAllocs()
	for b.Loop() {
		usage.ForecastAll(fleet, usage.ForecastOptions{})
	}
}

func TestForecastAll(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(*forecastSeed, 7))
	hs := make([][]usage.Sample, 1000)
	for i := range hs {
		rate := uint64(r.IntN(20))
		hs[i] = linear(r.IntN(60), uint64(r.IntN(500)), rate, 2000)
		if i%7 == 0 {
			slices.Reverse(hs[i])
		}
	}
	opts := usage.ForecastOptions{Window: 40 * 24 * time.Hour}
	got := usage.ForecastAll(hs, opts)
	require.Len(t, got, len(hs))
	fc := usage.NewForecaster(opts)
	for i, h := range hs {
		want := usage.ForecastFrom(h, opts)
		assert.Equal(t, want, got[i], "ForecastAll, history %d", i)
		assert.Equal(t, want, fc.Forecast(h), "Forecaster, history %d", i)
	}
	assert.Empty(t, usage.ForecastAll(nil, opts))
}

func TestForecasterAllocs(t *testing.T) {
	s := linear(90, 1000, 10, 10000)
	fc := usage.NewForecaster(usage.ForecastOptions{})
	fc.Forecast(s)
	assert.Zero(t, testing.AllocsPerRun(100, func() { fc.Forecast(s) }), "Forecaster.Forecast allocations")
}
