package textsafe

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"prod-vpc", "prod-vpc"},
		{"Prod OU é", "Prod OU é"},
		{"a\nb", `a\nb`},
		{"tab\there", `tab\there`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"\r\n", `\r\n`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Escape(tt.in), "Escape(%q)", tt.in)
	}
}

func TestEscapeDoesNotAllocateForPlainText(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = Escape("subnet-0abc (prod)") })
	assert.Zero(t, allocs)
}
