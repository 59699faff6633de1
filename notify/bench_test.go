package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/ipamkit/ipamkit/internal/awsfake"
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

// BenchmarkCloudWatchWire sends n datums through the CloudWatch sink, the
// real SDK client (RPC v2 CBOR, gzipped) and loopback HTTP to
// internal/awsfake, which decodes, checks and keeps every datum. It reports
// the calls made per PutMetrics against the minimum, ceil(n/1000). The fake
// runs in the same process, so time and allocations include its side.
func BenchmarkCloudWatchWire(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			srv, err := awsfake.New()
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Close)
			ms := ResourceMetrics(manyResources(n/3+1), time.Now().UTC())[:n]
			cw := NewCloudWatch(cloudwatch.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")))
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				if err := cw.PutMetrics(b.Context(), ms); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			calls := 0
			for _, c := range srv.Calls() {
				if c.ErrorCode != "" {
					b.Fatalf("call %s failed: %s", c.Operation, c.ErrorCode)
				}
				calls++
			}
			if got := len(srv.Metrics()); got != runs*n {
				b.Fatalf("the fake kept %d datums, want %d", got, runs*n)
			}
			b.ReportMetric(float64(calls)/float64(runs), "calls/op")
			b.ReportMetric(float64((n+cwMaxDatums-1)/cwMaxDatums), "min-calls")
			b.ReportMetric(float64(n)*float64(runs)/b.Elapsed().Seconds(), "datums/s")
		})
	}
}

// BenchmarkRender renders the default text of an alert of 20 resources in
// plain Go and through the equivalent template.
func BenchmarkRender(b *testing.B) {
	a := testAlert()
	a.Resources = manyResources(20)
	b.Run("DefaultText", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = DefaultText(a)
		}
	})
	b.Run("DefaultTextTemplate", func(b *testing.B) {
		t := MustParseTemplate(DefaultTextTemplate)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := t.Render(a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
