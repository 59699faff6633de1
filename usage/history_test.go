package usage_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

var wireNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func wireDay(d int) time.Time { return wireNow.Truncate(24*time.Hour).AddDate(0, 0, d) }

func TestReportHistory(t *testing.T) {
	t.Parallel()
	sub := usage.Resource{ID: "subnet-1", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "111111111111", Region: "eu-west-1",
		CIDR: netip.MustParsePrefix("10.0.0.0/24"), Known: true, Total: ipam.NewCount(251)}
	other := sub
	other.ID = "subnet-2"
	report := func(day int, used uint64) []byte {
		r := sub
		r.Used, r.Available = ipam.NewCount(used), ipam.NewCount(251-used)
		b, err := json.Marshal(usage.Report{Resources: []usage.Resource{r}, Scan: usage.ScanInfo{Finished: wireDay(day)}})
		require.NoError(t, err)
		return b
	}
	fsys := fstest.MapFS{
		"2026-11-30.json": {Data: report(-1, 120)},
		"2026-11-28.json": {Data: report(-3, 100)},
		"notes.txt":       {Data: []byte("not a report")},
	}
	got, err := usage.ReportHistory(fsys, []usage.Resource{sub, other})
	require.NoError(t, err)
	assert.Equal(t, [][]usage.Sample{{
		{Time: wireDay(-3), Used: ipam.NewCount(100), Total: ipam.NewCount(251)},
		{Time: wireDay(-1), Used: ipam.NewCount(120), Total: ipam.NewCount(251)},
	}, nil}, got)

	fsys["broken.json"] = &fstest.MapFile{Data: []byte(`{"formatVersion": 99}`)}
	_, err = usage.ReportHistory(fsys, []usage.Resource{sub})
	assert.ErrorContains(t, err, "broken.json")
}

func fakeAt(t *testing.T, w *awsfake.World) *awsfake.Server {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World, o.Now = w, func() time.Time { return wireNow } })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func TestWireCloudWatchHistory(t *testing.T) {
	t.Parallel()
	w, err := awsfake.NewBuilder("111111111111").Build()
	require.NoError(t, err)
	srv := fakeAt(t, w)
	client := cloudwatch.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))
	// What the monitor published for one subnet over ten days: 5 more
	// addresses used a day.
	var data []cwtypes.MetricDatum
	for d := -10; d < 0; d++ {
		dims := []cwtypes.Dimension{{Name: aws.String(notify.DimensionResourceID), Value: aws.String("subnet-1")}}
		at := aws.Time(wireDay(d).Add(time.Hour))
		data = append(data,
			cwtypes.MetricDatum{MetricName: aws.String(notify.MetricIPAddressTotal), Value: aws.Float64(251), Dimensions: dims, Timestamp: at},
			cwtypes.MetricDatum{MetricName: aws.String(notify.MetricIPAddressAvailable), Value: aws.Float64(float64(151 - 5*d)), Dimensions: dims, Timestamp: at})
	}
	_, err = client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(notify.DefaultNamespace), MetricData: data})
	require.NoError(t, err)

	rs := []usage.Resource{{ID: "subnet-1", Type: usage.TypeSubnet, Known: true, Total: ipam.NewCount(251), Used: ipam.NewCount(100)}, {ID: "subnet-2"}}
	srv.ResetCalls()
	got, err := usage.CloudWatchHistory(t.Context(), client, rs, func(o *usage.CloudWatchHistoryOptions) {
		o.Now = func() time.Time { return wireNow }
		o.Window = 30 * 24 * time.Hour
	})
	require.NoError(t, err)
	assert.Len(t, srv.Calls(), 1, "one call for two resources")
	require.Len(t, got, 2)
	assert.Nil(t, got[1])
	require.Len(t, got[0], 10)
	for i, s := range got[0] {
		assert.Equal(t, usage.Sample{Time: wireDay(i - 10), Used: ipam.NewCount(uint64(100 + 5*(i-10))), Total: ipam.NewCount(251)}, s, "sample %d", i)
	}

	// With today's figures, the forecast: 5 a day, 151 left.
	rep := usage.Report{Resources: rs, Scan: usage.ScanInfo{Finished: wireNow}}
	rep, err = rep.WithForecasts(got, usage.ForecastOptions{}, usage.Policy{Exhaustion: usage.ExhaustionDays{Warning: 60, Critical: 14}})
	require.NoError(t, err)
	require.Equal(t, "subnet-1", rep.Resources[1].ID)
	assert.Equal(t, usage.ForecastInsufficientHistory, rep.Resources[0].Forecast.Status, "no history, unknown usage")
	f := rep.Resources[1].Forecast
	require.NotNil(t, f)
	assert.Equal(t, usage.ForecastExhausts, f.Status)
	assert.InDelta(t, 5, f.Rate, 0.01)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, notify.Warning, rep.Findings[0].Severity)
	assert.Equal(t, 60, rep.Findings[0].ExhaustsWithin)
	// The daily points sit on the line used = 100 + 5·day from midnight,
	// which is at 102.5 by noon: 148.5 left at 5 a day.
	assert.Equal(t, wireNow.Add(time.Duration(148.5/5*float64(24*time.Hour))), f.Exhaustion)

	a, ok := rep.Alert("test")
	require.True(t, ok)
	assert.Equal(t, "runs out in 29 days, about 2026-12-31; warning, runs out within 60 days", a.Resources[0].Note)
	ms := rep.FindingMetrics(wireNow)
	require.Len(t, ms, 4)
	assert.Equal(t, notify.Metric{Name: notify.MetricDaysToExhaustion, Value: 29.7, Unit: notify.UnitNone,
		Dimensions: []notify.Dimension{{Name: notify.DimensionResourceID, Value: "subnet-1"}}, Time: wireNow}, ms[3])
}

func TestWireIPAMHistory(t *testing.T) {
	t.Parallel()
	const acct = "111111111111"
	b := awsfake.NewBuilder(acct)
	ipamID := b.IPAM(acct, "us-east-1", "us-east-1")
	vpc := b.VPC(acct, "us-east-1", "10.0.0.0/24")
	s1 := b.Subnet(vpc, "10.0.0.0/26", 10)
	s2 := b.Subnet(vpc, "10.0.0.64/26", 10)
	b.Age(s1, 20*24*time.Hour)
	b.Age(s2, 5*24*time.Hour+time.Hour)
	scope := b.Scope(ipamID, "private")
	w, err := b.Build()
	require.NoError(t, err)
	srv := fakeAt(t, w)
	client := ec2.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))

	rs := []usage.Resource{
		{ID: vpc, Type: usage.TypeVPC, AccountID: acct, Region: "us-east-1", CIDR: netip.MustParsePrefix("10.0.0.0/24"), Known: true, Total: ipam.NewCount(256), Used: ipam.NewCount(128)},
		{ID: s1, Type: usage.TypeSubnet, VPCID: vpc, AccountID: acct, Region: "us-east-1", CIDR: netip.MustParsePrefix("10.0.0.0/26")},
		{ID: s2, Type: usage.TypeSubnet, VPCID: vpc, AccountID: acct, Region: "us-east-1", CIDR: netip.MustParsePrefix("10.0.0.64/26")},
	}
	srv.ResetCalls()
	got, err := usage.IPAMHistory(t.Context(), client, scope, rs, func(o *usage.IPAMHistoryOptions) {
		o.Now = func() time.Time { return wireNow }
		o.Window = 10 * 24 * time.Hour
	})
	require.NoError(t, err)
	assert.Len(t, srv.Calls(), 2, "one call per subnet CIDR")
	require.Len(t, got[0], 11)
	for i, s := range got[0] {
		used := uint64(64)
		if i >= 5 { // subnet 2 since 5 days and an hour
			used = 128
		}
		assert.Equal(t, usage.Sample{Time: wireNow.AddDate(0, 0, i-10), Used: ipam.NewCount(used), Total: ipam.NewCount(256)}, s, "sample %d", i)
	}
	assert.Nil(t, got[1])
	assert.Nil(t, got[2])
}

// TestWireCloudWatchHistoryCalls counts the calls of the history of 1,000
// resources: two queries each, 500 a call.
func TestWireCloudWatchHistoryCalls(t *testing.T) {
	t.Parallel()
	w, err := awsfake.NewBuilder("111111111111").Build()
	require.NoError(t, err)
	srv := fakeAt(t, w)
	client := cloudwatch.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))
	rs := make([]usage.Resource, 1000)
	for i := range rs {
		rs[i] = usage.Resource{ID: fmt.Sprintf("subnet-%04d", i), Type: usage.TypeSubnet}
	}
	srv.ResetCalls()
	got, err := usage.CloudWatchHistory(t.Context(), client, rs, func(o *usage.CloudWatchHistoryOptions) { o.End = wireNow })
	require.NoError(t, err)
	assert.Len(t, got, 1000)
	assert.Len(t, srv.Calls(), 4, "GetMetricData calls for 1,000 resources")
}

// TestWireCloudWatchHistoryPages reads a history CloudWatch answers in
// pages of 7 data points, with PartialData and NextToken as it may: the
// samples are those of one page.
func TestWireCloudWatchHistoryPages(t *testing.T) {
	t.Parallel()
	put := func(t *testing.T, client *cloudwatch.Client) {
		t.Helper()
		var data []cwtypes.MetricDatum
		for _, id := range []string{"subnet-1", "subnet-2"} {
			dims := []cwtypes.Dimension{{Name: aws.String(notify.DimensionResourceID), Value: aws.String(id)}}
			for d := -10; d < 0; d++ {
				at := aws.Time(wireDay(d).Add(time.Hour))
				data = append(data,
					cwtypes.MetricDatum{MetricName: aws.String(notify.MetricIPAddressTotal), Value: aws.Float64(251), Dimensions: dims, Timestamp: at},
					cwtypes.MetricDatum{MetricName: aws.String(notify.MetricIPAddressAvailable), Value: aws.Float64(float64(151 - 5*d - len(id))), Dimensions: dims, Timestamp: at})
			}
		}
		_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(notify.DefaultNamespace), MetricData: data})
		require.NoError(t, err)
	}
	rs := []usage.Resource{{ID: "subnet-1"}, {ID: "subnet-2"}}
	read := func(t *testing.T, page int) ([][]usage.Sample, int) {
		t.Helper()
		w, err := awsfake.NewBuilder("111111111111").Build()
		require.NoError(t, err)
		srv, err := awsfake.New(func(o *awsfake.Options) {
			o.World, o.Now, o.MetricDataPage = w, func() time.Time { return wireNow }, page
		})
		require.NoError(t, err)
		t.Cleanup(srv.Close)
		client := cloudwatch.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))
		put(t, client)
		srv.ResetCalls()
		got, err := usage.CloudWatchHistory(t.Context(), client, rs, func(o *usage.CloudWatchHistoryOptions) {
			o.Now = func() time.Time { return wireNow }
			o.Window = 30 * 24 * time.Hour
		})
		require.NoError(t, err)
		return got, len(srv.Calls())
	}
	whole, calls := read(t, 0)
	require.Equal(t, 1, calls)
	require.Len(t, whole, 2)
	require.Len(t, whole[0], 10)
	require.Len(t, whole[1], 10)
	paged, calls := read(t, 7)
	assert.Equal(t, 6, calls, "40 data points in pages of 7")
	assert.Equal(t, whole, paged)
}
