package notify_test

// Wire tests: the AWS sinks of the notify package with the real
// aws-sdk-go-v2 clients against internal/awsfake, over the real protocols
// on loopback: SNS (awsQuery), CloudWatch PutMetricData (RPC v2 CBOR,
// gzipped), EventBridge PutEvents (JSON 1.1) and Lambda Invoke (REST JSON).
// The fake enforces AWS's limits, so a request over them fails the test.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

const (
	wireAccount = awsfake.DefaultAccountID
	wireRegion  = "eu-west-1"
)

// wire is a fake AWS endpoint with a topic, a FIFO topic and two Lambda
// functions, and an SDK configuration whose HTTP client records every
// request it sends.
type wire struct {
	srv                   *awsfake.Server
	rec                   *recorder
	cfg                   aws.Config
	topic, fifoTopic      string
	function, failingFunc string
	answered              chan []byte // payloads the sink function answered
}

func newWire(t *testing.T) *wire {
	t.Helper()
	w := &wire{answered: make(chan []byte, 16)}
	b := awsfake.NewBuilder(wireAccount)
	w.topic = b.Topic(wireAccount, wireRegion, "ipam-alerts")
	w.fifoTopic = b.Topic(wireAccount, wireRegion, "ipam-alerts.fifo")
	w.function = b.Function(wireAccount, wireRegion, "ipam-sink", func(payload []byte) ([]byte, error) {
		w.answered <- payload
		return []byte(`{"received":true}`), nil
	})
	w.failingFunc = b.Function(wireAccount, wireRegion, "ipam-failing", func([]byte) ([]byte, error) {
		return nil, errors.New("pool table locked")
	})
	world, err := b.Build()
	require.NoError(t, err)
	w.srv, err = awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(w.srv.Close)
	w.cfg = w.srv.ClientConfig(awsfake.DefaultAccessKeyID, wireRegion)
	w.rec = &recorder{next: w.cfg.HTTPClient}
	w.cfg.HTTPClient = w.rec
	return w
}

// calls returns the calls of one operation the server answered, and how
// many of them failed, by error code.
func (w *wire) calls(operation string) (n int, failed map[string]int) {
	failed = map[string]int{}
	for _, c := range w.srv.Calls() {
		if c.Operation != operation {
			continue
		}
		n++
		if c.ErrorCode != "" {
			failed[c.ErrorCode]++
		}
	}
	return n, failed
}

// recorder is an aws.HTTPClient that keeps the headers and body of every
// request before passing it on.
type recorder struct {
	next aws.HTTPClient
	mu   sync.Mutex
	reqs []sentRequest
}

type sentRequest struct {
	header http.Header
	body   []byte // as sent: gzipped when Content-Encoding says so
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, sentRequest{header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	return r.next.Do(req)
}

func (r *recorder) requests() []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sentRequest(nil), r.reqs...)
}

// plainBody returns the request body, gunzipped if it was sent gzipped.
func plainBody(t *testing.T, r sentRequest) []byte {
	t.Helper()
	if r.header.Get("Content-Encoding") != "gzip" {
		return r.body
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	require.NoError(t, err)
	b, err := io.ReadAll(zr)
	require.NoError(t, err)
	return b
}

var wireTime = time.Now().UTC().Truncate(time.Second)

func wireResource(id, cidr string, used uint64) notify.Resource {
	p := ipam.MustParseCIDR(cidr)
	total, u := ipam.Size(p), ipam.NewCount(used)
	return notify.Resource{
		ID: id, Type: "subnet", CIDR: p, AccountID: "012345678901", Region: wireRegion,
		Total: total, Used: u, Available: total.Sub(u), Percent: u.Percent(total),
	}
}

func wireAlert(sev notify.Severity, title string, resources int) notify.Alert {
	a := notify.Alert{
		Kind: "utilization", Severity: sev, Title: title,
		Summary: "Address space is running out in " + wireRegion + ".",
		Source:  "ipamkit/usage", Time: wireTime,
	}
	for i := range resources {
		a.Resources = append(a.Resources, wireResource(fmt.Sprintf("subnet-%04d", i), fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), uint64(200+i%55)))
	}
	return a
}

func render(t *testing.T, text string, a notify.Alert) string {
	t.Helper()
	s, err := notify.MustParseTemplate(text).Render(a)
	require.NoError(t, err)
	return s
}

func TestWireSNS(t *testing.T) {
	t.Parallel()
	longLines := wireAlert(notify.Warning, "pool filling up", 0)
	var sb strings.Builder
	for i := range 12_000 { // about 600 KB of lines: three parts of 256 KiB
		fmt.Fprintf(&sb, "line %05d: subnet-%05d in 10.%d.%d.0/24 is %d%% full\n", i, i, i/256, i%256, i%100)
	}
	longLines.Summary = sb.String()
	noBreaks := wireAlert(notify.Info, "one long line of two-byte characters", 0)
	noBreaks.Summary = strings.Repeat("é", 300_000) // 600,000 bytes, no line break to cut at
	tests := []struct {
		name        string
		alert       notify.Alert
		wantParts   int
		wantSubject string // of a one-part message; parts add " (i/n)"
	}{
		{name: "critical alert", alert: wireAlert(notify.Critical, "3 resources above 80% utilization", 3), wantParts: 1,
			wantSubject: "[CRITICAL] 3 resources above 80% utilization"},
		{name: "info without resources", alert: wireAlert(notify.Info, "all clear", 0), wantParts: 1,
			wantSubject: "[INFO] all clear"},
		{name: "title with line breaks, over 100 characters", alert: wireAlert(notify.Warning, "pools\nfilling\r\nup "+strings.Repeat("x", 120), 1), wantParts: 1,
			wantSubject: "[WARNING] pools filling up " + strings.Repeat("x", 71) + "…"},
		{name: "600 KB in lines", alert: longLines, wantParts: 3, wantSubject: "[WARNING] pool filling up"},
		{name: "600 KB without line breaks", alert: noBreaks, wantParts: 3, wantSubject: "[INFO] one long line of two-byte characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			s := notify.NewSNS(sns.NewFromConfig(w.cfg), w.topic)
			require.NoError(t, s.Notify(t.Context(), tt.alert), "Notify(%s)", tt.name)

			msgs := w.srv.Messages()
			require.Len(t, msgs, tt.wantParts, "messages published for %s", tt.name)
			severity := map[string]awsfake.MessageAttribute{"severity": {DataType: "String", StringValue: tt.alert.Severity.String()}}
			var whole strings.Builder
			for i, m := range msgs {
				subject, body := tt.wantSubject, m.Message
				if tt.wantParts > 1 {
					subject += fmt.Sprintf(" (%d/%d)", i+1, tt.wantParts)
					header := fmt.Sprintf("(part %d/%d)\n", i+1, tt.wantParts)
					require.True(t, strings.HasPrefix(body, header), "part %d of %s starts with %q", i+1, tt.name, header)
					body = strings.TrimPrefix(body, header)
				}
				assert.Equal(t, awsfake.Message{
					Account: wireAccount, Region: wireRegion, TopicARN: w.topic, MessageID: m.MessageID,
					Subject: subject, Message: m.Message, Attributes: severity,
				}, m, "message %d of %s", i+1, tt.name)
				assert.NotEmpty(t, m.MessageID)
				assert.True(t, utf8.ValidString(m.Message), "part %d of %s is valid UTF-8", i+1, tt.name)
				assert.LessOrEqual(t, len(m.Message)+len("severity")+len("String")+len(tt.alert.Severity.String()), notify.SNSDefaultMaxMessageBytes,
					"part %d of %s with its attribute fits 256 KiB", i+1, tt.name)
				whole.WriteString(body)
			}
			assert.Equal(t, render(t, notify.DefaultTextTemplate, tt.alert), whole.String(), "%s reassembled", tt.name)
			n, failed := w.calls("Publish")
			assert.Equal(t, tt.wantParts, n, "Publish calls for %s", tt.name)
			assert.Empty(t, failed, "failed Publish calls for %s", tt.name)
		})
	}
}

func TestWireSNSFIFO(t *testing.T) {
	t.Parallel()
	big := wireAlert(notify.Critical, "many pools", 0)
	big.Summary = strings.Repeat("0123456789abcdef\n", 20_000) // 340 KB: two parts
	tests := []struct {
		name      string
		fifo      bool
		group     string
		alert     notify.Alert
		wantGroup string // "" when no group id may be sent
		wantParts int
	}{
		{name: "standard topic", alert: big, wantParts: 2},
		{name: "FIFO topic, default group", fifo: true, alert: wireAlert(notify.Warning, "one pool", 1), wantGroup: "ipamkit", wantParts: 1},
		{name: "FIFO topic, own group, split", fifo: true, group: "network-team", alert: big, wantGroup: "network-team", wantParts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			topic := w.topic
			if tt.fifo {
				topic = w.fifoTopic
			}
			s := notify.NewSNS(sns.NewFromConfig(w.cfg), topic, func(o *notify.SNSOptions) { o.MessageGroupID = tt.group })
			// The same alert twice: a FIFO topic must see the same
			// deduplication ids, so that SNS drops the repeat.
			require.NoError(t, s.Notify(t.Context(), tt.alert), "first Notify(%s)", tt.name)
			require.NoError(t, s.Notify(t.Context(), tt.alert), "second Notify(%s)", tt.name)

			reqs := w.rec.requests()
			require.Len(t, reqs, 2*tt.wantParts, "Publish requests for %s", tt.name)
			var groups, dedup []string
			for i, r := range reqs {
				form, err := url.ParseQuery(string(plainBody(t, r)))
				require.NoError(t, err)
				require.Equal(t, "Publish", form.Get("Action"), "request %d of %s", i, tt.name)
				assert.Equal(t, topic, form.Get("TopicArn"), "request %d of %s", i, tt.name)
				groups = append(groups, form.Get("MessageGroupId"))
				dedup = append(dedup, form.Get("MessageDeduplicationId"))
			}
			if !tt.fifo {
				assert.Equal(t, make([]string, 2*tt.wantParts), groups, "no MessageGroupId on a standard topic (%s)", tt.name)
				assert.Equal(t, make([]string, 2*tt.wantParts), dedup, "no MessageDeduplicationId on a standard topic (%s)", tt.name)
				return
			}
			wantGroups := make([]string, 2*tt.wantParts)
			for i := range wantGroups {
				wantGroups[i] = tt.wantGroup
			}
			assert.Equal(t, wantGroups, groups, "MessageGroupId of every publish (%s)", tt.name)
			assert.Equal(t, dedup[:tt.wantParts], dedup[tt.wantParts:], "the repeated alert has the same deduplication ids (%s)", tt.name)
			seen := map[string]bool{}
			for i, id := range dedup[:tt.wantParts] {
				_, err := hex.DecodeString(id)
				assert.NoError(t, err, "deduplication id %q of part %d (%s) is hex", id, i+1, tt.name)
				assert.LessOrEqual(t, len(id), 128, "deduplication id of part %d (%s) within 128 characters", i+1, tt.name)
				assert.False(t, seen[id], "parts of %s have distinct deduplication ids", tt.name)
				seen[id] = true
			}
			assert.Len(t, w.srv.Messages(), 2*tt.wantParts, "the fake accepted every publish (%s)", tt.name)
		})
	}
}

func TestWireSNSEmptyTopic(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	err := notify.NewSNS(sns.NewFromConfig(w.cfg), "").Notify(t.Context(), wireAlert(notify.Critical, "pool full", 1))
	require.ErrorIs(t, err, notify.ErrNoTopic)
	assert.Empty(t, w.rec.requests(), "no request without a topic")
	assert.Empty(t, w.srv.Calls(), "no call without a topic")
}

// wireMetrics returns n metrics of the three monitor-sample names with one
// or three dimensions, every unit form, distinct values and times.
func wireMetrics(n int) []notify.Metric {
	names := []string{notify.MetricPercentAssigned, notify.MetricIPAddressTotal, notify.MetricIPAddressAvailable}
	units := []notify.Unit{notify.UnitPercent, notify.UnitCount, notify.UnitNone, ""}
	ms := make([]notify.Metric, n)
	for i := range ms {
		dims := []notify.Dimension{{Name: notify.DimensionResourceID, Value: fmt.Sprintf("subnet-%05d", i/3)}}
		if i%2 == 0 {
			dims = append(dims, notify.Dimension{Name: "AccountId", Value: "012345678901"}, notify.Dimension{Name: "Region", Value: wireRegion})
		}
		ms[i] = notify.Metric{
			Name: names[i%3], Value: float64(i) + 0.25, Unit: units[i%4], Dimensions: dims,
			Time: wireTime.Add(-time.Duration(i%3600) * time.Second),
		}
	}
	return ms
}

// wantDatum is what the fake should keep of m sent by a sink with opts.
func wantDatum(m notify.Metric, opts notify.CloudWatchOptions) awsfake.MetricDatum {
	ns := opts.Namespace
	if ns == "" {
		ns = notify.DefaultNamespace
	}
	d := awsfake.MetricDatum{
		Account: wireAccount, Region: wireRegion, Protocol: "rpc-v2-cbor", Namespace: ns,
		MetricName: m.Name, Timestamp: m.Time, Value: aws.Float64(m.Value), Unit: string(m.Unit),
		StorageResolution: int(opts.StorageResolution),
	}
	for _, dim := range append(append([]notify.Dimension(nil), m.Dimensions...), opts.Dimensions...) {
		d.Dimensions = append(d.Dimensions, awsfake.MetricDimension{Name: dim.Name, Value: dim.Value})
	}
	return d
}

func TestWireCloudWatch(t *testing.T) {
	t.Parallel()
	own := notify.CloudWatchOptions{
		Namespace:         "Team/IPAM",
		Dimensions:        []notify.Dimension{{Name: "Environment", Value: "prod"}},
		StorageResolution: 1,
	}
	tests := []struct {
		name      string
		n         int
		opts      notify.CloudWatchOptions
		wantCalls int // ceil(n/1000): the minimum
	}{
		{name: "1", n: 1, wantCalls: 1},
		{name: "1000", n: 1000, wantCalls: 1},
		{name: "1001", n: 1001, wantCalls: 2},
		{name: "2500", n: 2500, wantCalls: 3},
		{name: "2500 with namespace, dimension and resolution", n: 2500, opts: own, wantCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			ms := wireMetrics(tt.n)
			cw := notify.NewCloudWatch(cloudwatch.NewFromConfig(w.cfg), func(o *notify.CloudWatchOptions) { *o = tt.opts })
			require.NoError(t, cw.PutMetrics(t.Context(), ms), "PutMetrics(%d metrics)", tt.n)

			n, failed := w.calls("PutMetricData")
			assert.Equal(t, tt.wantCalls, n, "PutMetricData calls for %d metrics", tt.n)
			assert.Empty(t, failed, "no request of %d metrics went over a limit of the fake", tt.n)

			want := make([]awsfake.MetricDatum, len(ms))
			for i, m := range ms {
				want[i] = wantDatum(m, tt.opts)
			}
			assert.Equal(t, want, w.srv.Metrics(), "datums read back after PutMetrics(%d metrics)", tt.n)

			reqs := w.rec.requests()
			require.Len(t, reqs, tt.wantCalls)
			for i, r := range reqs {
				assert.Equal(t, "gzip", r.header.Get("Content-Encoding"), "request %d of %d metrics is gzipped", i+1, tt.n)
				assert.Equal(t, "rpc-v2-cbor", r.header.Get("Smithy-Protocol"), "request %d of %d metrics is CBOR", i+1, tt.n)
				assert.Less(t, len(plainBody(t, r)), 1_000_000, "request %d of %d metrics stays under 1 MB", i+1, tt.n)
			}
		})
	}
}

// TestWireCloudWatchLargeDatums sends datums of 30 dimensions, where the
// 1 MB request limit rather than the 1000 datums decides the batches. The
// fake does not enforce the 1 MB: the requests are measured here, and must
// be both under 1 MB of CBOR and as few as CBOR bodies under 1 MB allow
// (cborMinCalls).
func TestWireCloudWatchLargeDatums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		n, valueLen  int
		wantCalls    int
		cborMinCalls int
	}{
		{name: "100 datums of 30 dimensions of 1 KiB", n: 100, valueLen: 1024, wantCalls: 4, cborMinCalls: 4},
		{name: "1000 datums of 30 dimensions of 64 bytes", n: 1000, valueLen: 64, wantCalls: 3, cborMinCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			ms := make([]notify.Metric, tt.n)
			for i := range ms {
				dims := make([]notify.Dimension, 30)
				for j := range dims {
					dims[j] = notify.Dimension{Name: fmt.Sprintf("Dim%02d", j), Value: fmt.Sprintf("%05d-%02d-", i, j) + strings.Repeat("v", tt.valueLen-9)}
				}
				ms[i] = notify.Metric{Name: notify.MetricPercentAssigned, Value: float64(i), Unit: notify.UnitPercent, Dimensions: dims, Time: wireTime}
			}
			cw := notify.NewCloudWatch(cloudwatch.NewFromConfig(w.cfg))
			require.NoError(t, cw.PutMetrics(t.Context(), ms), "PutMetrics(%s)", tt.name)
			want := make([]awsfake.MetricDatum, len(ms))
			for i, m := range ms {
				want[i] = wantDatum(m, notify.CloudWatchOptions{})
			}
			assert.Equal(t, want, w.srv.Metrics(), "datums read back (%s)", tt.name)

			total, largest, largestSent := 0, 0, 0
			for i, r := range w.rec.requests() {
				b := plainBody(t, r)
				assert.Less(t, len(b), 1_000_000, "request %d of %s stays under 1 MB", i+1, tt.name)
				total += len(b)
				largest, largestSent = max(largest, len(b)), max(largestSent, len(r.body))
			}
			perRequest := min(1000, 1_000_000/(total/tt.n+1))
			cborMin := (tt.n + perRequest - 1) / perRequest
			n, failed := w.calls("PutMetricData")
			t.Logf("%s: %d calls (%d with CBOR bodies under 1 MB); largest request %d bytes of CBOR, %d gzipped", tt.name, n, cborMin, largest, largestSent)
			assert.Empty(t, failed, "failed PutMetricData calls for %s", tt.name)
			assert.Equal(t, tt.wantCalls, n, "PutMetricData calls for %s", tt.name)
			assert.Equal(t, tt.cborMinCalls, cborMin, "calls that CBOR bodies under 1 MB would need for %s", tt.name)
		})
	}
}

// TestWireCloudWatchFakeLimits sends requests straight through the SDK
// client to show that the fake refuses what CloudWatch refuses, and so
// that the sink tests above, which see no failed call, never sent one.
func TestWireCloudWatchFakeLimits(t *testing.T) {
	t.Parallel()
	datums := func(n, dims int) []cwtypes.MetricDatum {
		ds := make([]cwtypes.MetricDatum, n)
		for i := range ds {
			ds[i] = cwtypes.MetricDatum{MetricName: aws.String("m"), Value: aws.Float64(1), Timestamp: aws.Time(wireTime)}
			for j := range dims {
				ds[i].Dimensions = append(ds[i].Dimensions, cwtypes.Dimension{Name: aws.String(fmt.Sprintf("d%d", j)), Value: aws.String("v")})
			}
		}
		return ds
	}
	tests := []struct {
		name     string
		data     []cwtypes.MetricDatum
		wantCode string // "" for success
	}{
		{name: "1000 datums", data: datums(1000, 1)},
		{name: "1001 datums", data: datums(1001, 1), wantCode: "InvalidParameterValue"},
		{name: "30 dimensions", data: datums(1, 30)},
		{name: "31 dimensions", data: datums(1, 31), wantCode: "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			_, err := cloudwatch.NewFromConfig(w.cfg).PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{
				Namespace: aws.String(notify.DefaultNamespace), MetricData: tt.data,
			})
			if tt.wantCode == "" {
				require.NoError(t, err, "PutMetricData(%s)", tt.name)
				return
			}
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr, "PutMetricData(%s)", tt.name)
			assert.Equal(t, tt.wantCode, apiErr.ErrorCode(), "PutMetricData(%s)", tt.name)
			assert.Empty(t, w.srv.Metrics(), "nothing kept of PutMetricData(%s)", tt.name)
		})
	}

	// What the sink refuses itself never reaches the wire.
	w := newWire(t)
	bad := wireMetrics(3)
	for j := range 31 {
		bad[1].Dimensions = append(bad[1].Dimensions, notify.Dimension{Name: fmt.Sprintf("d%d", j), Value: "v"})
	}
	err := notify.NewCloudWatch(cloudwatch.NewFromConfig(w.cfg)).PutMetrics(t.Context(), bad)
	require.ErrorIs(t, err, notify.ErrInvalidMetric)
	assert.Empty(t, w.srv.Calls(), "no call for a metric of 32 dimensions")
}

func TestWireEventBridge(t *testing.T) {
	t.Parallel()
	alerts := func(n int) []notify.Alert {
		as := make([]notify.Alert, n)
		for i := range as {
			as[i] = wireAlert(notify.Severity(i%3), fmt.Sprintf("alert %d", i), i%4)
		}
		return as
	}
	perResource := func(o *notify.EventBridgeOptions) { o.PerResource = true }
	named := func(o *notify.EventBridgeOptions) {
		o.EventBusName, o.Source, o.DetailType = "ipam-bus", "acme.ipam", "Pool Utilization"
	}
	tests := []struct {
		name      string
		alerts    []notify.Alert
		opts      func(*notify.EventBridgeOptions)
		wantCalls int
		want      func(notify.Alert) []notify.Alert // the events' details
	}{
		{name: "1 alert", alerts: alerts(1), wantCalls: 1},
		{name: "10 alerts", alerts: alerts(10), wantCalls: 1},
		{name: "11 alerts", alerts: alerts(11), wantCalls: 2},
		{name: "25 alerts on a named bus", alerts: alerts(25), opts: named, wantCalls: 3},
		{name: "1 alert of 12 resources, per resource", alerts: []notify.Alert{wireAlert(notify.Critical, "12 pools", 12)}, opts: perResource, wantCalls: 2,
			want: func(a notify.Alert) []notify.Alert {
				out := make([]notify.Alert, len(a.Resources))
				for i, r := range a.Resources {
					out[i] = a
					out[i].Resources = []notify.Resource{r}
				}
				return out
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			var o notify.EventBridgeOptions
			opts := []func(*notify.EventBridgeOptions){}
			if tt.opts != nil {
				opts = append(opts, tt.opts)
				tt.opts(&o)
			}
			eb := notify.NewEventBridge(eventbridge.NewFromConfig(w.cfg), opts...)
			require.NoError(t, eb.NotifyAll(t.Context(), tt.alerts), "NotifyAll(%s)", tt.name)

			bus, source, detailType := "default", notify.EventSource, notify.EventDetailType
			if o.EventBusName != "" {
				bus, source, detailType = o.EventBusName, o.Source, o.DetailType
			}
			var want []awsfake.Event
			for _, a := range tt.alerts {
				details := []notify.Alert{a}
				if tt.want != nil {
					details = tt.want(a)
				}
				for _, d := range details {
					detail, err := json.Marshal(d)
					require.NoError(t, err)
					want = append(want, awsfake.Event{Account: wireAccount, Region: wireRegion, EventBusName: bus,
						Source: source, DetailType: detailType, Detail: string(detail), Time: d.Time})
				}
			}
			got := w.srv.Events()
			for i := range got {
				assert.NotEmpty(t, got[i].EventID, "event %d of %s has an id", i, tt.name)
				got[i].EventID = ""
			}
			assert.Equal(t, want, got, "events read back after NotifyAll(%s)", tt.name)
			n, failed := w.calls("PutEvents")
			assert.Equal(t, tt.wantCalls, n, "PutEvents calls for %s", tt.name)
			assert.Empty(t, failed, "failed PutEvents calls for %s", tt.name)
		})
	}
}

// TestWireEventBridgeRefusedBeforeSending: a detail-type over 128
// characters would make every entry fail; the sink refuses it before any
// call. (The fake has no fault that fails single entries; entry retries are
// covered with mocks.)
func TestWireEventBridgeRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	eb := notify.NewEventBridge(eventbridge.NewFromConfig(w.cfg), func(o *notify.EventBridgeOptions) {
		o.DetailType = strings.Repeat("d", 129)
	})
	err := eb.NotifyAll(t.Context(), []notify.Alert{wireAlert(notify.Warning, "alert", 1)})
	require.ErrorContains(t, err, "detail-type of 129 characters")
	n, _ := w.calls("PutEvents")
	assert.Zero(t, n, "no call for events that cannot be accepted")
	assert.Empty(t, w.srv.Events())
}

func TestWireLambda(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		function   func(*wire) string
		async      bool
		wantType   string
		wantAnswer bool // the function ran and answered
		wantFnErr  func(*wire) *notify.FunctionError
		wantCode   string
	}{
		{name: "sync", function: func(w *wire) string { return w.function }, wantType: "RequestResponse", wantAnswer: true},
		{name: "sync by name", function: func(*wire) string { return "ipam-sink" }, wantType: "RequestResponse", wantAnswer: true},
		{name: "async", function: func(w *wire) string { return w.function }, async: true, wantType: "Event"},
		{name: "function error", function: func(w *wire) string { return w.failingFunc }, wantType: "RequestResponse",
			wantFnErr: func(w *wire) *notify.FunctionError {
				return &notify.FunctionError{Function: w.failingFunc, Kind: "Unhandled", Type: "Error", Message: "pool table locked"}
			}},
		{name: "async function error is not seen", function: func(w *wire) string { return w.failingFunc }, async: true, wantType: "Event"},
		{name: "no such function", function: func(*wire) string { return "ipam-missing" }, wantCode: "ResourceNotFoundException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			fn := tt.function(w)
			a := wireAlert(notify.Critical, "2 pools above 90%", 2)
			l := notify.NewLambda(lambda.NewFromConfig(w.cfg), fn, func(o *notify.LambdaOptions) { o.Async = tt.async })
			err := l.Notify(t.Context(), a)
			switch {
			case tt.wantFnErr != nil:
				var fe *notify.FunctionError
				require.ErrorAs(t, err, &fe, "Notify(%s)", tt.name)
				assert.Equal(t, tt.wantFnErr(w), fe, "Notify(%s)", tt.name)
			case tt.wantCode != "":
				var apiErr smithy.APIError
				require.ErrorAs(t, err, &apiErr, "Notify(%s)", tt.name)
				assert.Equal(t, tt.wantCode, apiErr.ErrorCode(), "Notify(%s)", tt.name)
				assert.Empty(t, w.srv.Invocations(), "no invocation (%s)", tt.name)
				return
			default:
				require.NoError(t, err, "Notify(%s)", tt.name)
			}
			payload, err := json.Marshal(a)
			require.NoError(t, err)
			wantFn := fn
			if !strings.HasPrefix(fn, "arn:") {
				wantFn = w.function
			}
			assert.Equal(t, []awsfake.Invocation{{Account: wireAccount, Region: wireRegion, FunctionARN: wantFn,
				InvocationType: tt.wantType, Payload: payload}}, w.srv.Invocations(), "invocations of Notify(%s)", tt.name)
			if !tt.wantAnswer {
				assert.Empty(t, w.answered, "the sink function did not answer (%s)", tt.name)
				return
			}
			require.Len(t, w.answered, 1, "the function ran (%s)", tt.name)
			assert.JSONEq(t, string(payload), string(<-w.answered), "the function got the alert (%s)", tt.name)
		})
	}
}

// TestWireThrottling throttles each sink's operation once, which the SDK's
// retryer absorbs, and then on every call, which surfaces as an error that
// names the sink and keeps the AWS error code.
func TestWireThrottling(t *testing.T) {
	t.Parallel()
	type sink struct {
		deliver   func(context.Context, *wire) error // through a Multi of that one sink
		name      func(*wire) string
		delivered func(*wire) int
	}
	alert := wireAlert(notify.Critical, "pool full", 2)
	sinks := map[string]sink{
		"sns": {
			deliver: func(ctx context.Context, w *wire) error {
				return notify.Multi{Notifiers: []notify.Notifier{notify.NewSNS(sns.NewFromConfig(w.cfg), w.topic)}}.Notify(ctx, alert)
			},
			name:      func(w *wire) string { return "sns " + w.topic },
			delivered: func(w *wire) int { return len(w.srv.Messages()) },
		},
		"cloudwatch": {
			deliver: func(ctx context.Context, w *wire) error {
				return notify.Multi{Sinks: []notify.MetricSink{notify.NewCloudWatch(cloudwatch.NewFromConfig(w.cfg))}}.PutMetrics(ctx, wireMetrics(3))
			},
			name:      func(*wire) string { return "cloudwatch " + notify.DefaultNamespace },
			delivered: func(w *wire) int { return len(w.srv.Metrics()) },
		},
		"eventbridge": {
			deliver: func(ctx context.Context, w *wire) error {
				return notify.Multi{Notifiers: []notify.Notifier{notify.NewEventBridge(eventbridge.NewFromConfig(w.cfg))}}.Notify(ctx, alert)
			},
			name:      func(*wire) string { return "eventbridge default" },
			delivered: func(w *wire) int { return len(w.srv.Events()) },
		},
		"lambda": {
			deliver: func(ctx context.Context, w *wire) error {
				return notify.Multi{Notifiers: []notify.Notifier{notify.NewLambda(lambda.NewFromConfig(w.cfg), w.function)}}.Notify(ctx, alert)
			},
			name:      func(w *wire) string { return "lambda " + w.function },
			delivered: func(w *wire) int { return len(w.srv.Invocations()) },
		},
	}
	tests := []struct {
		sink, service, operation string
		count                    int    // throttled calls; 0 means all
		callCode                 string // the code in the fake's call log
		wantCode                 string // the code the caller sees; "" for success
		wantDelivered            int
	}{
		{sink: "sns", service: "sns", operation: "Publish", count: 1, callCode: "Throttling", wantDelivered: 1},
		{sink: "sns", service: "sns", operation: "Publish", callCode: "Throttling", wantCode: "Throttling"},
		{sink: "cloudwatch", service: "monitoring", operation: "PutMetricData", count: 1, callCode: "ThrottlingException", wantDelivered: 3},
		// awsQuery-compatible: the X-Amzn-Query-Error code wins over the shape name.
		{sink: "cloudwatch", service: "monitoring", operation: "PutMetricData", callCode: "ThrottlingException", wantCode: "Throttling"},
		{sink: "eventbridge", service: "events", operation: "PutEvents", count: 1, callCode: "ThrottlingException", wantDelivered: 1},
		{sink: "eventbridge", service: "events", operation: "PutEvents", callCode: "ThrottlingException", wantCode: "ThrottlingException"},
		{sink: "lambda", service: "lambda", operation: "Invoke", count: 1, callCode: "TooManyRequestsException", wantDelivered: 1},
		{sink: "lambda", service: "lambda", operation: "Invoke", callCode: "TooManyRequestsException", wantCode: "TooManyRequestsException"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s throttled %d times", tt.sink, tt.count)
		if tt.count == 0 {
			name = tt.sink + " always throttled"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			s := sinks[tt.sink]
			w.srv.InjectFault(awsfake.Fault{Service: tt.service, Operation: tt.operation, Kind: awsfake.FaultThrottle, Count: tt.count})
			err := s.deliver(t.Context(), w)
			n, failed := w.calls(tt.operation)
			assert.Equal(t, tt.wantDelivered, s.delivered(w), "delivered (%s)", name)
			if tt.wantCode == "" {
				require.NoError(t, err, "%s", name)
				assert.Equal(t, 2, n, "%s calls: the throttled one and its retry (%s)", tt.operation, name)
				assert.Equal(t, map[string]int{tt.callCode: 1}, failed, "one throttled %s (%s)", tt.operation, name)
				return
			}
			var sinkErr *notify.SinkError
			require.ErrorAs(t, err, &sinkErr, "%s", name)
			assert.Equal(t, s.name(w), sinkErr.Name, "the error names the sink (%s)", name)
			assert.True(t, strings.HasPrefix(sinkErr.Err.Error(), tt.sink+": "), "%q starts with the sink's kind (%s)", sinkErr.Err, name)
			var apiErr smithy.APIError
			require.ErrorAs(t, err, &apiErr, "%s", name)
			assert.Equal(t, tt.wantCode, apiErr.ErrorCode(), "%s", name)
			assert.Equal(t, 3, n, "%s attempts: the SDK's default of 3 (%s)", tt.operation, name)
			assert.Equal(t, map[string]int{tt.callCode: 3}, failed, "every attempt throttled (%s)", name)
		})
	}
}
