package usage

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipamkit/ipamkit/internal/htmlmap"
	"github.com/ipamkit/ipamkit/internal/textsafe"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

// The default limits of [HTMLOptions]. With them the page of a report of
// 100,000 subnets in 2,000 VPCs is about 2 MB (BenchmarkWriteHTML), and
// no report makes it much larger: each limit caps one part of the page.
const (
	DefaultHTMLMaxFindings = 1000
	DefaultHTMLMaxMaps     = 100
	DefaultHTMLMaxBlocks   = 128
	DefaultHTMLMaxRows     = 3000
)

// HTMLOptions configures [Report.WriteHTML]. The zero value is ready to
// use: each zero limit means its default. The limits bound the page of a
// large organization; what they leave out is counted on the page, never
// dropped silently, and is in the report's JSON and CSV forms.
type HTMLOptions struct {
	// Title heads the page; empty means "IP address usage".
	Title string
	// MaxFindings is the number of findings listed, worst first; zero
	// means DefaultHTMLMaxFindings.
	MaxFindings int
	// MaxMaps is the number of address-space maps drawn (one per pool and
	// per VPC); zero means DefaultHTMLMaxMaps. Past it, the maps of the
	// pools and VPCs with findings and then the fullest are drawn.
	MaxMaps int
	// MaxBlocks is the number of blocks a map's strip draws for one CIDR;
	// zero means DefaultHTMLMaxBlocks. Past it, neighbouring blocks and
	// gaps are drawn as one block each, coloured by their joint
	// utilization.
	MaxBlocks int
	// MaxRows is the number of VPC, subnet and other resource rows of the
	// organization tree and the pool tree; zero means DefaultHTMLMaxRows.
	// Past it, accounts, regions and pools are still listed with their
	// totals, their resources only counted.
	MaxRows int
}

func (o HTMLOptions) withDefaults() HTMLOptions {
	o.Title = cmp.Or(o.Title, "IP address usage")
	o.MaxFindings = cmp.Or(max(o.MaxFindings, 0), DefaultHTMLMaxFindings)
	o.MaxMaps = cmp.Or(max(o.MaxMaps, 0), DefaultHTMLMaxMaps)
	o.MaxBlocks = cmp.Or(max(o.MaxBlocks, 0), DefaultHTMLMaxBlocks)
	o.MaxRows = cmp.Or(max(o.MaxRows, 0), DefaultHTMLMaxRows)
	return o
}

// countOf returns n and the noun, "1 subnet" or "2 subnets": the plural
// is the noun with an s, or the second form given.
func countOf(n int, noun string, plural ...string) string {
	if n != 1 {
		noun = cmp.Or(strings.Join(plural, ""), noun+"s")
	}
	return strconv.Itoa(n) + " " + noun
}

// WriteHTML writes r to w as one self-contained HTML page for people: it
// loads nothing from the network (a Content-Security-Policy forbids it)
// and needs no script to read, though a small inline one sorts tables,
// filters rows and opens every section for printing.
//
// The page shows a summary line (resources measured, over a threshold,
// targets failed, scan time), the findings worst first with their
// utilization and headroom (the largest free block), an address-space map
// of each IPAM pool and each VPC, the organization as a collapsible tree
// (account, region, VPC, subnet), the pools as a tree of their child pools
// and VPCs, and the targets that failed with their reasons. A map draws
// each CIDR of a pool or VPC as a strip of its children (child pools and
// VPCs allocated from a pool; subnets of a VPC) in address order, coloured
// by utilization, with the free gaps between them, whose CIDRs show on
// hover. IPv4 strips are drawn to scale, with no block narrower than
// 0.3% of the strip; IPv6 strips on a log scale (a block is as wide as the
// log2 of its address count plus one), so that a /56 still shows inside a
// /32. Each strip says which scale it uses.
//
// Every text from AWS (names, tags, IDs, error messages) appears only as
// text or in a double-quoted attribute value, escaped as html/template
// escapes them, with control characters and bidirectional overrides
// written as Go escapes (\u202e), and names sit in <bdi> elements, so no
// name can run a script or reorder the text around it. The page is written
// by plain code, not by executing a template: template execution looks
// methods up by name, which keeps every exported method of a program in
// its binary (a Lambda's grows past its size limit). The page is readable
// in light and dark mode and printable. Its size is bounded by opts
// whatever the size of r: about 2 MB for 100,000 subnets with the
// defaults, written in about 0.3 s. WriteHTML builds the whole page before
// writing it, in one call to w.Write; it returns only the error of that
// write. It does not modify r and is safe to call concurrently.
func (r Report) WriteHTML(w io.Writer, opts HTMLOptions) error {
	var b pageWriter
	b.page(newHTMLPage(r, opts.withDefaults()))
	_, err := w.Write(b.Bytes())
	return err
}

// htmlPage is what the page shows: every value precomputed, the writer
// (html_write.go) only lays it out.
type htmlPage struct {
	Title     string
	Generated string // when the scan finished, UTC
	Summary   htmlSummary
	Findings  []htmlRow
	// FindingsMore counts the findings not listed past MaxFindings.
	FindingsMore int
	Maps         []htmlMap
	MapsTotal    int // pools and VPCs that have a map, drawn or not
	Org          htmlOrg
	Pools        []*htmlPool
	PoolsMore    int // pools and allocations not listed past MaxRows
	Errors       []htmlError
	Opts         HTMLOptions
}

type htmlSummary struct {
	Measured, Known, Unknown    int
	Findings, Critical, Warning int
	Targets, Failed             int
	APICalls                    int
	Started, Duration           string
}

// htmlRow is one resource, as a table row or a tree entry.
type htmlRow struct {
	Severity    string // critical, warning, ok, unknown
	SevRank     int    // for sorting: 3 critical, 2 warning, 1 ok, 0 unknown
	Pct         string // "95.6%", "?" when unknown
	PctValue    string // for sorting: "95.6", "-1" when unknown
	Class       string // u0 … u10, unknown
	ID, Name    string
	Type        string
	CIDR        string
	More        int // further CIDRs
	AccountID   string
	Region      string
	Used        string
	Total       string
	Largest     string // the largest free block, headroom
	LargestHost int    // for sorting: log2 of its size; -1 when none
	Threshold   string
	// Forecast is the date the resource is projected to run out, when
	// known: see htmlForecast.
	Forecast string
	Tags     string // "Key=Value, …" for the title
	Source   string
	MapID    string // the anchor of its map, when drawn
}

type htmlOrg struct {
	Accounts []htmlAccount
	Hidden   int // resources not listed past MaxRows
}

type htmlAccount struct {
	ID        string
	Resources int
	Findings  int
	Worst     htmlRow // the fullest resource, for its percentage
	Regions   []htmlRegion
}

type htmlRegion struct {
	Name      string
	Resources int
	Findings  int
	VPCs      []htmlVPC
	Others    []htmlRow // EIPs, public IPv4 and IPv6 pools, pools
	Hidden    int
}

type htmlVPC struct {
	Row     htmlRow
	Subnets []htmlRow
	Hidden  int // subnets not listed past MaxRows
}

type htmlPool struct {
	Row      htmlRow
	Children []*htmlPool
	VPCs     []htmlRow // VPCs allocated from the pool
	Hidden   int
}

type htmlError struct {
	AccountID, Region, Code, Message string
}

// htmlMap is the address-space map of one pool or VPC: a strip per CIDR.
type htmlMap struct {
	Row    htmlRow
	Kind   string // "pool" or "VPC"
	Strips []htmlStrip
}

type htmlStrip = htmlmap.Strip

func newHTMLPage(r Report, o HTMLOptions) htmlPage {
	p := htmlPage{Title: o.Title, Opts: o}
	if !r.Scan.Finished.IsZero() {
		p.Generated = r.Scan.Finished.UTC().Format(time.RFC3339)
	}
	s := &p.Summary
	s.Measured, s.Targets, s.Failed, s.APICalls = len(r.Resources), r.Scan.Targets, len(r.Errors), r.Scan.APICalls
	for _, res := range r.Resources {
		if res.Known {
			s.Known++
		}
	}
	s.Unknown, s.Findings = s.Measured-s.Known, len(r.Findings)
	for _, f := range r.Findings {
		if f.Severity == notify.Critical {
			s.Critical++
		} else {
			s.Warning++
		}
	}
	if !r.Scan.Started.IsZero() {
		s.Started = r.Scan.Started.UTC().Format(time.RFC3339)
		s.Duration = r.Scan.Duration().Round(time.Millisecond).String()
	}

	sev := make(map[Key]Finding, len(r.Findings))
	for _, f := range r.Findings {
		sev[f.Key()] = f
	}
	row := func(res Resource) htmlRow {
		f, ok := sev[res.Key()]
		if !ok {
			return newHTMLRow(res, Finding{})
		}
		return newHTMLRow(res, f)
	}

	maps, mapsTotal := newHTMLMaps(r.Resources, sev, o)
	p.Maps, p.MapsTotal = maps, mapsTotal
	drawn := make(map[string]string, len(maps))
	for _, m := range maps {
		drawn[mapKey(m.Row.AccountID, m.Row.Region, m.Row.ID)] = m.Row.MapID
	}
	withMap := func(h htmlRow) htmlRow {
		h.MapID = drawn[mapKey(h.AccountID, h.Region, h.ID)]
		return h
	}

	for i, f := range r.Findings {
		if i == o.MaxFindings {
			p.FindingsMore = len(r.Findings) - i
			break
		}
		p.Findings = append(p.Findings, withMap(newHTMLRow(f.Resource, f)))
	}

	budget := o.MaxRows
	p.Org = newHTMLOrg(r.Resources, func(res Resource) bool { _, ok := sev[res.Key()]; return ok }, row, withMap, &budget)
	p.Pools, p.PoolsMore = newHTMLPools(r.Resources, row, withMap, &budget)
	for _, e := range r.Errors {
		he := htmlError{AccountID: textsafe.Escape(e.Target.AccountID), Region: textsafe.Escape(e.Target.Region), Code: textsafe.Escape(e.Code())}
		if e.Err != nil {
			he.Message = textsafe.Escape(e.Err.Error())
		}
		p.Errors = append(p.Errors, he)
	}
	return p
}

// htmlForecast returns when f's resource is projected to run out, date
// first as an alert says it ("runs out in 9 days, about 2026-12-11"), or ""
// when its forecast has no date.
func htmlForecast(f Finding) string {
	return forecastPhrase(f.Forecast)
}

func newHTMLRow(res Resource, f Finding) htmlRow {
	h := htmlRow{
		Severity: rowUnknown, Pct: "?", PctValue: "-1", Class: "unknown", LargestHost: -1,
		ID: textsafe.Escape(res.ID), Name: textsafe.Escape(res.Name), Type: textsafe.Escape(string(res.Type)),
		CIDR: prefixText(res.CIDR), More: max(len(res.CIDRs)-1, 0),
		AccountID: textsafe.Escape(res.AccountID), Region: textsafe.Escape(res.Region),
		Total: res.Total.String(), Largest: prefixText(res.LargestFree), Source: string(res.Source),
	}
	if res.Known {
		pct := res.Percent()
		h.Severity, h.SevRank, h.Class = rowOK, 1, utilizationClass(pct)
		h.Pct, h.PctValue = strconv.FormatFloat(pct, 'f', 1, 64)+"%", strconv.FormatFloat(pct, 'f', 3, 64)
		h.Used = res.Used.String()
	}
	if f.Severity != notify.Info {
		h.Severity, h.SevRank = f.Severity.String(), 2
		if f.Severity == notify.Critical {
			h.SevRank = 3
		}
		h.Threshold = strconv.FormatFloat(f.Threshold, 'f', -1, 64) + "%"
		h.Forecast = htmlForecast(f)
	}
	if res.LargestFree.IsValid() {
		h.LargestHost = res.LargestFree.Addr().BitLen() - res.LargestFree.Bits()
	}
	if len(res.Tags) > 0 {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range res.Tags {
				if !yield(k) {
					return
				}
			}
		})
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(textsafe.Escape(k) + "=" + textsafe.Escape(res.Tags[k]))
		}
		h.Tags = b.String()
	}
	return h
}

// utilizationClass returns the CSS class of a utilization (u0 … u10).
func utilizationClass(pct float64) string { return htmlmap.UtilizationClass(pct) }

// mapKey identifies a pool or VPC across families: one map holds all
// its CIDRs.
func mapKey(account, region, id string) string { return account + "\x00" + region + "\x00" + id }

// newHTMLOrg groups the resources by account, region and VPC. Each VPC,
// subnet and other resource listed takes one row of the budget; past it,
// the resources are counted, not listed.
func newHTMLOrg(resources []Resource, finding func(Resource) bool, row func(Resource) htmlRow, withMap func(htmlRow) htmlRow, budget *int) htmlOrg {
	var org htmlOrg
	take := func() bool {
		if *budget <= 0 {
			return false
		}
		*budget--
		return true
	}
	// Resources come ordered by account, region, source, type and ID.
	for i := 0; i < len(resources); {
		acct := resources[i].AccountID
		a := htmlAccount{ID: textsafe.Escape(acct)}
		worst := -1.0
		for i < len(resources) && resources[i].AccountID == acct {
			region := resources[i].Region
			j := i
			for j < len(resources) && resources[j].AccountID == acct && resources[j].Region == region {
				j++
			}
			rg := htmlRegion{Name: textsafe.Escape(region), Resources: j - i}
			var vpcIDs []string
			vpcRow := map[string]*Resource{}
			subnets := map[string][]*Resource{}
			var others []*Resource
			for k := i; k < j; k++ {
				res := &resources[k]
				if res.Known && res.Percent() > worst {
					worst, a.Worst = res.Percent(), row(*res)
				}
				switch {
				case res.Type == TypeVPC && res.Source != SourcePools:
					if prev, ok := vpcRow[res.ID]; !ok {
						vpcIDs = append(vpcIDs, res.ID)
						vpcRow[res.ID] = res
					} else if !prev.Known || (res.Known && res.CIDR.Addr().Is4() && !prev.CIDR.Addr().Is4()) {
						vpcRow[res.ID] = res // a dual-stack VPC's row shows its IPv4 figures
					}
				case res.Type == TypeSubnet && res.VPCID != "":
					if _, ok := subnets[res.VPCID]; !ok && vpcRow[res.VPCID] == nil {
						vpcIDs = append(vpcIDs, res.VPCID)
					}
					subnets[res.VPCID] = append(subnets[res.VPCID], res)
				default:
					others = append(others, res)
				}
			}
			for k := i; k < j; k++ {
				if finding(resources[k]) {
					rg.Findings++
				}
			}
			vpcIDs = slices.Compact(slices.Sorted(slices.Values(vpcIDs)))
			for _, id := range vpcIDs {
				sns := subnets[id]
				if !take() {
					rg.Hidden += len(sns)
					if vpcRow[id] != nil {
						rg.Hidden++
					}
					continue
				}
				v := htmlVPC{Row: htmlRow{ID: textsafe.Escape(id), AccountID: a.ID, Region: rg.Name, Type: string(TypeVPC), Severity: rowUnknown, Pct: "?", PctValue: "-1", Class: "unknown", LargestHost: -1}}
				if res := vpcRow[id]; res != nil {
					v.Row = withMap(row(*res))
				}
				for _, sn := range sns {
					if take() {
						v.Subnets = append(v.Subnets, row(*sn))
					} else {
						v.Hidden++
					}
				}
				rg.VPCs = append(rg.VPCs, v)
			}
			for _, res := range others {
				if take() {
					rg.Others = append(rg.Others, withMap(row(*res)))
				} else {
					rg.Hidden++
				}
			}
			org.Hidden += rg.Hidden
			for _, v := range rg.VPCs {
				org.Hidden += v.Hidden
			}
			a.Resources += rg.Resources
			a.Findings += rg.Findings
			a.Regions = append(a.Regions, rg)
			i = j
		}
		org.Accounts = append(org.Accounts, a)
	}
	return org
}

// newHTMLPools builds the pool tree (see poolParents); the VPCs of a pool
// are those whose PoolID names it. It returns the top pools and the number
// of pools and VPCs not listed past the budget.
func newHTMLPools(resources []Resource, row func(Resource) htmlRow, withMap func(htmlRow) htmlRow, budget *int) ([]*htmlPool, int) {
	var pools []Resource
	vpcs := map[string][]Resource{}
	for _, res := range resources {
		switch {
		case res.Type == TypeIPAMPool:
			pools = append(pools, res)
		case res.Type == TypeVPC && res.PoolID != "":
			vpcs[res.PoolID] = append(vpcs[res.PoolID], res)
		}
	}
	slices.SortStableFunc(pools, func(a, b Resource) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), ipam.ComparePrefix(a.CIDR, b.CIDR), cmp.Compare(a.ID, b.ID))
	})
	parents := poolParents(pools)
	hidden := 0
	nodes := make([]*htmlPool, len(pools))
	var roots []*htmlPool
	for i, p := range pools {
		n := &htmlPool{Row: withMap(row(p))}
		nodes[i] = n
		if *budget > 0 {
			*budget--
		} else {
			hidden++
		}
		for _, v := range vpcs[p.ID] {
			if *budget > 0 {
				*budget--
				n.VPCs = append(n.VPCs, withMap(row(v)))
			} else {
				n.Hidden++
				hidden++
			}
		}
		if parents[i] < 0 {
			roots = append(roots, n)
		} else {
			nodes[parents[i]].Children = append(nodes[parents[i]].Children, n)
		}
	}
	return roots, hidden
}

// poolParents returns, for each pool, the index of its parent or -1: the
// pool of the same account with the smallest CIDR that holds the pool's
// first CIDR. Of pools with equal CIDRs (a child may take all of its
// parent's space), the one sorted first is the parent. pools are sorted
// by account, then address, the larger first, so a parent always comes
// before its children. O(n²) in the pools, which an IPAM scope holds
// hundreds of at most.
func poolParents(pools []Resource) []int {
	parents := make([]int, len(pools))
	for i, p := range pools {
		parents[i] = -1
		best := -1
		for j := range i {
			q := pools[j]
			if q.AccountID != p.AccountID || !p.CIDR.IsValid() {
				continue
			}
			for _, qc := range resourceCIDRs(q) {
				if qc.Addr().Is4() == p.CIDR.Addr().Is4() && qc.Bits() <= p.CIDR.Bits() && qc.Contains(p.CIDR.Addr()) && qc.Bits() >= best {
					parents[i], best = j, qc.Bits()
				}
			}
		}
	}
	return parents
}

// resourceCIDRs returns every CIDR of r: CIDRs, or CIDR alone.
func resourceCIDRs(r Resource) []netip.Prefix {
	if len(r.CIDRs) > 0 {
		return r.CIDRs
	}
	if r.CIDR.IsValid() {
		return []netip.Prefix{r.CIDR}
	}
	return nil
}

// mapItem is one child in a map: a CIDR of a subnet, child pool or VPC.
type mapItem struct {
	cidr netip.Prefix
	res  *Resource
}

// mapCandidate is a pool or VPC that may get a map.
type mapCandidate struct {
	owner     Resource // the row shown: the IPv4 figures of a dual-stack VPC
	cidrs     []netip.Prefix
	items     []mapItem
	pool      bool
	finding   bool // the owner or a child is a finding
	canonical int
}

// newHTMLMaps returns the maps drawn, in their canonical order (pools in
// tree order, then VPCs by account, region and ID), and how many pools
// and VPCs have one, drawn or not.
func newHTMLMaps(resources []Resource, sev map[Key]Finding, o HTMLOptions) ([]htmlMap, int) {
	var pools []Resource
	byPool := map[string][]*Resource{} // VPCs allocated from a pool
	byVPC := map[string][]*Resource{}  // subnets of a VPC, by mapKey
	vpcIndex := map[string]int{}
	var cands []*mapCandidate
	for i := range resources {
		res := &resources[i]
		switch {
		case res.Type == TypeIPAMPool:
			pools = append(pools, *res)
		case res.Type == TypeVPC && res.Source != SourcePools:
			if res.PoolID != "" {
				byPool[res.PoolID] = append(byPool[res.PoolID], res)
			}
			k := mapKey(res.AccountID, res.Region, res.ID)
			n, ok := vpcIndex[k]
			if !ok {
				n = len(cands)
				vpcIndex[k] = n
				cands = append(cands, &mapCandidate{owner: *res})
			}
			c := cands[n]
			if !c.owner.Known || (res.Known && res.CIDR.Addr().Is4() && !c.owner.CIDR.Addr().Is4()) {
				c.owner = *res
			}
			c.cidrs = append(c.cidrs, resourceCIDRs(*res)...)
			_, f := sev[res.Key()]
			c.finding = c.finding || f
		case res.Type == TypeSubnet && res.VPCID != "":
			k := mapKey(res.AccountID, res.Region, res.VPCID)
			byVPC[k] = append(byVPC[k], res)
		}
	}
	for _, c := range cands {
		for _, sn := range byVPC[mapKey(c.owner.AccountID, c.owner.Region, c.owner.ID)] {
			for _, p := range resourceCIDRs(*sn) {
				c.items = append(c.items, mapItem{p, sn})
			}
			_, f := sev[sn.Key()]
			c.finding = c.finding || f
		}
	}
	slices.SortStableFunc(pools, func(a, b Resource) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), ipam.ComparePrefix(a.CIDR, b.CIDR), cmp.Compare(a.ID, b.ID))
	})
	parents := poolParents(pools)
	poolCands := make([]*mapCandidate, len(pools))
	for i := range pools {
		p := &pools[i]
		_, f := sev[p.Key()]
		c := &mapCandidate{owner: *p, cidrs: resourceCIDRs(*p), pool: true, finding: f}
		for _, v := range byPool[p.ID] {
			for _, vc := range resourceCIDRs(*v) {
				c.items = append(c.items, mapItem{vc, v})
			}
		}
		poolCands[i] = c
	}
	for i, parent := range parents {
		if parent >= 0 {
			pc := poolCands[parent]
			for _, cc := range poolCands[i].cidrs {
				pc.items = append(pc.items, mapItem{cc, &pools[i]})
			}
			pc.finding = pc.finding || poolCands[i].finding
		}
	}
	all := append(poolCands, cands...)
	for i, c := range all {
		c.canonical = i
	}
	drawn := all
	if len(all) > o.MaxMaps {
		drawn = slices.Clone(all)
		slices.SortStableFunc(drawn, func(a, b *mapCandidate) int {
			if a.finding != b.finding {
				if a.finding {
					return -1
				}
				return 1
			}
			return cmp.Compare(b.owner.Percent(), a.owner.Percent())
		})
		drawn = drawn[:o.MaxMaps]
		slices.SortFunc(drawn, func(a, b *mapCandidate) int { return cmp.Compare(a.canonical, b.canonical) })
	}
	maps := make([]htmlMap, 0, len(drawn))
	for _, c := range drawn {
		f, ok := sev[c.owner.Key()]
		if !ok {
			f = Finding{}
		}
		m := htmlMap{Row: newHTMLRow(c.owner, f), Kind: "VPC"}
		m.Row.MapID = "map-" + strconv.Itoa(c.canonical+1)
		if c.pool {
			m.Kind = "pool"
		}
		slices.SortFunc(c.cidrs, ipam.ComparePrefix)
		for _, cidr := range slices.Compact(c.cidrs) {
			m.Strips = append(m.Strips, newHTMLStrip(cidr, c.items, c.pool, o.MaxBlocks))
		}
		maps = append(maps, m)
	}
	return maps, len(all)
}

// newHTMLStrip draws cidr with the items inside it (htmlmap.NewStrip):
// subnets of a VPC, or child pools and VPCs of a pool.
func newHTMLStrip(cidr netip.Prefix, items []mapItem, pool bool, maxBlocks int) htmlStrip {
	words := htmlmap.Words{Gap: "free, no subnet", Children: "subnets"}
	if pool {
		words = htmlmap.Words{Gap: "no child pool or VPC in this report", Children: "child pools and VPCs"}
	}
	hitems := make([]htmlmap.Item, len(items))
	for i, it := range items {
		hi := htmlmap.Item{CIDR: it.cidr, Title: blockTitle(*it.res, it.cidr), Class: "unknown"}
		if it.res.Known {
			hi.Class, hi.Used, hi.Total = utilizationClass(it.res.Percent()), it.res.Used, it.res.Total
		}
		hitems[i] = hi
	}
	return htmlmap.NewStrip(cidr, hitems, words, maxBlocks)
}

// blockTitle describes a child of a map, such as "subnet-0abc (app)
// 10.0.0.0/26: 57 of 59 used (96.6%)": where it lives is the map's.
func blockTitle(r Resource, cidr netip.Prefix) string {
	var b strings.Builder
	b.WriteString(textsafe.Escape(r.ID))
	if r.Name != "" {
		b.WriteString(" (" + textsafe.Escape(r.Name) + ")")
	}
	b.WriteString(" " + cidr.String() + ": ")
	if r.Known {
		fmt.Fprintf(&b, "%s of %s used (%.1f%%)", r.Used, r.Total, r.Percent())
	} else {
		b.WriteString("usage unknown")
	}
	return b.String()
}
