package notify

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
)

// countingCloudWatch is a CloudWatchAPI that only counts calls and metrics.
type countingCloudWatch struct{ calls, metrics int }

func (c *countingCloudWatch) PutMetricData(_ context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	c.calls++
	c.metrics += len(in.MetricData)
	return &cloudwatch.PutMetricDataOutput{}, nil
}

// BenchmarkCloudWatchPutMetrics measures batching alone (no network) and
// reports the calls made per PutMetrics against the minimum, ceil(n/1000).
func BenchmarkCloudWatchPutMetrics(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ms := ResourceMetrics(manyResources(n/3+1), testTime)[:n]
			client := &countingCloudWatch{}
			cw := NewCloudWatch(client)
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				if err := cw.PutMetrics(b.Context(), ms); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			b.ReportMetric(float64(client.calls)/float64(runs), "calls/op")
			b.ReportMetric(float64((n+cwMaxDatums-1)/cwMaxDatums), "min-calls")
		})
	}
}
