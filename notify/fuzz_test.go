package notify

import (
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ipamkit/ipamkit/ipam"
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

// FuzzDefaultText checks DefaultText and DefaultSubject against their
// templates, which text/template renders independently.
func FuzzDefaultText(f *testing.F) {
	f.Add(uint8(2), "3 resources above 80% utilization", "Plan new CIDRs.", "ipamkit/usage", int64(1795464000), "vpc-0aaa", "shared", "10.0.0.0/16", "012345678901", uint64(53248), 81.25, "largest free block /18")
	f.Add(uint8(0), "All clear", "", "", int64(0), "", "", "", "", uint64(0), 0.0, "")
	f.Add(uint8(9), "a\nb", "é\x00", "src", int64(-62135596800), "subnet-1", "subnet-1", "2001:db8::/127", "", uint64(1), 99.96, "\xff")
	f.Fuzz(func(t *testing.T, sev uint8, title, summary, source string, unix int64, id, name, cidr, account string, used uint64, percent float64, note string) {
		a := Alert{Severity: Severity(sev), Title: title, Summary: summary, Source: source}
		if unix != 0 {
			a.Time = time.Unix(unix, 0)
		}
		r := Resource{ID: id, Name: name, AccountID: account, Percent: percent, Note: note}
		if p, err := netip.ParsePrefix(cidr); err == nil {
			r.CIDR = p.Masked()
			r.Total = ipam.Size(r.CIDR)
			r.Available = r.Total.Sub(ipam.NewCount(used))
		}
		if id != "" {
			a.Resources = []Resource{r, {ID: "vpc-" + name, Percent: 100 - percent}}
		}
		want, err := MustParseTemplate(DefaultTextTemplate).Render(a)
		if err != nil {
			t.Fatalf("template: %v", err)
		}
		if got := DefaultText(a); got != want {
			t.Fatalf("DefaultText(%+v) =\n%q\nthe template gives\n%q", a, got, want)
		}
		want, err = MustParseTemplate(DefaultSubjectTemplate).Render(a)
		if err != nil {
			t.Fatalf("subject template: %v", err)
		}
		if got := DefaultSubject(a); got != want {
			t.Fatalf("DefaultSubject(%+v) = %q, the template gives %q", a, got, want)
		}
	})
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
