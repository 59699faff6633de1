package hierarchy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
)

// FormatVersion is the version of the JSON that [ChangeSet.WriteJSON]
// writes. It changes only when a member changes meaning; new members do not
// change it.
const FormatVersion = 1

// MarshalJSON writes the change set with its formatVersion and summary
// first: {"formatVersion":1,"summary":{…},"pathTagKey":…,"ops":[…],
// "refused":[…],"warnings":[…],"pools":[…],"scopeId":…,"allowDelete":true}
// (allowDelete only when set). Keys are camelCase; the order is stable.
func (cs ChangeSet) MarshalJSON() ([]byte, error) {
	type plain ChangeSet
	return json.Marshal(struct {
		FormatVersion int     `json:"formatVersion"`
		Summary       Summary `json:"summary"`
		plain
	}{FormatVersion, cs.Summary(), plain(cs)})
}

// WriteJSON writes cs as indented JSON and a newline: the same value the
// text shows, for machines.
func (cs ChangeSet) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes cs for review, the way a plan/apply tool does: a legend
// of the actions present, then each operation with a "# why" comment and
// its real CIDR, then what the plan refused to do, then one summary line,
// "Plan: N to create, N to change, N to destroy, N to adopt." A plan with
// no operations says "No changes." first instead, and that the scope
// matches the spec only when nothing was refused either. Plain ASCII, no
// colour.
func (cs ChangeSet) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	switch {
	case cs.IsEmpty() && len(cs.Refused) == 0:
		fmt.Fprintln(bw, "No changes. The scope's pools match the spec.")
	case cs.IsEmpty():
		fmt.Fprintln(bw, "No changes. The scope still has what the spec no longer has: the plan refused to remove it, as listed below.")
	default:
		fmt.Fprintf(bw, "Pools are recognised by the tag %s. Actions are shown with these symbols:\n", cs.PathTagKey)
		present := map[Action]bool{}
		for _, op := range cs.Ops {
			present[op.Action] = true
		}
		for _, a := range []Action{Create, Update, Delete, Adopt} {
			if present[a] {
				fmt.Fprintf(bw, "  %-2s %s\n", a.Symbol(), legend(a))
			}
		}
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "The plan will:")
		for _, op := range cs.Ops {
			fmt.Fprintln(bw)
			writeOp(bw, op, false)
		}
	}
	if len(cs.Refused) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Refused, and left as they are:")
		for _, op := range cs.Refused {
			fmt.Fprintln(bw)
			writeOp(bw, op, true)
		}
	}
	if len(cs.Warnings) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Warnings:")
		for _, w := range cs.Warnings {
			fmt.Fprintf(bw, "  %s: %s\n", w.Path, w.Msg)
		}
	}
	if !cs.IsEmpty() {
		s := cs.Summary()
		fmt.Fprintf(bw, "\nPlan: %d to create, %d to change, %d to destroy, %d to adopt.\n", s.Create, s.Update, s.Delete, s.Adopt)
	}
	return bw.Flush()
}

func legend(a Action) string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update in place"
	case Delete:
		return "destroy"
	case Adopt:
		return "adopt (tag an existing pool)"
	}
	return a.String()
}

func writeOp(w io.Writer, op Op, refused bool) {
	will := "will be"
	if refused {
		will = "would be"
	}
	id := ""
	if op.PoolID != "" {
		id = "  " + op.PoolID
	}
	cidr := op.CIDR.String()
	if !op.CIDR.IsValid() {
		cidr = "/" + strconv.Itoa(op.Netmask) + " (chosen by AWS at apply)"
	}
	switch op.Kind {
	case KindCreatePool:
		fmt.Fprintf(w, "  # pool %s %s created\n", op.Path, will)
	case KindAdoptPool:
		fmt.Fprintf(w, "  # pool %s %s adopted\n", op.Path, will)
	case KindModifyPool:
		fmt.Fprintf(w, "  # pool %s %s updated in place\n", op.Path, will)
	case KindDeletePool:
		fmt.Fprintf(w, "  # pool %s %s destroyed\n", op.Path, will)
	case KindProvisionCIDR:
		fmt.Fprintf(w, "  # CIDR %s %s provisioned to %s\n", cidr, will, op.Path)
	case KindDeprovisionCIDR:
		fmt.Fprintf(w, "  # CIDR %s %s deprovisioned from %s\n", cidr, will, op.Path)
	}
	fmt.Fprintf(w, "  # (%s)\n", op.Reason)
	switch op.Kind {
	case KindProvisionCIDR, KindDeprovisionCIDR:
		fmt.Fprintf(w, "  %s cidr %s  %s%s\n", op.Action.Symbol(), op.Path, cidr, id)
		return
	}
	fmt.Fprintf(w, "  %s pool %s%s\n", op.Action.Symbol(), op.Path, id)
	if op.Kind == KindCreatePool {
		c := op.Config
		attr := func(k, v string) {
			if v != "" {
				fmt.Fprintf(w, "      %-26s = %s\n", k, v)
			}
		}
		attr("parent", op.ParentPath)
		attr("family", string(c.Family))
		attr("locale", c.Locale)
		if c.Description != "" {
			attr("description", strconv.Quote(c.Description))
		}
		attr("publicIpSource", c.PublicIPSource)
		if c.PubliclyAdvertisable {
			attr("publiclyAdvertisable", "true")
		}
		if c.AutoImport {
			attr("autoImport", "true")
		}
		if c.Allocation.MinNetmask > 0 {
			attr("allocation.minNetmask", "/"+strconv.Itoa(c.Allocation.MinNetmask))
		}
		if c.Allocation.MaxNetmask > 0 {
			attr("allocation.maxNetmask", "/"+strconv.Itoa(c.Allocation.MaxNetmask))
		}
		if c.Allocation.DefaultNetmask > 0 {
			attr("allocation.defaultNetmask", "/"+strconv.Itoa(c.Allocation.DefaultNetmask))
		}
		for _, k := range slices.Sorted(maps.Keys(c.Allocation.Tags)) {
			attr("allocation.tags."+k, c.Allocation.Tags[k])
		}
		for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
			attr("tags."+k, c.Tags[k])
		}
	}
	for _, ch := range op.Changes {
		fmt.Fprintf(w, "      %-26s : %s -> %s\n", ch.Field, ch.Before, ch.After)
	}
}
