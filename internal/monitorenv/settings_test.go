package monitorenv

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/usage"
)

func TestReadDeadlineMarginMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		margin time.Duration
		want   string
	}{
		{30 * time.Second, `IPAMKIT_DEADLINE_MARGIN "soon": want a duration from 1s to 15m, such as 30s or 30`},
		{20 * time.Second, `IPAMKIT_DEADLINE_MARGIN "soon": want a duration from 1s to 15m, such as 20s or 20`},
	}
	for _, tt := range tests {
		s := Defaults(tt.margin)
		var p envconfig.Problems
		s.Read(func(k string) string { return map[string]string{EnvDeadlineMargin: "soon"}[k] }, &p)
		require.Len(t, p, 1, "margin %v", tt.margin)
		assert.ErrorContains(t, p[0], tt.want, "margin %v", tt.margin)
	}
}

func TestReadSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value    string
		want     []usage.Source
		problems int
	}{
		{"ec2, IPAM,ec2", []usage.Source{usage.SourceIPAM, usage.SourceEC2}, 0},
		{"all", []usage.Source{usage.SourceIPAM, usage.SourcePools, usage.SourceEC2}, 0},
		{"S3", nil, 1},
		{",", nil, 1},
	}
	for _, tt := range tests {
		s := Defaults(time.Second)
		var p envconfig.Problems
		s.Read(func(k string) string { return map[string]string{EnvSources: tt.value}[k] }, &p)
		assert.Len(t, p, tt.problems, "%s %q: %v", EnvSources, tt.value, p)
		if tt.problems == 0 {
			assert.Equal(t, tt.want, s.Sources, "%s %q", EnvSources, tt.value)
		} else {
			assert.ErrorContains(t, p[0], "want ipam, pools, ec2 or all")
		}
	}
}
