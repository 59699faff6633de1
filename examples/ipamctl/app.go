package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/share"
)

// env is what a command may touch of the outside world: the standard
// streams and the AWS configuration. Tests run commands in-process with
// buffers in their place.
type env struct {
	stdin  io.Reader
	stdout io.Writer // the result, and nothing else
	stderr io.Writer // errors
	// awsConfig loads the AWS configuration for the commands that call AWS:
	// the standard chain (environment, profiles, SSO), so AWS_ENDPOINT_URL
	// and AWS_ENDPOINT_URL_EC2 work as in the AWS CLI. Tests point it at
	// the in-process fake.
	awsConfig func(ctx context.Context) (aws.Config, error)
	// notifyHTTP adjusts the delivery of the HTTP notifiers (slack, teams,
	// webhook); nil keeps notify's defaults. Tests make retries wait no
	// time.
	notifyHTTP func(*notify.HTTPOptions)
	// hierarchyApply adjusts "hierarchy apply"; nil keeps hierarchy's
	// defaults. Tests make its waits between reads of a state short.
	hierarchyApply func(*hierarchy.ApplyOptions)
	// shareOptions adjusts the share commands' reconciler; nil keeps
	// share's defaults. Tests make its waits between reads short.
	shareOptions func(*share.Options)
	// global holds the global flags, as parsed so far.
	global globalFlags
	// terminal reports whether stderr is a terminal, for progress lines;
	// nil asks the file. Tests pretend.
	terminal func() bool
}

// Command is one node of the command tree: the root, a noun such as "cidr",
// or a verb such as "cidr free". A node has Commands (the root and nouns),
// Flags (verbs), or both: a noun that also runs by itself, as "demo" does
// beside "demo serve".
type Command struct {
	// Name selects the command on the command line.
	Name string
	// UsageLine is the synopsis after "ipamctl", as in the help.
	UsageLine string
	// Short is one sentence for the parent's list of commands.
	Short string
	// Long is what the command does, as lines of at most 76 columns.
	Long string
	// Examples are real runs; a test checks that each prints its Output.
	Examples []Example
	// Flags declares a verb's flags on fs and returns the function that
	// runs the verb, once fs is parsed, with its positional arguments.
	Flags func(fs *flagSet) runFunc
	// Commands are the children of the root or of a noun.
	Commands []*Command
}

// runFunc runs a verb. It writes its result to e.stdout only once the whole
// result is known (split streams, after checking all its input), and
// returns errors rather than printing them.
type runFunc func(ctx context.Context, e *env, args []string) error

// Example is one documented run of a command.
type Example struct {
	Comment string   // shown as a "#" line above the command; optional
	Stdin   []string // lines piped in with printf; optional
	Args    string   // the arguments after "ipamctl", separated by single spaces
	Output  string   // exactly what the command prints
}

// rootCommand returns the command tree. Each noun lives in its own file and
// adds one line here.
func rootCommand() *Command {
	return &Command{
		Name:      "ipamctl",
		UsageLine: "<noun> <verb> [flags] [arguments]",
		Short:     "IP address planning from the command line.",
		Long: `ipamctl answers the questions of an IP address plan: what is free in a
pool, where the next blocks go, how full the pools are, which CIDRs
overlap. It needs no cloud account: give it pools and used CIDRs on the
command line, in a file or on standard input. IPv4 and IPv6 alike.

The result goes to standard output, one item per line; errors go to
standard error, one line for each bad value. The exit code is 0 on
success and 1 on any error, bad input included; 2 where a command says
so (--fail-on-findings, --detailed-exitcode, a spec with problems); and
130 when interrupted (Ctrl-C), after saying what was done.`,
		Commands: []*Command{
			cidrCommand(),
			usageCommand(),
			hierarchyCommand(),
			shareCommand(),
			demoCommand(),
			helpCommand(),
			versionCommand(),
			completionCommand(),
		},
	}
}

// lookup returns the child command called name, or nil.
func (c *Command) lookup(name string) *Command {
	for _, sub := range c.Commands {
		if sub.Name == name {
			return sub
		}
	}
	return nil
}

// childNames returns the names of c's children, in table order.
func (c *Command) childNames() []string {
	names := make([]string, len(c.Commands))
	for i, sub := range c.Commands {
		names[i] = sub.Name
	}
	return names
}

// usageError is bad use of a command: an unknown flag or command, a missing
// or extra argument. Its message ends with a pointer to the help.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errReported is the error of a command whose errors are already on
// standard error: it exits 1 without another line.
var errReported = errors.New("failed, as reported")

// usageErrorf returns a usageError formatted as with fmt.Errorf.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run runs ipamctl with args (without the program name) and returns the
// exit code: 0 for success, 1 for any error. It is main without the
// process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	e.awsConfig = e.loadAWSConfig
	return e.run(ctx, args)
}

// run runs ipamctl in e.
func (e *env) run(ctx context.Context, args []string) int {
	root := rootCommand()
	return e.dispatch(ctx, root, []*Command{root}, args)
}

// dispatch runs the command at the end of path with args: it descends into
// the named child of a noun, or parses a verb's flags and runs it.
func (e *env) dispatch(ctx context.Context, cmd *Command, path []*Command, args []string) int {
	name := commandPath(path)
	fs := newFlagSet(name)
	e.global.declare(fs, len(path) == 1)
	if len(args) > 0 && cmd.lookup(args[0]) != nil { // a noun that also runs, as demo does
		sub := cmd.lookup(args[0])
		return e.dispatch(ctx, sub, append(slices.Clip(path), sub), args[1:])
	}
	if cmd.Flags == nil {
		args, err := fs.parseNoun(args) // flags of a noun end at its verb
		switch {
		case errors.Is(err, flag.ErrHelp):
			return e.help(path, fs)
		case err != nil:
			return e.fail(name, err)
		case e.global.version && len(path) == 1:
			return e.printVersion()
		}
		if len(args) == 0 {
			return e.fail(name, usageErrorf("missing command: want %s", orList(cmd.childNames())))
		}
		sub := cmd.lookup(args[0])
		if sub == nil {
			return e.fail(name, usageErrorf("unknown command %q: want %s", args[0], orList(cmd.childNames())))
		}
		return e.dispatch(ctx, sub, append(slices.Clip(path), sub), args[1:])
	}
	runF := cmd.Flags(fs)
	pos, err := fs.parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return e.help(path, fs)
	case err != nil:
		return e.fail(name, err)
	}
	e.awsConfig = e.withGlobals(e.awsConfig)
	if err := runF(ctx, e, pos); err != nil {
		if errors.Is(err, errReported) {
			return 1
		}
		code := e.fail(name, err)
		if errors.Is(err, errFindings) {
			code = exitFindings // a result, written; not a failure
		}
		return code
	}
	return 0
}

// help prints the help of the command at the end of path to stdout.
func (e *env) help(path []*Command, fs *flagSet) int {
	if err := writeHelp(e.stdout, path, fs); err != nil {
		return e.fail(commandPath(path), fmt.Errorf("write help: %w", err))
	}
	return 0
}

// fail reports err on stderr and returns exit code 1. Each error joined
// with [errors.Join] at the top gets its own line, so a file with three bad
// lines reports three lines, each naming its bad value.
func (e *env) fail(name string, err error) int {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		if errors.As(err, new(usageError)) {
			msg += fmt.Sprintf(" (see '%s --help')", name)
		}
		fmt.Fprintf(e.stderr, "%s: %s\n", name, msg)
	}
	return 1
}

// commandPath returns the names along path: "ipamctl cidr free".
func commandPath(path []*Command) string {
	names := make([]string, len(path))
	for i, c := range path {
		names[i] = c.Name
	}
	return strings.Join(names, " ")
}
