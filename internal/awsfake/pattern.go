package awsfake

import (
	"regexp"
	"sync"
)

// pattern is a regular expression compiled on first use, so that importing
// the package (as ipamctl does for its demo) costs no compilation at init.
type pattern struct{ re func() *regexp.Regexp }

// lazyPattern returns a pattern for expr, which must compile.
func lazyPattern(expr string) pattern {
	return pattern{re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

// MatchString reports whether s matches the pattern.
func (p pattern) MatchString(s string) bool { return p.re().MatchString(s) }

// FindStringSubmatch returns the match and its groups, or nil.
func (p pattern) FindStringSubmatch(s string) []string { return p.re().FindStringSubmatch(s) }
