package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
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
requests.

Once the blocks are known to fit, the output streams, as split's does:
a billion blocks start printing at once and take little memory.`,
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
			return func(ctx context.Context, e *env, args []string) error {
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
				blocks, err := nextBlocks(s, bits, count, st)
				if err != nil {
					return err
				}
				return writeSplit(ctx, e.stdout, blocks, 0)
			}
		},
	}
}

// nextBlocks returns the blocks that [ipam.Space.Allocate] places, in
// ascending address order, as an iterator that holds one free CIDR at a
// time, never the list: "--count 1000000000" streams in constant memory.
// It checks first that count blocks fit, so that nothing is printed when
// they do not.
//
// Both strategies take whole free CIDRs of the minimal decomposition: lowest
// the lowest-addressed ones, best-fit the longest ones first (the lowest
// on ties), each from its start; so the blocks are the first n /bits of
// some of the free CIDRs, which are walked in address order.
func nextBlocks(s ipam.Space, bits, count int, st ipam.Strategy) (iter.Seq[netip.Prefix], error) {
	// One block checks bits and the family, with Allocate's own errors.
	_, err := s.Allocate(bits, 1, st)
	var ise *ipam.InsufficientSpaceError
	switch {
	case errors.As(err, &ise):
		return nil, noSpaceError{err: &ipam.InsufficientSpaceError{Bits: bits, Want: count}, space: s}
	case errors.Is(err, ipam.ErrBadBits):
		return nil, fmt.Errorf("--bits %d: %w", bits, err)
	case err != nil:
		return nil, err
	}
	free := s.Free()
	// take[i] is how many blocks of free[i] are taken.
	take := make([]int, len(free))
	order := make([]int, 0, len(free))
	for i, p := range free {
		if p.Bits() <= bits {
			order = append(order, i)
		}
	}
	if st == ipam.BestFit { // the smallest CIDRs first; order is by address already
		slices.SortStableFunc(order, func(a, b int) int { return free[b].Bits() - free[a].Bits() })
	}
	left := count
	for _, i := range order {
		n := blocksIn(free[i], bits, left)
		take[i] = n
		left -= n
		if left == 0 {
			break
		}
	}
	if left > 0 {
		return nil, noSpaceError{err: &ipam.InsufficientSpaceError{Bits: bits, Want: count, Fit: count - left}, space: s}
	}
	return func(yield func(netip.Prefix) bool) {
		for i, p := range free {
			if take[i] == 0 {
				continue
			}
			children, _ := ipam.Subnets(p, bits) // p.Bits() <= bits: checked above
			n := 0
			for c := range children {
				if !yield(c) {
					return
				}
				if n++; n == take[i] {
					break
				}
			}
		}
	}, nil
}

// blocksIn returns how many /bits blocks p holds, at most limit.
func blocksIn(p netip.Prefix, bits, limit int) int {
	if d := bits - p.Bits(); d < 62 && 1<<d < limit {
		return 1 << d
	}
	return limit
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
