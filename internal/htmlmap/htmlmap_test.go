package htmlmap

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEsc(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"vpc-0abc (prod)", "vpc-0abc (prod)"},
		{`<script>alert("x")</script>`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"},
		{"a'b&c+d\x00", "a&#39;b&amp;c&#43;d\uFFFD"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Esc(tt.in), "Esc(%q)", tt.in)
	}
}

func TestUtilizationClass(t *testing.T) {
	t.Parallel()
	for pct, want := range map[float64]string{-1: "u0", 0: "u0", 9.99: "u0", 10: "u1", 95.6: "u9", 99.99: "u9", 100: "u10", 150: "u10"} {
		assert.Equal(t, want, UtilizationClass(pct), "UtilizationClass(%v)", pct)
	}
}

func TestNewStripWords(t *testing.T) {
	t.Parallel()
	items := []Item{{CIDR: netip.MustParsePrefix("10.0.0.0/25"), Class: "alloc", Title: "custom 10.0.0.0/25"}}
	got := NewStrip(netip.MustParsePrefix("10.0.0.0/24"), items, Words{Gap: "free", Children: "allocations"}, 0)
	assert.Equal(t, Strip{CIDR: "10.0.0.0/24", Scale: scaleLinear, Blocks: []Block{
		{Width: "50.00", Class: "alloc", Label: "10.0.0.0/25", Title: "custom 10.0.0.0/25"},
		{Width: "50.00", Class: "free", Label: "free", Title: "free: 10.0.0.128/25 (128 addresses)"},
	}}, got)
}
