package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ipamkit/ipamkit/share"
)

// shareExplainCommand is "share explain": why each pool is, or is not,
// for one account.
func shareExplainCommand() *Command {
	return &Command{
		Name:      "explain",
		UsageLine: "--account ID [--tag-key KEY] [--rule BY[:KEY][@REGIONS] ...] [--scope ID] [--network-account ID [--role-name NAME] [--external-id ID]] [-o text|json]",
		Short:     "Say, for every pool, whether it is for one account and why.",
		Long: `Place the account in the organization (its OU and the OU's path from
the root), read every IPAM pool of the networking account, and print
for each pool whether the rules give it to the account, and why: "+"
for a pool that matches, "-" for one that does not. The last line
counts the pools that match. Suspended and closed accounts, and the
networking account, are said to get nothing, whatever the rules say.
The decisions are those of the account's own OU: with share --mode ou,
the account also receives, through RAM, the pools of the shares of the
OUs above its own. Nothing is read of the shares and nothing is
changed: 'ipamctl share plan --account ID' says what is missing.

-o json prints {"account":{...},"rules":[...],"matched":N,
"decisions":[...]}; later versions may add fields but will not change
these.`,
		Examples: []Example{
			{
				Comment: "as the networking account: which pools are for the prod account",
				Args:    "share explain --account 333333333333",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var sf shareFlags
			sf.declare(fs, "explain")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := sf.open(ctx, e, "explain", nil)
				if err != nil {
					return err
				}
				a, ds, err := s.r.Explain(ctx, sf.account)
				if err != nil {
					return s.accountError(err, sf.account)
				}
				x := newExplanation(s, a, ds)
				var b bytes.Buffer
				if sf.format == "json" {
					enc := json.NewEncoder(&b)
					enc.SetIndent("", "  ")
					err = enc.Encode(x)
				} else {
					err = x.writeText(&b)
				}
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(b.Bytes())
				return err
			}
		},
	}
}

// explanation is the result of explain; its JSON only ever gains fields.
type explanation struct {
	Account struct {
		ID     string `json:"accountId"`
		Name   string `json:"name"`
		State  string `json:"state"`
		OUID   string `json:"ouId"` // the root's ID for an account under the root
		OUName string `json:"ouName"`
		Path   string `json:"path"` // of its OU, from the root
	} `json:"account"`
	// Shared is false for an account that gets no pool whatever the
	// rules say, with the reason in Note.
	Shared    bool             `json:"shared"`
	Note      string           `json:"note,omitempty"`
	Rules     []share.Rule     `json:"rules"`
	Matched   int              `json:"matched"`
	Decisions []share.Decision `json:"decisions"`
}

func newExplanation(s shareSession, a share.Account, ds []share.Decision) explanation {
	var x explanation
	x.Account.ID, x.Account.Name, x.Account.State = a.ID, a.Name, string(a.State)
	x.Account.OUID, x.Account.OUName, x.Account.Path = a.ParentID, a.ParentName, a.Path
	x.Shared = true
	switch {
	case a.ID == s.network:
		x.Shared, x.Note = false, "it is the networking account, which owns the pools: no share is made for it"
	case !a.Active():
		x.Shared, x.Note = false, fmt.Sprintf("it is %s: no share is made for it", a.State)
	}
	x.Rules, x.Decisions = s.rules, ds
	if x.Decisions == nil {
		x.Decisions = []share.Decision{}
	}
	x.Matched = len(share.Matched(ds))
	return x
}

func (x explanation) writeText(w io.Writer) error {
	a := x.Account
	where := "in OU " + a.OUName + " (" + a.OUID + ")"
	if strings.HasPrefix(a.OUID, "r-") {
		where = "directly under the root (" + a.OUID + ")"
	}
	fmt.Fprintf(w, "Account %s (%s), %s, %s, path %s.\n", a.ID, a.Name, a.State, where, a.Path)
	for _, r := range x.Rules {
		fmt.Fprintf(w, "Rule: %s.\n", describeRule(r))
	}
	if len(x.Decisions) > 0 {
		fmt.Fprintln(w)
	}
	for _, d := range x.Decisions {
		sign := "-"
		if d.Matched {
			sign = "+"
		}
		fmt.Fprintf(w, "  %s %s\n", sign, d.Reason)
	}
	fmt.Fprintln(w)
	if !x.Shared {
		fmt.Fprintf(w, "%d of %d pools match, but %s.\n", x.Matched, len(x.Decisions), x.Note)
		return nil
	}
	_, err := fmt.Fprintf(w, "%d of %d pools match: they are for this account.\n", x.Matched, len(x.Decisions))
	return err
}

// describeRule says what a rule compares, for people.
func describeRule(r share.Rule) string {
	var s string
	switch r.By {
	case share.ByOUID:
		s = fmt.Sprintf("allocation tag %s equal to the ID of the account's OU", r.TagKey)
	case share.ByOUPath:
		s = fmt.Sprintf("allocation tag %s a path pattern that the account's OU path matches", r.TagKey)
	default:
		s = fmt.Sprintf("allocation tag %s equal to the name of the account's OU", r.TagKey)
	}
	if len(r.Locales) > 0 {
		s += ", pools of " + strings.Join(r.Locales, ", ") + " only"
	}
	return s
}
