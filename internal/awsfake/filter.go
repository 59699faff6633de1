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
// It runs in O(len(pattern) × len(s)) at worst.
func wildcard(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0 // position after the last *, and where its match ends in s
	for i < len(s) {
		if p < len(pattern) {
			switch c := pattern[p]; {
			case c == '*':
				star, mark = p+1, i
				p++
				continue
			case c == '?':
				p, i = p+1, i+1
				continue
			case c == '\\' && p+1 < len(pattern) && pattern[p+1] == s[i]:
				p, i = p+2, i+1
				continue
			case c != '\\' && c == s[i]:
				p, i = p+1, i+1
				continue
			}
		}
		if star < 0 {
			return false
		}
		mark++
		p, i = star, mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// one wraps a single value as filter values.
func one(s string) []string { return []string{s} }

// utoa formats an unsigned count in decimal.
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }
