package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// helpWidth is the column that help text wraps at.
const helpWidth = 78

// helpUsage documents the help flags that every command accepts.
const helpUsage = "Print this help to standard output and exit 0."

// leaf is a verb with the path that reaches it.
type leaf struct {
	path []*Command
	docs []flagDoc
}

// leaves returns every verb at or below the end of path, in table order,
// with the flags each declares.
func leaves(path []*Command) []leaf {
	cmd := path[len(path)-1]
	var out []leaf
	if cmd.Flags != nil {
		fs := newFlagSet(commandPath(path))
		cmd.Flags(fs)
		out = append(out, leaf{path: path, docs: fs.docs})
	}
	for _, sub := range cmd.Commands {
		p := append(path[:len(path):len(path)], sub)
		out = append(out, leaves(p)...)
	}
	return out
}

// writeHelp writes the help of the command at the end of path: for a verb,
// its synopsis, description, flags and examples; for a noun or the root,
// the same for everything below it, each flag listed once with the verbs
// that take it.
func writeHelp(w io.Writer, path []*Command, fs *flagSet) error {
	cmd := path[len(path)-1]
	bw := bufio.NewWriter(w)
	all := leaves(path)

	fmt.Fprintln(bw, "Usage:")
	if cmd.Flags != nil {
		writeUsageLine(bw, path, 0)
	} else {
		fmt.Fprintf(bw, "  %s %s\n", commandPath(path), cmd.UsageLine)
	}
	fmt.Fprintf(bw, "\n%s\n", cmd.Long)

	if cmd.Commands != nil {
		title := "Commands:"
		if len(path) > 1 {
			title = "Verbs:"
		}
		fmt.Fprintf(bw, "\n%s\n", title)
		for _, sub := range cmd.Commands {
			fmt.Fprintf(bw, "  %-10s %s\n", sub.Name, sub.Short)
		}
		fmt.Fprintln(bw, "\nSynopsis:")
		width := 0
		for _, l := range all {
			width = max(width, len(commandPath(l.path)))
		}
		for _, l := range all {
			writeUsageLine(bw, l.path, width)
		}
	}

	fmt.Fprintln(bw, "\nFlags:")
	if cmd.Flags != nil {
		for _, d := range fs.docs {
			writeFlag(bw, d, "")
		}
	} else {
		for _, f := range mergeFlags(path, all) {
			writeFlag(bw, f.doc, "("+strings.Join(f.users, ", ")+")")
		}
	}
	fmt.Fprintln(bw, "  -h, --help")
	writeWrapped(bw, strings.Fields(helpUsage), "      ", "      ")
	if len(path) == 1 {
		fmt.Fprintln(bw, "\nGlobal flags, before or after any command:")
		for _, d := range globalDocs {
			if d.Name == "q" {
				fmt.Fprintln(bw, "  -q, --quiet")
				writeWrapped(bw, strings.Fields(d.Usage), "      ", "      ")
				continue
			}
			writeFlag(bw, d, "")
		}
	}

	examples := cmd.Examples
	if examples == nil {
		for _, l := range all {
			if ex := l.path[len(l.path)-1].Examples; len(ex) > 0 {
				examples = append(examples, ex[0])
			}
		}
	}
	if len(examples) > 0 {
		fmt.Fprintln(bw, "\nExamples:")
		for i, ex := range examples {
			if i > 0 {
				fmt.Fprintln(bw)
			}
			writeExample(bw, ex)
		}
	}
	switch {
	case len(path) == 1:
		fmt.Fprintf(bw, "\nRun '%s <noun> <verb> --help' for one command in detail.\n", commandPath(path))
	case cmd.Commands != nil:
		fmt.Fprintf(bw, "\nRun '%s <verb> --help' for one verb in detail.\n", commandPath(path))
	}
	return bw.Flush()
}

// mergedFlag is one flag of a noun's help, with the verbs that take it.
type mergedFlag struct {
	doc   flagDoc
	users []string
}

// mergeFlags lists the flags of all verbs below path once each, in order
// of first appearance. Flags that share a name but not a meaning (their
// usage differs) are listed separately, each with its own verbs.
func mergeFlags(path []*Command, all []leaf) []mergedFlag {
	var out []mergedFlag
	index := map[flagDoc]int{}
	for _, l := range all {
		user := commandPath(l.path[len(path):])
		for _, d := range l.docs {
			i, ok := index[d]
			if !ok {
				i = len(out)
				index[d] = i
				out = append(out, mergedFlag{doc: d})
			}
			out[i].users = append(out[i].users, user)
		}
	}
	return out
}

// writeUsageLine writes the synopsis of the verb at the end of path, its
// name padded to width columns so that a list of synopses lines up, wrapped
// between words; bracketed groups stay whole.
func writeUsageLine(w io.Writer, path []*Command, width int) {
	cmd := path[len(path)-1]
	name := fmt.Sprintf("%-*s", width, commandPath(path))
	words := append([]string{name}, usageWords(cmd.UsageLine)...)
	writeWrapped(w, words, "  ", "      ")
}

// usageWords splits a synopsis into words, keeping "[--used CIDR,...]"
// together.
func usageWords(s string) []string {
	var (
		out   []string
		depth int
		start = -1
	)
	for i, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		}
		switch {
		case r == ' ' && depth == 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// writeFlag writes one flag: its name and placeholder, a note, and its
// usage wrapped below.
func writeFlag(w io.Writer, d flagDoc, note string) {
	head := "  " + dashed(d.Name)
	if d.Arg != "" {
		head += " " + d.Arg
	}
	if note != "" {
		head += "   " + note
	}
	fmt.Fprintln(w, head)
	writeWrapped(w, strings.Fields(d.Usage), "      ", "      ")
}

// writeWrapped writes words as lines of at most helpWidth columns where
// possible, the first line after first and the others after rest.
func writeWrapped(w io.Writer, words []string, first, rest string) {
	line := first
	n := 0 // words on the line
	for _, word := range words {
		if n > 0 && len(line)+1+len(word) > helpWidth {
			fmt.Fprintln(w, line)
			line, n = rest, 0
		}
		if n > 0 {
			line += " "
		}
		line += word
		n++
	}
	fmt.Fprintln(w, line)
}

// writeExample writes an example as a shell session: an optional comment,
// the command after a "$" prompt, and its output.
func writeExample(w io.Writer, ex Example) {
	if ex.Comment != "" {
		fmt.Fprintf(w, "  # %s\n", ex.Comment)
	}
	cmd := "ipamctl " + ex.Args
	if len(ex.Stdin) > 0 {
		cmd = fmt.Sprintf("printf '%%s\\n' %s | %s", strings.Join(ex.Stdin, " "), cmd)
	}
	fmt.Fprintf(w, "  $ %s\n", cmd)
	for line := range strings.Lines(ex.Output) {
		fmt.Fprintf(w, "  %s", line)
	}
}
