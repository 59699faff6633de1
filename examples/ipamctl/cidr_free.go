package main

import "context"

// cidrFreeCommand is "cidr free": the free space of pools.
func cidrFreeCommand() *Command {
	return &Command{
		Name:      "free",
		UsageLine: "--pool CIDR[,CIDR...] [--used CIDR,...] [--used-file FILE|-]",
		Short:     "Print the free space of the pools as the fewest CIDRs.",
		Long: `Print the free space of the pools, the pools minus the used CIDRs, as
the fewest CIDRs that cover it exactly: one per line, in ascending address
order. Print nothing when the pools are full.`,
		Examples: []Example{
			{
				Args: "cidr free --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.4.0/22",
				Output: `10.0.1.0/24
10.0.2.0/23
10.0.8.0/21
10.0.16.0/20
10.0.32.0/19
10.0.64.0/18
10.0.128.0/17
`,
			},
			{
				Comment: "Used CIDRs from standard input; two pools given at once.",
				Stdin:   []string{"2001:db8::/64", "2001:db8:0:2::/63"},
				Args:    "cidr free --pool 2001:db8::/62,2001:db8:1::/64 --used-file -",
				Output: `2001:db8:0:1::/64
2001:db8:1::/64
`,
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf spaceFlags
			sf.declare(fs)
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := sf.space(e)
				if err != nil {
					return err
				}
				return writePrefixes(e.stdout, s.Free())
			}
		},
	}
}
