// Package htmlmap draws address-space maps for the HTML pages of usage
// and hierarchy: a CIDR as a strip of its children in address order, with
// the free gaps between them, and the escaping, style sheet and script
// those pages share. The pages are written by plain code, never by
// executing a template (see usage.Report.WriteHTML for why).
package htmlmap

import (
	_ "embed" // the style sheet and script
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
	"go4.org/netipx"
)

// CSS and JS are the style sheet and the script of every page, inline:
// utilization colours, strips, light and dark, print; sorting tables,
// filtering rows and maps, opening every section.
var (
	//go:embed page.css
	CSS string
	//go:embed page.js
	JS string
)

// CSP is the Content-Security-Policy of every page: it loads nothing.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

var escaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
)

// Esc returns s escaped for HTML text or a double-quoted attribute value,
// as html/template escapes them: &, <, >, ", ', + and NUL.
func Esc(s string) string { return escaper.Replace(s) }

// UtilizationClass returns the CSS class of a utilization in percent: u0
// for 0 to 10%, …, u9 for 90 to 100%, u10 for full.
func UtilizationClass(pct float64) string {
	n := int(pct / 10)
	n = min(max(n, 0), 10)
	return "u" + strconv.Itoa(n)
}

// Item is a child drawn in a strip: a subnet of a VPC, a child pool or an
// allocation of a pool.
type Item struct {
	CIDR  netip.Prefix
	Title string // shown on hover
	Class string // its CSS class: UtilizationClass, "unknown" or "alloc"
	// Used and Total are the child's own counts, for the colour of a group
	// it is drawn in; a zero Total when not known.
	Used, Total ipam.Count
}

// Words name what a strip holds, in the titles of its gaps and groups.
type Words struct {
	Gap      string // "free, no subnet"
	Children string // "subnets"
}

// Strip is one CIDR drawn as blocks.
type Strip struct {
	CIDR   string
	Scale  string // how widths are computed, for people
	Blocks []Block
}

// Block is a child, a free gap or a group of them in a strip.
type Block struct {
	Width string // percent of the strip, 2 decimals
	Class string // u0 … u10, unknown, alloc, free, group …
	Label string // shown inside when wide enough
	Title string // shown on hover
}

// Widths of blocks on a strip, in percent.
const (
	minBlockWidth  = 0.3 // the narrowest IPv4 block
	minLabelWidth  = 8.0 // the narrowest block labelled with its CIDR
	scaleLinear    = "to scale: widths in proportion to addresses, no block narrower than 0.3%"
	scaleLogarithm = "log scale: widths in proportion to log2(addresses)+1, so a /56 shows inside a /32"
)

// seg is a child, a free gap or, past maxBlocks, a run of them.
type seg struct {
	hostBits    []int // log2 of the size of each prefix it covers
	item        *Item
	cidrs       []netip.Prefix // a gap's free CIDRs
	first, last netip.Prefix
	children    int
	gaps        int
	used, size  ipam.Count // of the known children, for a group's colour
	free        ipam.Count
}

// NewStrip draws cidr with the items inside it, in address order, and the
// free gaps between them (ipam.Free), neighbouring free CIDRs joined in
// one gap. Items that overlap one drawn before them are left out. Past
// maxBlocks blocks, runs of neighbours are drawn as one block each,
// coloured by their joint utilization. IPv4 strips are drawn to scale,
// no block narrower than 0.3%; IPv6 strips on a log scale, a block as
// wide as log2 of its addresses plus one.
func NewStrip(cidr netip.Prefix, items []Item, words Words, maxBlocks int) Strip {
	family := cidr.Addr().BitLen()
	var inside []*Item
	for i := range items {
		it := &items[i]
		if it.CIDR.Addr().BitLen() == family && it.CIDR.Bits() >= cidr.Bits() && cidr.Contains(it.CIDR.Addr()) {
			inside = append(inside, it)
		}
	}
	slices.SortStableFunc(inside, func(a, b *Item) int { return ipam.ComparePrefix(a.CIDR, b.CIDR) })
	var segs []seg
	var used []netip.Prefix
	var end netip.Addr // the last address of the last item drawn
	for _, it := range inside {
		if end.IsValid() && it.CIDR.Addr().Compare(end) <= 0 {
			continue // overlaps the previous item
		}
		end = netipx.PrefixLastIP(it.CIDR)
		used = append(used, it.CIDR)
		segs = append(segs, seg{hostBits: []int{family - it.CIDR.Bits()}, item: it, first: it.CIDR, last: it.CIDR, children: 1, used: it.Used, size: it.Total})
	}
	free, err := ipam.Free([]netip.Prefix{cidr}, used)
	if err != nil {
		free = nil // cannot happen: one family, inside cidr
	}
	var gaps []seg
	for _, f := range free {
		if n := len(gaps); n > 0 && netipx.PrefixLastIP(gaps[n-1].last).Next() == f.Addr() {
			g := &gaps[n-1]
			g.hostBits, g.cidrs, g.last, g.free = append(g.hostBits, family-f.Bits()), append(g.cidrs, f), f, g.free.Add(ipam.Size(f))
			continue
		}
		gaps = append(gaps, seg{hostBits: []int{family - f.Bits()}, cidrs: []netip.Prefix{f}, first: f, last: f, gaps: 1, free: ipam.Size(f)})
	}
	segs = append(segs, gaps...)
	slices.SortFunc(segs, func(a, b seg) int { return a.first.Addr().Compare(b.first.Addr()) })
	if maxBlocks > 0 && len(segs) > maxBlocks {
		segs = groupSegs(segs, (len(segs)+maxBlocks-1)/maxBlocks)
	}

	st := Strip{CIDR: cidr.String(), Scale: scaleLinear}
	hostBits := family - cidr.Bits()
	widths := make([]float64, len(segs))
	if family == 128 {
		st.Scale = scaleLogarithm
		for i, s := range segs {
			widths[i] = log2Sum(s.hostBits) + 1
		}
	} else {
		for i, s := range segs {
			for _, b := range s.hostBits {
				widths[i] += math.Exp2(float64(b - hostBits))
			}
			widths[i] = max(widths[i]*100, minBlockWidth)
		}
	}
	var sum float64
	for _, w := range widths {
		sum += w
	}
	for i, s := range segs {
		w := widths[i] * 100 / sum
		blk := Block{Width: strconv.FormatFloat(w, 'f', 2, 64)}
		switch {
		case s.children+s.gaps > 1:
			blk.Class, blk.Title = "group unknown", groupTitle(s, words)
			if !s.size.IsZero() {
				blk.Class = "group " + UtilizationClass(s.used.Percent(s.size))
			} else if s.children == 0 {
				blk.Class = "group free"
			}
			if w >= minLabelWidth {
				blk.Label = strconv.Itoa(s.children+s.gaps) + " blocks"
			}
		case s.item != nil:
			blk.Class, blk.Title = s.item.Class, s.item.Title
			if w >= minLabelWidth {
				blk.Label = s.first.String()
			}
		default:
			blk.Class, blk.Title = "free", gapTitle(s, words)
			if w >= minLabelWidth {
				blk.Label = "free"
			}
		}
		st.Blocks = append(st.Blocks, blk)
	}
	return st
}

// groupSegs joins every n neighbouring segments into one.
func groupSegs(segs []seg, n int) []seg {
	out := make([]seg, 0, (len(segs)+n-1)/n)
	for chunk := range slices.Chunk(segs, n) {
		g := seg{first: chunk[0].first, last: chunk[len(chunk)-1].last}
		for _, s := range chunk {
			g.hostBits = append(g.hostBits, s.hostBits...)
			g.children += s.children
			g.gaps += s.gaps
			g.used, g.size, g.free = g.used.Add(s.used), g.size.Add(s.size), g.free.Add(s.free)
		}
		out = append(out, g)
	}
	return out
}

// gapTitle lists the CIDRs of a gap and its size.
func gapTitle(s seg, words Words) string {
	var b strings.Builder
	b.WriteString(words.Gap + ": ")
	for i, c := range s.cidrs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(c.String())
	}
	fmt.Fprintf(&b, " (%s %s)", s.free, Addresses(s.free))
	return b.String()
}

// groupTitle describes a run of blocks drawn as one.
func groupTitle(s seg, words Words) string {
	t := fmt.Sprintf("%d %s and %d free ranges from %s to %s, drawn as one block", s.children, words.Children, s.gaps, s.first.Addr(), netipx.PrefixLastIP(s.last))
	if !s.size.IsZero() {
		t += fmt.Sprintf("; %s of %s addresses used (%.1f%%)", s.used, s.size, s.used.Percent(s.size))
	}
	if !s.free.IsZero() {
		t += fmt.Sprintf("; %s %s free", s.free, Addresses(s.free))
	}
	return t
}

// Addresses returns "address" for a count of one and "addresses" otherwise.
func Addresses(c ipam.Count) string {
	if c == ipam.NewCount(1) {
		return "address"
	}
	return "addresses"
}

// log2Sum returns log2 of the sum of 2^b over bits, without computing the
// sum: it may not fit a float64's exact range.
func log2Sum(bits []int) float64 {
	m := slices.Max(bits)
	var s float64
	for _, b := range bits {
		s += math.Exp2(float64(b - m))
	}
	return float64(m) + math.Log2(s)
}
