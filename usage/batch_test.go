package usage_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
)

// demoScanner returns an organization scanner of the demo world, as its
// management account, with every source.
func demoScanner(t *testing.T, optFns ...func(*usage.OrganizationScanOptions)) *usage.OrganizationScanner {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	s, err := usage.NewOrganizationScanner(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), append([]func(*usage.OrganizationScanOptions){
		func(o *usage.OrganizationScanOptions) {
			o.Organization = true
			o.Regions = []string{"us-east-1", "us-west-2"}
			o.IPAMAccount = awsfake.DemoNetworkAccount
			o.Sources = []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2}
			o.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: 70, Critical: 90}}
		},
	}, optFns...)...)
	require.NoError(t, err)
	return s
}

// withoutTimes returns r without the scan's times and API calls, which
// differ from one scan to the next.
func withoutTimes(r usage.Report) usage.Report {
	r.Scan = usage.ScanInfo{Targets: r.Scan.Targets}
	return r
}

// TestScanItemsInBatchesEqualsScan scans the demo organization once with
// Scan, and again as a distributed map does: its items in batches of every
// size, each batch by its own ScanItems call, the reports merged.
func TestScanItemsInBatchesEqualsScan(t *testing.T) {
	t.Parallel()
	s := demoScanner(t)
	want, err := s.Scan(t.Context())
	require.NoError(t, err)
	require.NotEmpty(t, want.Findings, "the demo has findings")

	items, err := s.Items(t.Context())
	require.NoError(t, err)
	require.Len(t, items, want.Scan.Targets)
	assert.Equal(t, usage.ScanItem{AccountID: awsfake.DemoNetworkAccount, Region: "us-east-1",
		Sources: []usage.Source{usage.SourceIPAM, usage.SourcePools}}, items[0], "the IPAM first")

	for _, size := range []int{1, 2, 3, 5, len(items)} {
		var reports []usage.Report
		for batch := range slices.Chunk(items, size) {
			rep, err := s.ScanItems(t.Context(), batch)
			require.NoError(t, err, "batch size %d", size)
			reports = append(reports, rep)
		}
		assert.Equal(t, withoutTimes(want), withoutTimes(usage.Merge(reports...)), "batches of %d", size)
	}
}

func TestFailedReport(t *testing.T) {
	t.Parallel()
	s := demoScanner(t)
	items, err := s.Items(t.Context())
	require.NoError(t, err)
	failed := errors.New("batch failed: Lambda.Unknown: out of memory")

	ok, err := s.ScanItems(t.Context(), items[:4])
	require.NoError(t, err)
	merged := usage.Merge(ok, usage.FailedReport(items[4:], failed))
	assert.Equal(t, len(items), merged.Scan.Targets, "every target counted")
	require.Len(t, merged.Errors, len(items)-4, "one failed target per item of the failed batch")
	for _, te := range merged.Errors {
		require.ErrorIs(t, te, failed)
		assert.Empty(t, te.Target.RoleARN)
	}
	assert.Equal(t, usage.Target{AccountID: items[4].AccountID, Region: items[4].Region}, merged.Errors[0].Target)
	alert, due := merged.Alert("test")
	require.True(t, due)
	assert.Contains(t, alert.Summary, "failed", "the alert says targets failed")
}

func TestScanItemsBadItems(t *testing.T) {
	t.Parallel()
	s := demoScanner(t)
	tests := []struct {
		name  string
		items []usage.ScanItem
		want  string
	}{
		{"short account", []usage.ScanItem{{AccountID: "1234", Region: "us-east-1", Sources: []usage.Source{usage.SourceEC2}}}, `item 0 "1234/us-east-1 (ec2)"`},
		{"no region", []usage.ScanItem{{AccountID: "123456789012", Sources: []usage.Source{usage.SourceEC2}}}, `item 0 "123456789012/ (ec2)"`},
		{"no source", []usage.ScanItem{{AccountID: "123456789012", Region: "us-east-1"}}, "at least one source"},
		{"unknown source", []usage.ScanItem{
			{AccountID: "123456789012", Region: "us-east-1", Sources: []usage.Source{usage.SourceEC2}},
			{AccountID: "123456789012", Region: "us-east-1", Sources: []usage.Source{"vpc"}},
		}, `item 1 "123456789012/us-east-1 (vpc)": unknown source "vpc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.ScanItems(t.Context(), tt.items)
			require.ErrorIs(t, err, usage.ErrBadItem)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestScanItemsNone(t *testing.T) {
	t.Parallel()
	rep, err := demoScanner(t).ScanItems(t.Context(), nil)
	require.NoError(t, err)
	assert.Equal(t, usage.Report{}, withoutTimes(rep))
}
