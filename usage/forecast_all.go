package usage

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forecastBatch is how many histories a worker of ForecastAll takes at a
// time: enough to make the shared counter cheap, few enough to balance.
const forecastBatch = 64

// ForecastAll returns the forecast of each history, as [ForecastFrom]
// with opts computes it: out[i] is the forecast of histories[i]. It
// spreads the work over GOMAXPROCS goroutines, each with its own
// [Forecaster], and returns when all are done. histories are not
// modified. It is safe for concurrent use.
func ForecastAll(histories [][]Sample, opts ForecastOptions) []Forecast {
	out := make([]Forecast, len(histories))
	workers := min(runtime.GOMAXPROCS(0), (len(histories)+forecastBatch-1)/forecastBatch)
	if workers <= 1 {
		fc := NewForecaster(opts)
		for i, h := range histories {
			out[i] = fc.Forecast(h)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(workers)
	for range workers {
		go func() {
			defer wg.Done()
			fc := NewForecaster(opts)
			for {
				end := int(next.Add(forecastBatch))
				start := end - forecastBatch
				if start >= len(histories) {
					return
				}
				for i := start; i < min(end, len(histories)); i++ {
					out[i] = fc.Forecast(histories[i])
				}
			}
		}()
	}
	wg.Wait()
	return out
}
