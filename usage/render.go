package usage

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ipamkit/ipamkit/internal/textsafe"
)

// String returns r for people, on one line, such as
//
//	subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29
//
// with "usage unknown" in place of the counts when the source did not say,
// "and N more" after the CIDR of a resource of several, and control
// characters of names and IDs from AWS escaped (\n, \x1b), so that a Name
// tag cannot split a line of a log or an alert. Parts that are not set are
// left out: the zero Resource is "resource: usage unknown".
func (r Resource) String() string {
	var b strings.Builder
	b.WriteString(textsafe.Escape(r.ID))
	if r.ID == "" {
		b.WriteString(textsafe.Escape(string(cmp.Or(r.Type, "resource"))))
	}
	if r.Name != "" {
		b.WriteString(" (" + textsafe.Escape(r.Name) + ")")
	}
	if r.CIDR.IsValid() {
		b.WriteString(" " + r.CIDR.String())
		if n := len(r.CIDRs) - 1; n > 0 {
			fmt.Fprintf(&b, " and %d more", n)
		}
	}
	if where := strings.TrimSpace(textsafe.Escape(r.AccountID) + " " + textsafe.Escape(r.Region)); where != "" {
		b.WriteString(" in " + where)
	}
	b.WriteString(": ")
	if r.Known {
		fmt.Fprintf(&b, "%s of %s used (%.1f%%)", r.Used, r.Total, r.Percent())
	} else {
		b.WriteString("usage unknown")
	}
	if r.LargestFree.IsValid() {
		b.WriteString(", largest free " + r.LargestFree.String())
	}
	return b.String()
}

// String returns the severity and threshold reached, then the resource
// ([Resource.String]), such as
//
//	critical at 80%: subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29
//
// or, for a finding by its forecast, "warning, runs out within 30 days: …".
func (f Finding) String() string {
	head := f.Severity.String()
	if f.Threshold != 0 {
		head += " at " + strconv.FormatFloat(f.Threshold, 'f', -1, 64) + "%"
	}
	if f.ExhaustsWithin != 0 {
		head += ", runs out within " + strconv.Itoa(f.ExhaustsWithin) + " days"
	}
	return head + ": " + f.Resource.String()
}

// Severities of the rows of [Report.WriteTable] and [Report.WriteCSV] that
// are not findings.
const (
	rowOK      = "ok"      // measured, below every threshold
	rowUnknown = "unknown" // not measured: never shown as ok
)

// row is a resource of a report with the severity it is shown with.
type row struct {
	Resource
	severity string
}

// rows returns every resource of r: the findings first, worst first, then
// the others by utilization, highest first, and the resources of unknown
// usage last, with the severity "unknown".
func (r Report) rows() []row {
	rows := make([]row, 0, len(r.Resources))
	seen := make(map[Key]bool, len(r.Findings))
	for _, f := range r.Findings {
		rows = append(rows, row{f.Resource, f.Severity.String()})
		seen[f.Key()] = true
	}
	var rest []row
	for _, res := range r.Resources {
		switch {
		case seen[res.Key()]:
		case res.Known:
			rest = append(rest, row{res, rowOK})
		default:
			rest = append(rest, row{res, rowUnknown})
		}
	}
	slices.SortStableFunc(rest, func(a, b row) int {
		if a.Known != b.Known {
			if a.Known {
				return -1
			}
			return 1
		}
		switch pa, pb := a.Percent(), b.Percent(); {
		case pa > pb:
			return -1
		case pa < pb:
			return 1
		}
		return 0
	})
	return append(rows, rest...)
}

// WriteTable writes every resource of r to w as a table aligned with
// spaces, one line per resource under a header line: its severity (that of
// its finding, "ok", or "unknown" when its usage is not known: a resource
// that was not measured is never shown as ok), utilization as a percentage
// and a bar, ID and name, type, CIDR, account, region, largest free block
// and source. The findings come first, worst first, then the other
// resources by utilization, highest first, and those of unknown usage
// last. Control characters of names and IDs are escaped (\n, \x1b), so no
// cell can split a row or reach the terminal. WriteTable builds the whole
// table before writing it, in one call to w.Write.
func (r Report) WriteTable(w io.Writer) error {
	return r.writeTable(w, false)
}

// writeTable writes the table of [Report.WriteTable], with the forecast's
// three columns before the source when forecast is set
// ([Report.WriteForecastTable]).
func (r Report) writeTable(w io.Writer, forecast bool) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	header := "SEVERITY\tUSED\tUTILIZATION\tRESOURCE\tTYPE\tCIDR\tACCOUNT\tREGION\tLARGEST FREE\t"
	if forecast {
		header += "RATE/DAY\tRUNS OUT\tRANGE\t"
	}
	fmt.Fprintln(tw, header+"SOURCE")
	for _, row := range r.rows() {
		res := row.Resource
		pct, bar := "?", "[ usage unknown    ]"
		if res.Known {
			pct, bar = strconv.FormatFloat(res.Percent(), 'f', 1, 64)+"%", usageBar(res.Percent())
		}
		largest := "-"
		if res.LargestFree.IsValid() {
			largest = res.LargestFree.String()
		}
		name := res.ID
		if res.Name != "" {
			name += " (" + res.Name + ")"
		}
		cells := []string{row.severity, pct, bar, name, string(res.Type), prefixText(res.CIDR), res.AccountID, res.Region, largest}
		if forecast {
			rate, date, span := forecastCells(res.Forecast)
			cells = append(cells, rate, date, span)
		}
		cells = append(cells, string(res.Source))
		for i, c := range cells {
			cells[i] = textsafe.Escape(c) // a newline in a name must not split the row
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// csvHeader is the header row of [Report.WriteCSV].
var csvHeader = []string{"severity", "percent", "resourceId", "resourceType", "name", "cidr", "accountId", "region", "vpcId", "source", "total", "used", "available", "largestFree"}

// WriteCSV writes every resource of r to w as CSV (RFC 4180), in the order
// of [Report.WriteTable], under the header row severity, percent,
// resourceId, resourceType, name, cidr, accountId, region, vpcId, source,
// total, used, available, largestFree. The percent has two decimals;
// counts are exact decimal numbers; percent, used and available are empty
// when the usage is not known. A cell that starts with =, +, -, @, a tab
// or a carriage return (AWS data such as a Name tag "=HYPERLINK(...)")
// gets a leading ' so that a spreadsheet reads it as text, never as a
// formula. WriteCSV builds the whole CSV before writing it, in one call to
// w.Write.
func (r Report) WriteCSV(w io.Writer) error {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	_ = cw.Write(csvHeader) // written to b: only cw.Error can fail
	for _, row := range r.rows() {
		res := row.Resource
		pct, used, avail := "", "", ""
		if res.Known {
			pct, used, avail = strconv.FormatFloat(res.Percent(), 'f', 2, 64), res.Used.String(), res.Available.String()
		}
		_ = cw.Write(csvCells(row.severity, pct, res.ID, string(res.Type), res.Name, prefixText(res.CIDR), res.AccountID, res.Region, res.VPCID, string(res.Source), res.Total.String(), used, avail, prefixText(res.LargestFree)))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// usageBar draws percent as 20 cells: [#########...........].
func usageBar(percent float64) string {
	const cells = 18
	n := int(percent/100*cells + 0.5)
	n = min(max(n, 0), cells)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", cells-n) + "]"
}

// prefixText returns p in CIDR notation, or "" for the zero Prefix.
func prefixText(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	return p.String()
}

// csvCells returns cells neutralised for spreadsheets: a cell that starts
// with =, +, -, @, a tab or a carriage return gets a leading ' so that it
// is read as text, never as a formula.
func csvCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
