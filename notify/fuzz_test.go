package notify

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzSplitMessage(f *testing.F) {
	for _, s := range []string{"", "hello", "a\nb\nc", strings.Repeat("é✓\n", 700), strings.Repeat("x", 3000)} {
		f.Add(s, 1024)
	}
	f.Fuzz(func(t *testing.T, msg string, limit int) {
		limit = snsMinMessageBytes + abs(limit)%4096
		msg = strings.ToValidUTF8(msg, "?")
		parts := splitMessage(msg, limit)
		var joined strings.Builder
		for i, p := range parts {
			if len(p) > limit {
				t.Fatalf("part %d of %d is %d bytes, over %d", i+1, len(parts), len(p), limit)
			}
			if !utf8.ValidString(p) {
				t.Fatalf("part %d is not valid UTF-8", i+1)
			}
			if len(parts) > 1 {
				_, body, ok := strings.Cut(p, "\n")
				if !ok || body == "" {
					t.Fatalf("part %d %q has no header or no body", i+1, p)
				}
				p = body
			}
			joined.WriteString(p)
		}
		if joined.String() != msg {
			t.Fatalf("parts do not add up to the message")
		}
	})
}

func FuzzSNSSubject(f *testing.F) {
	for _, s := range []string{"", "[CRITICAL] pools", "a\nb\r\tc\x00d\u2028e", strings.Repeat("Ünïcödé ", 30), "\xff\xfe"} {
		f.Add(s, " (2/3)")
	}
	f.Fuzz(func(t *testing.T, s, suffix string) {
		if utf8.RuneCountInString(suffix) > 20 || !utf8.ValidString(suffix) || strings.ContainsFunc(suffix, unicode.IsControl) {
			return // suffixes are ours: short and clean
		}
		got := snsSubject(s, suffix)
		if n := utf8.RuneCountInString(got); n >= 100 {
			t.Fatalf("subject of %d characters", n)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("subject %q is not valid UTF-8", got)
		}
		if strings.ContainsFunc(got, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
			t.Fatalf("subject %q has a line break or control character", got)
		}
	})
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
