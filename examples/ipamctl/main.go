// Command ipamctl answers IP address planning questions from the command
// line: free space, next available blocks, usage, overlaps and splits of
// IPv4 and IPv6 CIDRs. Run "ipamctl --help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := exitCode(ctx, run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}

// exitInterrupted is the exit code of a command stopped by an interrupt
// (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report a command a signal
// stopped, so that a script running ipamctl in a loop stops too.
const exitInterrupted = 130

// exitCode returns the exit code of a run that returned code under ctx,
// the context that a signal cancels: a run that failed after an interrupt
// exits with exitInterrupted rather than 1. A run that finished in spite
// of the interrupt keeps its code.
func exitCode(ctx context.Context, code int) int {
	if code != 0 && ctx.Err() != nil {
		return exitInterrupted
	}
	return code
}
