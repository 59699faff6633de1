package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// hierarchyValidateCommand is "hierarchy validate": check a spec offline.
func hierarchyValidateCommand() *Command {
	return &Command{
		Name:      "validate",
		UsageLine: "-f FILE|-",
		Short:     "Check a spec, offline, and list every problem with its path.",
		Long: `Check a spec without calling AWS: its YAML (unknown keys are errors),
names, depth, CIDRs, netmasks and allocation rules, locales against the
spec's regions when it lists them, the public-scope rules and the pools
quota. The children of each pool are carved as plan would carve them in
an empty scope, so children that do not fit are reported with the space
they miss.

A valid spec prints one line on standard output and exits 0. A spec with
problems prints each of them on standard error, with its line when known
and its pool's path, and exits 2. plan checks the spec again against the
live scope (its IPAM's regions, the pools already there).`,
		Examples: []Example{
			{
				Args:   "hierarchy validate -f testdata/hierarchy-control-tower.yaml",
				Output: "testdata/hierarchy-control-tower.yaml: valid: 7 pools in the private scope\n",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf specFlags
			sf.declareFile(fs)
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				spec, err := sf.spec(e, false)
				if err != nil {
					return err
				}
				pools := "pools"
				if spec.Count() == 1 {
					pools = "pool"
				}
				_, err = fmt.Fprintf(e.stdout, "%s: valid: %d %s in the %s scope\n", sf.source(), spec.Count(), pools, cmp.Or(spec.Scope, hierarchy.Private))
				return err
			}
		},
	}
}
