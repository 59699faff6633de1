package main

import (
	"net/netip"
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
