package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"unicode/utf8"

	"github.com/ipamkit/ipamkit/ipam"
)

// cidrCommand is the noun "cidr": CIDR math with no cloud account, a thin
// layer over package ipam.
func cidrCommand() *Command {
	return &Command{
		Name:      "cidr",
		UsageLine: "<verb> [flags] [arguments]",
		Short:     "CIDR math: free space, next blocks, usage, overlaps, splits.",
		Long: `CIDR math on the command line, for IPv4 and IPv6. Give pools with --pool
and the CIDRs already taken with --used or --used-file; ipamctl prints
what is free, where the next blocks go, or how full the pools are.

CIDRs are parsed strictly: 10.0.0.1/8 has host bits set and is an error
that names the CIDR it probably meant (10.0.0.0/8). All pools and used
CIDRs of one command must be of one address family. Used CIDRs may
overlap, repeat or reach outside the pools; only the part inside a pool
counts. Lists of CIDRs are printed one per line in ascending address
order.`,
		Commands: []*Command{
			cidrFreeCommand(),
			cidrNextCommand(),
			cidrUsageCommand(),
			cidrOverlapsCommand(),
			cidrSplitCommand(),
		},
	}
}

// Flag documentation shared by the verbs that take the flag.
const (
	poolUsage = "A pool to work in. Repeatable, and one value may list several " +
		"CIDRs separated by commas: --pool 10.0.0.0/16,10.1.0.0/16. Required."
	usedUsage = "CIDRs already in use inside the pools. Repeatable and comma-separated, " +
		"like --pool. Used CIDRs may overlap or reach outside the pools."
	usedFileUsage = "Read more used CIDRs from FILE, one per line; blank lines and " +
		"text after # are ignored. - reads standard input. Repeatable. Every bad line " +
		"is reported with its line number, up to 10; the rest are counted."
)

// spaceFlags are the flags of the verbs that work on the free space of
// pools: --pool, --used and --used-file.
type spaceFlags struct {
	pools     []netip.Prefix
	used      []netip.Prefix
	usedFiles []string
}

// declare declares the flags on fs.
func (sf *spaceFlags) declare(fs *flagSet) {
	fs.cidrList(&sf.pools, "pool", "CIDR[,CIDR...]", poolUsage)
	fs.cidrList(&sf.used, "used", "CIDR,...", usedUsage)
	fs.stringList(&sf.usedFiles, "used-file", "FILE|-", usedFileUsage)
}

// space checks that pools were given, reads the used files and returns the
// free space of the pools.
func (sf *spaceFlags) space(e *env) (ipam.Space, error) {
	if len(sf.pools) == 0 {
		return ipam.Space{}, usageErrorf("missing --pool CIDR")
	}
	used := sf.used
	for _, name := range sf.usedFiles {
		list, err := readCIDRFile(e, "--used-file", name)
		if err != nil {
			return ipam.Space{}, err
		}
		if len(used) == 0 {
			used = list // no copy of what can be a million prefixes
			continue
		}
		used = append(used, list...)
	}
	return ipam.NewSpace(sf.pools, used)
}

// readCIDRFile reads a list of CIDRs with [ipam.ParseCIDRList] from the
// file name, or from standard input for "-". Each bad line is its own error,
// joined with [errors.Join] and named by flag, file and line, up to
// maxBadLines of them and a count of the rest. A file that is not text (an
// executable) gets one line that says so, not its bytes escaped.
func readCIDRFile(e *env, flagName, name string) ([]netip.Prefix, error) {
	var r io.Reader
	source := name
	if name == "-" {
		r, source = e.stdin, "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flagName, err)
		}
		defer f.Close()
		r = f
	}
	list, err := ipam.ParseCIDRList(r)
	if err == nil {
		return list, nil
	}
	bad := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		bad = j.Unwrap()
	}
	errs := make([]error, 0, maxBadLines+1)
	for i, err := range bad {
		if i == maxBadLines {
			errs = append(errs, fmt.Errorf("%s %s: … and %d more bad lines", flagName, source, len(bad)-i))
			break
		}
		var pe *ipam.ParseError
		if errors.As(err, &pe) && !isText(pe.Input) {
			// A binary file: one line says it all.
			errs = append(errs, fmt.Errorf("%s %s: line %d is not text: is this a text file of CIDRs?", flagName, source, pe.Line))
			if n := len(bad) - i - 1; n > 0 {
				errs = append(errs, fmt.Errorf("%s %s: … and %d more bad lines", flagName, source, n))
			}
			break
		}
		if pe != nil && len(pe.Input) > maxQuoted {
			cut := maxQuoted
			for !utf8.RuneStart(pe.Input[cut]) {
				cut--
			}
			err = fmt.Errorf("line %d: %q… (%d bytes): %w", pe.Line, pe.Input[:cut], len(pe.Input), pe.Err)
		}
		errs = append(errs, fmt.Errorf("%s %s: %w", flagName, source, err))
	}
	return nil, errors.Join(errs...)
}

// maxBadLines is how many bad lines of a file are reported one by one; the
// rest are counted. A file of a million bad lines is not a list of CIDRs
// with typos, and standard error is for people.
const maxBadLines = 10

// maxQuoted is how much of a bad line an error quotes.
const maxQuoted = 60

// isText reports whether s reads as text: valid UTF-8 without control
// characters other than tab.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < ' ' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// noArgs reports positional arguments given to a verb that takes none. A
// CIDR given where a flag was meant gets a hint.
func noArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	if _, err := netip.ParsePrefix(args[0]); err == nil {
		return usageErrorf("unexpected argument %q (did you mean --pool %s?)", args[0], args[0])
	}
	return usageErrorf("unexpected argument %q", args[0])
}
