// Package textsafe makes text from AWS (names, tags, IDs) safe to print in
// a table, an alert or a terminal: a newline in a Name tag must not split a
// row, and an escape sequence must not rewrite the screen.
package textsafe

import (
	"strconv"
	"strings"
	"unicode"
)

// Escape returns s with each control character (newline, tab, escape, …)
// and bidirectional override written as a Go escape (\n, \t, \x1b,
// \u202e). It returns s itself, without allocating, when there is none.
func Escape(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if !isControl(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r) // '\n', '\x1b', '\u202e'
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

func isControl(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }
