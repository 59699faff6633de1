package envconfig

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true},
		{"16", 16, true},
		{"-3", -3, true},
		{"", 0, false},
		{"1.5", 0, false},
		{"eight", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInt(tt.in)
		assert.Equal(t, tt.ok, ok, "ParseInt(%q) ok", tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, got, "ParseInt(%q)", tt.in)
		}
	}
}

func TestParseBool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		want, ok bool
	}{
		{"yes", true, true}, {"Y", true, true}, {"true", true, true}, {"T", true, true}, {"1", true, true}, {"On", true, true},
		{"no", false, true}, {"N", false, true}, {"FALSE", false, true}, {"f", false, true}, {"0", false, true}, {"off", false, true},
		{"", false, false}, {"maybe", false, false}, {"2", false, false}, {"yes ", false, false},
	}
	for _, tt := range tests {
		got, ok := ParseBool(tt.in)
		assert.Equal(t, [2]bool{tt.want, tt.ok}, [2]bool{got, ok}, "ParseBool(%q)", tt.in)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30", 30 * time.Second, true},
		{"0", 0, true},
		{"30s", 30 * time.Second, true},
		{"1m30s", 90 * time.Second, true},
		{"0.5s", 500 * time.Millisecond, true},
		{"", 0, false},
		{"soon", 0, false},
		{"30 s", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDuration(tt.in)
		assert.Equal(t, tt.ok, ok, "ParseDuration(%q) ok", tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, got, "ParseDuration(%q)", tt.in)
		}
	}
}

func TestParseLogLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want slog.Level
		ok   bool
	}{
		{"TRACE", slog.LevelDebug, true},
		{"debug", slog.LevelDebug, true},
		{"Info", slog.LevelInfo, true},
		{"WARN", slog.LevelWarn, true},
		{"error", slog.LevelError, true},
		{"FATAL", slog.LevelError, true},
		{"", slog.LevelInfo, false},
		{"WARNING", slog.LevelInfo, false},
		{"LOUD", slog.LevelInfo, false},
	}
	for _, tt := range tests {
		got, ok := ParseLogLevel(tt.in)
		assert.Equal(t, tt.ok, ok, "ParseLogLevel(%q) ok", tt.in)
		assert.Equal(t, tt.want, got, "ParseLogLevel(%q)", tt.in)
	}
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" , ,", nil},
		{"a", []string{"a"}},
		{"us-west-2, us-east-1,,us-west-2", []string{"us-west-2", "us-east-1", "us-west-2"}},
		{" vpc ,\tsubnet\n", []string{"vpc", "subnet"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, SplitList(tt.in), "SplitList(%q)", tt.in)
	}
}

func TestValidRoleName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"OrganizationAccountAccessRole", true},
		{"/ops/ipamkit-reader", true},
		{"ops/ipamkit-reader", true},
		{"/a/b/role+=,.@-_", true},
		{"", false},
		{"/", false},
		{"ops/", false},
		{"//role", false},
		{"arn:aws:iam::111111111111:role/x", false},
		{"role name", false},
		{strings.Repeat("x", 64), true},
		{strings.Repeat("x", 65), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ValidRoleName(tt.in), "ValidRoleName(%q)", tt.in)
	}
}

func TestValidExternalID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"ext-id:5c0ffee", true},
		{"ab", true},
		{"a+=,.@:/-_b", true},
		{strings.Repeat("x", 1224), true},
		{"x", false},
		{strings.Repeat("x", 1225), false},
		{"with space", false},
		{"§§", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, ValidExternalID(tt.in), "ValidExternalID(%q)", tt.in)
	}
}
