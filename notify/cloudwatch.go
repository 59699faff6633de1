package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
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
	// Logger receives a Debug record per request; nil discards records.
	Logger *slog.Logger

	// now stamps metrics whose Time is zero; nil means time.Now.
	// This package's tests pin it.
	now func() time.Time
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
	if o.now == nil {
		o.now = time.Now
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
	now := c.opts.now()
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
		t := m.Time
		if t.IsZero() {
			t = now
		}
		err := validMetric(m, prevDims, dimErr)
		if err == nil {
			err = validDatum(m, t, now)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("metric %d: %w", i, err))
			continue
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

// The size estimates below bound the request the Go SDK sends: Smithy RPC
// v2 CBOR (aws-facts §1.1), before gzip. Each member costs its key's text
// (a header byte and the name) and its value: a float64 is 9 bytes, a
// timestamp a tag and a float64, and a string at most 3 header bytes (no
// CloudWatch string is 64 KiB long) and its bytes; maps and lists are
// indefinite, a start and a break byte. Bounding the uncompressed CBOR keeps
// every request under the 1 MB limit however it is read, while making the
// fewest calls the limit allows: sizing by the larger awsQuery form, which
// spells out every key and percent-encodes values, made three times as many
// calls for datums with long dimensions. A client configured for the
// awsQuery protocol instead of the SDK's default may exceed the limit with
// such datums.

// cwRequestBase bounds the bytes of a request without metrics: the
// Namespace and MetricData members of the top-level map.
func cwRequestBase(namespace string) int {
	return 2 + (1 + len("Namespace")) + 3 + len(namespace) + (1 + len("MetricData")) + 2
}

// cwDatumSize bounds one datum without its dimensions: MetricName, Value,
// Timestamp, Unit, StorageResolution and the Dimensions list around them.
func cwDatumSize(m Metric) int {
	const keys = len("MetricName") + len("Value") + len("Timestamp") + len("Unit") + len("StorageResolution") + len("Dimensions")
	return 2 + 6 + keys + (3 + len(m.Name)) + 9 + (1 + 9) + (3 + len(m.Unit)) + 5 + 2
}

// cwDimensionSize bounds one dimension: a map of Name and Value.
func cwDimensionSize(d Dimension) int {
	return 2 + (1 + len("Name")) + (3 + len(d.Name)) + (1 + len("Value")) + (3 + len(d.Value))
}

// CloudWatch refuses a whole request for one datum out of these ranges
// (PutMetricData's documentation), so they are checked before sending.
const (
	cwMaxAbsValue = 0x1p360
	cwMinAbsValue = 0x1p-260
	cwMaxAge      = 14 * 24 * time.Hour
	cwMaxAhead    = 2 * time.Hour
)

// validDatum checks what CloudWatch checks beyond [validMetric]: the unit is
// one of its standard units, the value within ±2^360 and not below 2^-260
// in magnitude unless zero, and the timestamp at most two weeks old and two
// hours ahead of now.
func validDatum(m Metric, t, now time.Time) error {
	abs := math.Abs(m.Value)
	switch {
	case m.Unit != "" && !slices.Contains(types.StandardUnit("").Values(), types.StandardUnit(m.Unit)):
		return fmt.Errorf("%w: %q has unit %q, not a CloudWatch unit (such as %s, %s or %s)", ErrInvalidMetric, m.Name, m.Unit, UnitCount, UnitPercent, UnitNone)
	case abs > cwMaxAbsValue || (abs != 0 && abs < cwMinAbsValue):
		return fmt.Errorf("%w: %q has value %v, outside the ±2^360 CloudWatch stores (and above 2^-260 unless 0)", ErrInvalidMetric, m.Name, m.Value)
	case t.Before(now.Add(-cwMaxAge)):
		return fmt.Errorf("%w: %q is dated %v, more than two weeks ago", ErrInvalidMetric, m.Name, t.UTC())
	case t.After(now.Add(cwMaxAhead)):
		return fmt.Errorf("%w: %q is dated %v, more than two hours ahead", ErrInvalidMetric, m.Name, t.UTC())
	}
	return nil
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
