package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ipamkit/ipamkit/ipam"
)

// The output formats of -o are one vocabulary across commands: text for
// people (a table, a plan, lines: the default everywhere), json for
// programs, and csv where the result is rows. Each command offers the ones
// that fit its result, in that order. "table" is accepted for text,
// without a warning: "usage -o table" was the name of usage's text, and
// scripts that use it keep working; where a command still calls its text
// "table" inside (usage), "text" is given to it as "table".
const (
	formatText  = "text"
	formatTable = "table" // the same as formatText
)

// formatArg returns the placeholder of the flag name as the help shows it:
// for -o, "text" where the command says "table".
func formatArg(name, arg string) string {
	if name != "o" {
		return arg
	}
	words := strings.Split(arg, "|")
	for i, w := range words {
		if w == formatTable {
			words[i] = formatText
		}
	}
	return strings.Join(words, "|")
}

// outputFormat returns the value v of the flag name, whose placeholder is
// arg, in the command's own words: for -o, "text" and "table" are one
// format, given as whichever of the two the command lists.
func outputFormat(name, arg, v string) string {
	if name != "o" || (v != formatText && v != formatTable) {
		return v
	}
	for w := range strings.SplitSeq(arg, "|") {
		if w == formatText || w == formatTable {
			return w
		}
	}
	return v
}

// writePrefixes writes one CIDR per line.
func writePrefixes(w io.Writer, prefixes []netip.Prefix) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, p := range prefixes {
		buf = append(p.AppendTo(buf[:0]), '\n')
		bw.Write(buf) // a write error sticks; Flush returns it
	}
	return bw.Flush()
}

// writeOverlaps writes one overlapping pair per line as "A B", the CIDR
// given first on the left.
func writeOverlaps(w io.Writer, pairs []ipam.Overlap) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, o := range pairs {
		buf = o.A.AppendTo(buf[:0])
		buf = append(buf, ' ')
		buf = append(o.B.AppendTo(buf), '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}

// writeUsageJSON writes u as one line of JSON:
// {"total":"N","used":"N","free":"N","percent":P}. Counts are decimal
// strings, because IPv6 counts overflow JSON numbers. Fields are only ever
// added, never changed.
func writeUsageJSON(w io.Writer, u ipam.Usage) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeUsageCSV writes u as a CSV header and one row:
// total,used,free,percent,largest. Counts are exact decimals; largest is
// empty when the pools are full.
func writeUsageCSV(w io.Writer, u ipam.Usage, largest netip.Prefix, ok bool) error {
	cw := csv.NewWriter(w)
	l := ""
	if ok {
		l = largest.String()
	}
	cw.Write([]string{"total", "used", "free", "percent", "largest"})
	cw.Write([]string{u.Total.String(), u.Used.String(), u.Free.String(), strconv.FormatFloat(u.Percent(), 'g', -1, 64), l})
	cw.Flush()
	return cw.Error()
}

// writeUsageText writes u for people: the counts with their share of the
// pools, and the largest free block, which says more about headroom than a
// percentage does ("30% free" may hold no /24).
//
//	total    65536 addresses
//	used      1280   1.95%
//	free     64256  98.05%
//	largest  10.0.128.0/17 (32768 addresses)
func writeUsageText(w io.Writer, u ipam.Usage, largest netip.Prefix, ok bool) error {
	total, used, free := u.Total.String(), u.Used.String(), u.Free.String()
	n := max(len(total), len(used), len(free))
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "total    %*s %s\n", n, total, addresses(u.Total))
	fmt.Fprintf(bw, "used     %*s  %s\n", n, used, percent(u.Used, u.Total))
	fmt.Fprintf(bw, "free     %*s  %s\n", n, free, percent(u.Free, u.Total))
	if ok {
		size := ipam.Size(largest)
		fmt.Fprintf(bw, "largest  %v (%v %s)\n", largest, size, addresses(size))
	} else {
		fmt.Fprintln(bw, "largest  none: the pools are full")
	}
	return bw.Flush()
}

// addresses returns "address" for a count of one and "addresses" otherwise.
func addresses(c ipam.Count) string {
	if c == ipam.NewCount(1) {
		return "address"
	}
	return "addresses"
}

// percent formats part as a share of total, to two decimals, right-aligned
// in 7 columns. It never rounds a non-zero part to 0.00% or a part short of
// the total to 100.00%: a nearly full pool is not full.
func percent(part, total ipam.Count) string {
	p := part.Percent(total)
	s := fmt.Sprintf("%.2f%%", p)
	switch {
	case !part.IsZero() && s == "0.00%":
		s = "<0.01%"
	case part != total && s == "100.00%":
		s = ">99.99%"
	}
	return fmt.Sprintf("%7s", s)
}
