package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// recordPutMetricData records every request a mock receives; fail says
// which calls (1-based) fail, and with what.
func recordPutMetricData(m *MockCloudWatchAPI, ins *[]*cloudwatch.PutMetricDataInput, fail map[int]error) {
	m.EXPECT().PutMetricData(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
			*ins = append(*ins, in)
			if err := fail[len(*ins)]; err != nil {
				return nil, err
			}
			return &cloudwatch.PutMetricDataOutput{}, nil
		}).AnyTimes()
}

func numbered(n int, dims []Dimension) []Metric {
	ms := make([]Metric, n)
	for i := range ms {
		ms[i] = Metric{Name: "PercentAssigned", Value: float64(i), Unit: UnitPercent, Dimensions: dims, Time: testTime}
	}
	return ms
}

func batchSizes(ins []*cloudwatch.PutMetricDataInput) []int {
	var got []int
	for _, in := range ins {
		got = append(got, len(in.MetricData))
	}
	return got
}

func TestCloudWatchBatching(t *testing.T) {
	t.Parallel()
	resource := []Dimension{{"ResourceId", "vpc-0123456789abcdef0"}}
	var wide []Dimension // the largest dimensions CloudWatch allows
	for i := range maxDimensions {
		wide = append(wide, Dimension{Name: fmt.Sprintf("%0255d", i), Value: strings.Repeat("v", maxDimensionValue)})
	}
	wideSize := cwDatumSize(numbered(1, wide)[0]) + maxDimensions*cwDimensionSize(wide[0])
	perWide := (cwMaxBytes - cwRequestBase(DefaultNamespace)) / wideSize
	tests := []struct {
		name string
		ms   []Metric
		want []int
	}{
		{"none", nil, nil},
		{"one", numbered(1, resource), []int{1}},
		{"999", numbered(999, resource), []int{999}},
		{"1000", numbered(1000, resource), []int{1000}},
		{"1001", numbered(1001, resource), []int{1000, 1}},
		{"2999", numbered(2999, resource), []int{1000, 1000, 999}},
		{"3 per resource for 334 resources", ResourceMetrics(manyResources(334), testTime), []int{1000, 2}},
		{"limited by bytes", numbered(3*perWide+1, wide), []int{perWide, perWide, perWide, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockCloudWatchAPI(gomock.NewController(t))
			var ins []*cloudwatch.PutMetricDataInput
			recordPutMetricData(m, &ins, nil)
			require.NoError(t, NewCloudWatch(m).PutMetrics(t.Context(), tt.ms))
			assert.Equal(t, tt.want, batchSizes(ins))

			i := 0
			for _, in := range ins {
				assert.Equal(t, DefaultNamespace, aws.ToString(in.Namespace))
				size := cwRequestBase(DefaultNamespace)
				for _, d := range in.MetricData {
					assert.Equal(t, tt.ms[i].Name, aws.ToString(d.MetricName), "metric %d in order", i)
					assert.Equal(t, tt.ms[i].Value, aws.ToFloat64(d.Value), "metric %d in order", i)
					assert.LessOrEqual(t, len(d.Dimensions), maxDimensions)
					size += cwDatumSize(tt.ms[i]) + len(tt.ms[i].Dimensions)*cwDimensionSize(tt.ms[i].Dimensions[0])
					i++
				}
				assert.LessOrEqual(t, size, cwMaxBytes, "estimated request size")
			}
			assert.Equal(t, len(tt.ms), i, "every metric sent once")
		})
	}
}

func TestCloudWatchDatum(t *testing.T) {
	t.Parallel()
	m := NewMockCloudWatchAPI(gomock.NewController(t))
	var ins []*cloudwatch.PutMetricDataInput
	recordPutMetricData(m, &ins, nil)
	now := testTime.Add(time.Hour)
	cw := NewCloudWatch(m, func(o *CloudWatchOptions) {
		o.Namespace = "Team/IPAM"
		o.Dimensions = []Dimension{{"Env", "prod"}}
		o.StorageResolution = 1
		o.now = func() time.Time { return now }
	})
	require.NoError(t, cw.PutMetrics(t.Context(), []Metric{
		{Name: "PercentAssigned", Value: 81.25, Unit: UnitPercent, Dimensions: []Dimension{{"ResourceId", "vpc-1"}}},
		{Name: "Plain", Value: 1, Time: testTime},
	}))
	require.Len(t, ins, 1)
	assert.Equal(t, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String("Team/IPAM"),
		MetricData: []types.MetricDatum{
			{MetricName: aws.String("PercentAssigned"), Value: aws.Float64(81.25), Unit: types.StandardUnitPercent, Timestamp: aws.Time(now),
				StorageResolution: aws.Int32(1),
				Dimensions:        []types.Dimension{{Name: aws.String("ResourceId"), Value: aws.String("vpc-1")}, {Name: aws.String("Env"), Value: aws.String("prod")}}},
			{MetricName: aws.String("Plain"), Value: aws.Float64(1), Timestamp: aws.Time(testTime), StorageResolution: aws.Int32(1),
				Dimensions: []types.Dimension{{Name: aws.String("Env"), Value: aws.String("prod")}}},
		},
	}, ins[0])
	assert.Equal(t, "cloudwatch Team/IPAM", cw.String())
}

func TestCloudWatchErrors(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}

	t.Run("partial failure", func(t *testing.T) {
		t.Parallel()
		m := NewMockCloudWatchAPI(gomock.NewController(t))
		var ins []*cloudwatch.PutMetricDataInput
		recordPutMetricData(m, &ins, map[int]error{2: throttled})
		err := Multi{Sinks: []MetricSink{NewCloudWatch(m)}}.PutMetrics(t.Context(), numbered(2500, nil))
		assert.Equal(t, []int{1000, 1000, 500}, batchSizes(ins), "the requests after a failure are still sent")
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Throttling", apiErr.ErrorCode())
		assert.EqualError(t, err, "cloudwatch CUSTOM/IPAM: cloudwatch: request 2 of 3 (metrics 1000 to 1999): api error Throttling: Rate exceeded")
	})

	t.Run("invalid metrics send nothing", func(t *testing.T) {
		t.Parallel()
		m := NewMockCloudWatchAPI(gomock.NewController(t)) // no call expected
		own := make([]Dimension, 29)
		for i := range own {
			own[i] = Dimension{fmt.Sprint("d", i), "v"}
		}
		cw := NewCloudWatch(m, func(o *CloudWatchOptions) { o.Dimensions = []Dimension{{"Account", "1"}, {"Region", "r"}} })
		err := cw.PutMetrics(t.Context(), append(numbered(5, nil), Metric{Name: "wide", Dimensions: own}, Metric{Name: "inf", Value: 1 / zero()}))
		require.ErrorIs(t, err, ErrInvalidMetric)
		assert.ErrorContains(t, err, `metric 5: invalid metric: "wide" has 31 dimensions, more than 30`)
		assert.ErrorContains(t, err, `metric 6: invalid metric: "inf" has value +Inf`)
	})
}

func zero() float64 { return 0 }

// TestCloudWatchRefusesWhatCloudWatchRefuses: a datum CloudWatch would
// refuse fails its whole request there, so it is refused here, by index,
// before any call.
func TestCloudWatchRefusesWhatCloudWatchRefuses(t *testing.T) {
	t.Parallel()
	now := testTime
	tests := []struct {
		name string
		m    Metric
		msg  string
	}{
		{"unit", Metric{Name: "m", Value: 1, Unit: "Addresses"}, `unit "Addresses", not a CloudWatch unit`},
		{"too large", Metric{Name: "m", Value: 1e200}, "outside the ±2^360"},
		{"too small", Metric{Name: "m", Value: -1e-300}, "outside the ±2^360"},
		{"stale", Metric{Name: "m", Value: 1, Time: now.Add(-15 * 24 * time.Hour)}, "more than two weeks ago"},
		{"future", Metric{Name: "m", Value: 1, Time: now.Add(3 * time.Hour)}, "more than two hours ahead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockCloudWatchAPI(gomock.NewController(t)) // no call expected
			cw := NewCloudWatch(m, func(o *CloudWatchOptions) { o.now = func() time.Time { return now } })
			good := Metric{Name: "ok", Value: 0, Unit: UnitCount, Time: now.Add(-13 * 24 * time.Hour)}
			err := cw.PutMetrics(t.Context(), []Metric{good, tt.m, good})
			require.ErrorIs(t, err, ErrInvalidMetric)
			assert.ErrorContains(t, err, "metric 1: ")
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}
