package main

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/logging"
)

// debugLogMode is what --debug logs of every AWS call: each request and
// response as it goes over the wire (headers, never bodies, which may hold
// the keys an AssumeRole answers with) and each retry with its reason.
const debugLogMode = aws.LogRequest | aws.LogResponse | aws.LogRetries | aws.LogDeprecatedUsage

// debugLogger is the SDK's logger under --debug: each record on its own
// lines, prefixed "ipamctl debug:", with every credential redacted (see
// redactWire). It is safe for concurrent use: targets are scanned at once.
type debugLogger struct {
	mu sync.Mutex
	w  io.Writer
}

// newDebugLogger returns a debugLogger writing to w.
func newDebugLogger(w io.Writer) *debugLogger { return &debugLogger{w: w} }

// Logf formats a record, redacts it and writes it.
func (l *debugLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := redactWire(fmt.Sprintf(format, v...))
	msg = strings.ReplaceAll(strings.TrimRight(msg, "\r\n"), "\r\n", "\n")
	var b strings.Builder
	for line := range strings.Lines(msg) {
		fmt.Fprintf(&b, "ipamctl debug: %s %s", strings.ToLower(string(c)), line)
	}
	b.WriteByte('\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, b.String())
}

// sensitiveHeaders are the headers whose values are credentials: the
// signature with the access key ID, the session token of assumed roles,
// cookies, and the pre-signed URL that some requests carry.
var sensitiveHeaders = []string{
	"authorization", "x-amz-security-token", "x-amz-content-sha256-signature",
	"cookie", "set-cookie", "proxy-authorization", "x-amz-presigned-url",
}

// sensitiveQuery are the query parameters of a pre-signed URL (SigV4 and
// SigV2) that are credentials or lead to them.
var sensitiveQuery = []string{
	"x-amz-signature", "x-amz-credential", "x-amz-security-token",
	"signature", "awsaccesskeyid", "x-amz-signedheaders", "securitytoken",
}

// redactWire returns a dump of HTTP requests and responses with the value
// of every sensitive header and query parameter replaced by [redacted]:
// "Authorization: [redacted]", "?X-Amz-Signature=[redacted]&...". Header
// names and parameters match whatever their case.
func redactWire(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		body, eol := cutEOL(line)
		if name, _, ok := strings.Cut(body, ":"); ok && !strings.ContainsAny(name, " \t") {
			for _, h := range sensitiveHeaders {
				if strings.EqualFold(name, h) {
					body = name + ": " + redactedValue
					break
				}
			}
		}
		b.WriteString(redactQuery(body))
		b.WriteString(eol)
	}
	return b.String()
}

// cutEOL splits the line ending off line.
func cutEOL(line string) (body, eol string) {
	body = strings.TrimRight(line, "\r\n")
	return body, line[len(body):]
}

// redactQuery redacts the values of sensitiveQuery wherever they appear
// in s as NAME=VALUE after '?' or '&' (a URL, a request line).
func redactQuery(s string) string {
	lower := asciiLower(s) // byte for byte: strings.ToLower changes the length of invalid UTF-8
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '&' {
			continue
		}
		for _, q := range sensitiveQuery {
			if !strings.HasPrefix(lower[i+1:], q+"=") {
				continue
			}
			start := i + 1 + len(q) + 1
			end := start
			for end < len(s) && !strings.ContainsRune("& \t\"'<>", rune(s[end])) {
				end++
			}
			b.WriteString(s[last:start])
			b.WriteString(redactedValue)
			last, i = end, end-1
			break
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// asciiLower returns s with A to Z in lower case and every other byte as
// it is, so that indexes into the result are indexes into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
