package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/ipam"
)

// hierarchyShowCommand is "hierarchy show": draw the live tree.
func hierarchyShowCommand() *Command {
	return &Command{
		Name:      "show",
		UsageLine: "[--scope ID] [-o text|json|html]",
		Short:     "Draw the scope's live pool tree with CIDRs, allocations and usage.",
		Long: `Read the scope's pools and draw them as a tree: each pool with its name
(the last part of its ipamkit:path tag; "(unmanaged)" and its
description when it has none), ID, locale, CIDRs, how much of its space
is allocated and a utilization bar, and under it the allocations that
are not its child pools (VPCs, custom allocations). Children are listed
in address order.

-o json prints {"scope":{...},"pools":[...]}: every pool in tree order
with its path, depth, CIDRs, allocations and usage, counts as decimal
strings; later versions may add fields but will not change these.

-o html prints one self-contained page: the tree with a map of each
pool's CIDRs, its allocations and free space (hierarchy.Live.WriteHTML).`,
		Examples: []Example{
			{
				Comment: "the demo IPAM, before its pools are adopted",
				Args:    "hierarchy show",
				Output: "" +
					"Scope ipam-scope-06662f09b267e37fe (private) of ipam-07675da009559d93b in 222222222222 us-east-1: 7 pools, 0 managed (tagged ipamkit:path).\n" +
					"\n" +
					"POOL                                   ID                           LOCALE     CIDR             USED    UTILIZATION\n" +
					"(unmanaged) top-level                  ipam-pool-0f954bc03c00bac4a  -          192.168.0.0/16   12.5%   [##................]\n" +
					"|-- (unmanaged) us-west-2              ipam-pool-08457d3ab42fcc0f5  us-west-2  192.168.0.0/20   100.0%  [##################]\n" +
					"|   |-- (unmanaged) us-west-2 Prod OU  ipam-pool-079ede5cee613ff44  us-west-2  192.168.0.0/21   12.5%   [##................]\n" +
					"|   |     * vpc                        vpc-0e4c02074307872d7                   192.168.0.0/24\n" +
					"|   `-- (unmanaged) us-west-2 SDLC OU  ipam-pool-0d836ba2e404d1e96  us-west-2  192.168.8.0/21   12.5%   [##................]\n" +
					"|         * vpc                        vpc-033720b0fe75ece9e                   192.168.8.0/24\n" +
					"`-- (unmanaged) us-east-1              ipam-pool-07fcc2593df1ee1c9  us-east-1  192.168.16.0/20  100.0%  [##################]\n" +
					"    |-- (unmanaged) us-east-1 Prod OU  ipam-pool-0c56d898c0b720267  us-east-1  192.168.16.0/21  12.5%   [##................]\n" +
					"    |     * vpc                        vpc-0dff7ed1616aee7cf                   192.168.16.0/24\n" +
					"    `-- (unmanaged) us-east-1 SDLC OU  ipam-pool-05515f5a899344a4b  us-east-1  192.168.24.0/21  12.5%   [##................]\n" +
					"          * vpc                        vpc-0a634babd8957ab55                   192.168.24.0/24\n",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			scope := ""
			format := "text"
			fs.fn("scope", "ID", "The IPAM scope (ipam-scope-...); the default private scope of the caller's IPAM if not given.", scopeFlag(&scope))
			fs.choice(&format, "o", []string{"text", "json", "html"}, "Output format: text for people (the default), json for programs, html for a page to open in a browser.")
			return func(ctx context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				s, err := openScope(ctx, e, scope, hierarchy.Private)
				if err != nil {
					return err
				}
				tree := newShowTree(s.live)
				var b bytes.Buffer
				switch format {
				case "json":
					err = tree.writeJSON(&b)
				case "html":
					err = s.live.WriteHTML(&b)
				default:
					err = tree.writeText(&b)
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

// showPool is a live pool with its place in the tree and its usage.
type showPool struct {
	hierarchy.LivePool
	Path  string      `json:"path,omitempty"` // the path tag; "" when unmanaged
	Depth int         `json:"depth"`          // 1 for a top pool
	Usage *ipam.Usage `json:"usage,omitempty"`

	last     bool   // the last child of its parent
	ancestry []bool // for each ancestor below the top, whether it is a last child
}

type showTree struct {
	scope hierarchy.LiveScope
	pools []showPool // tree order
}

// newShowTree orders the pools of live as a tree: top pools, then each
// pool's children, by first CIDR then ID.
func newShowTree(live hierarchy.Live) showTree {
	byID := map[string]bool{}
	for _, p := range live.Pools {
		byID[p.ID] = true
	}
	children := map[string][]hierarchy.LivePool{}
	for _, p := range live.Pools {
		parent := p.ParentID
		if !byID[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], p)
	}
	for _, ps := range children {
		slices.SortFunc(ps, func(a, b hierarchy.LivePool) int {
			if c := ipam.ComparePrefix(firstCIDR(a), firstCIDR(b)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
	}
	t := showTree{scope: live.Scope}
	var walk func(parent string, depth int, ancestry []bool)
	walk = func(parent string, depth int, ancestry []bool) {
		kids := children[parent]
		for i, p := range kids {
			sp := showPool{LivePool: p, Depth: depth, last: i == len(kids)-1, ancestry: ancestry}
			sp.Path, _ = p.Path(hierarchy.DefaultPathTagKey)
			if prov := p.Provisioned(); len(prov) > 0 {
				used := make([]netip.Prefix, 0, len(p.Allocations))
				for _, a := range p.Allocations {
					used = append(used, a.CIDR)
				}
				if s, err := ipam.NewSpace(prov, used); err == nil {
					u := s.Usage()
					sp.Usage = &u
				}
			}
			t.pools = append(t.pools, sp)
			next := ancestry
			if depth > 1 {
				next = append(slices.Clip(ancestry), sp.last)
			}
			walk(p.ID, depth+1, next)
		}
	}
	walk("", 1, nil)
	return t
}

// firstCIDR returns the pool's lowest provisioned CIDR, or the zero Prefix.
func firstCIDR(p hierarchy.LivePool) netip.Prefix {
	if prov := p.Provisioned(); len(prov) > 0 {
		return slices.MinFunc(prov, ipam.ComparePrefix)
	}
	return netip.Prefix{}
}

// writeJSON writes the tree as indented JSON.
func (t showTree) writeJSON(w io.Writer) error {
	pools := t.pools
	if pools == nil {
		pools = []showPool{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Scope hierarchy.LiveScope `json:"scope"`
		Pools []showPool          `json:"pools"`
	}{t.scope, pools})
}

// writeText draws the tree, one row per pool, CIDR and allocation.
func (t showTree) writeText(w io.Writer) error {
	managed := 0
	for _, p := range t.pools {
		if p.Path != "" {
			managed++
		}
	}
	sc := t.scope
	fmt.Fprintf(w, "Scope %s (%s)", sc.ID, cmp.Or(sc.Type, hierarchy.Private))
	if sc.IPAMID != "" {
		fmt.Fprintf(w, " of %s", sc.IPAMID)
	}
	if where := strings.TrimSpace(sc.AccountID + " " + sc.Region); where != "" {
		fmt.Fprintf(w, " in %s", where)
	}
	fmt.Fprintf(w, ": %d pools, %d managed (tagged %s).\n", len(t.pools), managed, hierarchy.DefaultPathTagKey)
	if len(t.pools) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "POOL\tID\tLOCALE\tCIDR\tUSED\tUTILIZATION")
	for _, p := range t.pools {
		lead, cont := treeIndent(p)
		name := path.Base(p.Path)
		if p.Path == "" {
			name = strings.TrimSpace("(unmanaged) " + p.Description)
		}
		if p.Gone() {
			name += " [" + p.State + "]"
		}
		cidrs := p.Provisioned()
		first := "-"
		if len(cidrs) > 0 {
			first = cidrs[0].String()
		}
		used, bar := "-", ""
		if p.Usage != nil {
			pct := p.Usage.Used.Percent(p.Usage.Total)
			used, bar = strconv.FormatFloat(pct, 'f', 1, 64)+"%", usageBar(pct)
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%s\t%s\n", lead, name, p.ID, cmp.Or(p.Locale, "-"), first, used, bar)
		for _, c := range cidrs[min(1, len(cidrs)):] {
			fmt.Fprintf(tw, "%s\t\t\t%s\t\t\n", cont, c)
		}
		for _, a := range p.Allocations {
			if a.ResourceType == hierarchy.ResourceTypePool {
				continue
			}
			fmt.Fprintf(tw, "%s* %s\t%s\t\t%s\t\t\n", cont, cmp.Or(a.ResourceType, "allocation"), cmp.Or(a.ResourceID, a.ID), a.CIDR)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for line := range strings.Lines(table.String()) { // rows with empty last cells
		fmt.Fprintln(w, strings.TrimRight(line, " \n"))
	}
	return nil
}

// treeIndent returns the ASCII tree drawn before a pool's name, and the
// one before the rows that continue it (more CIDRs, allocations).
func treeIndent(p showPool) (lead, cont string) {
	if p.Depth == 1 {
		return "", "  "
	}
	var b strings.Builder
	for _, last := range p.ancestry {
		if last {
			b.WriteString("    ")
		} else {
			b.WriteString("|   ")
		}
	}
	lead, cont = b.String()+"|-- ", b.String()+"|   "
	if p.last {
		lead, cont = b.String()+"`-- ", b.String()+"    "
	}
	return lead, cont + "  "
}
