package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/internal/envconfig"
)

// The environment variables the function reads.
const (
	envDeadlineMargin = "IPAMKIT_DEADLINE_MARGIN"
	envMaxWait        = "IPAMKIT_MAX_WAIT"
	envPathTagKey     = "IPAMKIT_PATH_TAG_KEY"
	envLogLevel       = "AWS_LAMBDA_LOG_LEVEL"
)

// Defaults of [Config].
const (
	defaultDeadlineMargin = 30 * time.Second
	defaultMaxWait        = hierarchy.DefaultMaxWait
)

// Config is the function's configuration, read once at cold start by
// [configFromEnv]. The zero Config is not valid; configFromEnv fills in
// the defaults.
type Config struct {
	// DeadlineMargin is how long before the invocation's deadline the
	// function stops working and answers CloudFormation FAILED ("timed out
	// while …"), so that the answer is always sent.
	DeadlineMargin time.Duration
	// MaxWait is how long one operation of the apply may take, waiting for
	// IPAM's state included.
	MaxWait time.Duration
	// PathTagKey is the tag holding a managed pool's path.
	PathTagKey string
	// LogLevel is the lowest level logged.
	LogLevel slog.Level
}

// configFromEnv reads the configuration from the environment through
// getenv. It reports every problem at once, each naming its variable.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{DeadlineMargin: defaultDeadlineMargin, MaxWait: defaultMaxWait, PathTagKey: hierarchy.DefaultPathTagKey, LogLevel: slog.LevelInfo}
	var errs []error
	bad := func(name, v, want string) {
		errs = append(errs, fmt.Errorf("%s=%q: %s", name, v, want))
	}
	duration := func(name string, dst *time.Duration, lo, hi time.Duration, want string) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		d, ok := envconfig.ParseDuration(v)
		if !ok || d < lo || d > hi {
			bad(name, v, want)
			return
		}
		*dst = d
	}
	duration(envDeadlineMargin, &c.DeadlineMargin, time.Second, 5*time.Minute, "want a duration from 1s to 5m, such as 30s or 30")
	duration(envMaxWait, &c.MaxWait, time.Second, 15*time.Minute, "want a duration from 1s to 15m, such as 10m")
	if v := strings.TrimSpace(getenv(envPathTagKey)); v != "" {
		if len(v) > 128 || strings.HasPrefix(strings.ToLower(v), "aws:") {
			bad(envPathTagKey, v, "want a tag key of at most 128 characters, not starting with aws:")
		} else {
			c.PathTagKey = v
		}
	}
	if v := strings.TrimSpace(getenv(envLogLevel)); v != "" {
		if l, ok := envconfig.ParseLogLevel(v); ok {
			c.LogLevel = l
		} else {
			bad(envLogLevel, v, "want TRACE, DEBUG, INFO, WARN, ERROR or FATAL")
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}
