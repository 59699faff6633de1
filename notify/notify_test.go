package notify

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/ipam"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// golden compares got with testdata/name, or rewrites the file under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got), "golden file %s", path)
}

var testTime = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)

// testResource returns a resource of the prefix with used addresses in use.
func testResource(id, name, cidr string, used uint64) Resource {
	p := ipam.MustParseCIDR(cidr)
	total := ipam.Size(p)
	u := ipam.NewCount(used)
	return Resource{
		ID: id, Name: name, Type: "vpc", CIDR: p, AccountID: "012345678901", Region: "eu-west-1",
		Total: total, Used: u, Available: total.Sub(u), Percent: u.Percent(total),
	}
}

func testAlert() Alert {
	return Alert{
		Kind:     "utilization",
		Severity: Critical,
		Title:    "3 resources above 80% utilization",
		Summary:  "Address space is running out in eu-west-1. Plan new CIDRs before the next deployment.",
		Resources: []Resource{
			testResource("vpc-0aaa", "shared", "10.0.0.0/16", 53248),
			testResource("vpc-0bbb", "", "10.1.0.0/24", 250),
			testResource("subnet-0ccc", "app-a", "10.2.0.0/22", 900),
		},
		Source: "ipamkit/usage",
		Time:   testTime,
	}
}

func TestSeverityText(t *testing.T) {
	t.Parallel()
	for _, s := range []Severity{Info, Warning, Critical} {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var got Severity
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, s, got, "round trip of %q", b)
	}
	_, err := Severity(9).MarshalText()
	require.Error(t, err)
	assert.Equal(t, "severity(9)", Severity(9).String())
	var s Severity
	assert.ErrorContains(t, s.UnmarshalText([]byte("urgent")), `"urgent"`)
}

func TestAlertJSON(t *testing.T) {
	t.Parallel()
	a := testAlert()
	a.Resources = a.Resources[:1]
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"formatVersion":1,"kind":"utilization","severity":"critical","title":"3 resources above 80% utilization",
		"summary":"Address space is running out in eu-west-1. Plan new CIDRs before the next deployment.",
		"resources":[{"resourceId":"vpc-0aaa","name":"shared","resourceType":"vpc","cidr":"10.0.0.0/16","accountId":"012345678901",
		"region":"eu-west-1","total":"65536","used":"53248","available":"12288","percent":81.25}],
		"source":"ipamkit/usage","time":"2026-11-23T20:00:00Z"}`, string(b))

	var back Alert
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)
}

func TestAlertJSONVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Alert
		err      string
	}{
		{"current", `{"formatVersion":1,"severity":"warning","title":"t"}`, Alert{Severity: Warning, Title: "t"}, ""},
		{"missing means current", `{"severity":"critical","title":"t"}`, Alert{Severity: Critical, Title: "t"}, ""},
		{"newer refused", `{"formatVersion":2,"severity":"warning","title":"t"}`, Alert{}, "formatVersion 2 is newer"},
		{"not an object", `[]`, Alert{}, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got Alert
			err := json.Unmarshal([]byte(tt.in), &got)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err, "Unmarshal(%s)", tt.in)
				return
			}
			require.NoError(t, err, "Unmarshal(%s)", tt.in)
			assert.Equal(t, tt.want, got, "Unmarshal(%s)", tt.in)
		})
	}
}

func TestWorst(t *testing.T) {
	t.Parallel()
	a := Alert{Resources: []Resource{{ID: "b", Percent: 50}, {ID: "c", Percent: 90}, {ID: "a", Percent: 50}}}
	assert.Equal(t, []Resource{{ID: "c", Percent: 90}, {ID: "a", Percent: 50}, {ID: "b", Percent: 50}}, a.Worst())
	assert.Equal(t, "b", a.Resources[0].ID, "Worst must not reorder the alert")
}

func TestResourceMetrics(t *testing.T) {
	t.Parallel()
	v6 := ipam.MustParseCIDR("2001:db8::/56")
	rs := []Resource{
		{ID: "vpc-1", AccountID: "012345678901", Region: "us-east-1", Total: ipam.NewCount(256), Available: ipam.NewCount(56), Percent: 78.125},
		{ID: "vpc-2", Total: ipam.Size(v6), Available: ipam.Size(v6)},
	}
	got := ResourceMetrics(rs, testTime, func(o *ResourceMetricsOptions) { o.Dimensions = AccountRegionDimensions })
	d1 := []Dimension{{"ResourceId", "vpc-1"}, {"AccountId", "012345678901"}, {"Region", "us-east-1"}}
	d2 := []Dimension{{"ResourceId", "vpc-2"}}
	assert.Equal(t, []Metric{
		{Name: "PercentAssigned", Value: 78.125, Unit: UnitPercent, Dimensions: d1, Time: testTime},
		{Name: "IpAddressTotal", Value: 256, Unit: UnitCount, Dimensions: d1, Time: testTime},
		{Name: "IpAddressAvailable", Value: 56, Unit: UnitCount, Dimensions: d1, Time: testTime},
		{Name: "PercentAssigned", Value: 0, Unit: UnitPercent, Dimensions: d2, Time: testTime},
		{Name: "IpAddressTotal", Value: 0x1p72, Unit: UnitCount, Dimensions: d2, Time: testTime},
		{Name: "IpAddressAvailable", Value: 0x1p72, Unit: UnitCount, Dimensions: d2, Time: testTime},
	}, got)
	assert.Equal(t, 0x1p128, countValue(ipam.MaxCount))
}

func TestMulti(t *testing.T) {
	t.Parallel()
	errDown := errors.New("service down")
	var delivered atomic.Int32
	ok := NotifierFunc(func(context.Context, Alert) error { delivered.Add(1); return nil })
	failing := NotifierFunc(func(context.Context, Alert) error { return errDown })

	m := Multi{Notifiers: []Notifier{ok, Named("pager", failing), ok, failing}}
	err := m.Notify(t.Context(), testAlert())
	require.ErrorIs(t, err, errDown)
	assert.Equal(t, int32(2), delivered.Load(), "the notifiers after a failure still run")
	assert.Equal(t, "pager: service down\n#4 (notify.NotifierFunc): service down", err.Error())
	var se *SinkError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "pager", se.Name)

	var got [][]Metric
	sinks := Multi{Sinks: []MetricSink{
		MetricSinkFunc(func(_ context.Context, ms []Metric) error { got = append(got, ms); return nil }),
	}}
	ms := []Metric{{Name: "x", Value: 1}}
	require.NoError(t, sinks.PutMetrics(t.Context(), ms))
	assert.Equal(t, [][]Metric{ms}, got)
	require.ErrorIs(t, Multi{Sinks: []MetricSink{NamedSink("cw", MetricSinkFunc(func(context.Context, []Metric) error { return errDown }))}}.
		PutMetrics(t.Context(), ms), errDown)

	assert.NoError(t, Multi{}.Notify(t.Context(), Alert{}), "the zero Multi delivers nothing")
}
