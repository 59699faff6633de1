package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// PutMetricData limits (aws-facts §5.3).
const (
	cwMaxDatums = 1000      // metrics per request
	cwMaxBytes  = 1_000_000 // request payload, "1 MB" read conservatively
)

// CloudWatchOptions configures a [CloudWatch] sink. The zero value writes to
// [DefaultNamespace] at standard resolution and stamps metrics without a
// time with time.Now.
type CloudWatchOptions struct {
	// Namespace is the CloudWatch namespace; empty means DefaultNamespace.
	Namespace string
	// Dimensions are added to every metric, after its own, such as the
	// account and Region the metrics come from.
	Dimensions []Dimension
	// StorageResolution is 1 for high-resolution metrics; zero means the
	// standard 60 seconds.
	StorageResolution int32
	// Now stamps metrics whose Time is zero; nil means time.Now.
	Now func() time.Time
	// Logger receives a Debug record per request; nil discards records.
	Logger *slog.Logger
}

// CloudWatch is a [MetricSink] that sends metrics to Amazon CloudWatch with
// PutMetricData.
//
// Metrics go in order, in as few requests as the limits allow: at most 1000
// metrics and, by a conservative estimate of the encoded request, at most
// 1 MB per request. Each request is filled before the next starts, so N
// ordinary metrics take ceil(N/1000) calls. Throttling and transient errors
// are retried by the SDK client's own retryer. A CloudWatch is safe for
// concurrent use.
type CloudWatch struct {
	client CloudWatchAPI
	opts   CloudWatchOptions
}

// NewCloudWatch returns a sink sending through client, usually a
// *cloudwatch.Client.
func NewCloudWatch(client CloudWatchAPI, optFns ...func(*CloudWatchOptions)) *CloudWatch {
	var o CloudWatchOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.Dimensions = slices.Clone(o.Dimensions)
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &CloudWatch{client: client, opts: o}
}

// String names the sink and its namespace.
func (c *CloudWatch) String() string { return "cloudwatch " + c.opts.Namespace }

// PutMetrics sends ms. If any metric is invalid it sends nothing and
// returns an error wrapping [ErrInvalidMetric] that lists every invalid
// metric by index. A failed request does not stop the others: the error
// then joins one error per failed request, each naming the request and the
// range of metrics it carried.
func (c *CloudWatch) PutMetrics(ctx context.Context, ms []Metric) error {
	datums, sizes, err := c.datums(ms)
	if err != nil {
		return err
	}
	batches := fillBatches(sizes, cwRequestBase(c.opts.Namespace), cwMaxDatums, cwMaxBytes)
	var errs []error
	start := 0
	for i, n := range batches {
		_, err := c.client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
			Namespace:  aws.String(c.opts.Namespace),
			MetricData: datums[start : start+n],
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("request %d of %d (metrics %d to %d): %w", i+1, len(batches), start, start+n-1, err))
		} else {
			c.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "put metric data",
				slog.String("namespace", c.opts.Namespace), slog.Int("request", i+1), slog.Int("metrics", n))
		}
		start += n
	}
	if len(errs) > 0 {
		return fmt.Errorf("cloudwatch: %w", errors.Join(errs...))
	}
	return nil
}

// datums validates and converts ms, and estimates the encoded size of each.
func (c *CloudWatch) datums(ms []Metric) ([]types.MetricDatum, []int, error) {
	datums := make([]types.MetricDatum, 0, len(ms))
	sizes := make([]int, 0, len(ms))
	var errs []error
	var (
		prevOwn, prevDims []Dimension
		cwDims            []types.Dimension
		dimsSize          int
		dimErr            error
	)
	now := c.opts.Now()
	for i, m := range ms {
		if len(m.Dimensions) == 0 || len(prevOwn) != len(m.Dimensions) || &prevOwn[0] != &m.Dimensions[0] {
			prevOwn, prevDims = m.Dimensions, withDimensions(m.Dimensions, c.opts.Dimensions)
			dimErr = validDimensions(prevDims)
			cwDims, dimsSize = make([]types.Dimension, len(prevDims)), 0
			for j, d := range prevDims {
				cwDims[j] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
				dimsSize += cwDimensionSize(d)
			}
		}
		if err := validMetric(m, prevDims, dimErr); err != nil {
			errs = append(errs, fmt.Errorf("metric %d: %w", i, err))
			continue
		}
		t := m.Time
		if t.IsZero() {
			t = now
		}
		d := types.MetricDatum{
			MetricName: aws.String(m.Name),
			Value:      aws.Float64(m.Value),
			Timestamp:  aws.Time(t),
			Unit:       types.StandardUnit(m.Unit),
			Dimensions: cwDims,
		}
		if c.opts.StorageResolution != 0 {
			d.StorageResolution = aws.Int32(c.opts.StorageResolution)
		}
		datums = append(datums, d)
		sizes = append(sizes, cwDatumSize(m)+dimsSize)
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("cloudwatch: %w", errors.Join(errs...))
	}
	return datums, sizes, nil
}

// The size estimates below bound the largest of the three encodings
// CloudWatch accepts (aws-facts §1.1). The awsQuery form is the largest:
// every member is spelled out as "MetricData.member.1000.Dimensions.member.30.Value="
// and values are percent-encoded, up to three bytes per byte.

// cwRequestBase estimates the bytes of a request without metrics.
func cwRequestBase(namespace string) int {
	return 100 + 3*len(namespace)
}

// cwDatumSize estimates one datum without its dimensions: name, value,
// unit, timestamp and storage resolution, each with its key.
func cwDatumSize(m Metric) int {
	const key = len("&MetricData.member.1000.StorageResolution=")
	return 5*key + 3*len(m.Name) + 32 + 3*len(m.Unit) + 32 + 4
}

// cwDimensionSize estimates one dimension: its name and value, each with
// its key.
func cwDimensionSize(d Dimension) int {
	const key = len("&MetricData.member.1000.Dimensions.member.30.Value=")
	return 2*key + 3*(len(d.Name)+len(d.Value))
}

// fillBatches splits items of the given sizes, in order, into the fewest
// runs of at most maxItems items whose base+sizes stay within maxBytes,
// and returns the length of each run. Filling each run before starting the
// next is optimal for contiguous runs under limits that only grow with
// the run. An item too large for a run of its own goes alone.
func fillBatches(sizes []int, base, maxItems, maxBytes int) []int {
	var runs []int
	n, total := 0, base
	for _, s := range sizes {
		if n > 0 && (n == maxItems || total+s > maxBytes) {
			runs = append(runs, n)
			n, total = 0, base
		}
		n++
		total += s
	}
	if n > 0 {
		runs = append(runs, n)
	}
	return runs
}
