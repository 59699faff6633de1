package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The secret parts of every test URL: no error or log may contain them.
const (
	secretPath  = "/services/T0SECRET/B0SECRET/XsecretTOKENx"
	secretQuery = "sig=QUERYsecret"
)

// recorder is an httptest server that answers with scripted statuses and
// records what it received.
type recorder struct {
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	script   []func(w http.ResponseWriter, r *http.Request) // one per request; the last repeats
	srv      *httptest.Server
	requests int
}

func newRecorder(t *testing.T, script ...func(w http.ResponseWriter, r *http.Request)) *recorder {
	t.Helper()
	rec := &recorder{script: script}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		i := min(rec.requests, len(rec.script)-1)
		rec.requests++
		rec.bodies = append(rec.bodies, body)
		rec.headers = append(rec.headers, r.Header.Clone())
		rec.mu.Unlock()
		if len(rec.script) == 0 {
			w.WriteHeader(http.StatusOK)
			return
		}
		rec.script[i](w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) url() WebhookURL {
	return WebhookURL(rec.srv.URL + secretPath + "?" + secretQuery)
}

func status(code int, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprintln(w, http.StatusText(code))
	}
}

// sleeps records the delays asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

func noSleep(o *HTTPOptions) {
	o.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
}

// manyResources returns n resources with falling utilization.
func manyResources(n int) []Resource {
	rs := make([]Resource, n)
	for i := range rs {
		rs[i] = testResource(fmt.Sprintf("subnet-%04d", i), fmt.Sprintf("team-%d-private-%c", i, 'a'+i%3),
			fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), uint64(255-i%200))
	}
	return rs
}

func alertCases() map[string]Alert {
	many := testAlert()
	many.Title = "60 resources above 80% utilization"
	many.Resources = manyResources(60)
	return map[string]Alert{
		"full":    testAlert(),
		"many":    many,
		"minimal": {Title: "All clear", Kind: "all-clear"},
	}
}

func indentJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, b, "", "  "), "body %s", b)
	out.WriteByte('\n')
	return out.Bytes()
}

func TestHTTPPayloads(t *testing.T) {
	t.Parallel()
	notifiers := map[string]func(WebhookURL) Notifier{
		"slack":   func(u WebhookURL) Notifier { return NewSlack(u) },
		"teams":   func(u WebhookURL) Notifier { return NewTeams(u) },
		"webhook": func(u WebhookURL) Notifier { return NewWebhook(u) },
	}
	for kind, newNotifier := range notifiers {
		for name, a := range alertCases() {
			t.Run(kind+"-"+name, func(t *testing.T) {
				t.Parallel()
				rec := newRecorder(t, status(http.StatusOK))
				require.NoError(t, newNotifier(rec.url()).Notify(t.Context(), a))
				require.Len(t, rec.bodies, 1)
				assert.Equal(t, "application/json", rec.headers[0].Get("Content-Type"))
				assert.Empty(t, rec.headers[0].Get(SignatureHeader), "unsigned without a secret")
				golden(t, kind+"-"+name+".json", indentJSON(t, rec.bodies[0]))
			})
		}
	}
}

// checkSlackLimits checks a Slack body against the documented limits.
func checkSlackLimits(t *testing.T, body []byte, maxChars int) slackMessage {
	t.Helper()
	var m slackMessage
	require.NoError(t, json.Unmarshal(body, &m))
	assert.LessOrEqual(t, len(m.Blocks), slackMaxBlocks, "blocks")
	for _, b := range m.Blocks {
		if b.Text != nil {
			assert.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), slackMaxSectionText, "text of a %s block", b.Type)
		}
		if b.Type == "header" {
			assert.LessOrEqual(t, utf8.RuneCountInString(b.Text.Text), slackMaxHeaderText, "header")
		}
	}
	assert.LessOrEqual(t, slackChars(m), maxChars, "characters of text")
	return m
}

func TestSlackLimits(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("é", n) }
	huge := testAlert()
	huge.Title = long(500)
	huge.Summary = long(5000)
	huge.Resources = manyResources(500)
	for i := range huge.Resources {
		huge.Resources[i].Note = long(400)
	}
	tests := []struct {
		name     string
		alert    Alert
		opts     func(*SlackOptions)
		wantMore string
	}{
		{"500 long resources", huge, func(*SlackOptions) {}, "+"},
		{"100 resources, 45 asked", Alert{Title: "t", Resources: manyResources(100)}, func(o *SlackOptions) { o.MaxResources = 1000 }, "+55 more resources not shown"},
		{"3 resources, 2 asked", testAlert(), func(o *SlackOptions) { o.MaxResources = 2 }, "+1 more resource not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, err := NewSlack("https://hooks.slack.com/x", tt.opts).payload(tt.alert)
			require.NoError(t, err)
			m := checkSlackLimits(t, body, slackDefaultChars)
			last := m.Blocks[len(m.Blocks)-1]
			require.Equal(t, "context", last.Type)
			assert.Contains(t, last.Elements[0].Text, tt.wantMore)
			assert.Equal(t, "header", m.Blocks[0].Type)
		})
	}
}

func TestTeamsLimits(t *testing.T) {
	t.Parallel()
	a := testAlert()
	a.Resources = manyResources(300)
	for i := range a.Resources {
		a.Resources[i].Note = strings.Repeat("n", 150)
	}
	for _, maxBytes := range []int{0, 8000} {
		tm := NewTeams("https://example.com/x", func(o *TeamsOptions) { o.MaxBytes = maxBytes; o.MaxResources = 300 })
		body, err := tm.payload(a)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(body), tm.opts.MaxBytes, "MaxBytes %d", maxBytes)
		assert.Contains(t, string(body), "more resources not shown")
		assert.True(t, json.Valid(body))
	}
}

func TestHTTPRetry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		script     []func(http.ResponseWriter, *http.Request)
		wantErr    string // empty for success
		wantCalls  int
		wantSleeps []time.Duration
	}{
		{"success", []func(http.ResponseWriter, *http.Request){status(200)}, "", 1, nil},
		{"429 with Retry-After seconds, then 503, then success",
			[]func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "7"), status(503), status(202)}, "", 3,
			[]time.Duration{7 * time.Second, 2 * time.Second}},
		{"503 with Retry-After date",
			[]func(http.ResponseWriter, *http.Request){status(503, "Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), status(200)}, "", 2,
			[]time.Duration{30 * time.Second}},
		{"Retry-After capped at MaxDelay",
			[]func(http.ResponseWriter, *http.Request){status(429, "Retry-After", "3600"), status(200)}, "", 2,
			[]time.Duration{30 * time.Second}},
		{"bounded",
			[]func(http.ResponseWriter, *http.Request){status(503)}, "after 4 attempts: http status 503 Service Unavailable: Service Unavailable", 4,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"400 is not retried",
			[]func(http.ResponseWriter, *http.Request){status(400)}, "http status 400 Bad Request: Bad Request", 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, tt.script...)
			var s sleeps
			n := NewWebhook(rec.url(), func(o *WebhookOptions) {
				o.sleep = s.sleep
				o.now = func() time.Time { return now }
			})
			err := n.Notify(t.Context(), testAlert())
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, "webhook: "+tt.wantErr)
				var he *HTTPError
				require.ErrorAs(t, err, &he)
			}
			assert.Equal(t, tt.wantCalls, rec.requests, "requests")
			assert.Equal(t, tt.wantSleeps, s.ds, "delays")
			for _, b := range rec.bodies[1:] {
				assert.Equal(t, rec.bodies[0], b, "every attempt sends the same body")
			}
		})
	}
}

func TestHTTPSignature(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-key"
	rec := newRecorder(t, status(http.StatusNoContent))
	require.NoError(t, NewWebhook(rec.url(), func(o *WebhookOptions) { o.Secret = secret }).Notify(t.Context(), testAlert()))
	require.Len(t, rec.bodies, 1)

	// Recompute the signature independently of Sign.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(rec.bodies[0])
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	assert.Equal(t, want, rec.headers[0].Get(SignatureHeader))

	assert.True(t, VerifySignature(secret, rec.bodies[0], want))
	assert.False(t, VerifySignature("other", rec.bodies[0], want), "wrong secret")
	assert.False(t, VerifySignature(secret, append(rec.bodies[0], ' '), want), "changed body")
	assert.False(t, VerifySignature(secret, rec.bodies[0], strings.TrimPrefix(want, "sha256=")), "no prefix")
	assert.False(t, VerifySignature(secret, rec.bodies[0], "sha256=zz"), "not hex")
	assert.Equal(t, "[redacted]", fmt.Sprint(Secret(secret)))
	assert.Equal(t, "[redacted]", fmt.Sprintf("%#v", Secret(secret)))
}

func TestHTTPErrorsNeverContainTheURL(t *testing.T) {
	t.Parallel()
	closed := newRecorder(t)
	closed.srv.Close()
	notifiers := map[string]func(WebhookURL) Notifier{
		"slack":   func(u WebhookURL) Notifier { return NewSlack(u, func(o *SlackOptions) { noSleep(&o.HTTPOptions) }) },
		"teams":   func(u WebhookURL) Notifier { return NewTeams(u, func(o *TeamsOptions) { noSleep(&o.HTTPOptions) }) },
		"webhook": func(u WebhookURL) Notifier { return NewWebhook(u, func(o *WebhookOptions) { noSleep(&o.HTTPOptions) }) },
	}
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "no hook at %s (%s)\n%s", r.URL.Path, r.URL.RequestURI(), r.URL.RawQuery)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		url  func(t *testing.T) WebhookURL
		ctx  context.Context
		want string
	}{
		{"404 echoing the path", func(t *testing.T) WebhookURL { return newRecorder(t, echo).url() }, t.Context(), "http status 404 Not Found: no hook at [redacted]"},
		{"500 echoing the path", func(t *testing.T) WebhookURL {
			return newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500); fmt.Fprint(w, r.URL.String()) }).url()
		}, t.Context(), "after 4 attempts: http status 500"},
		{"connection refused", func(*testing.T) WebhookURL { return closed.url() }, t.Context(), "after 4 attempts: "},
		{"cancelled", func(t *testing.T) WebhookURL { return newRecorder(t).url() }, cancelled, "context canceled"},
		{"control character", func(*testing.T) WebhookURL {
			return WebhookURL("https://hooks.example.com" + secretPath + "\x7f?" + secretQuery)
		}, t.Context(), "bad webhook URL"},
		{"unsupported scheme", func(*testing.T) WebhookURL {
			return WebhookURL("gopher://hooks.example.com" + secretPath + "?" + secretQuery)
		}, t.Context(), "unsupported protocol scheme"},
	}
	for _, tt := range tests {
		for kind, newNotifier := range notifiers {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				u := tt.url(t)
				err := newNotifier(u).Notify(tt.ctx, testAlert())
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				for _, secret := range []string{"T0SECRET", "XsecretTOKENx", "QUERYsecret"} {
					assert.NotContains(t, err.Error(), secret, "error %q", err)
					for e := err; e != nil; {
						u, ok := e.(interface{ Unwrap() error })
						if !ok {
							break
						}
						if e = u.Unwrap(); e != nil {
							assert.NotContains(t, e.Error(), secret, "wrapped error %q", e)
						}
					}
				}
			})
		}
	}
}

// TestHTTPErrorsNeverContainEncodedCredentials: a receiver that echoes the
// request (its Authorization header, the user information decoded or
// escaped) gets it scrubbed from the error too, not only the URL as given.
func TestHTTPErrorsNeverContainEncodedCredentials(t *testing.T) {
	t.Parallel()
	const user, pass = "alice.hook", "p@ss w0rd/SECRET"
	tests := []struct {
		name string
		echo func(r *http.Request) string
	}{
		{"authorization header", func(r *http.Request) string { return "denied: " + r.Header.Get("Authorization") }},
		{"basic auth decoded", func(r *http.Request) string { u, p, _ := r.BasicAuth(); return "denied " + u + " with " + p }},
		{"base64 without padding", func(r *http.Request) string {
			return strings.TrimRight(strings.TrimPrefix(r.Header.Get("Authorization"), "Basic "), "=")
		}},
		{"user information escaped", func(r *http.Request) string {
			return "denied " + url.UserPassword(user, pass).String() + " " + url.QueryEscape(pass)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, tt.echo(r))
			})
			base, err := url.Parse(rec.srv.URL)
			require.NoError(t, err)
			base.User, base.Path = url.UserPassword(user, pass), "/hook"
			err = NewWebhook(WebhookURL(base.String())).Notify(t.Context(), testAlert())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "http status 401")
			basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
			for _, secret := range []string{basic, strings.TrimRight(basic, "="), pass, url.QueryEscape(pass), url.PathEscape(pass), "SECRET"} {
				assert.NotContains(t, err.Error(), secret, "error %q", err)
			}
		})
	}
}

func TestWebhookURLRedaction(t *testing.T) {
	t.Parallel()
	u := WebhookURL("https://user:pw@hooks.slack.com" + secretPath + "?" + secretQuery)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("posting", "url", u)
	for _, s := range []string{u.String(), fmt.Sprint(u), fmt.Sprintf("%v %s %q %#v", u, u, u, u), logs.String(), NewSlack(u).String(), NewTeams(u).String(), NewWebhook(u).String()} {
		for _, secret := range []string{"T0SECRET", "QUERYsecret", "pw"} {
			assert.NotContains(t, s, secret)
		}
	}
	assert.Equal(t, "https://hooks.slack.com/[redacted]", u.String())
	assert.Equal(t, "https://example.com", WebhookURL("https://example.com/").String())
	assert.Equal(t, "[redacted]", WebhookURL("not a url").String())
}

func TestHTTPLogsRetriesRedacted(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t, status(503), status(200))
	var logs bytes.Buffer
	n := NewSlack(rec.url(), func(o *SlackOptions) {
		noSleep(&o.HTTPOptions)
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	require.NoError(t, n.Notify(t.Context(), testAlert()))
	assert.Contains(t, logs.String(), "retrying webhook")
	assert.NotContains(t, logs.String(), "XsecretTOKENx")
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello world", 6, "hello…"},
		{"héllo wörld", 8, "héllo w…"},
		{"ab  cd", 4, "ab…"},
	}
	for _, tt := range tests {
		got := truncate(tt.s, tt.n)
		assert.Equal(t, tt.want, got, "truncate(%q, %d)", tt.s, tt.n)
		assert.True(t, utf8.ValidString(got))
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{1, time.Second},
		{2, 2 * time.Second},
		{4, 8 * time.Second},
		{100, math.MaxInt64},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, backoff(time.Second, tt.attempt), "backoff(1s, %d)", tt.attempt)
	}
}
