package notify

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// The default templates. Callers may start from them when writing their own.
const (
	// DefaultSubjectTemplate renders a one-line subject, used by [SNS].
	DefaultSubjectTemplate = `[{{upper .Severity.String}}] {{.Title}}`

	// DefaultTextTemplate renders an alert as plain text: the subject line,
	// the summary, where and when, then one line per resource, fullest
	// first, with a utilization bar. Used by [Writer] and [SNS].
	DefaultTextTemplate = `[{{upper .Severity.String}}] {{.Title}}
{{- with .Summary}}
{{.}}{{end}}
{{- if or .Source (not .Time.IsZero)}}
{{with .Source}}Source: {{.}}{{end}}{{if and .Source (not .Time.IsZero)}}  {{end}}{{if not .Time.IsZero}}Time: {{utc .Time}}{{end}}{{end}}
{{- range .Worst}}
{{bar .Percent}} {{printf "%6s" (pct .Percent)}}  {{.Label}}{{with facts .}}  {{.}}{{end}}{{end}}
`
)

// Template renders an [Alert] as text through [text/template]. The alert is
// dot; besides the built-in functions a template may call:
//
//   - bar PERCENT: a 20-character ASCII bar such as "[################....]";
//   - pct PERCENT: the percentage with one decimal, "81.3%";
//   - facts RESOURCE: the resource's CIDR, account, region, free addresses
//     and note, joined by two spaces;
//   - upper STRING: the string in upper case;
//   - utc TIME: the time in UTC, RFC 3339;
//   - first N LIST and more N LIST: the first N resources of a list, and how
//     many remain after them, for a "+N more" tail.
//
// A Template is immutable and safe for concurrent use.
type Template struct {
	t *template.Template
}

// ParseTemplate parses text as a [Template]. Errors come from
// text/template and name the line.
func ParseTemplate(text string) (*Template, error) {
	t, err := template.New("alert").Option("missingkey=error").Funcs(templateFuncs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("parse alert template: %w", err)
	}
	return &Template{t: t}, nil
}

// MustParseTemplate is like [ParseTemplate] but panics on error. It is
// intended for templates that are string literals.
func MustParseTemplate(text string) *Template {
	t, err := ParseTemplate(text)
	if err != nil {
		panic(err)
	}
	return t
}

// Execute writes a rendered through t to w.
func (t *Template) Execute(w io.Writer, a Alert) error {
	if err := t.t.Execute(w, a); err != nil {
		return fmt.Errorf("render alert: %w", err)
	}
	return nil
}

// Render returns a rendered through t.
func (t *Template) Render(a Alert) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, a); err != nil {
		return "", err
	}
	return b.String(), nil
}

var templateFuncs = template.FuncMap{
	"bar":   bar,
	"pct":   pct,
	"facts": facts,
	"upper": strings.ToUpper,
	"utc":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"first": func(n int, rs []Resource) []Resource { return rs[:min(max(n, 0), len(rs))] },
	"more":  func(n int, rs []Resource) int { return max(len(rs)-max(n, 0), 0) },
}

const barWidth = 20

// bar draws percent (0 to 100, clamped) as a bar of barWidth characters:
// '#' for the used part, '.' for the rest.
func bar(percent float64) string {
	filled := 0
	switch {
	case percent >= 100:
		filled = barWidth
	case percent > 0:
		filled = int(percent*barWidth/100 + 0.5)
		if filled == 0 {
			filled = 1 // anything in use shows
		}
		if filled == barWidth {
			filled = barWidth - 1 // only 100% is full
		}
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]"
}

// pct formats a percentage with one decimal. A resource that is not quite
// full never shows as 100.0%.
func pct(percent float64) string {
	if percent < 100 && percent >= 99.95 {
		percent = 99.9
	}
	return strconv.FormatFloat(percent, 'f', 1, 64) + "%"
}

// facts lists what is known about r beyond its label.
func facts(r Resource) string {
	var parts []string
	if r.CIDR.IsValid() {
		parts = append(parts, r.CIDR.String())
	}
	if r.AccountID != "" {
		parts = append(parts, r.AccountID)
	}
	if r.Region != "" {
		parts = append(parts, r.Region)
	}
	if !r.Total.IsZero() {
		parts = append(parts, r.Available.String()+" of "+r.Total.String()+" free")
	}
	if r.Note != "" {
		parts = append(parts, r.Note)
	}
	return strings.Join(parts, "  ")
}
