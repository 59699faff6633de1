package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// hierarchyPlanCommand is "hierarchy plan": what apply would do.
func hierarchyPlanCommand() *Command {
	return &Command{
		Name:      "plan",
		UsageLine: "-f FILE|- [--scope ID] [--allow-delete] [-o text|json] [--detailed-exitcode]",
		Short:     "Print what apply would change in the scope, with the real CIDRs.",
		Long: `Read the scope's live pools and print the operations that make them
match the spec, in the order apply runs them: pools to create (+), to
adopt (<=, tag an existing pool), to change in place (~) and, with
--allow-delete, CIDRs to deprovision and pools to delete (-). Each shows
its real CIDR, carved deterministically, and the reason for it; the last
line counts them, or says "No changes." The plan changes nothing.

-o json prints the same plan for programs: {"formatVersion":1,
"summary":{...},"ops":[...],"pools":[...]}; later versions may add
fields but will not change these.

With --detailed-exitcode the exit code is 0 when there are no changes,
2 when there are, and 1 on any error, a spec with problems included.`,
		Examples: []Example{
			{
				Comment: "the demo IPAM was built by the Control Tower sample's calls: adopt its pools",
				Args:    "hierarchy plan -f testdata/hierarchy-demo.yaml",
			},
			{
				Comment: "for a pipeline; with --detailed-exitcode, exit code 2 means changes",
				Args:    "hierarchy plan -f testdata/hierarchy-control-tower.yaml -o json",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf specFlags
			format := "text"
			detailed := false
			sf.declare(fs)
			fs.choice(&format, "o", []string{"text", "json"}, "Output format: text for people (the default) or json for programs.")
			fs.boolVal(&detailed, "detailed-exitcode", "Exit with code 2 when there are changes, 0 when there are none, 1 on any error.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				cs, _, err := sf.plan(ctx, e, detailed)
				if err != nil {
					return err
				}
				var b bytes.Buffer
				if format == "json" {
					err = cs.WriteJSON(&b)
				} else {
					err = cs.WriteText(&b)
				}
				if err != nil {
					return err
				}
				if _, err := e.stdout.Write(b.Bytes()); err != nil {
					return err
				}
				if detailed && !cs.IsEmpty() {
					s := cs.Summary()
					return exit2{fmt.Sprintf("changes present: %d to create, %d to change, %d to destroy, %d to adopt", s.Create, s.Update, s.Delete, s.Adopt)}
				}
				return nil
			}
		},
	}
}

// plan reads and checks the spec, reads the scope and plans the spec
// against it. Problems of the spec exit with code 2, or 1 when plain is
// set.
func (sf *specFlags) plan(ctx context.Context, e *env, plain bool) (hierarchy.ChangeSet, ipamSession, error) {
	spec, err := sf.spec(e, plain)
	if err != nil {
		return hierarchy.ChangeSet{}, ipamSession{}, err
	}
	s, err := openScope(ctx, e, sf.scope, spec.Scope)
	if err != nil {
		return hierarchy.ChangeSet{}, ipamSession{}, err
	}
	if want := cmp.Or(spec.Scope, hierarchy.Private); s.live.Scope.Type != "" && s.live.Scope.Type != want {
		return hierarchy.ChangeSet{}, ipamSession{}, fmt.Errorf("--scope %s: a %s scope, but the spec is for a %s scope (scope: in the spec)", s.live.Scope.ID, s.live.Scope.Type, want)
	}
	cs, err := hierarchy.Plan(spec, s.live, s.live.PlanOptions, func(o *hierarchy.Options) { o.AllowDelete = sf.allowDelete })
	if err != nil {
		return hierarchy.ChangeSet{}, ipamSession{}, specProblems(sf.source(), err, plain)
	}
	return cs, s, nil
}
