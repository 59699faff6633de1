package usage

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// forecastCells returns the rate per day, the exhaustion date (or what the
// forecast found instead) and the range of the date of f, as the forecast
// table and CSV show them; "-" for a resource without a forecast.
func forecastCells(f *Forecast) (rate, date, span string) {
	if f == nil {
		return "-", "-", "-"
	}
	rate = "-"
	if f.Status != ForecastInsufficientHistory {
		rate = strconv.FormatFloat(f.Rate, 'f', 1, 64)
	}
	switch f.Status {
	case ForecastExhausts:
		latest := "never"
		if !f.Latest.IsZero() {
			latest = f.Latest.UTC().Format(time.DateOnly)
		}
		return rate, f.Exhaustion.UTC().Format(time.DateOnly), f.Earliest.UTC().Format(time.DateOnly) + ".." + latest
	case ForecastNotGrowing:
		return rate, "not growing", "-"
	case ForecastShrinking:
		return rate, "shrinking", "-"
	case ForecastFull:
		return rate, "full", "-"
	}
	return rate, "no history", "-"
}

// WriteForecastTable writes r as [Report.WriteTable] does, in the same
// order and with the same escaping, with three columns of each resource's
// forecast (see [Report.WithForecasts]) before the source: RATE/DAY, the
// growth in addresses a day; RUNS OUT, the projected date (UTC) or what
// the forecast found instead (not growing, shrinking, full, no history);
// and RANGE, the earliest to the latest likely date ("never" when the
// range of rates includes no growth). It builds the whole table before
// writing it, in one call to w.Write.
func (r Report) WriteForecastTable(w io.Writer) error {
	return r.writeTable(w, true)
}

// WriteForecastCSV writes r as [Report.WriteCSV] does, with the columns
// ratePerDay, forecastStatus, exhaustion, earliest and latest (RFC 3339
// times, empty when there is no such date) after largestFree.
func (r Report) WriteForecastCSV(w io.Writer) error {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	_ = cw.Write(append(append([]string(nil), csvHeader...), "ratePerDay", "forecastStatus", "exhaustion", "earliest", "latest"))
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, row := range r.rows() {
		res := row.Resource
		pct, used, avail := "", "", ""
		if res.Known {
			pct, used, avail = strconv.FormatFloat(res.Percent(), 'f', 2, 64), res.Used.String(), res.Available.String()
		}
		rate, status, exh, earliest, latest := "", "", "", "", ""
		if f := res.Forecast; f != nil {
			status = f.Status.String()
			if f.Status != ForecastInsufficientHistory {
				rate = strconv.FormatFloat(f.Rate, 'f', -1, 64)
			}
			exh, earliest, latest = stamp(f.Exhaustion), stamp(f.Earliest), stamp(f.Latest)
		}
		_ = cw.Write(csvCells(row.severity, pct, res.ID, string(res.Type), res.Name, prefixText(res.CIDR), res.AccountID, res.Region, res.VPCID, string(res.Source),
			res.Total.String(), used, avail, prefixText(res.LargestFree), rate, status, exh, earliest, latest))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
