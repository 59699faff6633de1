package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/hierarchy"
)

// hierarchyCommand is the noun "hierarchy": the IPAM pool tree as code, a
// thin layer over package hierarchy.
func hierarchyCommand() *Command {
	return &Command{
		Name:      "hierarchy",
		UsageLine: "<verb> [flags]",
		Short:     "The IPAM pool tree as code: validate, plan, apply, show, init.",
		Long: `Keep an IPAM scope's pool tree in a YAML spec: every pool with its CIDRs
or the netmask to carve, its locale, rules and tags. validate checks a
spec offline and lists every problem with its path; plan compares it with
the live scope and prints what apply would do, each pool with its real
CIDR; apply does it, waiting on IPAM's states, and can be run again to
resume; show draws the live tree; init writes a spec to start from.

Pools are recognised by the tag ipamkit:path. Pools that exist without
it, such as those the Control Tower sample created, are adopted (tagged)
rather than duplicated. Nothing is deprovisioned or deleted without
--allow-delete, and never a pool or CIDR that holds allocations.

plan, apply and show call the IPAM of the caller's account in the
configured region (its home region). The scope is --scope, or the IPAM's
default scope of the spec's type (private unless the spec says public).
Credentials, region and endpoints come from the standard AWS
configuration; AWS_ENDPOINT_URL works as in the AWS CLI. The examples
run in examples/ipamctl, against the demo organization that 'ipamctl
demo serve' starts, as its networking account.

Exit codes: 0 on success; 1 on any error; 2 when the spec has problems
(every one is printed on standard error with its path), and with plan
--detailed-exitcode when there are changes (spec problems are then 1).`,
		Commands: []*Command{
			hierarchyValidateCommand(),
			hierarchyPlanCommand(),
			hierarchyApplyCommand(),
			hierarchyShowCommand(),
			hierarchyInitCommand(),
		},
	}
}

// Flag documentation shared by the verbs that take the flag.
const (
	specFileUsage = "The spec, a YAML file; - reads standard input. Required."
	scopeUsage    = "The IPAM scope (ipam-scope-...); the default scope of the spec's " +
		"type (private unless the spec says public) of the caller's IPAM if not given."
	allowDeleteUsage = "Deprovision CIDRs and delete managed pools that the spec no longer has. " +
		"A pool or CIDR with allocations is never touched, even then."
)

// specFlags are the flags of the verbs that read a spec and plan it
// against a scope: -f, --scope and --allow-delete.
type specFlags struct {
	file        string
	scope       string
	allowDelete bool
}

// declareFile declares -f alone, for validate.
func (sf *specFlags) declareFile(fs *flagSet) {
	fs.fn("f", "FILE|-", specFileUsage, func(v string) error {
		if v == "" {
			return errors.New("empty file name")
		}
		sf.file = v
		return nil
	})
}

// declare declares -f, --scope and --allow-delete, for plan and apply.
func (sf *specFlags) declare(fs *flagSet) {
	sf.declareFile(fs)
	fs.fn("scope", "ID", scopeUsage, scopeFlag(&sf.scope))
	fs.boolVal(&sf.allowDelete, "allow-delete", allowDeleteUsage)
}

// scopeFlag checks the form of a scope ID before any call to AWS.
func scopeFlag(dst *string) func(string) error {
	return func(v string) error {
		if !strings.HasPrefix(v, "ipam-scope-") {
			return errors.New("want an IPAM scope ID such as ipam-scope-0123456789abcdef0")
		}
		*dst = v
		return nil
	}
}

// spec reads and validates the spec of -f. Problems are errors that exit
// with code 2 ([specProblems]), unless plain is set: then they exit 1.
func (sf *specFlags) spec(e *env, plain bool) (hierarchy.Spec, error) {
	if sf.file == "" {
		return hierarchy.Spec{}, usageErrorf("missing -f FILE (the spec, YAML; - reads standard input)")
	}
	var (
		data []byte
		err  error
	)
	if sf.file == "-" {
		data, err = io.ReadAll(e.stdin)
	} else {
		data, err = os.ReadFile(sf.file)
	}
	if err != nil {
		return hierarchy.Spec{}, fmt.Errorf("-f: %w", err)
	}
	spec, err := hierarchy.ParseSpec(data)
	if err == nil {
		err = spec.Validate()
	}
	if err != nil {
		return hierarchy.Spec{}, specProblems(sf.source(), err, plain)
	}
	return spec, nil
}

// source names the spec in messages: its file name, or stdin.
func (sf *specFlags) source() string {
	if sf.file == "-" {
		return "stdin"
	}
	return sf.file
}

// exit2 is an error that makes ipamctl exit with code 2 after printing it:
// a problem of the spec, or changes present under --detailed-exitcode.
type exit2 struct{ msg string }

func (e exit2) Error() string { return e.msg }

// Is makes dispatch give the exit code of errFindings.
func (exit2) Is(target error) bool { return target == errFindings }

// specProblems turns the [*hierarchy.ValidationError] of a spec into one
// error per problem, each printed on its own line after the spec's name,
// that exit with code 2; or with code 1 when plain is set. Other errors
// are returned as they are.
func specProblems(source string, err error, plain bool) error {
	var ve *hierarchy.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	errs := make([]error, len(ve.Problems))
	for i, p := range ve.Problems {
		msg := source + ": " + p.Error()
		if plain {
			errs[i] = errors.New(msg)
		} else {
			errs[i] = exit2{msg}
		}
	}
	return errors.Join(errs...)
}

// ipamSession is what plan, apply and show work with: an EC2 client in
// the IPAM's account and home region, and the live tree of the scope.
type ipamSession struct {
	client *ec2.Client
	live   hierarchy.Live
}

// openScope loads the AWS configuration, finds the scope (scopeID, or the
// default scope of scopeType) and reads its live tree.
func openScope(ctx context.Context, e *env, scopeID string, scopeType hierarchy.Scope) (ipamSession, error) {
	cfg, err := e.awsConfig(ctx)
	if err != nil {
		return ipamSession{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return ipamSession{}, usageErrorf("no region: configure the home region of your IPAM (AWS_REGION, a profile)")
	}
	client := ec2.NewFromConfig(cfg)
	if scopeID == "" {
		scopeID, err = hierarchy.DefaultScope(ctx, client, scopeType)
		if err != nil {
			return ipamSession{}, awsError(err)
		}
	}
	live, err := hierarchy.Read(ctx, client, scopeID)
	if err != nil {
		return ipamSession{}, awsError(err)
	}
	return ipamSession{client: client, live: live}, nil
}

// awsError makes an error of AWS one clear line: a scope that is not found
// without the API error's request details, a permission refused with the
// permission to ask for. It wraps every error once, so that ipamctl prints
// it whole on one line, not each error it joins on its own.
func awsError(err error) error {
	var nf *hierarchy.ScopeNotFoundError
	if errors.As(err, &nf) {
		short := *nf
		short.Err = nil
		return fmt.Errorf("%w", &short)
	}
	var oe *smithy.OperationError
	var ae smithy.APIError
	if errors.As(err, &oe) && errors.As(err, &ae) {
		switch code := ae.ErrorCode(); {
		case code == "UnauthorizedOperation" || strings.HasPrefix(code, "AccessDenied"):
			return fmt.Errorf("permission denied: %s %s: %s: the caller needs ec2:%s; call from the account and home region of your IPAM (its delegated administrator)",
				oe.Service(), oe.Operation(), code, oe.Operation())
		}
	}
	return fmt.Errorf("%w", err)
}
