package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriter(t *testing.T) {
	t.Parallel()
	ms := []Metric{
		{Name: "PercentAssigned", Value: 81.25, Unit: UnitPercent, Dimensions: []Dimension{{"ResourceId", "vpc-1"}, {"Region", "eu-west-1"}}, Time: testTime},
		{Name: "Bare", Value: 1e21},
	}
	tests := []struct {
		name        string
		opts        func(*WriterOptions)
		wantAlert   string
		wantMetrics string
	}{
		{
			name:      "text",
			opts:      func(*WriterOptions) {},
			wantAlert: "[WARNING] disk\n[#####...............]  25.0%  vpc-1\n",
			wantMetrics: "PercentAssigned{ResourceId=vpc-1,Region=eu-west-1} 81.25 Percent 2026-11-23T20:00:00Z\n" +
				"Bare{} 1e+21\n",
		},
		{
			name:      "custom template without final newline",
			opts:      func(o *WriterOptions) { o.Text = MustParseTemplate("{{.Title}}!") },
			wantAlert: "disk!\n",
			wantMetrics: "PercentAssigned{ResourceId=vpc-1,Region=eu-west-1} 81.25 Percent 2026-11-23T20:00:00Z\n" +
				"Bare{} 1e+21\n",
		},
		{
			name:      "json",
			opts:      func(o *WriterOptions) { o.Format = FormatJSON },
			wantAlert: `{"formatVersion":1,"severity":"warning","title":"disk","resources":[{"resourceId":"vpc-1","percent":25}]}` + "\n",
			wantMetrics: `{"name":"PercentAssigned","value":81.25,"unit":"Percent","dimensions":[{"name":"ResourceId","value":"vpc-1"},{"name":"Region","value":"eu-west-1"}],"time":"2026-11-23T20:00:00Z"}` + "\n" +
				`{"name":"Bare","value":1e+21}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			w := NewWriter(&b, tt.opts)
			require.NoError(t, w.Notify(t.Context(), Alert{Severity: Warning, Title: "disk", Resources: []Resource{{ID: "vpc-1", Percent: 25}}}))
			assert.Equal(t, tt.wantAlert, b.String())
			b.Reset()
			require.NoError(t, w.PutMetrics(t.Context(), ms))
			assert.Equal(t, tt.wantMetrics, b.String())
		})
	}
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	w := NewWriter(failWriter{})
	assert.ErrorContains(t, w.Notify(t.Context(), Alert{Title: "x"}), "disk full")
	assert.ErrorContains(t, w.PutMetrics(t.Context(), []Metric{{Name: "x"}}), "disk full")
	assert.NoError(t, w.PutMetrics(t.Context(), nil), "nothing to write, nothing written")

	var b bytes.Buffer
	bad := NewWriter(&b, func(o *WriterOptions) { o.Text = MustParseTemplate("{{.Title}}{{.Missing}}") })
	require.Error(t, bad.Notify(t.Context(), Alert{Title: "x"}))
	assert.Empty(t, b.String(), "a failed render writes nothing")
}

func TestEMFSample(t *testing.T) {
	t.Parallel()
	// The example of aws-facts §6.3 / the EMF specification, from the
	// monitor sample's three metrics.
	var b bytes.Buffer
	e := NewEMF(&b)
	at := time.UnixMilli(1767323045000)
	r := testResource("ipam-pool-0abc", "", "10.0.0.0/16", 53248)
	require.NoError(t, e.PutMetrics(t.Context(), ResourceMetrics([]Resource{r}, at)))
	assert.Equal(t, `{"_aws":{"Timestamp":1767323045000,"CloudWatchMetrics":[{"Namespace":"CUSTOM/IPAM","Dimensions":[["ResourceId"]],"Metrics":[{"Name":"PercentAssigned","Unit":"Percent"},{"Name":"IpAddressTotal","Unit":"Count"},{"Name":"IpAddressAvailable","Unit":"Count"}]}]},"ResourceId":"ipam-pool-0abc","PercentAssigned":81.25,"IpAddressTotal":65536,"IpAddressAvailable":12288}`+"\n", b.String())
}

// emfEvent is the part of an EMF event the tests check.
type emfEvent struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
}

func decodeEMF(t *testing.T, out string) ([]emfEvent, []map[string]any) {
	t.Helper()
	var evs []emfEvent
	var roots []map[string]any
	for line := range strings.Lines(out) {
		require.LessOrEqual(t, len(line), emfMaxEventBytes, "event size")
		var ev emfEvent
		require.NoError(t, json.Unmarshal([]byte(line), &ev), "line %q", line)
		var root map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &root))
		require.Len(t, ev.AWS.CloudWatchMetrics, 1)
		d := ev.AWS.CloudWatchMetrics[0]
		require.LessOrEqual(t, len(d.Metrics), emfMaxMetrics, "metrics per directive")
		for _, m := range d.Metrics {
			if vs, ok := root[m.Name].([]any); ok {
				require.LessOrEqual(t, len(vs), emfMaxValues, "values of %s", m.Name)
			}
		}
		for _, set := range d.Dimensions {
			require.LessOrEqual(t, len(set), maxDimensions)
		}
		evs = append(evs, ev)
		roots = append(roots, root)
	}
	return evs, roots
}

func TestEMFLimits(t *testing.T) {
	t.Parallel()
	many := func(n int, name func(int) string) []Metric {
		ms := make([]Metric, n)
		for i := range ms {
			ms[i] = Metric{Name: name(i), Value: float64(i), Unit: UnitCount, Dimensions: []Dimension{{"ResourceId", "vpc-1"}}, Time: testTime}
		}
		return ms
	}
	tests := []struct {
		name        string
		ms          []Metric
		wantMetrics []int // metric definitions per event
		wantValues  int   // values in all events
	}{
		{"100 names", many(100, func(i int) string { return fmt.Sprint("m", i) }), []int{100}, 100},
		{"101 names", many(101, func(i int) string { return fmt.Sprint("m", i) }), []int{100, 1}, 101},
		{"100 values", many(100, func(int) string { return "m" }), []int{1}, 100},
		{"250 values", many(250, func(int) string { return "m" }), []int{1, 1, 1}, 250},
		{"mixed", append(many(150, func(i int) string { return fmt.Sprint("m", i%2) }), many(120, func(i int) string { return fmt.Sprint("n", i) })...),
			[]int{100, 22}, 270},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, NewEMF(&b).PutMetrics(t.Context(), tt.ms))
			evs, roots := decodeEMF(t, b.String())
			var got []int
			values := 0
			for i, ev := range evs {
				ms := ev.AWS.CloudWatchMetrics[0].Metrics
				got = append(got, len(ms))
				for _, m := range ms {
					switch v := roots[i][m.Name].(type) {
					case []any:
						values += len(v)
					case float64:
						values++
					}
				}
			}
			assert.Equal(t, tt.wantMetrics, got, "metric definitions per event")
			assert.Equal(t, tt.wantValues, values, "values written")
		})
	}
}

func TestEMFLargestEvent(t *testing.T) {
	t.Parallel()
	// Names and dimensions at their maximum lengths, 100 x 100 values:
	// the largest event EMF can build stays under 1 MB.
	var dims []Dimension
	for i := range maxDimensions {
		dims = append(dims, Dimension{Name: fmt.Sprintf("%0255d", i), Value: strings.Repeat("v", maxDimensionValue)})
	}
	var ms []Metric
	for i := range 100 {
		for range 100 {
			ms = append(ms, Metric{Name: fmt.Sprintf("m%0254d", i), Value: -1.2345678901234567e-300, Unit: UnitCount, Dimensions: dims, Time: testTime})
		}
	}
	var b bytes.Buffer
	require.NoError(t, NewEMF(&b).PutMetrics(t.Context(), ms))
	evs, _ := decodeEMF(t, b.String())
	assert.Len(t, evs, 1)
}

func TestEMFOptionsAndGrouping(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	now := time.UnixMilli(1700000000123)
	e := NewEMF(&b, func(o *EMFOptions) {
		o.Namespace = "Team/Net"
		o.Dimensions = []Dimension{{"Env", "prod"}}
		o.now = func() time.Time { return now }
	})
	require.NoError(t, e.PutMetrics(t.Context(), []Metric{
		{Name: "a", Value: 1},
		{Name: "a", Value: 2, Dimensions: []Dimension{{"ResourceId", "x"}}},
		{Name: "b", Value: 3},
	}))
	assert.Equal(t,
		`{"_aws":{"Timestamp":1700000000123,"CloudWatchMetrics":[{"Namespace":"Team/Net","Dimensions":[["Env"]],"Metrics":[{"Name":"a"},{"Name":"b"}]}]},"Env":"prod","a":1,"b":3}`+"\n"+
			`{"_aws":{"Timestamp":1700000000123,"CloudWatchMetrics":[{"Namespace":"Team/Net","Dimensions":[["ResourceId","Env"]],"Metrics":[{"Name":"a"}]}]},"ResourceId":"x","Env":"prod","a":2}`+"\n",
		b.String())
}

func TestEMFInvalid(t *testing.T) {
	t.Parallel()
	dims31 := make([]Dimension, 31)
	for i := range dims31 {
		dims31[i] = Dimension{fmt.Sprint("d", i), "v"}
	}
	tests := []struct {
		name string
		m    Metric
		want string
	}{
		{"empty name", Metric{}, `metric 1: invalid metric: name "" must be 1 to 255 bytes`},
		{"long name", Metric{Name: strings.Repeat("n", 256)}, "must be 1 to 255 bytes"},
		{"NaN", Metric{Name: "x", Value: nan()}, `"x" has value NaN`},
		{"31 dimensions", Metric{Name: "x", Dimensions: dims31}, `"x" has 31 dimensions, more than 30`},
		{"empty dimension value", Metric{Name: "x", Dimensions: []Dimension{{"ResourceId", ""}}}, `dimension "ResourceId" must have a value`},
		{"duplicate dimension", Metric{Name: "x", Dimensions: []Dimension{{"a", "1"}, {"a", "2"}}}, `dimension "a" appears twice`},
		{"metric named like a dimension", Metric{Name: "ResourceId", Dimensions: []Dimension{{"ResourceId", "1"}}}, "also a dimension name"},
		{"two units", Metric{Name: "ok", Unit: UnitPercent}, `has units "Count" and "Percent"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			m := tt.m
			m.Time = testTime
			err := NewEMF(&b).PutMetrics(t.Context(), []Metric{{Name: "ok", Unit: UnitCount, Time: testTime}, m})
			require.ErrorIs(t, err, ErrInvalidMetric)
			assert.ErrorContains(t, err, tt.want)
			assert.Empty(t, b.String(), "nothing is written when a metric is invalid")
		})
	}
	assert.ErrorContains(t, NewEMF(failWriter{}).PutMetrics(t.Context(), []Metric{{Name: "x"}}), "disk full")
}

func nan() float64 { var z float64; return z / z }
