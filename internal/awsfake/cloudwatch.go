package awsfake

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// CloudWatch (service "monitoring") answers in all three protocols its
// clients speak: Smithy RPC v2 CBOR (the Go SDK, gzipped bodies), JSON 1.0
// (boto3, AWS CLI v1) and awsQuery (older SDKs). Requests in each are
// decoded by the protocol's codec into the SDK's input, and errors carry
// both the shape name (__type) and the legacy query code
// (X-Amzn-Query-Error), as the service is awsQueryCompatible.

// MetricDatum is one CloudWatch metric datum the server accepted.
type MetricDatum struct {
	Account, Region   string // the caller's account and region
	Protocol          string // "rpc-v2-cbor", "json" or "query": how it arrived
	Namespace         string
	MetricName        string
	Dimensions        []MetricDimension // in the order sent
	Timestamp         time.Time         // zero when not sent
	Value             *float64
	Values, Counts    []float64
	Statistics        *StatisticSet
	Unit              string // "" when not sent (CloudWatch then uses None)
	StorageResolution int    // 0 when not sent

	received time.Time // when the server accepted it, where GetMetricData places a datum sent without a Timestamp; Metrics leaves it out
}

// at is the time of a datum: its Timestamp, or, as CloudWatch places a
// datum sent without one, its arrival.
func (d *MetricDatum) at() time.Time { return cmp.Or(d.Timestamp, d.received) }

// MetricDimension is a name and value of a metric dimension.
type MetricDimension struct{ Name, Value string }

// StatisticSet is a pre-aggregated set of values.
type StatisticSet struct{ SampleCount, Sum, Minimum, Maximum float64 }

// Metrics returns a copy of the metric data the server accepted, in the
// order it accepted them.
func (s *Server) Metrics() []MetricDatum {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.st.metrics)
	for i := range out {
		out[i].received = time.Time{}
	}
	return out
}

// CloudWatch limits (aws-facts §5.3, §7).
const (
	maxMetricsPerCall     = 1000
	maxDimensionsPerDatum = 30
	maxValuesPerDatum     = 150
	// maxPutMetricDataBytes is the "1 MB" payload limit of PutMetricData,
	// applied to the body as decoded, after gzip. The error AWS answers
	// for a larger one is UNVERIFIED; the fake answers 413.
	maxPutMetricDataBytes = 1 << 20
)

var standardUnits = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
	"Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
	"Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// cwError is a CloudWatch error: its shape name and legacy query code.
func cwError(shape, queryCode, format string, args ...any) *apiError {
	e := badRequest(shape, format, args...)
	e.queryCode = queryCode
	return e
}

func cwInvalid(format string, args ...any) *apiError {
	return cwError("InvalidParameterValueException", "InvalidParameterValue", format, args...)
}

// protocolName names a CloudWatch protocol in MetricDatum.Protocol.
func protocolName(p protocol) string {
	switch p {
	case protoCBOR:
		return "rpc-v2-cbor"
	case protoJSON10, protoJSON11:
		return "json"
	}
	return "query"
}

// validNumber reports whether f is a number CloudWatch takes.
func validNumber(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

var cwPutMetricData = model("monitoring", "PutMetricData", func(st *state, c *call, in *cloudwatch.PutMetricDataInput) (*cloudwatch.PutMetricDataOutput, error) {
	if c.bodyLen > maxPutMetricDataBytes {
		return nil, newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request size %d exceeded %d bytes", c.bodyLen, maxPutMetricDataBytes)
	}
	switch ns := aws.ToString(in.Namespace); {
	case ns == "":
		return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameter Namespace is required.")
	case len(ns) > 255 || strings.HasPrefix(ns, ":"):
		return nil, cwInvalid("The value %s for parameter Namespace is invalid.", ns)
	case strings.HasPrefix(ns, "AWS/"):
		return nil, cwInvalid("The value AWS/ for parameter Namespace is invalid.")
	case len(in.MetricData) == 0:
		return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameter MetricData is required.")
	case len(in.MetricData) > maxMetricsPerCall:
		return nil, cwInvalid("The collection MetricData must not have a size greater than %d.", maxMetricsPerCall)
	}
	data, now := make([]MetricDatum, len(in.MetricData)), c.now()
	for i, m := range in.MetricData {
		if err := checkDatum(c, fmt.Sprintf("MetricData.member.%d", i+1), m); err != nil {
			return nil, err
		}
		d := MetricDatum{Account: c.account(), Region: c.region, Protocol: protocolName(c.proto), Namespace: aws.ToString(in.Namespace),
			MetricName: aws.ToString(m.MetricName), Value: m.Value, Values: m.Values, Counts: m.Counts, Timestamp: aws.ToTime(m.Timestamp),
			Unit: string(m.Unit), StorageResolution: int(aws.ToInt32(m.StorageResolution)), received: now}
		for _, dim := range m.Dimensions {
			d.Dimensions = append(d.Dimensions, MetricDimension{Name: aws.ToString(dim.Name), Value: aws.ToString(dim.Value)})
		}
		if sv := m.StatisticValues; sv != nil {
			d.Statistics = &StatisticSet{SampleCount: *sv.SampleCount, Sum: *sv.Sum, Minimum: *sv.Minimum, Maximum: *sv.Maximum}
		}
		data[i] = d
	}
	st.metrics = append(st.metrics, data...)
	return &cloudwatch.PutMetricDataOutput{}, nil
})

// checkDatum validates one datum, at names it in errors.
func checkDatum(c *call, at string, m types.MetricDatum) error {
	if name := aws.ToString(m.MetricName); name == "" || len(name) > 255 {
		return cwInvalid("The parameter %s.MetricName must be 1 to 255 characters.", at)
	}
	if len(m.Dimensions) > maxDimensionsPerDatum {
		return cwInvalid("The collection %s.Dimensions must not have a size greater than %d.", at, maxDimensionsPerDatum)
	}
	for k, dim := range m.Dimensions {
		if name, value := aws.ToString(dim.Name), aws.ToString(dim.Value); name == "" || len(name) > 255 || value == "" || len(value) > 1024 {
			return cwInvalid("The dimension %s.Dimensions.member.%d needs a name of 1 to 255 and a value of 1 to 1024 characters.", at, k+1)
		}
	}
	if m.Value != nil && !validNumber(*m.Value) {
		return cwInvalid("The value for parameter %s.Value is invalid.", at)
	}
	for _, list := range []struct {
		name   string
		values []float64
	}{{"Values", m.Values}, {"Counts", m.Counts}} {
		if slices.ContainsFunc(list.values, func(f float64) bool { return !validNumber(f) }) {
			return cwInvalid("The collection %s.%s holds an invalid number.", at, list.name)
		}
	}
	if len(m.Values) > maxValuesPerDatum {
		return cwInvalid("The collection %s.Values must not have a size greater than %d.", at, maxValuesPerDatum)
	}
	if len(m.Counts) > 0 && len(m.Counts) != len(m.Values) {
		return cwError("InvalidParameterCombinationException", "InvalidParameterCombination", "The parameters %s.Values and %s.Counts must be of the same size.", at, at)
	}
	if sv := m.StatisticValues; sv != nil {
		for i, f := range []*float64{sv.SampleCount, sv.Sum, sv.Minimum, sv.Maximum} {
			if f == nil {
				name := [...]string{"SampleCount", "Sum", "Minimum", "Maximum"}[i]
				return cwError("MissingRequiredParameterException", "MissingParameter", "The parameter %s.StatisticValues.%s is required.", at, name)
			}
		}
	}
	given := 0
	for _, set := range []bool{m.Value != nil, len(m.Values) > 0, m.StatisticValues != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return cwError("InvalidParameterCombinationException", "InvalidParameterCombination", "The parameters %s.Value, %s.Values and %s.StatisticValues are mutually exclusive.", at, at, at)
	}
	if t := m.Timestamp; t != nil && (t.Before(c.now().Add(-14*24*time.Hour)) || t.After(c.now().Add(2*time.Hour))) {
		return cwInvalid("The parameter %s.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", at)
	}
	if m.Unit != "" && !slices.Contains(standardUnits, string(m.Unit)) {
		return cwInvalid("The value %s for parameter %s.Unit is invalid.", m.Unit, at)
	}
	if r := m.StorageResolution; r != nil && *r != 1 && *r != 60 {
		return cwInvalid("The value for parameter %s.StorageResolution is invalid: it must be 1 or 60.", at)
	}
	return nil
}

// CloudWatch read limits and page sizes.
const (
	maxDimensionFilters  = 10
	maxMetricDataQueries = 500
)

// cwMetricsPage is the number of metrics a ListMetrics page holds, as in CloudWatch.
var cwMetricsPage = pageRange{def: 500}

var metricQueryIDPattern = lazyPattern(`^[a-z][a-zA-Z0-9_]*$`)

// metricKey identifies a metric: its namespace, name and set of dimensions,
// whatever their order.
func metricKey(ns, name string, dims []MetricDimension) string {
	d := slices.Clone(dims)
	slices.SortFunc(d, func(a, b MetricDimension) int { return strings.Compare(a.Name, b.Name) })
	k := ns + "\n" + name
	for _, x := range d {
		k += "\n" + x.Name + "\t" + x.Value
	}
	return k
}

// sdkDimensions converts dimensions between the model and the SDK.
func sdkDimensions(dims []MetricDimension) []types.Dimension {
	out := make([]types.Dimension, len(dims))
	for i, d := range dims {
		out[i] = types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)}
	}
	return out
}

func modelDimensions(dims []types.Dimension) []MetricDimension {
	var out []MetricDimension
	for _, d := range dims {
		out = append(out, MetricDimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
	}
	return out
}

// cwListMetrics lists the metrics the caller's account put in the region,
// filtered by namespace, name and dimensions, 500 a page.
var cwListMetrics = model("monitoring", "ListMetrics", func(st *state, c *call, in *cloudwatch.ListMetricsInput) (*cloudwatch.ListMetricsOutput, error) {
	if len(in.Dimensions) > maxDimensionFilters {
		return nil, cwInvalid("The collection Dimensions must not have a size greater than %d.", maxDimensionFilters)
	}
	if in.RecentlyActive != "" && in.RecentlyActive != types.RecentlyActivePt3h {
		return nil, cwInvalid("The value %s for parameter RecentlyActive is invalid.", in.RecentlyActive)
	}
	found := map[string]MetricDatum{}
	for _, d := range st.metrics {
		if d.Account != c.account() || d.Region != c.region || !listedMetric(c, d, in) {
			continue
		}
		if k := metricKey(d.Namespace, d.MetricName, d.Dimensions); found[k].MetricName == "" {
			found[k] = d
		}
	}
	pg, next, err := paginate(c, sortedKeys(found), func(s string) string { return s }, pageRequest{token: aws.ToString(in.NextToken), present: in.NextToken != nil}, cwMetricsPage)
	if err != nil {
		return nil, cwError("InvalidNextToken", "InvalidNextToken", "The value for parameter NextToken is invalid.")
	}
	out := &cloudwatch.ListMetricsOutput{Metrics: make([]types.Metric, len(pg)), NextToken: optString(next)}
	for i, k := range pg {
		d := found[k]
		out.Metrics[i] = types.Metric{Namespace: aws.String(d.Namespace), MetricName: aws.String(d.MetricName), Dimensions: sdkDimensions(d.Dimensions)}
	}
	return out, nil
})

// listedMetric reports whether ListMetrics' filters keep a datum's metric.
func listedMetric(c *call, d MetricDatum, in *cloudwatch.ListMetricsInput) bool {
	if in.Namespace != nil && *in.Namespace != d.Namespace || in.MetricName != nil && *in.MetricName != d.MetricName {
		return false
	}
	if in.RecentlyActive != "" && d.at().Before(c.now().Add(-3*time.Hour)) {
		return false
	}
	for _, f := range in.Dimensions {
		if !slices.ContainsFunc(d.Dimensions, func(x MetricDimension) bool {
			return x.Name == aws.ToString(f.Name) && (f.Value == nil || x.Value == *f.Value)
		}) {
			return false
		}
	}
	return true
}

// statAggregate is the statistics of the values in one period.
type statAggregate struct{ n, sum, min, max float64 }

func (a *statAggregate) add(n, sum, lo, hi float64) {
	if a.n == 0 || lo < a.min {
		a.min = lo
	}
	if a.n == 0 || hi > a.max {
		a.max = hi
	}
	a.n, a.sum = a.n+n, a.sum+sum
}

func (a *statAggregate) stat(name string) float64 {
	switch name {
	case "Sum":
		return a.sum
	case "Minimum":
		return a.min
	case "Maximum":
		return a.max
	case "SampleCount":
		return a.n
	}
	return a.sum / a.n
}

// cwGetMetricData answers the statistics of the metrics the caller's
// account put in the region, per period, from the data the server kept.
// Metric math, Metrics Insights and percentiles are not modelled.
var cwGetMetricData = model("monitoring", "GetMetricData", func(st *state, c *call, in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
	switch start, end := aws.ToTime(in.StartTime), aws.ToTime(in.EndTime); {
	case len(in.MetricDataQueries) == 0 || in.StartTime == nil || in.EndTime == nil:
		return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameters MetricDataQueries, StartTime and EndTime are required.")
	case len(in.MetricDataQueries) > maxMetricDataQueries:
		return nil, cwInvalid("The collection MetricDataQueries must not have a size greater than %d.", maxMetricDataQueries)
	case !start.Before(end):
		return nil, cwInvalid("The parameter StartTime must be less than the parameter EndTime.")
	case in.ScanBy != "" && in.ScanBy != types.ScanByTimestampAscending && in.ScanBy != types.ScanByTimestampDescending:
		return nil, cwInvalid("The value %s for parameter ScanBy is invalid.", in.ScanBy)
	}
	out := &cloudwatch.GetMetricDataOutput{MetricDataResults: []types.MetricDataResult{}, Messages: []types.MessageData{}}
	ids := map[string]bool{}
	for i, q := range in.MetricDataQueries {
		at, id, ms := fmt.Sprintf("MetricDataQueries.member.%d", i+1), aws.ToString(q.Id), q.MetricStat
		switch {
		case !metricQueryIDPattern.MatchString(id) || ids[id]:
			return nil, cwInvalid("The value %s for parameter %s.Id is invalid: it must be unique and start with a lowercase letter.", id, at)
		case q.Expression != nil:
			return nil, cwInvalid("The parameter %s.Expression is not supported: metric math is not modelled by this server.", at)
		case ms == nil || ms.Metric == nil || ms.Period == nil || ms.Stat == nil:
			return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameters %s.MetricStat.Metric, Period and Stat are required.", at)
		case *ms.Period < 1 || *ms.Period < 60 && !slices.Contains([]int32{1, 5, 10, 20, 30}, *ms.Period) || *ms.Period > 60 && *ms.Period%60 != 0:
			return nil, cwInvalid("The parameter %s.MetricStat.Period must be 1, 5, 10, 20, 30, or a multiple of 60.", at)
		case !slices.Contains([]string{"Average", "Sum", "Minimum", "Maximum", "SampleCount"}, *ms.Stat):
			return nil, cwInvalid("The value %s for parameter %s.MetricStat.Stat is invalid: only Average, Sum, Minimum, Maximum and SampleCount are modelled.", *ms.Stat, at)
		}
		ids[id] = true
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		out.MetricDataResults = append(out.MetricDataResults, metricData(st, c, in, q))
	}
	return pageMetricData(st, c, in, out)
})

// defaultMaxDatapoints is GetMetricData's MaxDatapoints when not given.
const defaultMaxDatapoints = 100800

// pageMetricData cuts the results of a GetMetricData call into the page
// the request asks for: at most MaxDatapoints data points (or the server's
// Options.MetricDataPage, if lower), counted across the queries in their
// order, from the point the NextToken names. A result cut short says
// PartialData, and the page carries the token of the rest. Results with no
// data point come on the first page.
func pageMetricData(st *state, c *call, in *cloudwatch.GetMetricDataInput, all *cloudwatch.GetMetricDataOutput) (*cloudwatch.GetMetricDataOutput, error) {
	size := defaultMaxDatapoints
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			return nil, cwInvalid("The value %d for parameter MaxDatapoints is invalid: it must be at least 1.", *in.MaxDatapoints)
		}
		size = int(*in.MaxDatapoints)
	}
	if p := st.limits.metricDataPage; p > 0 && p < size {
		size = p
	}
	offset := 0
	if in.NextToken != nil {
		last, ok := decodeToken(c.op, *in.NextToken)
		n, err := strconv.Atoi(last)
		if !ok || err != nil || n < 0 {
			return nil, cwError("InvalidNextToken", "InvalidNextToken", "The value for parameter NextToken is invalid.")
		}
		offset = n
	}
	out := &cloudwatch.GetMetricDataOutput{MetricDataResults: []types.MetricDataResult{}, Messages: all.Messages}
	start, end := offset, offset+size
	seen := 0
	for _, r := range all.MetricDataResults {
		n := len(r.Values)
		lo, hi := max(start-seen, 0), min(end-seen, n)
		seen += n
		switch {
		case n == 0 && offset == 0:
			out.MetricDataResults = append(out.MetricDataResults, r)
		case lo < hi:
			r.Timestamps, r.Values = r.Timestamps[lo:hi], r.Values[lo:hi]
			if hi < n {
				r.StatusCode = types.StatusCodePartialData
			}
			out.MetricDataResults = append(out.MetricDataResults, r)
		}
	}
	if seen > end {
		out.NextToken = aws.String(encodeToken(c.op, strconv.Itoa(end)))
	}
	return out, nil
}

// metricData aggregates the kept datums of one query's metric by period.
func metricData(st *state, c *call, in *cloudwatch.GetMetricDataInput, q types.MetricDataQuery) types.MetricDataResult {
	ms, period := q.MetricStat, int64(*q.MetricStat.Period)
	key := metricKey(aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), modelDimensions(ms.Metric.Dimensions))
	periods := map[int64]*statAggregate{}
	for _, d := range st.metrics {
		t := d.at()
		if d.Account != c.account() || d.Region != c.region || t.Before(*in.StartTime) || !t.Before(*in.EndTime) ||
			ms.Unit != "" && string(ms.Unit) != cmp.Or(d.Unit, "None") || metricKey(d.Namespace, d.MetricName, d.Dimensions) != key {
			continue
		}
		p := t.Unix() - ((t.Unix()%period)+period)%period
		a := periods[p]
		if a == nil {
			a = &statAggregate{}
			periods[p] = a
		}
		switch {
		case d.Value != nil:
			a.add(1, *d.Value, *d.Value, *d.Value)
		case d.Statistics != nil:
			a.add(d.Statistics.SampleCount, d.Statistics.Sum, d.Statistics.Minimum, d.Statistics.Maximum)
		}
		for j, v := range d.Values {
			n := 1.0
			if j < len(d.Counts) {
				n = d.Counts[j]
			}
			a.add(n, v*n, v, v)
		}
	}
	if len(periods) == 0 {
		if r, ok := growthMetric(st, c, in, q); ok {
			return r
		}
	}
	r := types.MetricDataResult{Id: q.Id, Label: aws.String(cmp.Or(aws.ToString(q.Label), aws.ToString(ms.Metric.MetricName))),
		StatusCode: types.StatusCodeComplete, Timestamps: []time.Time{}, Values: []float64{}, Messages: []types.MessageData{}}
	starts := slices.Sorted(maps.Keys(periods))
	if in.ScanBy != types.ScanByTimestampAscending {
		slices.Reverse(starts)
	}
	for _, p := range starts {
		if periods[p].n <= 0 {
			continue // datums without a value
		}
		r.Timestamps = append(r.Timestamps, time.Unix(p, 0).UTC())
		r.Values = append(r.Values, periods[p].stat(*ms.Stat))
	}
	return r
}
