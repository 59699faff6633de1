package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ipamkit/ipamkit/ipam"
)

// cidrOverlapsCommand is "cidr overlaps": which CIDRs of a list overlap.
func cidrOverlapsCommand() *Command {
	return &Command{
		Name:      "overlaps",
		UsageLine: "[--file FILE|-] [CIDR ...]",
		Short:     "Print every pair of overlapping CIDRs in a list.",
		Long: `Print every pair of overlapping CIDRs once, one pair per line as "A B",
with A the one given earlier. Two CIDRs overlap when they are equal or one
contains the other; CIDRs of different families never overlap. The list is
the lines of --file, then the CIDR arguments, in that order. Pairs come
in input order: by the position of A, then by that of B.

Print nothing when no CIDRs overlap. The exit code is 0 either way, so
that the overlaps are data rather than a failure; to fail a script on
overlaps, test whether the output is empty:

  test -z "$(ipamctl cidr overlaps --file plan.txt)" || exit 1`,
		Examples: []Example{
			{
				Args: "cidr overlaps 10.0.0.0/16 10.1.0.0/16 10.0.4.0/22 10.0.5.0/24",
				Output: `10.0.0.0/16 10.0.4.0/22
10.0.0.0/16 10.0.5.0/24
10.0.4.0/22 10.0.5.0/24
`,
			},
			{
				Comment: "Check a planned CIDR against a list on standard input.",
				Stdin:   []string{"2001:db8::/48", "2001:db8:1::/48"},
				Args:    "cidr overlaps --file - 2001:db8:1:200::/56",
				Output:  "2001:db8:1::/48 2001:db8:1:200::/56\n",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var files []string
			fs.stringList(&files, "file", "FILE|-",
				"Read CIDRs from FILE, one per line, before the CIDR arguments; blank lines "+
					"and text after # are ignored. - reads standard input. Repeatable.")
			return func(_ context.Context, e *env, args []string) error {
				if len(files) == 0 && len(args) == 0 {
					return usageErrorf("no CIDRs: give CIDR arguments or --file FILE")
				}
				var list []netip.Prefix
				for _, name := range files {
					l, err := readCIDRFile(e, "--file", name)
					if err != nil {
						return err
					}
					list = append(list, l...)
				}
				var errs []error
				for i, a := range args {
					p, err := ipam.ParseCIDR(a)
					if err != nil {
						errs = append(errs, fmt.Errorf("argument %d: %w", i+1, err))
						continue
					}
					list = append(list, p)
				}
				if err := errors.Join(errs...); err != nil {
					return err
				}
				return writeOverlaps(e.stdout, ipam.Overlaps(list))
			}
		},
	}
}
