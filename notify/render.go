package notify

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Renderer turns an [Alert] into text: the message and the subject of
// [SNS], what a [Writer] writes, the notification text of [Slack]. The
// defaults, [DefaultText] and [DefaultSubject], are plain Go; a
// [*Template] is a Renderer for callers who want to write their own text
// as a template, and [RendererFunc] adapts any function.
//
// Implementations must be safe for concurrent use.
type Renderer interface {
	Render(a Alert) (string, error)
}

// RendererFunc adapts a function to the [Renderer] interface.
type RendererFunc func(a Alert) (string, error)

// Render calls f(a).
func (f RendererFunc) Render(a Alert) (string, error) { return f(a) }

// renderText and renderSubject are DefaultText and DefaultSubject as
// RendererFuncs: the defaults of the options of SNS, Writer and Slack.
func renderText(a Alert) (string, error)    { return DefaultText(a), nil }
func renderSubject(a Alert) (string, error) { return DefaultSubject(a), nil }

// DefaultSubject renders a as a one-line subject: the severity in upper
// case in brackets, then the title, as in "[CRITICAL] 2 VPCs above 80%
// utilization". It is the same text as [DefaultSubjectTemplate] gives.
func DefaultSubject(a Alert) string {
	return "[" + strings.ToUpper(a.Severity.String()) + "] " + a.Title
}

// DefaultText renders a as plain text: the subject line, the summary, the
// source and time (UTC, RFC 3339), then one line per resource, fullest
// first, with a utilization bar, the percentage, the label and the
// resource's CIDR, account, region, free addresses and note. The text ends
// with a newline. It is the same text, byte for byte, as
// [DefaultTextTemplate] gives.
func DefaultText(a Alert) string {
	var b strings.Builder
	b.WriteString(DefaultSubject(a))
	if a.Summary != "" {
		b.WriteString("\n" + a.Summary)
	}
	if a.Source != "" || !a.Time.IsZero() {
		b.WriteByte('\n')
		if a.Source != "" {
			b.WriteString("Source: " + a.Source)
		}
		if a.Source != "" && !a.Time.IsZero() {
			b.WriteString("  ")
		}
		if !a.Time.IsZero() {
			b.WriteString("Time: " + utc(a.Time))
		}
	}
	for _, r := range a.Worst() {
		b.WriteString("\n" + bar(r.Percent) + " " + padLeft(pct(r.Percent), 6) + "  " + r.Label())
		if f := facts(r); f != "" {
			b.WriteString("  " + f)
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// padLeft pads s with spaces on the left to n characters, as the verb
// "%ns" does.
func padLeft(s string, n int) string {
	if pad := n - utf8.RuneCountInString(s); pad > 0 {
		return strings.Repeat(" ", pad) + s
	}
	return s
}

// utc formats t in UTC, RFC 3339.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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
