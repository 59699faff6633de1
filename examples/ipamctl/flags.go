package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/usage"
)

// flagSet is a [flag.FlagSet] for one command, built fresh for every run.
// It declares every flag through [flag.FlagSet.Func], so that it can keep
// every value error and report each in the form the user typed ("--bits
// "x": not a whole number", "-bits" if typed so) rather than in flag's own
// wording, and it remembers each flag's documentation in declaration order
// for the help.
type flagSet struct {
	fs    *flag.FlagSet
	docs  []flagDoc
	errs  []error             // every value that failed to parse, in order
	typed map[string][]string // each occurrence of a flag as typed: "-pool", "--pool"
}

// flagDoc documents one flag in the help.
type flagDoc struct {
	Name  string // without dashes: "pool", "o"
	Arg   string // the value's placeholder: "CIDR[,CIDR...]"
	Usage string // full sentences
}

// newFlagSet returns an empty flagSet for the command name. Parsing
// continues on error, and flag itself prints nothing: the caller reports
// errors and help.
func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{fs: fs, typed: map[string][]string{}}
}

// dashed returns the flag as written on the command line: -o, --pool.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// spelled returns the flag name as the user typed its next occurrence
// ("-pool" or "--pool"), or as the help writes it when parse saw none.
func (f *flagSet) spelled(name string) string {
	q := f.typed[name]
	if len(q) == 0 {
		return dashed(name)
	}
	f.typed[name] = q[1:]
	return q[0]
}

// fn declares a flag whose value set parses. An error from set is kept,
// wrapped with the flag as typed and its value, for parse to return, and
// parsing goes on, so that every bad value is reported at once. An error
// that joins [entryError]s gives one error per bad entry of a list.
func (f *flagSet) fn(name, arg, usage string, set func(string) error) {
	f.docs = append(f.docs, flagDoc{Name: name, Arg: formatArg(name, arg), Usage: usage})
	f.fs.Func(name, usage, func(v string) error {
		flagName := f.spelled(name)
		err := set(outputFormat(name, arg, v))
		if err == nil {
			return nil
		}
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, err := range errs {
			value := v
			var ee entryError
			if errors.As(err, &ee) {
				value, err = ee.entry, ee.err
			}
			f.errs = append(f.errs, fmt.Errorf("%s %q: %w", flagName, value, err))
		}
		return nil
	})
}

// entryError is a bad entry of a list value: the error names the entry,
// not the whole value ("--used "bad2": ..." for --used 10.0.0.0/8,bad2).
type entryError struct {
	entry string
	err   error
}

func (e entryError) Error() string { return fmt.Sprintf("%q: %v", e.entry, e.err) }
func (e entryError) Unwrap() error { return e.err }

// cidrList declares a repeatable flag whose values are comma-separated CIDRs,
// each parsed strictly with [ipam.ParseCIDR], appended to dst. Every bad
// entry of a value is reported, each on its own.
func (f *flagSet) cidrList(dst *[]netip.Prefix, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		var errs []error
		for s := range strings.SplitSeq(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				return errors.New("empty entry in the list (want CIDR[,CIDR...])")
			}
			p, err := ipam.ParseCIDR(s)
			if err != nil {
				var pe *ipam.ParseError
				if errors.As(err, &pe) {
					err = pe.Err // the entry is quoted once, by fn
				}
				errs = append(errs, entryError{entry: s, err: err})
				continue
			}
			*dst = append(*dst, p)
		}
		return errors.Join(errs...)
	})
}

// intVal declares a flag holding a whole number, with *dst as its default.
func (f *flagSet) intVal(dst *int, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("not a whole number")
		}
		*dst = n
		return nil
	})
}

// stringList declares a repeatable flag whose values are appended to dst.
func (f *flagSet) stringList(dst *[]string, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		*dst = append(*dst, v)
		return nil
	})
}

// choice declares a flag that takes one of choices, with *dst as its
// default. The placeholder lists the choices: text|json.
func (f *flagSet) choice(dst *string, name string, choices []string, usage string) {
	f.fn(name, strings.Join(choices, "|"), usage, func(v string) error {
		for _, c := range choices {
			if v == c {
				*dst = v
				return nil
			}
		}
		return fmt.Errorf("want %s", orList(choices))
	})
}

// isSet reports whether the flag name was given on the command line.
func (f *flagSet) isSet(name string) bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// parse parses args, flags and positional arguments in any order, and
// returns the positional ones. A help flag (-h, -help, --help) gives
// [flag.ErrHelp]. Bad use (an unknown flag, a flag without its value) is a
// usageError naming the flag as typed; bad values are joined with
// [errors.Join], one error each.
func (f *flagSet) parse(args []string) ([]string, error) {
	return f.parseWith(args, false, func() ([]string, error) { return parseInterspersed(f.fs, args) })
}

// parseNoun parses the flags of a noun, which end at its verb, and returns
// the verb and what follows it, as parse does otherwise.
func (f *flagSet) parseNoun(args []string) ([]string, error) {
	return f.parseWith(args, true, func() ([]string, error) {
		err := f.fs.Parse(args)
		return f.fs.Args(), err
	})
}

// parseWith checks args (see check), parses them with parse and returns
// what it returns, with the errors of parse.
func (f *flagSet) parseWith(args []string, toVerb bool, parse func() ([]string, error)) ([]string, error) {
	if err := f.check(args, toVerb); err != nil {
		return nil, err
	}
	rest, err := parse()
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, err
	case err != nil:
		return nil, usageError{err}
	case len(f.errs) > 0:
		return nil, errors.Join(f.errs...)
	}
	return rest, nil
}

// check reads args as [flag.FlagSet.Parse] will, before it does: it notes
// how each flag was typed, for the errors of its value, and reports what
// flag would report in its own spelling ("-bogus" for --bogus): every
// unknown flag, and a flag given last without its value. With toVerb, the
// flags end at the first positional argument, as a noun's do.
func (f *flagSet) check(args []string, toVerb bool) error {
	var errs []error
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if toVerb {
				break
			}
			continue
		}
		dashes, name := "-", a[1:]
		if name[0] == '-' {
			dashes, name = "--", name[1:]
		}
		name, _, hasValue := strings.Cut(name, "=")
		if name == "" || name[0] == '-' {
			continue // flag's own complaint about the syntax
		}
		fl := f.fs.Lookup(name)
		switch {
		case fl == nil && (name == "h" || name == "help"):
			return flag.ErrHelp // the help, whatever else is wrong
		case fl == nil:
			errs = append(errs, usageErrorf("unknown flag %s%s", dashes+name, f.suggest(name)))
			continue
		}
		f.typed[name] = append(f.typed[name], dashes+name)
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); hasValue || ok && b.IsBoolFlag() {
			continue
		}
		if i+1 == len(args) {
			errs = append(errs, usageErrorf("flag %s needs a value", dashes+name))
			break
		}
		i++ // the value, whatever it looks like: --threshold -5
	}
	return errors.Join(errs...)
}

// suggest returns " (did you mean --used?)" for a name one edit away from
// a declared flag (a letter added, dropped, changed or two swapped), or "".
func (f *flagSet) suggest(name string) string {
	best := ""
	f.fs.VisitAll(func(fl *flag.Flag) {
		if best == "" && editDistance(strings.ToLower(name), fl.Name) <= 1 {
			best = fl.Name
		}
	})
	if best == "" {
		return ""
	}
	return " (did you mean " + dashed(best) + "?)"
}

// editDistance is the optimal string alignment distance between a and b,
// in bytes: insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// parseInterspersed lets flags follow positional arguments; after "--" all
// are positional. The flag package alone stops at the first positional
// argument, which would make "cidr split 10.0.0.0/8 --bits 10" fail.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// floatVal declares a flag holding a number, with *dst as its default.
func (f *flagSet) floatVal(dst *float64, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("not a number")
		}
		*dst = n
		return nil
	})
}

// commaList declares a repeatable flag whose comma-separated values are
// appended to dst; empty entries are an error.
func (f *flagSet) commaList(dst *[]string, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				return fmt.Errorf("empty entry in the list (want %s)", arg)
			}
			*dst = append(*dst, s)
		}
		return nil
	})
}

// boolVal declares a flag that takes no value and sets *dst.
func (f *flagSet) boolVal(dst *bool, name, usage string) {
	f.docs = append(f.docs, flagDoc{Name: name, Usage: usage})
	f.fs.BoolFunc(name, usage, func(v string) error {
		flagName := f.spelled(name)
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s=%s: want true or false", flagName, v))
			return nil
		}
		*dst = b
		return nil
	})
}

// checkThresholds checks --threshold and --warning, naming the flag that is
// wrong: "--threshold 101", not the pair.
func checkThresholds(critical, warning float64) []error {
	var errs []error
	for _, v := range []struct {
		flag string
		p    float64
	}{{"--threshold", critical}, {"--warning", warning}} {
		if !(v.p >= 0 && v.p <= 100) { // NaN too
			errs = append(errs, fmt.Errorf("%s %v: want a percentage from 0 to 100", v.flag, v.p))
		}
	}
	if len(errs) == 0 && warning != 0 && critical != 0 && warning >= critical {
		errs = append(errs, fmt.Errorf("--warning %v: want a level below --threshold %v", warning, critical))
	}
	if len(errs) == 0 {
		policy := usage.Policy{Thresholds: usage.Thresholds{Warning: warning, Critical: critical}}
		if err := policy.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("--threshold %v --warning %v: %w", critical, warning, err))
		}
	}
	return errs
}
