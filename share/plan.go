package share

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Mode says how pools are shared.
type Mode string

// The modes. The zero Mode is ModeAccount.
const (
	// ModeAccount shares with each account through its own share, named
	// ipamShare-<12-digit account id> as the Control Tower sample names
	// it, so the sample's shares are found and adopted.
	ModeAccount Mode = "account"
	// ModeOU shares with each OU through one share whose principal is the
	// OU's ARN, named ipamShare-<OU id>: RAM gives the pools to every
	// account in the OU and in its child OUs, and follows moves with no
	// event at all. Accounts directly under the root, which have no OU,
	// get per-account shares.
	ModeOU Mode = "ou"
)

// Kind is what a [Change] does.
type Kind string

// The kinds of change.
const (
	KindCreateShare        Kind = "create-share"        // CreateResourceShare, with the principal and the first pools
	KindAssociatePrincipal Kind = "associate-principal" // AssociateResourceShare of the account or OU
	KindAssociatePool      Kind = "associate-pool"      // AssociateResourceShare of a pool
	KindDisassociatePool   Kind = "disassociate-pool"   // DisassociateResourceShare of a pool; applied only with Prune
)

// Symbol returns "+" for what a change adds and "-" for what it removes.
func (k Kind) Symbol() string {
	if k == KindDisassociatePool {
		return "-"
	}
	return "+"
}

// Change is one difference between the shares as they are and as the
// rules want them.
type Change struct {
	Kind  Kind   `json:"kind"`
	Share string `json:"share"` // the share's name
	// ShareARN is the share's ARN; empty for a share still to create.
	ShareARN  string `json:"shareArn,omitempty"`
	Principal string `json:"principal,omitempty"` // an account ID or an OU ARN
	PoolID    string `json:"poolId,omitempty"`
	PoolARN   string `json:"poolArn,omitempty"`
	// Reason says why, for people.
	Reason string `json:"reason"`
	// Kept marks a disassociation that is shown but not applied, because
	// the plan was made without Prune.
	Kept bool `json:"kept,omitempty"`
}

// Note is something a plan saw and left as it is: an account that is not
// shared with (suspended, closed, the IPAM's owner), a duplicate share, a
// share that allows external principals.
type Note struct {
	AccountID string `json:"accountId,omitempty"`
	Share     string `json:"share,omitempty"`
	ShareARN  string `json:"shareArn,omitempty"`
	Msg       string `json:"message"`
}

// Plan is what reconciling the shares will change: the changes in the
// order they are applied (by share, then create, principal, pools added,
// pools removed), and notes. It renders as text ([Plan.WriteText]) and as
// JSON ([Plan.WriteJSON], the same value marshalled); the JSON only ever
// gains members. The zero Plan has no changes.
type Plan struct {
	Mode    Mode     `json:"mode"`
	Prune   bool     `json:"prune"`
	Changes []Change `json:"changes"`
	Notes   []Note   `json:"notes,omitempty"`
	// Accounts is how many accounts, and Shares how many shares, the plan
	// looked at.
	Accounts int `json:"accounts"`
	Shares   int `json:"shares"`
}

// Summary counts a plan's changes.
type Summary struct {
	Create       int `json:"create"`       // shares to create
	Associate    int `json:"associate"`    // pools and principals to associate
	Disassociate int `json:"disassociate"` // pools to disassociate (Prune)
	Kept         int `json:"kept"`         // disassociations shown but not applied
}

// Summary counts the changes of p.
func (p Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch {
		case c.Kind == KindCreateShare:
			s.Create++
		case c.Kind == KindDisassociatePool && c.Kept:
			s.Kept++
		case c.Kind == KindDisassociatePool:
			s.Disassociate++
		default:
			s.Associate++
		}
	}
	return s
}

// IsEmpty reports whether applying p would change nothing: no change, or
// only disassociations kept for want of Prune.
func (p Plan) IsEmpty() bool {
	for _, c := range p.Changes {
		if !c.Kept {
			return false
		}
	}
	return true
}

// MarshalJSON writes the plan with its summary first.
func (p Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	if p.Changes == nil {
		p.Changes = []Change{}
	}
	return json.Marshal(struct {
		Summary Summary `json:"summary"`
		plain
	}{p.Summary(), plain(p)})
}

// WriteJSON writes p as indented JSON and a newline.
func (p Plan) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes p for review: each change with a "# why" line, then
// the notes, then one summary line, or "No changes." Plain ASCII.
func (p Plan) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	mode := p.Mode
	if mode == "" {
		mode = ModeAccount
	}
	if len(p.Changes) == 0 {
		accounts := "accounts"
		if p.Accounts == 1 {
			accounts = "account"
		}
		fmt.Fprintf(bw, "No changes. The shares of %d %s (mode %s) match the rules.\n", p.Accounts, accounts, mode)
	} else {
		fmt.Fprintf(bw, "Shares (mode %s): + create or associate, - disassociate.\n", mode)
		share := ""
		for _, c := range p.Changes {
			if c.Share != share {
				share = c.Share
				arn := c.ShareARN
				if arn == "" {
					arn = "new"
				}
				fmt.Fprintf(bw, "\n  share %s (%s)\n", share, arn)
			}
			writeChange(bw, c)
		}
	}
	if len(p.Notes) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Left as they are:")
		for _, n := range p.Notes {
			fmt.Fprintf(bw, "  %s\n", n.Msg)
		}
	}
	if len(p.Changes) > 0 {
		s := p.Summary()
		fmt.Fprintf(bw, "\nPlan: %s to create, %s to add, %d to remove", plural(s.Create, "share"), plural(s.Associate, "association"), s.Disassociate)
		if s.Kept > 0 {
			fmt.Fprintf(bw, ", %d kept (prune is off)", s.Kept)
		}
		fmt.Fprintln(bw, ".")
	}
	return bw.Flush()
}

func writeChange(w io.Writer, c Change) {
	fmt.Fprintf(w, "    # %s\n", c.Reason)
	switch c.Kind {
	case KindCreateShare:
		fmt.Fprintf(w, "    + share %s  principal %s  allowExternalPrincipals=false\n", c.Share, c.Principal)
	case KindAssociatePrincipal:
		fmt.Fprintf(w, "    + principal %s\n", c.Principal)
	case KindAssociatePool:
		fmt.Fprintf(w, "    + pool %s\n", c.PoolID)
	case KindDisassociatePool:
		kept := ""
		if c.Kept {
			kept = "  (kept: prune is off)"
		}
		fmt.Fprintf(w, "    - pool %s%s\n", c.PoolID, kept)
	}
}

// plural returns "1 share" or "N shares".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// WriteJSON writes r as indented JSON and a newline.
func (r Result) WriteJSON(w io.Writer) error {
	if r.Applied == nil {
		r.Applied = []Change{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes what r did: why an event was ignored, or each change
// made, then one summary line, or "Nothing changed."
func (r Result) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	switch {
	case !r.Ignored.IsZero():
		fmt.Fprintf(bw, "Ignored: %s\n", r.Ignored.Reason)
	case len(r.Applied) == 0:
		fmt.Fprintln(bw, "Nothing changed.")
	default:
		share := ""
		for _, c := range r.Applied {
			if c.Share != share {
				share = c.Share
				fmt.Fprintf(bw, "share %s (%s)\n", share, c.ShareARN)
			}
			switch c.Kind {
			case KindCreateShare:
				fmt.Fprintf(bw, "  + created, principal %s\n", c.Principal)
			case KindAssociatePrincipal:
				fmt.Fprintf(bw, "  + principal %s\n", c.Principal)
			case KindAssociatePool:
				fmt.Fprintf(bw, "  + pool %s\n", c.PoolID)
			case KindDisassociatePool:
				fmt.Fprintf(bw, "  - pool %s\n", c.PoolID)
			}
		}
		s := Plan{Changes: r.Applied}.Summary()
		fmt.Fprintf(bw, "Applied: %s created, %s added, %d removed.\n", plural(s.Create, "share"), plural(s.Associate, "association"), s.Disassociate)
	}
	return bw.Flush()
}
