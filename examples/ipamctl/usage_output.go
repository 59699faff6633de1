package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ipamkit/ipamkit/internal/textsafe"
	"github.com/ipamkit/ipamkit/usage"
)

// writeUsageReport writes rep in format: table, json or csv. It builds the
// whole output before writing any of it.
func writeUsageReport(w io.Writer, rep usage.Report, format string) error {
	var b strings.Builder
	switch format {
	case "json":
		out, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		b.Write(out)
		b.WriteByte('\n')
	case "csv":
		cw := csv.NewWriter(&b)
		_ = cw.Write([]string{"severity", "percent", "resourceId", "resourceType", "name", "cidr", "accountId", "region", "vpcId", "source", "total", "used", "available", "largestFree"})
		for _, row := range usageRows(rep) {
			r := row.Resource
			pct, used, avail := "", "", ""
			if r.Known {
				pct, used, avail = strconv.FormatFloat(r.Percent(), 'f', 2, 64), r.Used.String(), r.Available.String()
			}
			_ = cw.Write(csvCells(row.severity, pct, r.ID, string(r.Type), r.Name, prefixText(r.CIDR), r.AccountID, r.Region, r.VPCID, string(r.Source), r.Total.String(), used, avail, prefixText(r.LargestFree)))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	default:
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tUSED\tUTILIZATION\tRESOURCE\tTYPE\tCIDR\tACCOUNT\tREGION\tLARGEST FREE\tSOURCE")
		for _, row := range usageRows(rep) {
			r := row.Resource
			pct, bar := "?", "[ usage unknown    ]"
			if r.Known {
				pct, bar = strconv.FormatFloat(r.Percent(), 'f', 1, 64)+"%", usageBar(r.Percent())
			}
			largest := "-"
			if r.LargestFree.IsValid() {
				largest = r.LargestFree.String()
			}
			name := r.ID
			if r.Name != "" {
				name += " (" + r.Name + ")"
			}
			cells := []string{row.severity, pct, bar, name, string(r.Type), prefixText(r.CIDR), r.AccountID, r.Region, largest, string(r.Source)}
			for i, c := range cells {
				cells[i] = textsafe.Escape(c) // a newline in a name must not split the row
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type usageRow struct {
	usage.Resource
	severity string
}

// usageRows returns every resource of rep: findings first, worst first,
// then the others by utilization, highest first; resources of unknown
// usage last, with the severity "unknown": a resource that was not
// measured is never shown as ok.
func usageRows(rep usage.Report) []usageRow {
	rows := make([]usageRow, 0, len(rep.Resources))
	seen := make(map[usage.Key]bool, len(rep.Findings))
	for _, f := range rep.Findings {
		rows = append(rows, usageRow{f.Resource, f.Severity.String()})
		seen[f.Key()] = true
	}
	var rest []usageRow
	for _, r := range rep.Resources {
		switch {
		case seen[r.Key()]:
		case r.Known:
			rest = append(rest, usageRow{r, "ok"})
		default:
			rest = append(rest, usageRow{r, "unknown"})
		}
	}
	slices.SortStableFunc(rest, func(a, b usageRow) int {
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
// with =, +, -, @, a tab or a carriage return — AWS data such as a Name tag
// "=HYPERLINK(...)" — gets a leading ' so that it is read as text, never as
// a formula.
func csvCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
