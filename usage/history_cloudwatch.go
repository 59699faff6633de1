package usage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

// MetricDataAPI is the part of *cloudwatch.Client that
// [CloudWatchHistory] calls.
type MetricDataAPI interface {
	cloudwatch.GetMetricDataAPIClient
}

var _ MetricDataAPI = (*cloudwatch.Client)(nil)

// maxMetricDataQueries is the most queries one GetMetricData call takes.
const maxMetricDataQueries = 500

// CloudWatchHistoryOptions configures [CloudWatchHistory]. The zero value
// reads the monitor's default metrics over the default window up to now.
type CloudWatchHistoryOptions struct {
	HistoryOptions
	// Namespace is where the monitor publishes; empty means
	// notify.DefaultNamespace.
	Namespace string
	// MetricOptions are the options the monitor publishes its metrics
	// with: the extra dimensions must be the same for CloudWatch to find
	// the metrics. The zero value is the monitor's default (ResourceId
	// only).
	MetricOptions notify.ResourceMetricsOptions
}

// CloudWatchHistory reads the history of resources from the metrics the
// monitor publishes ([notify.MetricIPAddressTotal] and
// [notify.MetricIPAddressAvailable] by ResourceId; see [Report.Deliver]):
// one sample a day, the day's average of each, Used being their
// difference. out[i] is the history of resources[i], in time order; nil
// when CloudWatch has none.
//
// It asks for two series a resource, 500 queries (250 resources) in a
// GetMetricData call, and follows every page: ⌈n/250⌉ calls for n
// resources while a call's data points stay under the API's 100,800 (90
// days of 250 resources take 45,000). Counts come back as float64, exact
// up to 2^53 (IPv6 counts are rounded). An error names the batch and
// stops the reading; the SDK has already retried what can be retried.
func CloudWatchHistory(ctx context.Context, client MetricDataAPI, resources []Resource, optFns ...func(*CloudWatchHistoryOptions)) ([][]Sample, error) {
	var o CloudWatchHistoryOptions
	for _, fn := range optFns {
		fn(&o)
	}
	ns := o.Namespace
	if ns == "" {
		ns = notify.DefaultNamespace
	}
	start, end := o.span()
	start = start.Truncate(historyDay)
	out := make([][]Sample, len(resources))
	const perCall = maxMetricDataQueries / 2
	for lo := 0; lo < len(resources); lo += perCall {
		batch := resources[lo:min(lo+perCall, len(resources))]
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(start), EndTime: aws.Time(end),
			ScanBy:            types.ScanByTimestampAscending,
			MetricDataQueries: make([]types.MetricDataQuery, 0, 2*len(batch)),
		}
		for i, r := range batch {
			nr := toNotify(r)
			dims := []types.Dimension{{Name: aws.String(notify.DimensionResourceID), Value: aws.String(r.ID)}}
			if o.MetricOptions.Dimensions != nil {
				for _, d := range o.MetricOptions.Dimensions(nr) {
					dims = append(dims, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
				}
			}
			for _, m := range [...]struct{ prefix, name string }{{"t", notify.MetricIPAddressTotal}, {"a", notify.MetricIPAddressAvailable}} {
				in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{
					Id: aws.String(m.prefix + strconv.Itoa(i)),
					MetricStat: &types.MetricStat{
						Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String(m.name), Dimensions: dims},
						Period: aws.Int32(int32(historyDay / time.Second)),
						Stat:   aws.String("Average"),
					},
				})
			}
		}
		total := make([]series, len(batch))
		avail := make([]series, len(batch))
		p := cloudwatch.NewGetMetricDataPaginator(client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("read CloudWatch history of resources %d to %d (%s first) in namespace %q: %w", lo+1, lo+len(batch), batch[0].ID, ns, err)
			}
			for _, res := range page.MetricDataResults {
				id := aws.ToString(res.Id)
				if len(id) < 2 {
					continue
				}
				i, err := strconv.Atoi(id[1:])
				if err != nil || i < 0 || i >= len(batch) {
					continue
				}
				dst := total
				if id[0] == 'a' {
					dst = avail
				} else if id[0] != 't' {
					continue
				}
				n := min(len(res.Timestamps), len(res.Values))
				dst[i].times = append(dst[i].times, res.Timestamps[:n]...)
				dst[i].values = append(dst[i].values, res.Values[:n]...)
			}
		}
		for i := range batch {
			out[lo+i] = joinSeries(total[i], avail[i])
		}
	}
	return out, nil
}

// series is one metric's data points, in the order they came.
type series struct {
	times  []time.Time
	values []float64
}

// joinSeries returns the samples at the times both series have a value:
// Total from total, Used from total minus available (0 when more is
// available than there is). The result is in time order.
func joinSeries(total, avail series) []Sample {
	if len(total.times) == 0 || len(avail.times) == 0 {
		return nil
	}
	av := make(map[int64]float64, len(avail.times))
	for k, t := range avail.times {
		av[t.UnixNano()] = avail.values[k]
	}
	var out []Sample
	for k, t := range total.times {
		a, ok := av[t.UnixNano()]
		if !ok {
			continue
		}
		tot := countFromFloat(total.values[k])
		free := countFromFloat(a)
		var used ipam.Count
		if free.Compare(tot) < 0 {
			used = tot.Sub(free)
		}
		out = append(out, Sample{Time: t.UTC(), Used: used, Total: tot})
	}
	sortSamples(out)
	return out
}
