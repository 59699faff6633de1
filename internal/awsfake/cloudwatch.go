package awsfake

import (
	"fmt"
	"math"
	"net/http"
	"slices"
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
}

// MetricDimension is a name and value of a metric dimension.
type MetricDimension struct{ Name, Value string }

// StatisticSet is a pre-aggregated set of values.
type StatisticSet struct{ SampleCount, Sum, Minimum, Maximum float64 }

// Metrics returns a copy of the metric data the server accepted, in the
// order it accepted them.
func (s *Server) Metrics() []MetricDatum {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.metrics)
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
	data := make([]MetricDatum, len(in.MetricData))
	for i, m := range in.MetricData {
		if err := checkDatum(c, fmt.Sprintf("MetricData.member.%d", i+1), m); err != nil {
			return nil, err
		}
		d := MetricDatum{Account: c.account(), Region: c.region, Protocol: protocolName(c.proto), Namespace: aws.ToString(in.Namespace),
			MetricName: aws.ToString(m.MetricName), Value: m.Value, Values: m.Values, Counts: m.Counts, Timestamp: aws.ToTime(m.Timestamp),
			Unit: string(m.Unit), StorageResolution: int(aws.ToInt32(m.StorageResolution))}
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
