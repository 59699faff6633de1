package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/internal/awsfake"
)

// demoCommand is the noun "demo": the in-process fake of AWS with a demo
// organization.
func demoCommand() *Command {
	return &Command{
		Name:      "demo",
		UsageLine: "[serve [flags]]",
		Short:     "Tour a demo organization, or serve one; no AWS account needed.",
		Long:      demoTourLong,
		Examples:  []Example{{Comment: "the tour, a few seconds, no AWS account", Args: "demo"}},
		Flags: func(fs *flagSet) runFunc {
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				return runTour(ctx, e)
			}
		},
		Commands: []*Command{demoServeCommand()},
	}
}

func demoServeCommand() *Command {
	return &Command{
		Name:      "serve",
		UsageLine: "[--port N] [--data FILE] [--generate AxVxS] [--regions R,...] [--near-exhaustion F] [--growth N] [--seed N] [--latency D[/P99]] [--rate-limits none|aws]",
		Short:     "Serve the demo organization until interrupted.",
		Long: `Start the fake on 127.0.0.1, print the environment to export so that
the AWS CLI and every ipamctl command use it, and serve until
interrupted (Ctrl-C). Paste the export lines into another shell,
then try 'ipamctl usage --org --regions us-east-1,us-west-2
--ipam-account 222222222222' or 'aws ec2 describe-vpcs' there.

The built-in organization has a management account (111111111111), a
networking account (222222222222) that owns an IPAM in us-east-1 and
us-west-2 and is a delegated administrator, and workload accounts in
"Prod OU" and "SDLC OU". The IPAM has the Control Tower sample's pool
hierarchy (192.168.0.0/16, a /20 per region, a /21 per environment);
some VPCs were allocated from it and some were not (10.0.0.0/8); a few
subnets are nearly full. Each member account has
OrganizationAccountAccessRole, assumable from the management account.
The printed keys act in the management account; the networking
account's key is printed on standard error.

--data loads a dataset file instead (YAML, as in internal/awsfake's
testdata); --generate builds a large organization: A accounts with V
VPCs of S /24 subnets in each region, for trying ipamctl at scale, up to
1,000,000 subnets in all (about 2 GB of memory). 2500x1x20 with
--regions us-east-1,us-west-2 is 5,000 account-regions.

--latency and --rate-limits make the fake answer as AWS does at scale:
every call takes the latency (a fixed time, or a median and 99th
percentile of a seeded log-normal draw, e.g. 50ms/300ms), and
--rate-limits aws applies EC2's published request rate limits per
account, region and API action (100 calls at once, then 20 a second,
for Describe and Get actions; 50, then 5 a second, for changes),
answered with RequestLimitExceeded, as AWS answers. 5,000
account-regions, 50 ms a call and AWS's limits:

  ipamctl demo serve --generate 2500x1x20 --regions us-east-1,us-west-2 \
      --latency 50ms --rate-limits aws

Requests are answered as AWS answers them but signatures are not
checked: this is for trying things out, never for real credentials.`,
		Examples: []Example{
			{Comment: "serve on a free port; export what it prints in another shell", Args: "demo serve --port 0"},
		},
		Flags: func(fs *flagSet) runFunc {
			port := 4566
			var data, generate, seedText string
			var regions []string
			nearExhaustion, growth := 0.05, 0.0
			var latency awsfake.Latency
			rateLimits := "none"
			fs.intVal(&port, "port", "N", "Port to listen on, on 127.0.0.1; 4566 if not given, 0 for any free port.")
			fs.fn("data", "FILE", "Load the organization from a YAML dataset file instead of the built-in one.", func(v string) error { data = v; return nil })
			fs.fn("generate", "AxVxS", "Generate an organization of A member accounts, V VPCs per account and region, S subnets per VPC, e.g. 20x100x50.", func(v string) error {
				if _, err := parseGenerate(v); err != nil {
					return err
				}
				generate = v
				return nil
			})
			fs.commaList(&regions, "regions", "R,...", "Regions of a generated organization; us-east-1 if not given.")
			fs.floatVal(&nearExhaustion, "near-exhaustion", "F", "Share of generated subnets left nearly full, from 0 to 1; 0.05 if not given.")
			fs.floatVal(&growth, "growth", "N", "Addresses a day the nearly full subnets of a generated organization have been filling at, as CloudWatch's history shows (ipamctl usage --forecast); 0 if not given.")
			fs.fn("seed", "N", "Seed of a generated organization; the same flags give the same organization.", func(v string) error {
				if _, err := strconv.ParseUint(v, 10, 64); err != nil {
					return fmt.Errorf("want a whole number")
				}
				seedText = v
				return nil
			})
			fs.fn("latency", "D[/P99]", "Time each call takes, e.g. 50ms, or a median and 99th percentile, e.g. 50ms/300ms; none if not given.", func(v string) error {
				l, err := awsfake.ParseLatency(v)
				if err != nil {
					return err
				}
				latency = l
				return nil
			})
			fs.choice(&rateLimits, "rate-limits", []string{"none", "aws"}, "Request rate limits: aws for EC2's published limits per account, region and action; none if not given.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if data != "" && generate != "" {
					return usageErrorf("--data and --generate exclude each other")
				}
				if port < 0 || port > 65535 {
					return fmt.Errorf("--port %d: want 0 to 65535", port)
				}
				if nearExhaustion < 0 || nearExhaustion > 1 {
					return fmt.Errorf("--near-exhaustion %v: want 0 to 1", nearExhaustion)
				}
				if !(growth >= 0 && growth <= 1e6) {
					return fmt.Errorf("--growth %v: want 0 to 1000000 addresses a day", growth)
				}
				for _, r := range regions {
					if err := checkRegion(r); err != nil {
						return fmt.Errorf("--regions %q: %w", r, err)
					}
				}
				world := awsfake.Demo()
				switch {
				case data != "":
					w, err := awsfake.LoadWorldFile(data)
					if err != nil {
						return fmt.Errorf("--data %s: %w", data, err)
					}
					world = w
				case generate != "":
					o, _ := parseGenerate(generate)
					o.Regions, o.NearExhaustion, o.Growth, o.IPAM = regions, nearExhaustion, growth, true
					o.Seed, _ = strconv.ParseUint(seedText, 10, 64)
					w, err := awsfake.GenerateContext(ctx, o) // refuses a world too large at once
					if err != nil {
						if ctx.Err() != nil {
							return fmt.Errorf("interrupted while generating the organization")
						}
						return fmt.Errorf("--generate %s: %w", generate, err)
					}
					world = w
				}
				if ctx.Err() != nil {
					return fmt.Errorf("interrupted before serving")
				}
				seed, _ := strconv.ParseUint(seedText, 10, 64)
				latency.Seed = seed
				return serveDemo(ctx, e, world, port, data == "" && generate == "", func(o *awsfake.Options) {
					o.Latency = latency
					if rateLimits == "aws" {
						o.RateLimits = awsfake.AWSRateLimits()
					}
				})
			}
		},
	}
}

// parseGenerate parses AxVxS.
func parseGenerate(v string) (awsfake.GenerateOptions, error) {
	parts := strings.Split(v, "x")
	if len(parts) != 3 {
		return awsfake.GenerateOptions{}, fmt.Errorf("want ACCOUNTSxVPCSxSUBNETS, e.g. 20x100x50")
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 1 {
			return awsfake.GenerateOptions{}, fmt.Errorf("%q is not a whole number above 0 (want ACCOUNTSxVPCSxSUBNETS)", p)
		}
		n[i] = x
	}
	if n[2] > 256 {
		return awsfake.GenerateOptions{}, fmt.Errorf("%d subnets per VPC: at most 256 /24s fit a /16 VPC", n[2])
	}
	return awsfake.GenerateOptions{Accounts: n[0], VPCs: n[1], Subnets: n[2]}, nil
}

// serveDemo serves world until ctx is done.
func serveDemo(ctx context.Context, e *env, world *awsfake.World, port int, builtIn bool, scale func(*awsfake.Options)) error {
	// Realistic: pools and CIDRs settle after seconds, with time, as in
	// AWS, and AWS's default quotas apply, so a tool that sleeps instead of
	// waiting on states, or reads a state too early, fails here as it would
	// there.
	srv, err := awsfake.New(awsfake.Realistic, scale, func(o *awsfake.Options) {
		o.World = world
		o.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	})
	if err != nil {
		return fmt.Errorf("start the fake on port %d: %w", port, err)
	}
	defer srv.Close()
	fmt.Fprintf(e.stdout, "export AWS_ENDPOINT_URL=%s\n", srv.URL())
	fmt.Fprintf(e.stdout, "export AWS_ACCESS_KEY_ID=%s\n", awsfake.DefaultAccessKeyID)
	fmt.Fprintf(e.stdout, "export AWS_SECRET_ACCESS_KEY=%s\n", awsfake.DefaultSecretAccessKey)
	fmt.Fprintf(e.stdout, "export AWS_REGION=us-east-1\n")
	fmt.Fprintf(e.stdout, "export AWS_DEFAULT_REGION=us-east-1\n") // the AWS CLI v1 reads only this one
	if f, ok := e.stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(e.stderr, "ipamctl demo serve: serving on %s; the keys above act in the management account", srv.URL())
	if builtIn {
		fmt.Fprintf(e.stderr, ", %s in the networking account (%s)", awsfake.DemoNetworkAccessKey, awsfake.DemoNetworkAccount)
	}
	fmt.Fprintf(e.stderr, ". Interrupt to stop.\n")
	<-ctx.Done()
	return nil
}
