package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"iter"
	"net/netip"

	"github.com/ipamkit/ipamkit/ipam"
)

// cidrSplitCommand is "cidr split": the children of a CIDR.
func cidrSplitCommand() *Command {
	return &Command{
		Name:      "split",
		UsageLine: "CIDR --bits N [--limit K]",
		Short:     "Print the children of a CIDR of a given prefix length.",
		Long: `Print the children of CIDR that are N bits long, one per line, in
ascending address order: 10.0.0.0/16 split into /24s is 10.0.0.0/24,
10.0.1.0/24, ... 10.0.255.0/24. Flags may come before or after CIDR.

The output streams: splitting a /8 into a million /28s starts printing at
once and takes little memory, and an IPv6 split may be endless for all
practical purposes, so --limit stops it. Input is checked before anything
is printed.`,
		Examples: []Example{
			{
				Args: "cidr split 10.0.0.0/22 --bits 24",
				Output: `10.0.0.0/24
10.0.1.0/24
10.0.2.0/24
10.0.3.0/24
`,
			},
			{
				Args: "cidr split 2001:db8::/32 --bits 48 --limit 3",
				Output: `2001:db8::/48
2001:db8:1::/48
2001:db8:2::/48
`,
			},
		},
		Flags: func(fs *flagSet) runFunc {
			bits, limit := 0, 0
			fs.intVal(&bits, "bits", "N",
				"Prefix length of the children: from the length of CIDR up to 32 for "+
					"IPv4 or 128 for IPv6. Required.")
			fs.intVal(&limit, "limit", "K",
				"Stop after K children; 0, the default, prints them all.")
			return func(ctx context.Context, e *env, args []string) error {
				switch len(args) {
				case 0:
					return usageErrorf("missing CIDR to split")
				case 1:
				default:
					return usageErrorf("unexpected argument %q (split takes one CIDR)", args[1])
				}
				p, err := ipam.ParseCIDR(args[0])
				if err != nil {
					return err
				}
				if !fs.isSet("bits") {
					return usageErrorf("missing --bits N (the prefix length of the children, such as 24)")
				}
				if limit < 0 {
					return fmt.Errorf("--limit %d: want 0 (no limit) or more", limit)
				}
				children, err := ipam.Subnets(p, bits)
				if err != nil {
					return fmt.Errorf("--bits %d: %w", bits, err)
				}
				return writeSplit(ctx, e.stdout, children, limit)
			}
		},
	}
}

// cancelCheckEvery is how many lines split writes between looks at ctx.
const cancelCheckEvery = 1 << 12

// writeSplit streams children to stdout through a buffer, at most limit of
// them if limit is positive: it holds one line at a time, never the list.
// It stops early, with an error, when ctx is done (an interrupt) or stdout
// fails; what was written by then stays written.
func writeSplit(ctx context.Context, w io.Writer, children iter.Seq[netip.Prefix], limit int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		buf []byte
		n   int
		err error
	)
	for p := range children {
		if n%cancelCheckEvery == 0 {
			if err = ctx.Err(); err != nil {
				err = fmt.Errorf("interrupted after %d CIDRs: %w", n, err)
				break
			}
		}
		buf = append(p.AppendTo(buf[:0]), '\n')
		if _, err = bw.Write(buf); err != nil {
			break
		}
		n++
		if n == limit {
			break
		}
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}
