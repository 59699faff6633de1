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
