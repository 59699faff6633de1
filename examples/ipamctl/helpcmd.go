package main

import (
	"context"
	"slices"
)

// helpCommand is "help": the help of a command, as its --help prints it.
func helpCommand() *Command {
	return &Command{
		Name:      "help",
		UsageLine: "[<noun> [<verb>]]",
		Short:     "Print the help of a command, as its --help does.",
		Long: `Print the help of the command named, to standard output: 'ipamctl help
cidr free' prints what 'ipamctl cidr free --help' prints, and 'ipamctl
help' the help of ipamctl itself. An unknown command is an error.`,
		Examples: []Example{{Args: "help cidr free"}},
		Flags: func(fs *flagSet) runFunc {
			return func(ctx context.Context, e *env, args []string) error {
				if code := e.run(ctx, append(slices.Clip(args), "--help")); code != 0 {
					return errReported
				}
				return nil
			}
		},
	}
}
