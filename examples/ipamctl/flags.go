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
)

// flagSet is a [flag.FlagSet] for one command, built fresh for every run.
// It declares every flag through [flag.FlagSet.Func], so that it can keep
// the first value error as it was and report it in the form the user typed
// ("--bits "x": not a whole number") rather than in flag's own wording, and
// it remembers each flag's documentation in declaration order for the help.
type flagSet struct {
	fs   *flag.FlagSet
	docs []flagDoc
	err  error // the first value that failed to parse
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
	return &flagSet{fs: fs}
}

// dashed returns the flag as written on the command line: -o, --pool.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// fn declares a flag whose value set parses. An error from set is kept,
// wrapped with the flag and its value, for parse to return.
func (f *flagSet) fn(name, arg, usage string, set func(string) error) {
	f.docs = append(f.docs, flagDoc{Name: name, Arg: arg, Usage: usage})
	f.fs.Func(name, usage, func(v string) error {
		err := set(v)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s %q: %w", dashed(name), v, err)
		}
		return err
	})
}

// cidrList declares a repeatable flag whose values are comma-separated CIDRs,
// each parsed strictly with [ipam.ParseCIDR], appended to dst.
func (f *flagSet) cidrList(dst *[]netip.Prefix, name, arg, usage string) {
	f.fn(name, arg, usage, func(v string) error {
		items := strings.Split(v, ",")
		for _, s := range items {
			s = strings.TrimSpace(s)
			if s == "" {
				return errors.New("empty entry in the list (want CIDR[,CIDR...])")
			}
			p, err := ipam.ParseCIDR(s)
			if err != nil {
				var pe *ipam.ParseError
				if len(items) == 1 && errors.As(err, &pe) {
					return pe.Err // the value is already quoted once
				}
				return err
			}
			*dst = append(*dst, p)
		}
		return nil
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
// [flag.ErrHelp].
func (f *flagSet) parse(args []string) ([]string, error) {
	pos, err := parseInterspersed(f.fs, args)
	if f.err != nil {
		return nil, f.err
	}
	return pos, err
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
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("want true or false")
		}
		*dst = b
		return nil
	})
}
