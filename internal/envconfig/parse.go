package envconfig

import (
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseInt parses a whole number in decimal.
func ParseInt(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ParseBool parses a boolean, in any case, as the monitor sample's
// str2bool did: yes, y, true, t, 1 and on are true; no, n, false, f, 0 and
// off are false.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(s) {
	case "yes", "y", "true", "t", "1", "on":
		return true, true
	case "no", "n", "false", "f", "0", "off":
		return false, true
	}
	return false, false
}

// ParseDuration parses a Go duration ("30s", "1m30s") or a whole number of
// seconds ("30").
func ParseDuration(s string) (time.Duration, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// ParseLogLevel parses a level of Lambda's logging controls, in any case:
// TRACE and DEBUG are slog.LevelDebug, INFO is slog.LevelInfo, WARN is
// slog.LevelWarn, and ERROR and FATAL are slog.LevelError.
func ParseLogLevel(s string) (slog.Level, bool) {
	switch strings.ToUpper(s) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug, true
	case "INFO":
		return slog.LevelInfo, true
	case "WARN":
		return slog.LevelWarn, true
	case "ERROR", "FATAL":
		return slog.LevelError, true
	}
	return slog.LevelInfo, false
}

// SplitList splits a comma-separated list, trimming blanks around each item
// and dropping empty ones. It returns nil when there is no item.
func SplitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Patterns of IAM values, as loose as AWS's own rules.
var (
	roleNamePattern   = regexp.MustCompile(`^/?([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// ValidRoleName reports whether v is an IAM role name, optionally with its
// path ("/ops/reader" or "ops/reader"), and not a role ARN.
func ValidRoleName(v string) bool {
	return roleNamePattern.MatchString(v) && !strings.HasPrefix(v, "arn:")
}

// ValidExternalID reports whether v is an external ID that AssumeRole
// accepts: 2 to 1224 letters, digits or +=,.@:/-_.
func ValidExternalID(v string) bool {
	return len(v) >= 2 && len(v) <= 1224 && externalIDPattern.MatchString(v)
}
