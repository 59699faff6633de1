package notify

import (
	"fmt"
	"io"
	"strings"
	"text/template"
)

// The default texts as templates, for callers who write their own: they
// render exactly what [DefaultSubject] and [DefaultText] return.
const (
	// DefaultSubjectTemplate is [DefaultSubject] as a template.
	DefaultSubjectTemplate = `[{{upper .Severity.String}}] {{.Title}}`

	// DefaultTextTemplate is [DefaultText] as a template.
	DefaultTextTemplate = `[{{upper .Severity.String}}] {{.Title}}
{{- with .Summary}}
{{.}}{{end}}
{{- if or .Source (not .Time.IsZero)}}
{{with .Source}}Source: {{.}}{{end}}{{if and .Source (not .Time.IsZero)}}  {{end}}{{if not .Time.IsZero}}Time: {{utc .Time}}{{end}}{{end}}
{{- range .Worst}}
{{bar .Percent}} {{printf "%6s" (pct .Percent)}}  {{.Label}}{{with facts .}}  {{.}}{{end}}{{end}}
`
)

// Template renders an [Alert] as text through [text/template]; it is a
// [Renderer], for callers who would rather write a template than a
// [RendererFunc]. The alert is dot; besides the built-in functions a
// template may call:
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
// Templates have a cost beyond their own code: text/template finds methods
// by name at run time, so a program that executes a template keeps every
// exported method of every type it may hold in an interface, which for
// programs using the AWS SDK adds tens of megabytes. Only programs that call
// [ParseTemplate] or [MustParseTemplate] pay it; the defaults of this
// package are plain Go.
//
// A Template is immutable and safe for concurrent use.
type Template struct {
	t *template.Template
}

// ParseTemplate parses text as a [Template]. Errors come from
// text/template and name the line.
func ParseTemplate(text string) (*Template, error) {
	t, err := template.New("alert").Option("missingkey=error").Funcs(templateFuncs()).Parse(text)
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

// templateFuncs returns the functions a Template may call. It is a
// function, not a package variable, so that programs that never parse a
// template build no FuncMap.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"bar":   bar,
		"pct":   pct,
		"facts": facts,
		"upper": strings.ToUpper,
		"utc":   utc,
		"first": func(n int, rs []Resource) []Resource { return rs[:min(max(n, 0), len(rs))] },
		"more":  func(n int, rs []Resource) int { return max(len(rs)-max(n, 0), 0) },
	}
}
