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
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
