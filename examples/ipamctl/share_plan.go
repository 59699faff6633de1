package main

import (
	"bytes"
	"context"

	"github.com/ipamkit/ipamkit/share"
)

// sharePlanCommand is "share plan": what apply would change.
func sharePlanCommand() *Command {
	return &Command{
		Name:      "plan",
		UsageLine: "--account ID|--all [--mode account|ou] [--tag-key KEY] [--rule BY[:KEY][@REGIONS] ...] [--prune] [--scope ID] [--network-account ID [--role-name NAME] [--external-id ID]] [-o text|json] [--detailed-exitcode]",
		Short:     "Print the shares and associations apply would change.",
		Long: `Read the organization, every IPAM pool of the networking account and
every RAM share, and print what makes each account's shares match the
rules, share by share: a share to create (+ share), a principal or a
pool to associate (+), a pool to disassociate (-, applied only with
--prune; shown as kept without it). Each change says why ("# pool ...
matches: OU name 'Prod OU'"); then come the accounts and shares left as
they are (suspended accounts, duplicate shares) and a summary line, or
"No changes." The plan changes nothing.

--all plans every account: the backfill of accounts that existed before
the solution, and what to run after a pool is added. --account plans
one account with a few calls, as a Control Tower event does.

-o json prints the same plan for programs: {"summary":{...},"mode":...,
"changes":[...],"notes":[...]}; later versions may add fields but will
not change these.

With --detailed-exitcode the exit code is 0 when there are no changes
to apply, 2 when there are, and 1 on any error.`,
		Examples: []Example{
			{
				Comment: "as the networking account: what each account of the demo lacks",
				Args:    "share plan --all",
			},
			{
				Comment: "as the management account, through a role; for a pipeline",
				Args:    "share plan --account 333333333333 --network-account 222222222222 --role-name OrganizationAccountAccessRole -o json",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf shareFlags
			detailed := false
			sf.declare(fs, "plan")
			fs.boolVal(&detailed, "detailed-exitcode", "Exit with code 2 when there are changes to apply, 0 when there are none, 1 on any error.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := sf.open(ctx, e, "plan", nil)
				if err != nil {
					return err
				}
				p, err := sf.plan(ctx, s)
				if err != nil {
					return err
				}
				if err := writeSharePlan(e, p, sf.format); err != nil {
					return err
				}
				if detailed && !p.IsEmpty() {
					return changesPresent{p.Summary()}
				}
				return nil
			}
		},
	}
}

// writeSharePlan writes p to standard output, whole or not at all.
func writeSharePlan(e *env, p share.Plan, format string) error {
	var b bytes.Buffer
	var err error
	if format == "json" {
		err = p.WriteJSON(&b)
	} else {
		err = p.WriteText(&b)
	}
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(b.Bytes())
	return err
}
