package awsfake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cloudwatchProtocols are the three protocols CloudWatch clients speak: the
// Go SDK's own CBOR (gzipped: a hand-built aws.Config compresses every
// PutMetricData), and JSON 1.0 and awsQuery as boto3 and older SDKs send them.
var cloudwatchProtocols = []struct {
	name   string
	option func(*cloudwatch.Options)
}{
	{"rpc-v2-cbor", func(*cloudwatch.Options) {}},
	{"json", func(o *cloudwatch.Options) { o.Protocol = awsjson.New10(schemas.GraniteServiceVersion20100801) }},
	{"query", func(o *cloudwatch.Options) { o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801) }},
}

func TestPutMetricData(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, p := range cloudwatchProtocols {
		t.Run(p.name, func(t *testing.T) {
			srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
			client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"), p.option)
			_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{
				Namespace: aws.String("CUSTOM/IPAM"),
				MetricData: []types.MetricDatum{
					{
						MetricName: aws.String("PercentAssigned"), Unit: types.StandardUnitPercent, Value: aws.Float64(81.25),
						Dimensions: []types.Dimension{{Name: aws.String("ResourceId"), Value: aws.String("ipam-pool-0abc")}},
						Timestamp:  aws.Time(now.Add(-time.Minute)), StorageResolution: aws.Int32(60),
					},
					{MetricName: aws.String("IpAddressTotal"), Unit: types.StandardUnitCount, Values: []float64{1, 2}, Counts: []float64{3, 4}},
					{MetricName: aws.String("Stats"), StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(3), Minimum: aws.Float64(1), Maximum: aws.Float64(2)}},
				},
			})
			require.NoError(t, err)
			assert.Equal(t, []MetricDatum{
				{
					Account: DefaultAccountID, Region: "eu-west-1", Protocol: p.name, Namespace: "CUSTOM/IPAM", MetricName: "PercentAssigned",
					Dimensions: []MetricDimension{{"ResourceId", "ipam-pool-0abc"}}, Timestamp: now.Add(-time.Minute),
					Value: aws.Float64(81.25), Unit: "Percent", StorageResolution: 60,
				},
				{Account: DefaultAccountID, Region: "eu-west-1", Protocol: p.name, Namespace: "CUSTOM/IPAM", MetricName: "IpAddressTotal", Unit: "Count", Values: []float64{1, 2}, Counts: []float64{3, 4}},
				{Account: DefaultAccountID, Region: "eu-west-1", Protocol: p.name, Namespace: "CUSTOM/IPAM", MetricName: "Stats", Statistics: &StatisticSet{2, 3, 1, 2}},
			}, srv.Metrics())
		})
	}
}

func TestPutMetricDataErrors(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	datum := func(f func(*types.MetricDatum)) []types.MetricDatum {
		d := types.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1)}
		f(&d)
		return []types.MetricDatum{d}
	}
	many := make([]types.MetricDatum, 1001)
	for i := range many {
		many[i] = types.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1)}
	}
	tests := []struct {
		name      string
		in        cloudwatch.PutMetricDataInput
		wantCode  string // the legacy query code, as CBOR and JSON clients report it
		wantShape string // the exception's shape name
	}{
		{"1001 metrics", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: many}, "InvalidParameterValue", "InvalidParameterValueException"},
		{"AWS/ namespace", cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: datum(func(*types.MetricDatum) {})}, "InvalidParameterValue", "InvalidParameterValueException"},
		{"no metric data", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns")}, "MissingParameter", "MissingRequiredParameterException"},
		{"31 dimensions", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: datum(func(d *types.MetricDatum) {
			for range 31 {
				d.Dimensions = append(d.Dimensions, types.Dimension{Name: aws.String("n"), Value: aws.String("v")})
			}
		})}, "InvalidParameterValue", "InvalidParameterValueException"},
		{"151 values", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: datum(func(d *types.MetricDatum) {
			d.Value, d.Values = nil, make([]float64, 151)
		})}, "InvalidParameterValue", "InvalidParameterValueException"},
		{"value and values", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: datum(func(d *types.MetricDatum) {
			d.Values = []float64{1}
		})}, "InvalidParameterCombination", "InvalidParameterCombinationException"},
		{"three weeks old", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: datum(func(d *types.MetricDatum) {
			d.Timestamp = aws.Time(now.Add(-21 * 24 * time.Hour))
		})}, "InvalidParameterValue", "InvalidParameterValueException"},
		{"storage resolution 5", cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: datum(func(d *types.MetricDatum) {
			d.StorageResolution = aws.Int32(5)
		})}, "InvalidParameterValue", "InvalidParameterValueException"},
	}
	for _, p := range cloudwatchProtocols {
		srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
		client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"), p.option)
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				_, err := client.PutMetricData(t.Context(), &tt.in)
				want := tt.wantCode
				if p.name == "query" {
					// The body carries the legacy code; the SDK maps it to the
					// modelled exception, whose ErrorCode is the shape name.
					want = tt.wantShape
				}
				assert.Equal(t, want, errorCode(err), "%v", err)
				{
					var typed smithy.APIError
					require.ErrorAs(t, err, &typed)
					assert.Equal(t, "*types."+tt.wantShape, fmt.Sprintf("%T", typed), "the typed exception")
				}
			})
		}
		assert.Empty(t, srv.Metrics(), "rejected data is not recorded")
	}
}

func TestPutMetricDataThrottled(t *testing.T) {
	for _, p := range cloudwatchProtocols {
		t.Run(p.name, func(t *testing.T) {
			srv := startServer(t, nil)
			srv.InjectFault(Fault{Service: "monitoring", Kind: FaultThrottle, Count: 1})
			client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"), p.option)
			_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{
				Namespace: aws.String("ns"), MetricData: []types.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}},
			})
			require.NoError(t, err)
			calls := callsTo(srv, "PutMetricData")
			require.Len(t, calls, 2, "throttled once, then retried")
			assert.Equal(t, "ThrottlingException", calls[0].ErrorCode)
			assert.Len(t, srv.Metrics(), 1)
		})
	}
}

// TestPutMetricDataTooLarge: a request over the 1 MB payload limit is
// refused in every protocol, whatever its number of datums, and nothing of
// it is kept.
func TestPutMetricDataTooLarge(t *testing.T) {
	big := make([]types.MetricDatum, 400)
	for i := range big {
		big[i] = types.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1)}
		for j := range 30 {
			big[i].Dimensions = append(big[i].Dimensions, types.Dimension{Name: aws.String(fmt.Sprintf("d%02d", j)), Value: aws.String(strings.Repeat("v", 100))})
		}
	}
	for _, p := range cloudwatchProtocols {
		t.Run(p.name, func(t *testing.T) {
			srv := startServer(t, nil)
			client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"), p.option)
			_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: big})
			assert.Equal(t, "RequestEntityTooLarge", errorCode(err), "%v", err)
			assert.Len(t, srv.Metrics(), 0, "nothing of a refused request is kept")
			_, err = client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: big[:100]})
			require.NoError(t, err, "a quarter of it fits")
		})
	}
}

// TestPutMetricDataManyQueryParameters: 1,000 datums of 5 dimensions are
// 12,000 form parameters in the query protocol (boto3 and older SDKs), more
// than url.ParseQuery takes, in about half a megabyte; AWS takes them, and
// so does the fake.
func TestPutMetricDataManyQueryParameters(t *testing.T) {
	srv := startServer(t, nil)
	client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"), cloudwatchProtocols[2].option)
	data := make([]types.MetricDatum, 1000)
	for i := range data {
		data[i] = types.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(float64(i))}
		for j := range 5 {
			data[i].Dimensions = append(data[i].Dimensions, types.Dimension{Name: aws.String(fmt.Sprintf("d%d", j)), Value: aws.String("v")})
		}
	}
	_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("ns"), MetricData: data})
	require.NoError(t, err)
	got := srv.Metrics()
	require.Len(t, got, 1000)
	assert.Equal(t, 999.0, *got[999].Value, "the last datum arrived whole")
	assert.Len(t, got[999].Dimensions, 5)
}

// putReadMetrics puts the data TestListMetrics and TestGetMetricData read
// back, at now.
func putReadMetrics(t *testing.T, client *cloudwatch.Client, now time.Time) {
	t.Helper()
	dim := func(kv ...string) []types.Dimension {
		var d []types.Dimension
		for i := 0; i < len(kv); i += 2 {
			d = append(d, types.Dimension{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return d
	}
	put := func(ns string, data ...types.MetricDatum) {
		_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data})
		require.NoError(t, err)
	}
	pct := aws.String("PercentAssigned")
	put("CUSTOM/IPAM",
		types.MetricDatum{MetricName: pct, Dimensions: dim("ResourceId", "pool-a", "Scope", "private"), Value: aws.Float64(80), Timestamp: aws.Time(now.Add(-10 * time.Minute))},
		types.MetricDatum{MetricName: pct, Dimensions: dim("Scope", "private", "ResourceId", "pool-a"), Values: []float64{70, 90}, Counts: []float64{1, 3}, Timestamp: aws.Time(now.Add(-9 * time.Minute))},
		types.MetricDatum{MetricName: pct, Dimensions: dim("ResourceId", "pool-a", "Scope", "private"), Timestamp: aws.Time(now.Add(-3 * time.Minute)),
			StatisticValues: &types.StatisticSet{SampleCount: aws.Float64(2), Sum: aws.Float64(100), Minimum: aws.Float64(40), Maximum: aws.Float64(60)}},
		types.MetricDatum{MetricName: pct, Dimensions: dim("ResourceId", "pool-b"), Value: aws.Float64(10), Timestamp: aws.Time(now.Add(-10 * time.Minute))},
		types.MetricDatum{MetricName: aws.String("IpAddressTotal"), Value: aws.Float64(5), Timestamp: aws.Time(now.Add(-2 * time.Hour))},
	)
	put("OTHER", types.MetricDatum{MetricName: pct, Dimensions: dim("ResourceId", "pool-a"), Value: aws.Float64(1), Timestamp: aws.Time(now.Add(-time.Minute))})
}

func TestListMetrics(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, p := range cloudwatchProtocols {
		t.Run(p.name, func(t *testing.T) {
			srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
			client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"), p.option)
			putReadMetrics(t, client, now)
			_, err := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"), p.option).PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{
				Namespace: aws.String("CUSTOM/IPAM"), MetricData: []types.MetricDatum{{MetricName: aws.String("OtherRegion"), Value: aws.Float64(1)}}})
			require.NoError(t, err)

			list := func(in cloudwatch.ListMetricsInput) []string {
				t.Helper()
				out, err := client.ListMetrics(t.Context(), &in)
				require.NoError(t, err)
				assert.Nil(t, out.NextToken)
				var got []string
				for _, m := range out.Metrics {
					s := aws.ToString(m.Namespace) + " " + aws.ToString(m.MetricName)
					for _, d := range m.Dimensions {
						s += " " + aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
					}
					got = append(got, s)
				}
				return got
			}
			assert.Equal(t, []string{
				"CUSTOM/IPAM IpAddressTotal",
				"CUSTOM/IPAM PercentAssigned ResourceId=pool-a Scope=private",
				"CUSTOM/IPAM PercentAssigned ResourceId=pool-b",
				"OTHER PercentAssigned ResourceId=pool-a",
			}, list(cloudwatch.ListMetricsInput{}), "one metric per namespace, name and set of dimensions")
			assert.Equal(t, []string{"CUSTOM/IPAM PercentAssigned ResourceId=pool-a Scope=private", "CUSTOM/IPAM PercentAssigned ResourceId=pool-b"},
				list(cloudwatch.ListMetricsInput{Namespace: aws.String("CUSTOM/IPAM"), Dimensions: []types.DimensionFilter{{Name: aws.String("ResourceId")}}}))
			assert.Equal(t, []string{"OTHER PercentAssigned ResourceId=pool-a"},
				list(cloudwatch.ListMetricsInput{Namespace: aws.String("OTHER"), MetricName: pct(), Dimensions: []types.DimensionFilter{{Name: aws.String("ResourceId"), Value: aws.String("pool-a")}}}))
			assert.Len(t, list(cloudwatch.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h, Namespace: aws.String("CUSTOM/IPAM")}), 3)
			assert.Len(t, list(cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("Scope"), Value: aws.String("public")}}}), 0)

			_, err = client.ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{NextToken: aws.String("bogus")})
			assert.Equal(t, "InvalidNextToken", errorCode(err), "%v", err)
			filters := make([]types.DimensionFilter, 11)
			for i := range filters {
				filters[i].Name = aws.String(fmt.Sprint("d", i))
			}
			_, err = client.ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{Dimensions: filters})
			assert.Equal(t, invalidParameterValue(p.name), errorCode(err), "%v", err)
		})
	}
}

// invalidParameterValue is the code the SDK reports for CloudWatch's
// InvalidParameterValue: the legacy query code in CBOR and JSON, the shape
// name in awsQuery (see TestPutMetricDataErrors).
func invalidParameterValue(protocol string) string {
	if protocol == "query" {
		return "InvalidParameterValueException"
	}
	return "InvalidParameterValue"
}

func pct() *string { return aws.String("PercentAssigned") }

func TestListMetricsPages(t *testing.T) {
	srv := startServer(t, nil)
	client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"))
	for batch := range 2 {
		data := make([]types.MetricDatum, 600)
		for i := range data {
			data[i] = types.MetricDatum{MetricName: aws.String(fmt.Sprintf("m%04d", batch*600+i)), Value: aws.Float64(1)}
		}
		_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"), MetricData: data})
		require.NoError(t, err)
	}
	var names []string
	pages := cloudwatch.NewListMetricsPaginator(client, &cloudwatch.ListMetricsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(t.Context())
		require.NoError(t, err)
		for _, m := range out.Metrics {
			names = append(names, aws.ToString(m.MetricName))
		}
	}
	require.Len(t, names, 1200)
	assert.Equal(t, "m1199", names[1199])
	assert.Len(t, callsTo(srv, "ListMetrics"), 3, "500 metrics a page")
}

func TestGetMetricData(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	stat := func(id, stat string, period int32, dims ...string) types.MetricDataQuery {
		var d []types.Dimension
		for i := 0; i < len(dims); i += 2 {
			d = append(d, types.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
		}
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("CUSTOM/IPAM"), MetricName: pct(), Dimensions: d}, Period: aws.Int32(period), Stat: aws.String(stat)}}
	}
	for _, p := range cloudwatchProtocols {
		t.Run(p.name, func(t *testing.T) {
			srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
			client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"), p.option)
			putReadMetrics(t, client, now)

			hidden := stat("hidden", "Sum", 300, "ResourceId", "pool-b")
			hidden.ReturnData = aws.Bool(false)
			labelled := stat("b", "Sum", 60, "ResourceId", "pool-b")
			labelled.Label = aws.String("pool b")
			out, err := client.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
				MetricDataQueries: []types.MetricDataQuery{
					stat("avg", "Average", 300, "Scope", "private", "ResourceId", "pool-a"),
					stat("lo", "Minimum", 300, "ResourceId", "pool-a", "Scope", "private"),
					stat("hi", "Maximum", 300, "ResourceId", "pool-a", "Scope", "private"),
					stat("n", "SampleCount", 3600, "ResourceId", "pool-a", "Scope", "private"),
					stat("subset", "Sum", 300, "ResourceId", "pool-a"),
					hidden, labelled,
				},
			})
			require.NoError(t, err)
			at := func(minutes ...int) []time.Time {
				var ts []time.Time
				for _, m := range minutes {
					ts = append(ts, now.Add(time.Duration(m)*time.Minute))
				}
				return ts
			}
			want := []types.MetricDataResult{
				{Id: aws.String("avg"), Label: pct(), Timestamps: at(-5, -10), Values: []float64{50, 84}},
				{Id: aws.String("lo"), Label: pct(), Timestamps: at(-5, -10), Values: []float64{40, 70}},
				{Id: aws.String("hi"), Label: pct(), Timestamps: at(-5, -10), Values: []float64{60, 90}},
				{Id: aws.String("n"), Label: pct(), Timestamps: at(-60), Values: []float64{7}},
				{Id: aws.String("subset"), Label: pct(), Timestamps: []time.Time{}, Values: []float64{}},
				{Id: aws.String("b"), Label: aws.String("pool b"), Timestamps: at(-10), Values: []float64{10}},
			}
			require.Len(t, out.MetricDataResults, len(want), "a query with ReturnData false answers nothing")
			for i, w := range want {
				r := out.MetricDataResults[i]
				assert.Equal(t, aws.ToString(w.Id), aws.ToString(r.Id))
				assert.Equal(t, aws.ToString(w.Label), aws.ToString(r.Label), aws.ToString(w.Id))
				assert.Equal(t, types.StatusCodeComplete, r.StatusCode)
				assert.Equal(t, len(w.Timestamps), len(r.Timestamps), aws.ToString(w.Id))
				for j := range min(len(w.Timestamps), len(r.Timestamps)) {
					assert.True(t, w.Timestamps[j].Equal(r.Timestamps[j]), "%s: %v, want %v", aws.ToString(w.Id), r.Timestamps[j], w.Timestamps[j])
				}
				assert.Equal(t, w.Values, r.Values, aws.ToString(w.Id))
			}

			out, err = client.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(now.Add(-7 * time.Minute)), EndTime: aws.Time(now), ScanBy: types.ScanByTimestampAscending,
				MetricDataQueries: []types.MetricDataQuery{stat("avg", "Average", 60, "ResourceId", "pool-a", "Scope", "private")},
			})
			require.NoError(t, err)
			require.Len(t, out.MetricDataResults, 1)
			assert.Equal(t, []float64{50}, out.MetricDataResults[0].Values, "only the data from StartTime")

			_, err = client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("CUSTOM/IPAM"),
				MetricData: []types.MetricDatum{{MetricName: pct(), Value: aws.Float64(3), Dimensions: []types.Dimension{{Name: aws.String("ResourceId"), Value: aws.String("pool-c")}}}}})
			require.NoError(t, err)
			out, err = client.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
				MetricDataQueries: []types.MetricDataQuery{stat("c", "Sum", 60, "ResourceId", "pool-c")},
			})
			require.NoError(t, err)
			require.Len(t, out.MetricDataResults, 1)
			assert.Equal(t, []float64{3}, out.MetricDataResults[0].Values, "a datum without a Timestamp counts at its arrival")
			require.Len(t, out.MetricDataResults[0].Timestamps, 1)
			assert.True(t, now.Equal(out.MetricDataResults[0].Timestamps[0]), "%v", out.MetricDataResults[0].Timestamps[0])
			assert.True(t, srv.Metrics()[len(srv.Metrics())-1].Timestamp.IsZero(), "Metrics shows the datum as sent")

			expr := types.MetricDataQuery{Id: aws.String("e"), Expression: aws.String("SUM(METRICS())")}
			tooMany := make([]types.MetricDataQuery, 501)
			for i := range tooMany {
				tooMany[i] = stat(fmt.Sprintf("q%d", i), "Sum", 60)
			}
			tests := []struct {
				name       string
				start, end time.Time
				queries    []types.MetricDataQuery
			}{
				{"a period of 7 seconds", now.Add(-time.Hour), now, []types.MetricDataQuery{stat("a", "Sum", 7)}},
				{"a period of 90 seconds", now.Add(-time.Hour), now, []types.MetricDataQuery{stat("a", "Sum", 90)}},
				{"a percentile", now.Add(-time.Hour), now, []types.MetricDataQuery{stat("a", "p99", 60)}},
				{"metric math", now.Add(-time.Hour), now, []types.MetricDataQuery{expr}},
				{"an Id in upper case", now.Add(-time.Hour), now, []types.MetricDataQuery{stat("A", "Sum", 60)}},
				{"the same Id twice", now.Add(-time.Hour), now, []types.MetricDataQuery{stat("a", "Sum", 60), stat("a", "Sum", 60)}},
				{"501 queries", now.Add(-time.Hour), now, tooMany},
				{"StartTime at EndTime", now, now, []types.MetricDataQuery{stat("a", "Sum", 60)}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := client.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{StartTime: &tt.start, EndTime: &tt.end, MetricDataQueries: tt.queries})
					assert.Equal(t, invalidParameterValue(p.name), errorCode(err), "%v", err)
				})
			}
		})
	}
}

// TestGetMetricDataPages follows GetMetricData's pages with the SDK's
// paginator: MaxDatapoints cuts the data points across the queries in their
// order, a result cut short says PartialData, and the pages joined are the
// one-page answer. The server's MetricDataPage caps a page the same way.
func TestGetMetricDataPages(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	query := func(id, resource string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("CUSTOM/IPAM"), MetricName: pct(),
				Dimensions: []types.Dimension{{Name: aws.String("ResourceId"), Value: aws.String(resource)}}},
			Period: aws.Int32(60), Stat: aws.String("Sum")}}
	}
	in := func(max *int32) *cloudwatch.GetMetricDataInput {
		return &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MaxDatapoints: max,
			MetricDataQueries: []types.MetricDataQuery{query("a", "pool-a"), query("none", "pool-none"), query("b", "pool-b")}}
	}
	type joined struct {
		values   map[string][]float64
		pages    int
		statuses []types.StatusCode
	}
	read := func(t *testing.T, client *cloudwatch.Client, max *int32) joined {
		t.Helper()
		j := joined{values: map[string][]float64{}}
		p := cloudwatch.NewGetMetricDataPaginator(client, in(max))
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			require.NoError(t, err)
			j.pages++
			for _, r := range page.MetricDataResults {
				require.Len(t, r.Timestamps, len(r.Values))
				j.values[aws.ToString(r.Id)] = append(j.values[aws.ToString(r.Id)], r.Values...)
				j.statuses = append(j.statuses, r.StatusCode)
			}
		}
		return j
	}
	put := func(t *testing.T, client *cloudwatch.Client) {
		t.Helper()
		var data []types.MetricDatum
		for i := range 5 {
			for _, res := range []string{"pool-a", "pool-b"} {
				data = append(data, types.MetricDatum{MetricName: pct(), Value: aws.Float64(float64(10*i + len(res))), Timestamp: aws.Time(now.Add(-time.Duration(i+1) * time.Minute)),
					Dimensions: []types.Dimension{{Name: aws.String("ResourceId"), Value: aws.String(res)}}})
			}
		}
		_, err := client.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("CUSTOM/IPAM"), MetricData: data})
		require.NoError(t, err)
	}

	srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
	client := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"))
	put(t, client)
	whole := read(t, client, nil)
	assert.Equal(t, 1, whole.pages)
	assert.Len(t, whole.values["a"], 5)
	assert.Len(t, whole.values["b"], 5)
	assert.Contains(t, whole.values, "none", "an empty result is answered")

	paged := read(t, client, aws.Int32(3)) // 10 points: 3 + 3 + 3 + 1
	assert.Equal(t, 4, paged.pages)
	assert.Equal(t, whole.values, paged.values, "the pages joined are the one-page answer")
	assert.Contains(t, paged.statuses, types.StatusCodePartialData, "a result cut short says so")

	capped := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now }; o.MetricDataPage = 4 })
	cappedClient := cloudwatch.NewFromConfig(clientConfig(capped, DefaultAccessKeyID, "eu-west-1"))
	put(t, cappedClient)
	got := read(t, cappedClient, nil)
	assert.Equal(t, 3, got.pages, "MetricDataPage caps a page below MaxDatapoints")
	assert.Equal(t, whole.values, got.values)

	_, err := client.GetMetricData(t.Context(), func() *cloudwatch.GetMetricDataInput {
		i := in(nil)
		i.NextToken = aws.String("not-a-token")
		return i
	}())
	assert.Equal(t, "InvalidNextToken", errorCode(err), "%v", err)
	_, err = client.GetMetricData(t.Context(), in(aws.Int32(0)))
	assert.Contains(t, errorCode(err), "InvalidParameterValue", "%v", err)
}
