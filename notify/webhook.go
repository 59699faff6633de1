package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// SignatureHeader is the header in which a [Webhook] sends the signature of
// its body when it has a secret.
const SignatureHeader = "X-Ipamkit-Signature-256"

// WebhookOptions configures a [Webhook]. The zero value posts unsigned,
// with the HTTP defaults of [HTTPOptions].
type WebhookOptions struct {
	HTTPOptions
	// Secret, when set, signs every body: see [Webhook].
	Secret Secret
}

// Webhook is a [Notifier] that POSTs each alert as JSON (the [Alert]
// shape, Content-Type application/json) to any HTTP endpoint. A Webhook is
// safe for concurrent use.
//
// With a Secret, each request carries the header
//
//	X-Ipamkit-Signature-256: sha256=<HMAC-SHA256 of the raw body keyed with the secret, in lower-case hex>
//
// (the scheme GitHub uses for its webhooks). A receiver recomputes the
// HMAC over the bytes it received, before parsing them, and compares in
// constant time, as [VerifySignature] does.
type Webhook struct {
	url  WebhookURL
	opts WebhookOptions
}

// NewWebhook returns a Webhook notifier posting to url.
func NewWebhook(url WebhookURL, optFns ...func(*WebhookOptions)) *Webhook {
	var o WebhookOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.setDefaults()
	return &Webhook{url: url, opts: o}
}

// String names the notifier, with its URL redacted.
func (w *Webhook) String() string { return "webhook " + w.url.String() }

// Notify posts a. Errors never contain the URL or the secret; a refused
// request is an [*HTTPError].
func (w *Webhook) Notify(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("webhook: encode alert: %w", err)
	}
	var h http.Header
	if w.opts.Secret != "" {
		h = http.Header{SignatureHeader: {Sign(w.opts.Secret, body)}}
	}
	if err := w.opts.post(ctx, w.url, body, h); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

// Sign returns the value of [SignatureHeader] for body: "sha256=" and the
// lower-case hex HMAC-SHA256 of body keyed with secret.
func Sign(secret Secret, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header, the value of [SignatureHeader],
// is the signature of body with secret. It compares in constant time.
func VerifySignature(secret Secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	mac, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	want := hmac.New(sha256.New, []byte(secret))
	want.Write(body)
	return hmac.Equal(mac, want.Sum(nil))
}
