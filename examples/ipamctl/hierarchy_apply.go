package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// hierarchyApplyCommand is "hierarchy apply": make the scope match the
// spec.
func hierarchyApplyCommand() *Command {
	return &Command{
		Name:      "apply",
		UsageLine: "-f FILE|- [--scope ID] [--allow-delete] [--yes] [-o text|json]",
		Short:     "Make the scope's pools match the spec, after asking.",
		Long: `Plan as 'ipamctl hierarchy plan' does, print the plan on standard
error, ask on the terminal whether to go on (only "yes" is accepted)
unless --yes is given, then run the operations one at a time, each to
its end: a pool is created and waited for until create-complete, a CIDR
until provisioned, never with a fixed sleep. Standard error shows each
operation as it starts and ends. Without --yes, apply refuses to run
when standard input is not a terminal to ask on.

When it is done, standard output gets the summary and every pool of the
spec with its ID and CIDRs (-o json: {"summary":{...},"done":[...],
"pools":[...]}). When an operation fails, or on Ctrl-C, apply stops
there, names the operation and how many were done, and exits 1: what
was done stays done, and running apply again resumes from where the
live scope is, without duplicating anything.`,
		Examples: []Example{
			{
				Comment: "adopt the demo IPAM's pools: tag each with its path",
				Args:    "hierarchy apply -f testdata/hierarchy-demo.yaml --yes",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf specFlags
			yes := false
			format := "text"
			sf.declare(fs)
			fs.boolVal(&yes, "yes", "Apply without asking. Required when standard input is not a terminal.")
			fs.choice(&format, "o", []string{"text", "json"}, "Output format of the result: text for people (the default) or json for programs.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				cs, s, err := sf.plan(ctx, e, false)
				if err != nil {
					return err
				}
				var res hierarchy.Result
				if !cs.IsEmpty() {
					if !yes && !stdinIsTerminal(e.stdin) {
						return errors.New("refusing to apply without --yes: standard input is not a terminal to ask on; review the changes with 'ipamctl hierarchy plan', then run apply with --yes")
					}
					if err := cs.WriteText(e.stderr); err != nil {
						return err
					}
					if !yes {
						if err := confirm(ctx, e, s.live.Scope); err != nil {
							return err
						}
					}
					res, err = hierarchy.Apply(ctx, s.client, cs, func(o *hierarchy.ApplyOptions) {
						if !e.global.quiet { // -q: the result and errors only
							o.Progress = applyProgress(e.stderr, isTerminal(e.stderr))
						}
						if e.hierarchyApply != nil {
							e.hierarchyApply(o)
						}
					})
					if err != nil {
						return applyFailure(ctx, err)
					}
				}
				return writeApplyResult(e.stdout, cs, res, format)
			}
		},
	}
}

// stdinIsTerminal reports whether r is a terminal to ask on. A reader with
// an IsTerminal method says so itself (tests).
func stdinIsTerminal(r io.Reader) bool {
	if t, ok := r.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	return isTerminal(r)
}

// confirm asks on the terminal whether to apply the plan to scope.
func confirm(ctx context.Context, e *env, scope hierarchy.LiveScope) error {
	where := scope.ID
	if scope.IPAMID != "" {
		where += " of " + scope.IPAMID
	}
	if scope.AccountID != "" {
		where += " in " + strings.TrimSpace(scope.AccountID+" "+scope.Region)
	}
	return askYes(ctx, e, "Apply these changes to scope "+where+"?")
}

// askYes asks question on the terminal and returns nil only when the
// answer is "yes". Ctrl-C while it waits for the answer stops it; either
// way nothing was changed yet, and the error says so.
func askYes(ctx context.Context, e *env, question string) error {
	fmt.Fprintf(e.stderr, "\n%s\nOnly 'yes' will be accepted: ", question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(e.stderr)
		return errors.New("interrupted: nothing was changed")
	case a := <-answer:
		if !strings.HasSuffix(a, "\n") { // end of input: the terminal echoed no newline
			fmt.Fprintln(e.stderr)
		}
		if strings.TrimSpace(a) != "yes" {
			return errors.New("apply cancelled: nothing was changed")
		}
	}
	fmt.Fprintln(e.stderr)
	return nil
}

// applyProgress writes a line to w as each operation starts and ends; with
// durations when w is a terminal.
func applyProgress(w io.Writer, terminal bool) func(hierarchy.Progress) {
	return func(p hierarchy.Progress) {
		n := fmt.Sprintf("[%*d/%d]", len(fmt.Sprint(p.Total)), p.Index+1, p.Total)
		switch {
		case !p.Done:
			fmt.Fprintf(w, "%s %s ...\n", n, p.Op.Label())
		case p.Err != nil:
			fmt.Fprintf(w, "%s %s: failed\n", n, p.Op.Label())
		default:
			detail := ""
			if p.Op.Kind == hierarchy.KindCreatePool && p.Op.PoolID != "" {
				detail = " " + p.Op.PoolID
			}
			if terminal {
				detail += fmt.Sprintf(" (%v)", p.Took.Round(time.Second/10))
			}
			fmt.Fprintf(w, "%s %s: done%s\n", n, p.Op.Label(), detail)
		}
	}
}

// applyFailure says where an apply stopped and how to resume.
func applyFailure(ctx context.Context, err error) error {
	var ae *hierarchy.ApplyError
	if !errors.As(err, &ae) {
		return awsError(err)
	}
	if ctx.Err() != nil { // Ctrl-C, whatever the operation was doing
		return fmt.Errorf("interrupted at %s: %d of %d operations done; run apply again to resume (it waits for what IPAM is still doing)", ae.Op.Label(), ae.Done, ae.Total)
	}
	return fmt.Errorf("failed at %s (%s): %v; %d of %d operations done; run apply again to resume", ae.Op.Label(), ae.Op.Kind, awsError(ae.Err), ae.Done, ae.Total)
}

// applyResult is the JSON of apply's result.
type applyResult struct {
	Summary hierarchy.Summary       `json:"summary"`
	Done    []hierarchy.OpResult    `json:"done"`
	Pools   []hierarchy.PlannedPool `json:"pools"`
}

// writeApplyResult writes the summary of what was done and every pool of
// the spec with its ID and CIDRs, those that apply learned included.
func writeApplyResult(w io.Writer, cs hierarchy.ChangeSet, res hierarchy.Result, format string) error {
	ids := map[string]string{}
	chosen := map[string][]netip.Prefix{}
	for _, d := range res.Done {
		switch d.Op.Kind {
		case hierarchy.KindCreatePool:
			ids[d.Op.Path] = d.Op.PoolID
		case hierarchy.KindProvisionCIDR:
			if d.Op.Netmask > 0 && d.Op.CIDR.IsValid() {
				chosen[d.Op.Path] = append(chosen[d.Op.Path], d.Op.CIDR)
			}
		}
	}
	out := applyResult{Summary: cs.Summary(), Done: res.Done, Pools: make([]hierarchy.PlannedPool, len(cs.Pools))}
	if out.Done == nil {
		out.Done = []hierarchy.OpResult{}
	}
	for i, p := range cs.Pools {
		if id, ok := ids[p.Path]; ok {
			p.PoolID = id
		}
		if c, ok := chosen[p.Path]; ok {
			p.CIDRs, p.Netmask = append(p.CIDRs, c...), 0
		}
		out.Pools[i] = p
	}
	var b bytes.Buffer
	if format == "json" {
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		s := out.Summary
		switch {
		case cs.IsEmpty() && len(cs.Refused) == 0:
			fmt.Fprintln(&b, "No changes. The scope's pools match the spec.")
		case cs.IsEmpty():
			ops := "operations"
			if len(cs.Refused) == 1 {
				ops = "operation"
			}
			fmt.Fprintf(&b, "No changes. The plan refused %d %s, so the scope still has what the spec no longer has: 'ipamctl hierarchy plan' says why.\n", len(cs.Refused), ops)
		default:
			fmt.Fprintf(&b, "Apply complete: %d created, %d changed, %d destroyed, %d adopted.\n", s.Create, s.Update, s.Delete, s.Adopt)
		}
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "POOL\tID\tCIDRS")
		for _, p := range out.Pools {
			cidrs := make([]string, len(p.CIDRs))
			for i, c := range p.CIDRs {
				cidrs[i] = c.String()
			}
			if p.Netmask > 0 {
				cidrs = append(cidrs, fmt.Sprintf("/%d", p.Netmask))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Path, p.PoolID, strings.Join(cidrs, ","))
		}
		tw.Flush()
	}
	_, err := w.Write(b.Bytes())
	return err
}
