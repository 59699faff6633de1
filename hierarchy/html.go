package hierarchy

import (
	"bytes"
	"cmp"
	"io"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/internal/htmlmap"
	"github.com/ipamkit/ipamkit/internal/textsafe"
	"github.com/ipamkit/ipamkit/ipam"
)

// htmlMaxBlocks is the number of blocks a pool's strip draws for one CIDR
// before it joins neighbours: a pool of thousands of allocations stays a
// page of bounded size.
const htmlMaxBlocks = 128

// WriteHTML writes the live tree to w as one self-contained HTML page, the
// same kind of page as usage.Report.WriteHTML: no external resource (a
// Content-Security-Policy forbids them), light and dark, printable. Each
// pool is a collapsible section, children in address order, with its
// name (the last part of its path tag, or "(unmanaged)" and its
// description), ID, locale, state when being deleted or failed, how much
// of its space is allocated, and a map of each provisioned CIDR: its
// child pools coloured by their own utilization, its other allocations
// (VPCs, custom allocations), and the free gaps with their CIDRs on hover.
// IPv4 strips are to scale, IPv6 strips on a log scale (see the usage
// page). Text from AWS is escaped as html/template escapes it, control
// characters and bidirectional overrides written as Go escapes. It builds
// the page before writing it, in one call to w.Write.
func (l Live) WriteHTML(w io.Writer) error {
	var b bytes.Buffer
	writeLiveHTML(&b, l)
	_, err := w.Write(b.Bytes())
	return err
}

// htmlPool is a live pool with its usage and children, for the page.
type htmlPool struct {
	LivePool
	prov     []netip.Prefix
	usage    *ipam.Usage
	children []*htmlPool
}

// liveTree orders the pools of l as a tree: top pools (no parent in l),
// then each pool's children, by first provisioned CIDR then ID.
func liveTree(l Live) []*htmlPool {
	byID := make(map[string]*htmlPool, len(l.Pools))
	nodes := make([]*htmlPool, len(l.Pools))
	for i, p := range l.Pools {
		n := &htmlPool{LivePool: p, prov: p.Provisioned()}
		slices.SortFunc(n.prov, ipam.ComparePrefix)
		if len(n.prov) > 0 {
			var used []netip.Prefix
			for _, a := range p.Allocations {
				if a.CIDR.Addr().Is4() == n.prov[0].Addr().Is4() {
					used = append(used, a.CIDR)
				}
			}
			if s, err := ipam.NewSpace(n.prov, used); err == nil {
				u := s.Usage()
				n.usage = &u
			}
		}
		nodes[i], byID[p.ID] = n, n
	}
	first := func(n *htmlPool) netip.Prefix {
		if len(n.prov) > 0 {
			return n.prov[0]
		}
		return netip.Prefix{}
	}
	order := func(a, b *htmlPool) int {
		return cmp.Or(ipam.ComparePrefix(first(a), first(b)), strings.Compare(a.ID, b.ID))
	}
	slices.SortFunc(nodes, order)
	var roots []*htmlPool
	for _, n := range nodes {
		if parent, ok := byID[n.ParentID]; ok && parent != n {
			parent.children = append(parent.children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

func writeLiveHTML(b *bytes.Buffer, l Live) {
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	esc := func(s string) string { return htmlmap.Esc(textsafe.Escape(s)) }
	sc := l.Scope
	title := "IPAM pools"
	if sc.ID != "" {
		title += " of " + sc.ID
	}
	roots := liveTree(l)
	managed := 0
	for _, p := range l.Pools {
		if _, ok := p.Path(DefaultPathTagKey); ok {
			managed++
		}
	}
	w(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="`, htmlmap.CSP, `">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="ipamkit">
<title>`, esc(title), `</title>
<style>
`, htmlmap.CSS, `</style>
</head>
<body>
<header>
<h1>`, esc(title), `</h1>
<p class="summary" id="summary">Scope <span class="c">`, esc(cmp.Or(sc.ID, "unknown")), `</span> (`, esc(string(cmp.Or(sc.Type, Private))), `)`)
	if sc.IPAMID != "" {
		w(` of <span class="c">`, esc(sc.IPAMID), `</span>`)
	}
	if where := strings.TrimSpace(sc.AccountID + " " + sc.Region); where != "" {
		w(` in `, esc(where))
	}
	w(`: <b>`, strconv.Itoa(len(l.Pools)), `</b> pools, `, strconv.Itoa(managed), ` managed (tagged `, DefaultPathTagKey, `).</p>
<div class="tools"><input type="search" id="filter" placeholder="Filter pools" aria-label="Filter pools"><button type="button" data-open="1">Expand all</button><button type="button" data-open="0">Collapse all</button></div>
<p class="legend">Each strip is one CIDR provisioned to a pool, its allocations in address order. Child pools by their utilization:
<span class="b u0">0–10%</span><span class="b u4">40%</span><span class="b u8">80%</span><span class="b u10">full</span><span class="b alloc">VPC or custom allocation</span><span class="b free">free</span>
Hover a block for its CIDR. IPv4 strips are drawn to scale; IPv6 strips on a log scale.</p>
</header>
<main id="pools">`)
	var pool func(n *htmlPool)
	pool = func(n *htmlPool) {
		name := "(unmanaged) " + n.Description
		if p, ok := n.Path(DefaultPathTagKey); ok {
			name = path.Base(p)
		}
		w("\n", `<details class="pool" open><summary>`)
		if n.usage != nil {
			pct := n.usage.Percent()
			pv := strconv.FormatFloat(pct, 'f', 3, 64)
			w(`<span class="bar"><i class="`, htmlmap.UtilizationClass(pct), `" style="width:`, pv, `%"></i></span>`, strconv.FormatFloat(pct, 'f', 1, 64), `% · `)
		}
		w(`<bdi>`, esc(strings.TrimSpace(name)), `</bdi> <span class="c">`, esc(n.ID), `</span>`)
		if n.Locale != "" {
			w(` `, esc(n.Locale))
		}
		for _, c := range n.prov {
			w(` <span class="c">`, c.String(), `</span>`)
		}
		if n.usage != nil {
			w(` · `, n.usage.Used.String(), ` of `, n.usage.Total.String(), ` allocated`)
		}
		if n.Gone() {
			w(` · <span class="sev">`, esc(n.State), `</span>`)
		}
		w(`</summary>`)
		items := make([]htmlmap.Item, 0, len(n.Allocations))
		kids := make(map[string]*htmlPool, len(n.children))
		for _, c := range n.children {
			kids[c.ID] = c
		}
		for _, a := range n.Allocations {
			it := htmlmap.Item{CIDR: a.CIDR, Class: "alloc", Title: textsafe.Escape(strings.TrimSpace(cmp.Or(a.ResourceType, "allocation")+" "+cmp.Or(a.ResourceID, a.ID))) + " " + a.CIDR.String()}
			if c, ok := kids[a.ResourceID]; ok && a.ResourceType == ResourceTypePool && c.usage != nil {
				it.Class, it.Used, it.Total = htmlmap.UtilizationClass(c.usage.Percent()), c.usage.Used, c.usage.Total
				it.Title += ": " + c.usage.Used.String() + " of " + c.usage.Total.String() + " allocated (" + strconv.FormatFloat(c.usage.Percent(), 'f', 1, 64) + "%)"
			}
			items = append(items, it)
		}
		for _, c := range n.prov {
			st := htmlmap.NewStrip(c, items, htmlmap.Words{Gap: "free", Children: "allocations"}, htmlMaxBlocks)
			w("\n", `<div class="strip-head"><span class="c">`, st.CIDR, `</span> <small>`, htmlmap.Esc(st.Scale), `</small></div>`,
				"\n", `<div class="strip" role="img" aria-label="map of `, st.CIDR, `">`)
			for _, blk := range st.Blocks {
				w(`<span class="b `, blk.Class, `" style="width:`, blk.Width, `%" title="`, htmlmap.Esc(blk.Title), `">`, htmlmap.Esc(blk.Label), `</span>`)
			}
			w(`</div>`)
		}
		for _, c := range n.children {
			pool(c)
		}
		w("\n</details>")
	}
	for _, n := range roots {
		pool(n)
	}
	if len(roots) == 0 {
		w("\n<p>No pool in this scope.</p>")
	}
	w(`
</main>
<script>
`, htmlmap.JS, `</script>
</body>
</html>
`)
}
