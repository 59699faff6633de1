package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/ipam"
)

func TestPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		part, total uint64
		want        string
	}{
		{0, 0, "  0.00%"},
		{0, 256, "  0.00%"},
		{256, 256, "100.00%"},
		{64, 256, " 25.00%"},
		{1, 3, " 33.33%"},
		{1, 1 << 24, " <0.01%"},
		{1<<24 - 1, 1 << 24, ">99.99%"},
		{1, 100000, " <0.01%"},
		{1, 10000, "  0.01%"},
	}
	for _, tt := range tests {
		got := percent(ipam.NewCount(tt.part), ipam.NewCount(tt.total))
		assert.Equal(t, tt.want, got, "percent(%d, %d)", tt.part, tt.total)
	}
}

// TestOutputFormatVocabulary checks that every command's -o offers formats
// of one vocabulary, text|json|csv|html in that order, with text the
// default.
func TestOutputFormatVocabulary(t *testing.T) {
	t.Parallel()
	vocabulary := []string{"text", "json", "csv", "html"}
	n := 0
	for _, l := range leaves([]*Command{rootCommand()}) {
		for _, d := range l.docs {
			if d.Name != "o" {
				continue
			}
			n++
			got := strings.Split(d.Arg, "|")
			want := slices.DeleteFunc(slices.Clone(vocabulary), func(f string) bool { return !slices.Contains(got, f) })
			assert.Equal(t, want, got, "-o of %s", commandPath(l.path))
			assert.Equal(t, "text", got[0], "-o of %s", commandPath(l.path))
		}
	}
	assert.GreaterOrEqual(t, n, 8, "the commands with -o")
}

// TestOutputFormatTableIsText runs commands with -o table and -o text:
// one output, whichever word the command used before.
func TestOutputFormatTableIsText(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{
		"cidr usage --pool 10.0.0.0/16 --used 10.0.0.0/24",
		"usage --source pools --regions us-east-1",
		"hierarchy show",
		"share explain --account 333333333333",
	} {
		var outs []string
		for _, format := range []string{"", " -o text", " -o table"} {
			e, stdout, stderr, _ := fakeEnv(t, awsfake.DemoNetworkAccessKey, "us-east-1")
			require.Equal(t, 0, e.run(t.Context(), strings.Fields(cmd+format)), "ipamctl %s%s: %s", cmd, format, stderr.String())
			outs = append(outs, stdout.String())
		}
		assert.NotEmpty(t, outs[0])
		assert.Equal(t, outs[0], outs[1], "ipamctl %s -o text is the default", cmd)
		assert.Equal(t, outs[0], outs[2], "ipamctl %s -o table is -o text", cmd)
	}
}

func TestOutputFormat(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, arg, v, want string }{
		{"o", "text|json", "table", "text"},
		{"o", "table|json|csv", "text", "table"},
		{"o", "text|json", "text", "text"},
		{"o", "text|json", "json", "json"},
		{"o", "text|json", "yaml", "yaml"},
		{"mode", "account|ou", "table", "table"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, outputFormat(tt.name, tt.arg, tt.v), "outputFormat(%q, %q, %q)", tt.name, tt.arg, tt.v)
	}
	assert.Equal(t, "text|json|csv", formatArg("o", "table|json|csv"))
	assert.Equal(t, "table|x", formatArg("mode", "table|x"))
}
