package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// globalFlags are the flags every command accepts, before or after its
// name, as the AWS CLI's global options: "ipamctl --region eu-west-1 usage"
// and "ipamctl usage --region eu-west-1" are one command. The AWS ones
// change how the commands that call AWS load their configuration; the
// others change what is written on standard error.
type globalFlags struct {
	region      string // --region: the configured region, replaced
	profile     string // --profile: a named profile of the shared files
	endpointURL string // --endpoint-url: one endpoint for every service
	debug       bool   // --debug: every AWS request and retry logged, redacted
	quiet       bool   // -q, --quiet: no progress or summary lines
	version     bool   // --version, of the root only
}

// globalDocs documents the global flags in the root's help, in this order.
var globalDocs = []flagDoc{
	{Name: "region", Arg: "R", Usage: "AWS region of the calls, in place of AWS_REGION and the profile's; usage's --regions still chooses what is scanned."},
	{Name: "profile", Arg: "NAME", Usage: "Named profile of the AWS configuration files, in place of AWS_PROFILE."},
	{Name: "endpoint-url", Arg: "URL", Usage: "Send every AWS call to URL, as AWS_ENDPOINT_URL does: 'ipamctl demo serve', a proxy, a VPC endpoint."},
	{Name: "debug", Usage: "Log each AWS request and response (headers only) and each retry on standard error, with credentials, signatures and session tokens redacted."},
	{Name: "q", Usage: "No progress or summary lines on standard error (usage's progress line, the steps of hierarchy apply and share apply); errors and warnings still."},
	{Name: "version", Usage: "Print the version of ipamctl and exit (the root only; also 'ipamctl version')."},
}

// declare declares the global flags on fs, without documenting them there:
// the root's help lists them once. The root also takes --version.
func (g *globalFlags) declare(fs *flagSet, root bool) {
	n := len(fs.docs)
	fs.fn("region", "R", "", func(v string) error {
		if err := checkRegion(v); err != nil {
			return err
		}
		g.region = v
		return nil
	})
	fs.fn("profile", "NAME", "", func(v string) error {
		if v == "" {
			return errors.New("empty profile name")
		}
		g.profile = v
		return nil
	})
	fs.fn("endpoint-url", "URL", "", func(v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New("want an http:// or https:// URL, such as http://127.0.0.1:4566")
		}
		g.endpointURL = v
		return nil
	})
	fs.boolVal(&g.debug, "debug", "")
	fs.boolVal(&g.quiet, "q", "")
	fs.boolVal(&g.quiet, "quiet", "")
	if root {
		fs.boolVal(&g.version, "version", "")
	}
	fs.docs = fs.docs[:n]
}

// loadAWSConfig loads the standard AWS configuration, with the profile of
// --profile and the SDK's log on e.stderr; withGlobals then applies the
// other global flags.
func (e *env) loadAWSConfig(ctx context.Context) (aws.Config, error) {
	// The SDK's own warnings go where the command's errors go.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.NewStandardLogger(e.stderr))}
	if e.global.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(e.global.profile))
	}
	if e.global.region != "" {
		opts = append(opts, config.WithRegion(e.global.region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// withGlobals returns load with --region, --endpoint-url and --debug
// applied to what it loads: a test's configuration as well as the
// standard one.
func (e *env) withGlobals(load func(context.Context) (aws.Config, error)) func(context.Context) (aws.Config, error) {
	return func(ctx context.Context) (aws.Config, error) {
		cfg, err := load(ctx)
		if err != nil {
			return cfg, err
		}
		if e.global.region != "" {
			cfg.Region = e.global.region
		}
		if e.global.endpointURL != "" {
			cfg.BaseEndpoint = aws.String(e.global.endpointURL)
		}
		if e.global.debug {
			cfg.ClientLogMode |= debugLogMode
			cfg.Logger = newDebugLogger(e.stderr)
		}
		return cfg, nil
	}
}

// chatty reports whether progress and summary lines go to standard error:
// on a terminal, without --quiet.
func (e *env) chatty() bool {
	if e.global.quiet {
		return false
	}
	if e.terminal != nil {
		return e.terminal()
	}
	return isTerminal(e.stderr)
}
