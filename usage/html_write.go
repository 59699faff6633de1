package usage

import (
	"bytes"
	"strconv"

	"github.com/ipamkit/ipamkit/internal/htmlmap"
)

// The page is written by plain code, not executed from a text/template:
// template execution finds fields and methods by name at run time, which
// keeps every exported method of every linked type in a binary (the
// monitor Lambda's grows from 14 MB to over 50 MB). What html/template
// would do is done here by construction: markup is constant, and every
// string from data passes through esc, html/template's own escaping of
// text and quoted attribute values (htmlmap.Esc); the computed values (classes, widths,
// counts, anchors) hold no character esc would change.

// esc returns s escaped for HTML text or a double-quoted attribute value.
func esc(s string) string { return htmlmap.Esc(s) }

// pageWriter writes a page into its buffer.
type pageWriter struct{ bytes.Buffer }

// w writes the parts: constant markup, or strings already escaped.
func (b *pageWriter) w(parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func (b *pageWriter) page(p htmlPage) {
	b.w(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="`+htmlmap.CSP+`">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="ipamkit">
<title>`, esc(p.Title), `</title>
<style>
`, htmlmap.CSS, `</style>
</head>
<body>
<header>
<h1>`, esc(p.Title), `</h1>
`)
	s := p.Summary
	b.w(`<p class="summary" id="summary"><b>`, itoa(s.Measured), `</b> resources measured`)
	if s.Unknown > 0 {
		b.w(` (`, itoa(s.Unknown), ` of unknown usage)`)
	}
	b.w(` · <b>`, itoa(s.Findings), `</b> over a threshold (`, itoa(s.Critical), ` critical, `, itoa(s.Warning), ` warning) · <b>`,
		itoa(s.Failed), `</b> of `, itoa(s.Targets), ` targets failed`)
	if s.Started != "" {
		b.w(` · scanned `, esc(s.Started), ` in `, esc(s.Duration), `, `, itoa(s.APICalls), ` API calls`)
	}
	b.w(`</p>
<nav><a href="#findings">Findings</a><a href="#maps">Maps</a><a href="#organization">Organization</a><a href="#pools">Pools</a><a href="#failed">Failed targets</a></nav>
<div class="tools"><input type="search" id="filter" placeholder="Filter rows and maps" aria-label="Filter rows and maps"><button type="button" data-open="1">Expand all</button><button type="button" data-open="0">Collapse all</button></div>
</header>
<main>
`)
	b.findings(p)
	b.maps(p)
	b.org(p)
	b.pools(p)
	b.failed(p)
	o := p.Opts
	b.w(`</main>
<footer><p class="muted">`)
	if p.Generated != "" {
		b.w(`Scan finished `, esc(p.Generated), `. `)
	}
	b.w(`Written by ipamkit. This page lists at most `, countOf(o.MaxFindings, "finding"), `, `, countOf(o.MaxMaps, "map"), ` of `,
		countOf(o.MaxBlocks, "block"), ` per CIDR and `, countOf(o.MaxRows, "tree row"), `, and says what it leaves out.</p></footer>
<script>
`, htmlmap.JS, `</script>
</body>
</html>
`)
}

func (b *pageWriter) findings(p htmlPage) {
	b.w(`<section id="findings">
<h2>Findings, worst first</h2>`)
	if len(p.Findings) == 0 {
		b.w("\n<p>No resource reaches a threshold.</p>\n</section>\n")
		return
	}
	b.w(`
<div class="scroll"><table class="sortable" id="findings-table">
<thead><tr><th>Severity</th><th>Utilization</th><th>Resource</th><th>Type</th><th>CIDR</th><th>Account</th><th>Region</th><th>Headroom (largest free)</th><th>Runs out (forecast)</th><th>Threshold</th></tr></thead>
<tbody>`)
	for _, r := range p.Findings {
		b.rowStart(r)
		b.w(`</td><td>`, esc(r.Type), `</td><td class="c">`, r.CIDR)
		b.more(r)
		largest := r.Largest
		if largest == "" {
			largest = "none"
		}
		b.w(`</td><td class="c">`, esc(r.AccountID), `</td><td>`, esc(r.Region), `</td><td class="c" data-v="`, itoa(r.LargestHost), `">`, largest,
			`</td><td>`, esc(r.Forecast), `</td><td class="n">`, r.Threshold, `</td></tr>`)
	}
	b.w("\n</tbody>\n</table></div>")
	if p.FindingsMore > 0 {
		b.w("\n", `<p class="cap">`, countOf(p.FindingsMore, "more finding"), ` not listed: this page lists the worst `, itoa(p.Opts.MaxFindings),
			`. The report's JSON and CSV forms hold them all.</p>`)
	}
	b.w("\n</section>\n")
}

func (b *pageWriter) maps(p htmlPage) {
	b.w(`<section id="maps">
<h2>Address-space maps</h2>
<p class="legend">Each strip is one CIDR of a pool or VPC, its child pools, VPCs or subnets in address order. Utilization:
<span class="b u0">0–10%</span><span class="b u2">20%</span><span class="b u4">40%</span><span class="b u6">60%</span><span class="b u8">80%</span><span class="b u9">90%</span><span class="b u10">full</span><span class="b free">free</span><span class="b unknown">usage unknown</span><span class="b group u5">several blocks drawn as one</span>
Hover a block for its CIDR and figures. IPv4 strips are drawn to scale; IPv6 strips on a log scale.</p>`)
	if len(p.Maps) < p.MapsTotal {
		b.w("\n", `<p class="cap">`, itoa(len(p.Maps)), ` of `, itoa(p.MapsTotal), ` pools and VPCs are drawn: this page draws at most `, itoa(p.Opts.MaxMaps),
			`, those with findings first, then the fullest. The others are in the trees below.</p>`)
	}
	for _, m := range p.Maps {
		r := m.Row
		b.w("\n", `<figure class="map" id="`, r.MapID, `" data-kind="`, m.Kind, `">`, "\n", `<figcaption class="sev-`, r.Severity, `">`, m.Kind, ` `)
		b.id(r)
		b.w(` · <span class="c">`, esc(r.AccountID), `</span> `, esc(r.Region), ` · `)
		b.bar(r)
		if r.Used != "" {
			b.w(` `, r.Used, ` of `, r.Total, ` used`)
		}
		if r.Largest != "" {
			b.w(` · largest free <span class="c">`, r.Largest, `</span>`)
		}
		if r.Severity != rowOK {
			b.w(` · <span class="sev">`, r.Severity, `</span>`)
		}
		b.w(`</figcaption>`)
		for _, st := range m.Strips {
			b.w("\n", `<div class="strip-head"><span class="c">`, st.CIDR, `</span> <small>`, esc(st.Scale), `</small></div>`,
				"\n", `<div class="strip" role="img" aria-label="map of `, st.CIDR, `">`)
			for _, blk := range st.Blocks {
				b.w(`<span class="b `, blk.Class, `" style="width:`, blk.Width, `%" title="`, esc(blk.Title), `">`, esc(blk.Label), `</span>`)
			}
			b.w(`</div>`)
		}
		if len(m.Strips) == 0 {
			b.w("\n", `<p class="muted">No CIDR: nothing to draw.</p>`)
		}
		b.w("\n</figure>")
	}
	if len(p.Maps) == 0 {
		b.w("\n<p>No pool or VPC in this report.</p>")
	}
	b.w("\n</section>\n")
}

func (b *pageWriter) org(p htmlPage) {
	b.w(`<section id="organization">
<h2>Organization</h2>
<details class="org" open><summary>Organization: `, itoa(len(p.Org.Accounts)), ` accounts</summary>`)
	rows := itoa(p.Opts.MaxRows)
	for _, a := range p.Org.Accounts {
		b.w("\n", `<details class="account"`, openIf(a.Findings > 0), `><summary>account <span class="c">`, esc(a.ID), `</span> · `,
			itoa(a.Resources), ` resources · `, itoa(a.Findings), ` findings`)
		if a.Worst.Pct != "" {
			b.w(` · fullest `, a.Worst.Pct)
		}
		b.w(`</summary>`)
		for _, rg := range a.Regions {
			b.w("\n", `<details class="region"`, openIf(rg.Findings > 0), `><summary>`, esc(rg.Name), ` · `, itoa(rg.Resources), ` resources · `,
				itoa(rg.Findings), ` findings</summary>`)
			for _, v := range rg.VPCs {
				b.w("\n", `<details class="vpc"><summary class="sev-`, v.Row.Severity, `">`)
				b.line(v.Row)
				b.w(`</summary>`)
				b.rows("Subnet", v.Subnets)
				if v.Hidden > 0 {
					b.w(`<p class="cap">`, countOf(v.Hidden, "subnet"), ` not listed: this page lists `, rows, ` resources at most.</p>`)
				}
				b.w("\n</details>")
			}
			b.rows("Resource", rg.Others)
			if rg.Hidden > 0 {
				b.w(`<p class="cap">`, countOf(rg.Hidden, "resource"), ` not listed: this page lists `, rows, ` resources at most.</p>`)
			}
			b.w("\n</details>")
		}
		b.w("\n</details>")
	}
	b.w("\n</details>")
	if p.Org.Hidden > 0 {
		b.w("\n", `<p class="cap">`, countOf(p.Org.Hidden, "resource"), ` counted above but not listed: this page lists `, rows,
			` at most. The report's JSON and CSV forms hold them all.</p>`)
	}
	b.w("\n</section>\n")
}

func (b *pageWriter) pools(p htmlPage) {
	b.w(`<section id="pools">
<h2>Pools</h2>`)
	for _, n := range p.Pools {
		b.pool(n)
	}
	if len(p.Pools) == 0 {
		b.w("\n<p>No IPAM pool in this report.</p>")
	}
	if p.PoolsMore > 0 {
		b.w("\n", `<p class="cap">`, countOf(p.PoolsMore, "pool or VPC", "pools and VPCs"), ` not listed: this page lists `, itoa(p.Opts.MaxRows),
			` resources at most.</p>`)
	}
	b.w("\n</section>\n")
}

func (b *pageWriter) pool(n *htmlPool) {
	b.w("\n", `<details class="pool" open><summary class="sev-`, n.Row.Severity, `">`)
	b.line(n.Row)
	b.w(`</summary>`)
	b.rows("VPC allocated", n.VPCs)
	if n.Hidden > 0 {
		b.w(`<p class="cap">`, countOf(n.Hidden, "VPC"), ` not listed.</p>`)
	}
	for _, c := range n.Children {
		b.pool(c)
	}
	b.w("\n</details>")
}

func (b *pageWriter) failed(p htmlPage) {
	b.w(`<section id="failed">
<h2>Failed targets</h2>`)
	if len(p.Errors) == 0 {
		b.w("\n<p>None: every target was scanned.</p>\n</section>\n")
		return
	}
	b.w("\n", `<table class="sortable" id="failed-table"><thead><tr><th>Account</th><th>Region</th><th>Code</th><th>Reason</th></tr></thead><tbody>`)
	for _, e := range p.Errors {
		b.w("\n", `<tr><td class="c">`, esc(e.AccountID), `</td><td>`, esc(e.Region), `</td><td class="c">`, esc(e.Code), `</td><td><bdi>`, esc(e.Message), `</bdi></td></tr>`)
	}
	b.w("\n</tbody></table>\n</section>\n")
}

// rows writes a table of resources under the header of their column, or
// nothing when there are none.
func (b *pageWriter) rows(column string, rows []htmlRow) {
	if len(rows) == 0 {
		return
	}
	b.w("\n", `<table class="sortable rows"><thead><tr><th>Severity</th><th>Utilization</th><th>`, column,
		`</th><th>CIDR</th><th>Used of total</th><th>Largest free</th></tr></thead><tbody>`)
	for _, r := range rows {
		b.rowStart(r)
		if r.Type != string(TypeSubnet) {
			b.w(` <small>`, esc(r.Type), `</small>`)
		}
		b.w(`</td><td class="c">`, r.CIDR)
		b.more(r)
		b.w(`</td><td class="n" data-v="`, r.PctValue, `">`)
		if r.Used != "" {
			b.w(r.Used, ` of `)
		}
		b.w(r.Total, `</td><td class="c" data-v="`, itoa(r.LargestHost), `">`, r.Largest, `</td></tr>`)
	}
	b.w("\n</tbody></table>")
}

// rowStart opens the table row of r, in the findings table and under a
// map alike: severity, utilization and the resource's ID (its tags as the
// cell's title), leaving the resource's cell open.
func (b *pageWriter) rowStart(r htmlRow) {
	b.w("\n", `<tr class="sev-`, r.Severity, `"><td data-v="`, itoa(r.SevRank), `"><span class="sev">`, r.Severity, `</span></td><td data-v="`, r.PctValue, `">`)
	b.bar(r)
	b.w(`</td><td`)
	if r.Tags != "" {
		b.w(` title="`, esc(r.Tags), `"`)
	}
	b.w(`>`)
	b.id(r)
}

// bar writes the utilization bar and percentage of r.
func (b *pageWriter) bar(r htmlRow) {
	if r.Used == "" {
		b.w(`<span class="bar unknown"></span>usage unknown`)
		return
	}
	b.w(`<span class="bar"><i class="`, r.Class, `" style="width:`, r.PctValue, `%"></i></span>`, r.Pct)
}

// id writes the ID of r, linked to its map when it has one, and its name.
func (b *pageWriter) id(r htmlRow) {
	if r.MapID != "" {
		b.w(`<a href="#`, r.MapID, `" class="c">`, esc(r.ID), `</a>`)
	} else {
		b.w(`<span class="c">`, esc(r.ID), `</span>`)
	}
	if r.Name != "" {
		b.w(` <bdi>`, esc(r.Name), `</bdi>`)
	}
}

// line writes r on one line, as a tree's summary.
func (b *pageWriter) line(r htmlRow) {
	b.w(`<span class="sev">`, r.Severity, `</span> `)
	b.bar(r)
	b.w(` · `, esc(r.Type), ` `)
	b.id(r)
	b.w(` <span class="c">`, r.CIDR)
	b.more(r)
	b.w(`</span>`)
	if r.Largest != "" {
		b.w(` · largest free <span class="c">`, r.Largest, `</span>`)
	}
}

// more writes " +N" after the CIDR of a resource of N more CIDRs.
func (b *pageWriter) more(r htmlRow) {
	if r.More > 0 {
		b.w(` +`, itoa(r.More))
	}
}

func openIf(open bool) string {
	if open {
		return " open"
	}
	return ""
}
