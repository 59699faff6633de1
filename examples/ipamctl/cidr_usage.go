package main

import "context"

// cidrUsageCommand is "cidr usage": how full the pools are.
func cidrUsageCommand() *Command {
	return &Command{
		Name:      "usage",
		UsageLine: "--pool CIDR[,CIDR...] [--used CIDR,...] [--used-file FILE|-] [-o text|json|csv]",
		Short:     "Print how many addresses the pools hold, use and have free.",
		Long: `Print how many addresses the pools hold, how many are used and how many
are free, with their share of the pools, and the largest free block: the
headroom that a percentage hides ("30% free" may not hold a single /24).
Counts are exact, even for IPv6.

-o json prints one line, {"total":"N","used":"N","free":"N","percent":P}:
the counts are decimal strings, because IPv6 counts overflow JSON
numbers, and percent is the used share, a number from 0 to 100. Later
versions may add fields but will not change these. -o csv prints a
header, total,used,free,percent,largest, and one row.`,
		Examples: []Example{
			{
				Args: "cidr usage --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.4.0/22",
				Output: `total    65536 addresses
used      1280    1.95%
free     64256   98.05%
largest  10.0.128.0/17 (32768 addresses)
`,
			},
			{
				Args:   "cidr usage --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.4.0/22 -o json",
				Output: `{"total":"65536","used":"1280","free":"64256","percent":1.953125}` + "\n",
			},
			{
				Args:   "cidr usage --pool 10.0.0.0/16 --used 10.0.0.0/24,10.0.4.0/22 -o csv",
				Output: "total,used,free,percent,largest\n65536,1280,64256,1.953125,10.0.128.0/17\n",
			},
			{
				Args: "cidr usage --pool 2001:db8::/48 --used 2001:db8::/56",
				Output: `total    1208925819614629174706176 addresses
used        4722366482869645213696    0.39%
free     1204203453131759529492480   99.61%
largest  2001:db8:0:8000::/49 (604462909807314587353088 addresses)
`,
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf spaceFlags
			format := "text"
			sf.declare(fs)
			fs.choice(&format, "o", []string{"text", "json", "csv"},
				"Output format: text for people (the default; table is the same), json or csv for programs.")
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := sf.space(e)
				if err != nil {
					return err
				}
				largest, ok := s.Largest()
				switch format {
				case "json":
					return writeUsageJSON(e.stdout, s.Usage())
				case "csv":
					return writeUsageCSV(e.stdout, s.Usage(), largest, ok)
				}
				return writeUsageText(e.stdout, s.Usage(), largest, ok)
			}
		},
	}
}
