package awsfake

import (
	stdjson "encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/encoding/json"
	"github.com/aws/smithy-go/encoding/xml"
)

// CloudWatch (service "monitoring") answers in all three protocols its
// clients speak: Smithy RPC v2 CBOR (the Go SDK, gzipped bodies), JSON 1.0
// (boto3, AWS CLI v1) and awsQuery (older SDKs). Requests in each are
// decoded to the same document tree before typed decoding, and errors carry
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

// document decodes a CloudWatch request body of any protocol to a tree of
// map[string]any, []any, string, float64, bool and time.Time.
func (c *call) document() (map[string]any, error) {
	var doc any
	switch c.proto {
	case protoCBOR:
		if len(c.body) == 0 {
			return map[string]any{}, nil
		}
		v, err := cbor.Decode(c.body)
		if err != nil {
			return nil, badRequest("SerializationException", "cannot decode CBOR body: %v", err)
		}
		doc = fromCBOR(v)
	case protoJSON10, protoJSON11:
		if len(c.body) == 0 {
			return map[string]any{}, nil
		}
		if err := stdjson.Unmarshal(c.body, &doc); err != nil {
			return nil, badRequest("SerializationException", "cannot decode JSON body: %v", err)
		}
	default:
		doc = fromQuery(c.form)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, badRequest("SerializationException", "the request body is not a structure")
	}
	return m, nil
}

// fromCBOR converts a CBOR value to the document tree.
func fromCBOR(v cbor.Value) any {
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = fromCBOR(x)
		}
		return m
	case cbor.List:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = fromCBOR(x)
		}
		return l
	case cbor.String:
		return string(v)
	case cbor.Uint:
		return float64(v)
	case cbor.NegInt:
		return -float64(v) - 1
	case cbor.Float32:
		return float64(v)
	case cbor.Float64:
		return float64(v)
	case cbor.Bool:
		return bool(v)
	case *cbor.Tag:
		if f, ok := fromCBOR(v.Value).(float64); ok && v.ID == 1 {
			sec, frac := math.Modf(f)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC()
		}
	}
	return nil
}

// fromQuery converts awsQuery form fields (A.member.1.B=…) to the document
// tree: ".member.N" and ".entry.N" make lists, other dots nest structures.
func fromQuery(form url.Values) any {
	root := map[string]any{}
	for key, vals := range form {
		if key == "Action" || key == "Version" || len(vals) == 0 {
			continue
		}
		setQuery(root, strings.Split(key, "."), vals[0])
	}
	return root
}

// maxQueryListIndex bounds the list indices fromQuery accepts.
const maxQueryListIndex = 100000

// setQuery stores value at path in the tree m.
func setQuery(m map[string]any, path []string, value string) {
	name, rest := path[0], path[1:]
	if len(rest) == 0 {
		m[name] = value
		return
	}
	if (rest[0] == "member" || rest[0] == "entry") && len(rest) >= 2 {
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 1 || n > maxQueryListIndex {
			return
		}
		l, _ := m[name].([]any)
		for len(l) < n {
			l = append(l, nil)
		}
		m[name] = l
		if len(rest) == 2 {
			l[n-1] = value
			return
		}
		sub, ok := l[n-1].(map[string]any)
		if !ok {
			sub = map[string]any{}
			l[n-1] = sub
		}
		setQuery(sub, rest[2:], value)
		return
	}
	sub, ok := m[name].(map[string]any)
	if !ok {
		sub = map[string]any{}
		m[name] = sub
	}
	setQuery(sub, rest, value)
}

// docString, docNumber and docTime read members of the document tree,
// accepting the forms each protocol uses.
func docString(m map[string]any, name string) (string, bool) {
	s, ok := m[name].(string)
	return s, ok
}

func docNumber(v any) (float64, error) {
	switch v := v.(type) {
	case float64:
		return v, nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", v)
		}
		return f, nil
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

func docTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case float64:
		sec, frac := math.Modf(v)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", v)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%v is not a time", v)
}

func docList(m map[string]any, name string) []any {
	l, _ := m[name].([]any)
	return l
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

// decodePutMetricData decodes and validates PutMetricData as CloudWatch does.
func decodePutMetricData(c *call) ([]MetricDatum, error) {
	if c.bodyLen > maxPutMetricDataBytes {
		return nil, newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Request size %d exceeded %d bytes", c.bodyLen, maxPutMetricDataBytes)
	}
	doc, err := c.document()
	if err != nil {
		return nil, err
	}
	ns, _ := docString(doc, "Namespace")
	switch {
	case ns == "":
		return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameter Namespace is required.")
	case len(ns) > 255 || strings.HasPrefix(ns, ":"):
		return nil, cwInvalid("The value %s for parameter Namespace is invalid.", ns)
	case strings.HasPrefix(ns, "AWS/"):
		return nil, cwInvalid("The value AWS/ for parameter Namespace is invalid.")
	}
	items := docList(doc, "MetricData")
	if len(items) == 0 {
		return nil, cwError("MissingRequiredParameterException", "MissingParameter", "The parameter MetricData is required.")
	}
	if len(items) > maxMetricsPerCall {
		return nil, cwInvalid("The collection MetricData must not have a size greater than %d.", maxMetricsPerCall)
	}
	out := make([]MetricDatum, 0, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, cwInvalid("MetricData.member.%d is not a structure.", i+1)
		}
		d, err := decodeDatum(c, ns, i+1, m)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func decodeDatum(c *call, ns string, n int, m map[string]any) (MetricDatum, error) {
	at := fmt.Sprintf("MetricData.member.%d", n)
	d := MetricDatum{Account: c.account(), Region: c.region, Protocol: protocolName(c.proto), Namespace: ns}
	d.MetricName, _ = docString(m, "MetricName")
	if d.MetricName == "" || len(d.MetricName) > 255 {
		return d, cwInvalid("The parameter %s.MetricName must be 1 to 255 characters.", at)
	}
	dims := docList(m, "Dimensions")
	if len(dims) > maxDimensionsPerDatum {
		return d, cwInvalid("The collection %s.Dimensions must not have a size greater than %d.", at, maxDimensionsPerDatum)
	}
	for k, x := range dims {
		dm, _ := x.(map[string]any)
		name, _ := docString(dm, "Name")
		value, _ := docString(dm, "Value")
		if name == "" || len(name) > 255 || value == "" || len(value) > 1024 {
			return d, cwInvalid("The dimension %s.Dimensions.member.%d needs a name of 1 to 255 and a value of 1 to 1024 characters.", at, k+1)
		}
		d.Dimensions = append(d.Dimensions, MetricDimension{Name: name, Value: value})
	}
	if v, ok := m["Value"]; ok && v != nil {
		f, err := docNumber(v)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return d, cwInvalid("The value for parameter %s.Value is invalid.", at)
		}
		d.Value = &f
	}
	for _, list := range []struct {
		name string
		dst  *[]float64
	}{{"Values", &d.Values}, {"Counts", &d.Counts}} {
		for _, x := range docList(m, list.name) {
			f, err := docNumber(x)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return d, cwInvalid("The collection %s.%s holds an invalid number.", at, list.name)
			}
			*list.dst = append(*list.dst, f)
		}
	}
	if len(d.Values) > maxValuesPerDatum {
		return d, cwInvalid("The collection %s.Values must not have a size greater than %d.", at, maxValuesPerDatum)
	}
	if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
		return d, cwError("InvalidParameterCombinationException", "InvalidParameterCombination", "The parameters %s.Values and %s.Counts must be of the same size.", at, at)
	}
	if sv, ok := m["StatisticValues"].(map[string]any); ok {
		var set StatisticSet
		for name, dst := range map[string]*float64{"SampleCount": &set.SampleCount, "Sum": &set.Sum, "Minimum": &set.Minimum, "Maximum": &set.Maximum} {
			f, err := docNumber(sv[name])
			if err != nil {
				return d, cwError("MissingRequiredParameterException", "MissingParameter", "The parameter %s.StatisticValues.%s is required.", at, name)
			}
			*dst = f
		}
		d.Statistics = &set
	}
	given := 0
	for _, set := range []bool{d.Value != nil, len(d.Values) > 0, d.Statistics != nil} {
		if set {
			given++
		}
	}
	if given > 1 {
		return d, cwError("InvalidParameterCombinationException", "InvalidParameterCombination", "The parameters %s.Value, %s.Values and %s.StatisticValues are mutually exclusive.", at, at, at)
	}
	if ts, ok := m["Timestamp"]; ok && ts != nil {
		t, err := docTime(ts)
		if err != nil {
			return d, cwInvalid("The parameter %s.Timestamp is invalid: %v", at, err)
		}
		now := c.now()
		if t.Before(now.Add(-14*24*time.Hour)) || t.After(now.Add(2*time.Hour)) {
			return d, cwInvalid("The parameter %s.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", at)
		}
		d.Timestamp = t
	}
	if u, ok := docString(m, "Unit"); ok {
		if !slices.Contains(standardUnits, u) {
			return d, cwInvalid("The value %s for parameter %s.Unit is invalid.", u, at)
		}
		d.Unit = u
	}
	if r, ok := m["StorageResolution"]; ok && r != nil {
		f, err := docNumber(r)
		if err != nil || (f != 1 && f != 60) {
			return d, cwInvalid("The value for parameter %s.StorageResolution is invalid: it must be 1 or 60.", at)
		}
		d.StorageResolution = int(f)
	}
	return d, nil
}

// emptyOutput is an operation result without members, in the call's protocol.
func emptyOutput(p protocol) any {
	switch p {
	case protoCBOR:
		return cborMembers{}
	case protoJSON10, protoJSON11, protoRestJSON:
		return jsonMembers(func(*json.Object) {})
	}
	return xmlMembers(func(xml.Value) {})
}

var cwPutMetricData = op("monitoring", "PutMetricData", decodePutMetricData, func(s *Server, c *call, data []MetricDatum) (any, error) {
	s.st.metrics = append(s.st.metrics, data...)
	return emptyOutput(c.proto), nil
})
