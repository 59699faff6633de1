package main

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/ipamkit/ipamkit/usage"
)

// writeUsageReport writes rep in format: table ([usage.Report.WriteTable]),
// json, csv ([usage.Report.WriteCSV]) or html ([usage.Report.WriteHTML]). It builds the whole output before
// writing any of it.
func writeUsageReport(w io.Writer, rep usage.Report, format string) error {
	switch format {
	case "json":
		out, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = w.Write(append(out, '\n'))
		return err
	case "csv":
		return rep.WriteCSV(w)
	case "html":
		return rep.WriteHTML(w, usage.HTMLOptions{})
	default:
		return rep.WriteTable(w)
	}
}

// usageBar draws percent as 20 cells: [#########...........].
func usageBar(percent float64) string {
	const cells = 18
	n := int(percent/100*cells + 0.5)
	n = min(max(n, 0), cells)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", cells-n) + "]"
}
