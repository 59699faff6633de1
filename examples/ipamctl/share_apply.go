package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/ipamkit/ipamkit/share"
)

// shareApplyCommand is "share apply": make the shares match the rules.
func shareApplyCommand() *Command {
	return &Command{
		Name:      "apply",
		UsageLine: "--account ID|--all [--mode account|ou] [--tag-key KEY] [--rule BY[:KEY][@REGIONS] ...] [--prune] [--scope ID] [--network-account ID [--role-name NAME] [--external-id ID]] [--yes] [-o text|json]",
		Short:     "Make the shares match the rules, after asking.",
		Long: `Plan as 'ipamctl share plan' does, print the plan on standard error,
ask on the terminal whether to go on (only "yes" is accepted) unless
--yes is given, then make the changes share by share: a share is
created with its principal and first pools (allowExternalPrincipals
false, with a client token, so that a retried call never makes a
second one), further pools and principals are associated, and with
--prune pools are disassociated. Then apply waits until RAM has made
the associations, never with a fixed sleep. Without --yes, apply
refuses to run when standard input is not a terminal to ask on.

When it is done, standard output gets each change made and a summary
(-o json: {"plan":{...},"applied":[...]}), or the plan when there was
nothing to change. When a change fails, or on Ctrl-C, apply stops
there, says how many changes were made, and exits 1: what was made
stays made, and running apply again finishes the job without
duplicating anything.`,
		Examples: []Example{
			{
				Comment: "as the networking account: share its pools with the prod account",
				Args:    "share apply --account 333333333333 --yes",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf shareFlags
			yes := false
			sf.declare(fs, "apply")
			fs.boolVal(&yes, "yes", "Apply without asking. Required when standard input is not a terminal.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := sf.open(ctx, e, "apply", newProgressLogger(e.stderr, e.global.quiet))
				if err != nil {
					return err
				}
				p, err := sf.plan(ctx, s)
				if err != nil {
					return err
				}
				if p.IsEmpty() {
					if sf.format == "json" { // the result's form, with nothing applied
						return writeShareResult(e, share.Result{Plan: p}, sf.format)
					}
					return writeSharePlan(e, p, sf.format)
				}
				if !yes && !stdinIsTerminal(e.stdin) {
					return errors.New("refusing to apply without --yes: standard input is not a terminal to ask on; review the changes with 'ipamctl share plan', then run apply with --yes")
				}
				if err := p.WriteText(e.stderr); err != nil {
					return err
				}
				if !yes {
					if err := confirmShares(ctx, e, s); err != nil {
						return err
					}
				}
				n := p.Summary()
				total := n.Create + n.Associate + n.Disassociate
				fmt.Fprintf(e.stderr, "Applying %s, then waiting until RAM has settled the associations ...\n", plural(total, "change"))
				res, err := s.r.Apply(ctx, p)
				if err != nil {
					return applySharesFailure(ctx, s, err, len(res.Applied), total)
				}
				return writeShareResult(e, res, sf.format)
			}
		},
	}
}

// writeShareResult writes what apply did to standard output.
func writeShareResult(e *env, res share.Result, format string) error {
	var b bytes.Buffer
	var err error
	if format == "json" {
		err = res.WriteJSON(&b)
	} else {
		err = res.WriteText(&b)
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}

// confirmShares asks on the terminal whether to apply the plan to the
// networking account's shares.
func confirmShares(ctx context.Context, e *env, s shareSession) error {
	return askYes(ctx, e, fmt.Sprintf("Apply these changes to the RAM shares of the networking account %s in %s?", s.network, s.region))
}

// applySharesFailure says where an apply stopped and how to finish.
func applySharesFailure(ctx context.Context, s shareSession, err error, done, total int) error {
	switch {
	case ctx.Err() != nil: // Ctrl-C, whatever apply was doing
		return fmt.Errorf("interrupted: %d of %d changes made; run apply again to finish (it adopts what was made)", done, total)
	case errors.Is(err, share.ErrWaitTimeout):
		return fmt.Errorf("%d of %d changes made, but RAM was still making associations when apply stopped waiting: nothing failed; run plan later to check", done, total)
	}
	return fmt.Errorf("%w; %d of %d changes made; run apply again to finish (it adopts what was made)", s.error(err), done, total)
}
