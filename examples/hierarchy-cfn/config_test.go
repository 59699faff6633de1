package main

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/hierarchy"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{name: "defaults", env: nil, want: Config{DeadlineMargin: 30 * time.Second, MaxWait: hierarchy.DefaultMaxWait,
			PathTagKey: hierarchy.DefaultPathTagKey, LogLevel: slog.LevelInfo}},
		{name: "all set", env: map[string]string{envDeadlineMargin: "45", envMaxWait: "10m", envPathTagKey: "net:path", envLogLevel: "DEBUG"},
			want: Config{DeadlineMargin: 45 * time.Second, MaxWait: 10 * time.Minute, PathTagKey: "net:path", LogLevel: slog.LevelDebug}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := configFromEnv(func(k string) string { return tt.env[k] })
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "configFromEnv(%v)", tt.env)
		})
	}
}

// TestConfigFromEnvListsEveryProblem checks that one error names every bad
// variable.
func TestConfigFromEnvListsEveryProblem(t *testing.T) {
	t.Parallel()
	env := map[string]string{envDeadlineMargin: "0.5s", envMaxWait: "1h", envPathTagKey: "aws:path", envLogLevel: "LOUD"}
	_, err := configFromEnv(func(k string) string { return env[k] })
	require.Error(t, err)
	for _, want := range []string{
		`IPAMKIT_DEADLINE_MARGIN="0.5s": want a duration from 1s to 5m`,
		`IPAMKIT_MAX_WAIT="1h": want a duration from 1s to 15m`,
		`IPAMKIT_PATH_TAG_KEY="aws:path": want a tag key`,
		`AWS_LAMBDA_LOG_LEVEL="LOUD": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`,
	} {
		assert.ErrorContains(t, err, want)
	}
}
