package ipam

import (
	"net/netip"
	"slices"
)

// Overlap is a pair of overlapping prefixes from a list: A is the one given
// first, at index I, and B the one given later, at index J (I < J). Two CIDRs
// that overlap are either equal or one contains the other.
type Overlap struct {
	A, B netip.Prefix
	I, J int
}

// Overlaps returns every pair of overlapping prefixes in the list once,
// ordered by I and then J. Equal prefixes given twice are a pair; prefixes of
// different families never overlap; an invalid prefix overlaps nothing, as
// with [netip.Prefix.Overlaps]. Host bits are ignored.
//
// It runs in O(n log n + pairs): a sweep over the prefixes in address order
// keeps the chain of prefixes containing the current one, and every member
// of that chain is an overlap. It never compares all n² pairs.
func Overlaps(prefixes []netip.Prefix) []Overlap {
	type item struct {
		s   span
		fam int
		idx int
	}
	items := make([]item, 0, len(prefixes))
	for i, p := range prefixes {
		if p.IsValid() {
			items = append(items, item{spanOf(p), p.Addr().BitLen(), i})
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.fam != b.fam {
			return a.fam - b.fam
		}
		if c := compareSpans(a.s, b.s); c != 0 {
			return c
		}
		return a.idx - b.idx
	})
	var (
		pairs []Overlap
		chain []item // each member contains the next
	)
	for _, it := range items {
		for len(chain) > 0 {
			top := chain[len(chain)-1]
			if top.fam == it.fam && !top.s.hi.less(it.s.lo) {
				break
			}
			chain = chain[:len(chain)-1]
		}
		for _, c := range chain {
			i, j := c.idx, it.idx
			if j < i {
				i, j = j, i
			}
			pairs = append(pairs, Overlap{A: prefixes[i], B: prefixes[j], I: i, J: j})
		}
		chain = append(chain, it)
	}
	return sortOverlaps(pairs, len(prefixes))
}

// sortOverlaps orders pairs by I then J with two stable counting sorts, in
// O(n + pairs).
func sortOverlaps(pairs []Overlap, n int) []Overlap {
	if len(pairs) < 2 {
		return pairs
	}
	tmp := make([]Overlap, len(pairs))
	countingSort(tmp, pairs, n, func(o Overlap) int { return o.J })
	countingSort(pairs, tmp, n, func(o Overlap) int { return o.I })
	return pairs
}

func countingSort(dst, src []Overlap, n int, key func(Overlap) int) {
	pos := make([]int, n+1)
	for _, o := range src {
		pos[key(o)+1]++
	}
	for i := 1; i <= n; i++ {
		pos[i] += pos[i-1]
	}
	for _, o := range src {
		k := key(o)
		dst[pos[k]] = o
		pos[k]++
	}
}
