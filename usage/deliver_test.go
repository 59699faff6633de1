package usage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a notifier and a metric sink that records what it gets and
// fails when err is set.
type recorder struct {
	err     error
	mu      sync.Mutex
	alerts  []string // the Kind of each alert
	metrics []notify.Metric
}

func (r *recorder) Notify(_ context.Context, a notify.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a.Kind)
	return r.err
}

func (r *recorder) PutMetrics(_ context.Context, ms []notify.Metric) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.metrics = append(r.metrics, ms...)
	return r.err
}

func TestReportDeliver(t *testing.T) {
	t.Parallel()
	full, half, low := pct("subnet-full", TypeSubnet, 900, nil), pct("subnet-half", TypeSubnet, 500, nil), pct("subnet-low", TypeSubnet, 100, nil)
	report := func(t *testing.T, rs []Resource, failed int) Report {
		var errs []*TargetError
		for i := range failed {
			errs = append(errs, &TargetError{Target: Target{AccountID: fmt.Sprintf("22222222222%d", i), Region: "us-east-1"}, Err: codedError{"AccessDenied"}})
		}
		rep, err := NewReport(rs, errs, ScanInfo{Started: t0, Finished: t0, Targets: 1 + failed}, Policy{})
		require.NoError(t, err)
		return rep
	}
	boom := errors.New("boom")

	// got is what a delivery did, as the table compares it.
	type got struct {
		Kind               string   // of Delivery.Alert
		Due                bool     // Delivery.Due
		Notified, Metrics  int      // Delivery's
		Errors             []string // Delivery.Failures
		AllNotifiersFailed bool
		Alerts             [][]string // the alert kinds each notifier received
		Sent               []int      // the metrics each sink received
		Dimensions         int        // of the first metric; 0 when none
	}
	tests := []struct {
		name      string
		rep       Report
		notifiers []error // one notifier per element, failing with it when non-nil
		sinks     []error
		opts      DeliverOptions
		want      got
	}{
		{
			name: "findings: the alert to every notifier, their metrics to every sink",
			rep:  report(t, []Resource{full, half, low}, 0), notifiers: []error{nil, nil}, sinks: []error{nil, nil},
			want: got{Kind: AlertKindUtilization, Due: true, Notified: 2, Metrics: 3,
				Alerts: [][]string{{AlertKindUtilization}, {AlertKindUtilization}}, Sent: []int{3, 3}, Dimensions: 1},
		},
		{
			name: "nothing to say: silence, and no metrics of findings",
			rep:  report(t, []Resource{half, low}, 0), notifiers: []error{nil}, sinks: []error{nil},
			want: got{Kind: AlertKindAllClear, Alerts: [][]string{nil}, Sent: []int{0}},
		},
		{
			name: "nothing to say, all-clear asked",
			rep:  report(t, []Resource{half, low}, 0), notifiers: []error{nil}, opts: DeliverOptions{AllClear: true},
			want: got{Kind: AlertKindAllClear, Due: true, Notified: 1, Alerts: [][]string{{AlertKindAllClear}}},
		},
		{
			name: "failed targets only: a warning, never an all-clear",
			rep:  report(t, nil, 2), notifiers: []error{nil}, opts: DeliverOptions{AllClear: true},
			want: got{Kind: AlertKindUtilization, Due: true, Notified: 1, Alerts: [][]string{{AlertKindUtilization}}},
		},
		{
			name: "every resource's metrics, with extra dimensions",
			rep:  report(t, []Resource{full, half, {ID: "unknown"}}, 0), sinks: []error{nil},
			opts: DeliverOptions{Metrics: MetricsAll, MetricOptions: notify.ResourceMetricsOptions{Dimensions: notify.AccountRegionDimensions}},
			want: got{Kind: AlertKindUtilization, Due: true, Metrics: 6, Sent: []int{6}, Dimensions: 3},
		},
		{
			name: "no metrics",
			rep:  report(t, []Resource{full}, 0), sinks: []error{nil}, opts: DeliverOptions{Metrics: MetricsNone},
			want: got{Kind: AlertKindUtilization, Due: true, Sent: []int{0}},
		},
		{
			name: "some fail: each named, the others deliver",
			rep:  report(t, []Resource{full}, 0), notifiers: []error{nil, boom, nil}, sinks: []error{boom, nil},
			want: got{Kind: AlertKindUtilization, Due: true, Notified: 2, Metrics: 3,
				Errors: []string{"notifier 2: boom", "sink 1: boom"},
				Alerts: [][]string{{AlertKindUtilization}, {AlertKindUtilization}, {AlertKindUtilization}}, Sent: []int{3, 3}, Dimensions: 1},
		},
		{
			name: "every notifier fails",
			rep:  report(t, []Resource{full}, 0), notifiers: []error{boom, boom},
			want: got{Kind: AlertKindUtilization, Due: true, Errors: []string{"notifier 1: boom", "notifier 2: boom"}, AllNotifiersFailed: true,
				Alerts: [][]string{{AlertKindUtilization}, {AlertKindUtilization}}},
		},
		{
			name: "no notifier: due, but nobody failed",
			rep:  report(t, []Resource{full}, 0),
			want: got{Kind: AlertKindUtilization, Due: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m notify.Multi
			var notifiers, sinks []*recorder
			for i, err := range tt.notifiers {
				r := &recorder{err: err}
				notifiers = append(notifiers, r)
				m.Notifiers = append(m.Notifiers, notify.Named(fmt.Sprintf("notifier %d", i+1), r))
			}
			for i, err := range tt.sinks {
				r := &recorder{err: err}
				sinks = append(sinks, r)
				m.Sinks = append(m.Sinks, notify.NamedSink(fmt.Sprintf("sink %d", i+1), r))
			}

			d := tt.rep.Deliver(t.Context(), m, func(o *DeliverOptions) { *o = tt.opts })

			g := got{Kind: d.Alert.Kind, Due: d.Due, Notified: d.Notified, Metrics: d.Metrics, AllNotifiersFailed: d.AllNotifiersFailed()}
			for _, e := range d.Failures() {
				g.Errors = append(g.Errors, e.Error())
				assert.ErrorIs(t, e, boom)
			}
			for _, r := range notifiers {
				g.Alerts = append(g.Alerts, r.alerts)
			}
			for _, r := range sinks {
				g.Sent = append(g.Sent, len(r.metrics))
				if len(r.metrics) > 0 {
					g.Dimensions = len(r.metrics[0].Dimensions)
					assert.Equal(t, t0, r.metrics[0].Time, "metrics are timed at the scan's end")
				}
			}
			assert.Equal(t, tt.want, g, "Deliver(%+v)", tt.opts)
		})
	}
}

func TestReportDeliverSource(t *testing.T) {
	t.Parallel()
	rep, err := NewReport([]Resource{pct("a", TypeVPC, 900, nil)}, nil, ScanInfo{Targets: 1}, Policy{})
	require.NoError(t, err)
	var got notify.Alert
	m := notify.Multi{Notifiers: []notify.Notifier{notify.NotifierFunc(func(_ context.Context, a notify.Alert) error { got = a; return nil })}}

	d := rep.Deliver(t.Context(), m, func(o *DeliverOptions) { o.Source = "platform-tool" })

	want, ok := rep.Alert("platform-tool")
	require.True(t, ok)
	assert.Equal(t, want, d.Alert)
	assert.Equal(t, want, got, "the alert sent is Delivery.Alert")
}

// TestReportDeliverNoCredentials has the HTTP notifiers fail in every way
// a webhook can, with the receiver echoing the request's URL, and checks
// that no error of the Delivery holds any part of a URL or the secret:
// notify's promise, on which programs print Delivery errors as they are.
func TestReportDeliverNoCredentials(t *testing.T) {
	t.Parallel()
	const (
		path   = "/services/T0SECRET/B0SECRET/XSECRETX"
		query  = "token=QUERYSECRET"
		secret = notify.Secret("hmac-SECRET-key")
	)
	echo := func(status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
			fmt.Fprintf(w, "no such hook: %s (%s) %s", r.URL.String(), r.URL.Path, r.URL.RawQuery)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // connection refused: a *url.Error, which prints the URL
	urls := []struct{ name, url string }{
		{"500", echo(http.StatusInternalServerError).URL + path + "?" + query},
		{"404", echo(http.StatusNotFound).URL + path + "?" + query},
		{"refused", closed.URL + path + "?" + query},
		{"bad", "https://hooks.example.com" + path + "?" + query + "%zz\x7f"},
	}
	httpOpts := notify.HTTPOptions{MaxAttempts: 1}
	var m notify.Multi
	for _, h := range urls {
		name, u := h.name, notify.WebhookURL(h.url)
		m.Notifiers = append(m.Notifiers,
			notify.Named("slack "+name, notify.NewSlack(u, func(o *notify.SlackOptions) { o.HTTPOptions = httpOpts })),
			notify.Named("teams "+name, notify.NewTeams(u, func(o *notify.TeamsOptions) { o.HTTPOptions = httpOpts })),
			notify.Named("webhook "+name, notify.NewWebhook(u, func(o *notify.WebhookOptions) { o.HTTPOptions, o.Secret = httpOpts, secret })),
		)
	}
	rep, err := NewReport([]Resource{pct("a", TypeVPC, 900, nil)}, nil, ScanInfo{Targets: 1}, Policy{})
	require.NoError(t, err)

	d := rep.Deliver(t.Context(), m)

	require.Len(t, d.NotifyErrors, len(m.Notifiers), "every notifier failed")
	assert.True(t, d.AllNotifiersFailed())
	for _, e := range d.Failures() {
		for _, text := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e.Err), fmt.Sprintf("%#v", e.Err)} {
			for _, part := range []string{"SECRET", "T0SECRET", "token=", "/services/"} {
				assert.NotContains(t, text, part, "error of %s", e.Name)
			}
			assert.False(t, strings.Contains(text, string(secret)), "error of %s holds the secret", e.Name)
		}
	}
}
