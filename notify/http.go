package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/internal/ctxsleep"
)

// WebhookURL is the URL of an incoming webhook (Slack, Microsoft Teams, any
// HTTP endpoint). Its path and query are a credential: whoever has them can
// post. String, GoString and LogValue therefore keep only the scheme and
// host ("https://hooks.slack.com/[redacted]"), and no error of this package
// contains the URL. Convert it with string(u) only to send a request.
type WebhookURL string

// String returns the URL with its path, query, fragment and user
// information replaced by "[redacted]".
func (u WebhookURL) String() string { return redactURL(string(u)) }

// GoString is String, so that %#v redacts too.
func (u WebhookURL) GoString() string { return u.String() }

// LogValue implements slog.LogValuer with the redacted String.
func (u WebhookURL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// Secret is a shared secret, such as the HMAC key of a [Webhook]. String,
// GoString and LogValue print "[redacted]".
type Secret string

// String returns "[redacted]".
func (Secret) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (Secret) GoString() string { return "[redacted]" }

// LogValue implements slog.LogValuer and returns "[redacted]".
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

const redacted = "[redacted]"

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return redacted
	}
	s := u.Scheme + "://" + u.Host
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		s += "/" + redacted
	}
	return s
}

// secretParts returns the pieces of raw that must never appear in an error,
// longest first: the URL itself, its path (raw and decoded) and its query,
// and its user information in every form a receiver may echo: as written,
// decoded, escaped, and as the Basic Authorization header that the HTTP
// client sends for it (base64, with and without padding).
func secretParts(raw string) []string {
	parts := []string{raw}
	if q := strconv.Quote(raw); q[1:len(q)-1] != raw {
		parts = append(parts, q[1:len(q)-1]) // as %q prints it
	}
	if u, err := url.Parse(raw); err == nil {
		parts = append(parts, u.EscapedPath(), u.Path, u.RawQuery, u.Fragment)
		if q, err := url.QueryUnescape(u.RawQuery); err == nil {
			parts = append(parts, q)
		}
		if u.User != nil {
			// The password is the secret; a user name alone is a token.
			name := u.User.Username()
			pass, hasPass := u.User.Password()
			secret := pass
			if !hasPass {
				secret = name
			}
			basic := []byte(name + ":" + pass) // as net/http sends it
			parts = append(parts, u.User.String(), secret, url.QueryEscape(secret), url.PathEscape(secret),
				base64.StdEncoding.EncodeToString(basic), base64.RawStdEncoding.EncodeToString(basic),
				base64.URLEncoding.EncodeToString(basic), base64.RawURLEncoding.EncodeToString(basic))
		}
	}
	parts = slices.DeleteFunc(parts, func(p string) bool { return len(p) <= 1 })
	slices.SortStableFunc(parts, func(a, b string) int { return len(b) - len(a) })
	return parts
}

// scrub replaces every secret part of raw in s.
func scrub(s, raw string) string {
	for _, p := range secretParts(raw) {
		s = strings.ReplaceAll(s, p, redacted)
	}
	return s
}

// scrubbedError is an error whose text had the webhook URL removed. It
// unwraps to the cause, never to an error that prints the URL.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubError returns err with every trace of raw removed. A *url.Error,
// which prints the URL, is replaced by its operation and cause.
func scrubError(err error, raw string) error {
	cause, msg := err, err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
		msg = strings.Replace(msg, ue.Error(), ue.Op+" "+redactURL(ue.URL)+": "+ue.Err.Error(), 1)
	}
	return &scrubbedError{msg: scrub(msg, raw), err: cause}
}

// HTTPError reports a response that was not a success. Body is the start
// of the response body, on one line, with the webhook URL removed.
type HTTPError struct {
	StatusCode int    // the HTTP status of the last attempt
	Body       string // at most 256 bytes of its body, redacted
}

// Error returns the status and the body.
func (e *HTTPError) Error() string {
	s := "http status " + strconv.Itoa(e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		s += " " + t
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// HTTPOptions configures the delivery of the HTTP notifiers [Slack],
// [Teams] and [Webhook]. The zero value is ready to use: a client with a
// 10-second timeout, 4 attempts, a delay of 1s doubling up to 30s.
//
// A request is retried on HTTP 429 and 5xx and on transport errors (a
// receiver may then see an alert twice), never on other statuses. The delay
// before a retry is the response's Retry-After (seconds or an HTTP date),
// else BaseDelay doubled for each retry; either is capped at MaxDelay.
type HTTPOptions struct {
	// Client sends the requests; nil means a client with a 10-second
	// timeout. A caller's client keeps its own timeout and transport.
	Client *http.Client
	// MaxAttempts bounds the requests per alert, first one included; zero
	// means 4.
	MaxAttempts int
	// BaseDelay is the delay before the first retry; zero means 1s.
	BaseDelay time.Duration
	// MaxDelay caps every delay, Retry-After included; zero means 30s.
	MaxDelay time.Duration
	// Logger receives a Debug record per retry, with the URL redacted; nil
	// discards records.
	Logger *slog.Logger

	// sleep waits d or until ctx is done, returning ctx.Err() then; nil
	// means a timer. This package's tests replace it so that they never
	// sleep.
	sleep func(ctx context.Context, d time.Duration) error

	// now reads the clock for Retry-After dates; nil means time.Now.
	// This package's tests pin it.
	now func() time.Time
}

func (o *HTTPOptions) setDefaults() {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 30 * time.Second
	}
	if o.sleep == nil {
		o.sleep = ctxsleep.Sleep
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

const maxErrorBody = 256

// post sends body to u as JSON with the extra headers, retrying as
// HTTPOptions says. Its errors never contain u.
func (o *HTTPOptions) post(ctx context.Context, u WebhookURL, body []byte, header http.Header) error {
	var last error
	for attempt := 1; ; attempt++ {
		delay, err := o.try(ctx, u, body, header)
		if err == nil {
			return nil
		}
		last = err
		if delay < 0 {
			return err
		}
		if attempt >= o.MaxAttempts {
			return fmt.Errorf("after %d attempts: %w", attempt, last)
		}
		if delay == 0 {
			delay = backoff(o.BaseDelay, attempt)
		}
		delay = min(delay, o.MaxDelay)
		o.Logger.LogAttrs(ctx, slog.LevelDebug, "retrying webhook",
			slog.Any("url", u), slog.Int("attempt", attempt), slog.Duration("delay", delay), slog.String("error", err.Error()))
		if err := o.sleep(ctx, delay); err != nil {
			return fmt.Errorf("waiting to retry (%w): %w", err, last)
		}
	}
}

// try makes one request. On failure it returns the delay the server asked
// for (0 for none) when a retry makes sense, or -1 when it does not.
func (o *HTTPOptions) try(ctx context.Context, u WebhookURL, body []byte, header http.Header) (time.Duration, error) {
	raw := string(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return -1, scrubError(fmt.Errorf("bad webhook URL: %w", err), raw)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ipamkit-notify")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return -1, scrubError(err, raw)
		}
		return 0, scrubError(err, raw)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return 0, nil
	}
	herr := &HTTPError{StatusCode: resp.StatusCode, Body: scrub(oneLine(strings.ToValidUTF8(string(snippet), "")), raw)}
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return -1, herr
	}
	return retryAfter(resp.Header.Get("Retry-After"), o.now()), herr
}

// backoff returns base doubled for each retry after the first, saturating
// instead of overflowing.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt; i++ {
		if d > math.MaxInt64/2 {
			return math.MaxInt64
		}
		d *= 2
	}
	return d
}

// retryAfter parses a Retry-After value, in seconds or as an HTTP date; it
// returns 0 when there is none or it cannot be read.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// oneLine replaces line breaks and other control characters in s by spaces
// and collapses runs of white space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029'
	}), " ")
}
