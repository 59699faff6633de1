package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ipamkit/ipamkit/ipam"
)

// cidrNextCommand is "cidr next": where the next blocks go.
func cidrNextCommand() *Command {
	return &Command{
		Name:      "next",
		UsageLine: "--pool CIDR[,CIDR...] --bits N [--count K] [--strategy lowest|best-fit] [--used CIDR,...] [--used-file FILE|-]",
		Short:     "Print the next free blocks of a prefix length.",
		Long: `Print K free, aligned blocks of prefix length N that do not overlap each
other or any used CIDR: one per line, in ascending address order. When
fewer than K fit, print nothing, say on standard error how many fit and
what the largest free block is, and exit 1.

The strategy chooses where the blocks go. lowest takes the lowest free
addresses, which gives the answer a person reading the plan from the top
would pick. best-fit takes the smallest free CIDRs that hold a block,
filling small holes first and keeping large free blocks whole for large
requests.`,
		Examples: []Example{
			{
				Args: "cidr next --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.2.0/24 --bits 24 --count 2",
				Output: `10.0.1.0/24
10.0.3.0/24
`,
			},
			{
				Comment: "best-fit fills the hole at 10.0.5.0/24 and keeps 10.0.0.0/22 whole.",
				Args:    "cidr next --pool 10.0.0.0/21 --used 10.0.4.0/24,10.0.6.0/23 --bits 25 --count 2 --strategy best-fit",
				Output: `10.0.5.0/25
10.0.5.128/25
`,
			},
			{
				Args:   "cidr next --pool 2001:db8::/56 --used 2001:db8::/64 --bits 64",
				Output: "2001:db8:0:1::/64\n",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf spaceFlags
			bits, count, strategy := 0, 1, ipam.Lowest.String()
			sf.declare(fs)
			fs.intVal(&bits, "bits", "N",
				"Prefix length of the blocks: 24 for /24s. Required.")
			fs.intVal(&count, "count", "K",
				"How many blocks to print; 1 if not given.")
			fs.choice(&strategy, "strategy", []string{ipam.Lowest.String(), ipam.BestFit.String()},
				"Where the blocks go: lowest, the default, takes the lowest free addresses; "+
					"best-fit takes the smallest free CIDRs that hold a block, keeping large free blocks whole.")
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if !fs.isSet("bits") {
					return usageErrorf("missing --bits N (the prefix length of the blocks, such as 24)")
				}
				if count < 1 {
					return fmt.Errorf("--count %d: %w", count, ipam.ErrBadCount)
				}
				s, err := sf.space(e)
				if err != nil {
					return err
				}
				st := ipam.Lowest
				if strategy == ipam.BestFit.String() {
					st = ipam.BestFit
				}
				blocks, err := s.Allocate(bits, count, st)
				var ise *ipam.InsufficientSpaceError
				switch {
				case errors.As(err, &ise):
					return noSpaceError{err: ise, space: s}
				case errors.Is(err, ipam.ErrBadBits):
					return fmt.Errorf("--bits %d: %w", bits, err)
				case err != nil:
					return err
				}
				slices.SortFunc(blocks, ipam.ComparePrefix) // best-fit returns them in placement order
				return writePrefixes(e.stdout, blocks)
			}
		},
	}
}

// noSpaceError is an [*ipam.InsufficientSpaceError] with the headroom that
// is left: the largest free block.
type noSpaceError struct {
	err   *ipam.InsufficientSpaceError
	space ipam.Space
}

func (e noSpaceError) Error() string {
	var msg string
	if e.err.Fit == 0 {
		msg = fmt.Sprintf("no free /%d left", e.err.Bits)
	} else {
		blocks := "blocks fit"
		if e.err.Fit == 1 {
			blocks = "block fits"
		}
		msg = fmt.Sprintf("--count %d: only %d free /%d %s", e.err.Want, e.err.Fit, e.err.Bits, blocks)
	}
	largest, ok := e.space.Largest()
	if !ok {
		return msg + " (the pools are full)"
	}
	return fmt.Sprintf("%s (largest free block: %v)", msg, largest)
}

func (e noSpaceError) Unwrap() error { return e.err }
