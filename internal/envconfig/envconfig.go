package envconfig

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Error is every problem of a configuration, in the order they were found.
// Its message is one line, so that CloudWatch Logs keeps it in one event:
//
//	invalid configuration (2 problems): A "x": want …; B: want …
type Error []error

// Error returns the problems on one line, counted and joined by "; ".
func (e Error) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	n := "1 problem"
	if len(e) != 1 {
		n = fmt.Sprintf("%d problems", len(e))
	}
	return fmt.Sprintf("invalid configuration (%s): %s", n, strings.Join(msgs, "; "))
}

// Unwrap returns the problems.
func (e Error) Unwrap() []error { return e }

// Problems collects the problems of a configuration, in the order they are
// found. The zero value is empty and ready to use. A Problems is not safe
// for concurrent use.
type Problems []error

// Add records a problem that quotes the bad value: `NAME "VALUE": want`.
// Never call it with a value that may be a credential.
func (p *Problems) Add(name, value, want string) {
	*p = append(*p, fmt.Errorf("%s %q: %s", name, value, want))
}

// Err returns nil if p is empty, and otherwise an [Error] of every problem.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return Error(p)
}

// A Setter reads the value v of the variable name (without surrounding
// blanks, never empty) into a configuration, or records its problems in p.
type Setter func(name, v string, p *Problems)

// Var is the spec of one environment variable: its name, and the setter of
// its value.
type Var struct {
	Name string
	Set  Setter
}

// Read reads each of vars, in order, through getenv (as os.Getenv). It
// trims surrounding blanks and skips a variable whose value is then empty,
// so that its default stays; it calls the setter of every other variable,
// which records any problem in p.
func Read(getenv func(string) string, p *Problems, vars ...Var) {
	for _, ev := range vars {
		if v := strings.TrimSpace(getenv(ev.Name)); v != "" {
			ev.Set(ev.Name, v, p)
		}
	}
}

// Quoting says whether a [String] setter's problem quotes the bad value.
type Quoting bool

// Quoted problems name the bad value; Unquoted ones name only the
// variable. A value that may be a credential (an external ID, a token), or
// may hold a line break, is never quoted.
const (
	Quoted   Quoting = true
	Unquoted Quoting = false
)

// String returns a setter of *field, which it sets to the value, reporting
// a problem ending in want if valid rejects it. The problem quotes the
// value only if q is [Quoted]: `NAME "VALUE": want`, otherwise `NAME: want`.
func String(field *string, valid func(string) bool, q Quoting, want string) Setter {
	return func(name, v string, p *Problems) {
		*field = v
		switch {
		case valid(v):
		case q == Quoted:
			p.Add(name, v, want)
		default:
			*p = append(*p, fmt.Errorf("%s: %s", name, want))
		}
	}
}

// List returns a setter that adds to *field each item of a comma-separated
// list ([SplitList]) that valid accepts, once, in the order given. Each
// item valid rejects is a problem of its own, quoted.
func List(field *[]string, valid func(string) bool, want string) Setter {
	return func(name, v string, p *Problems) {
		for _, s := range SplitList(v) {
			switch {
			case !valid(s):
				p.Add(name, s, want)
			case !slices.Contains(*field, s):
				*field = append(*field, s)
			}
		}
	}
}

// Enum returns a setter of *field to the one of values that the value
// names, in any case; values are lower case. Any other value is a problem.
func Enum[T ~string](field *T, want string, values ...T) Setter {
	return func(name, v string, p *Problems) {
		if i := slices.Index(values, T(strings.ToLower(v))); i >= 0 {
			*field = values[i]
			return
		}
		p.Add(name, v, want)
	}
}

// Range returns a setter of *field to the value that parse reads, from lo
// to hi inclusive. A value parse rejects, or one out of range, is a
// problem and leaves *field as it was.
func Range[T int | float64 | time.Duration](field *T, parse func(string) (T, bool), lo, hi T, want string) Setter {
	return func(name, v string, p *Problems) {
		x, ok := parse(v)
		if !ok || x < lo || x > hi {
			p.Add(name, v, want)
			return
		}
		*field = x
	}
}

// Bool returns a setter of *field to a boolean read by [ParseBool]; any
// other value is the problem `NAME "VALUE": want true or false`.
func Bool(field *bool) Setter {
	return func(name, v string, p *Problems) {
		b, ok := ParseBool(v)
		if !ok {
			p.Add(name, v, "want true or false")
			return
		}
		*field = b
	}
}

// LogLevel returns a setter of *field to a level read by [ParseLogLevel],
// as Lambda's AWS_LAMBDA_LOG_LEVEL names them; any other value is a
// problem.
func LogLevel(field *slog.Level) Setter {
	return func(name, v string, p *Problems) {
		l, ok := ParseLogLevel(v)
		if !ok {
			p.Add(name, v, "want TRACE, DEBUG, INFO, WARN, ERROR or FATAL")
			return
		}
		*field = l
	}
}
