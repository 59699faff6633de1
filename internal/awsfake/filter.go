package awsfake

import (
	"strconv"
	"strings"
)

// fieldsFunc returns the values a resource has for an EC2 filter name, and
// whether the name is a filter the operation knows.
type fieldsFunc func(name string) (values []string, known bool)

// checkFilters rejects filters whose names fields does not know, as EC2 does.
func checkFilters(filters []filter, fields fieldsFunc) error {
	for _, f := range filters {
		if _, known := fields(f.name); !known && !isTagFilter(f.name) {
			return badRequest("InvalidParameterValue", "The filter '%s' is invalid", f.name)
		}
	}
	return nil
}

func isTagFilter(name string) bool {
	return strings.HasPrefix(name, "tag:") || name == "tag-key" || name == "tag-value"
}

// matchFilters reports whether a resource passes every filter: for each
// filter, one of its values matches one of the resource's values. Values
// may use the wildcards * and ?. Tag filters (tag:Key, tag-key, tag-value)
// are answered from tags.
func matchFilters(filters []filter, fields fieldsFunc, tags map[string]string) bool {
	for _, f := range filters {
		var have []string
		switch {
		case strings.HasPrefix(f.name, "tag:"):
			if v, ok := tags[strings.TrimPrefix(f.name, "tag:")]; ok {
				have = []string{v}
			}
		case f.name == "tag-key":
			have = sortedKeys(tags)
		case f.name == "tag-value":
			for _, k := range sortedKeys(tags) {
				have = append(have, tags[k])
			}
		default:
			have, _ = fields(f.name)
		}
		if !anyMatch(f.values, have) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, p := range patterns {
		for _, v := range values {
			if wildcard(p, v) {
				return true
			}
		}
	}
	return false
}

// wildcard matches s against an EC2 filter pattern: * matches any run of
// characters, ? one character, and a backslash escapes the next character.
func wildcard(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(pattern[1:], s[1:])
	case '\\':
		if len(pattern) > 1 {
			pattern = pattern[1:]
		}
	}
	return s != "" && s[0] == pattern[0] && wildcard(pattern[1:], s[1:])
}

// one wraps a single value as filter values.
func one(s string) []string { return []string{s} }

// itoa formats an unsigned count.
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }
