package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// completionCommand is "completion": shell completion scripts, generated
// from the command tree and its flags.
func completionCommand() *Command {
	return &Command{
		Name:      "completion",
		UsageLine: "bash|zsh|fish",
		Short:     "Print a shell completion script for bash, zsh or fish.",
		Long: `Print a script that completes ipamctl's commands, flags and the values
of flags with a fixed set of values (--source, -o ...) in bash, zsh or
fish. It is generated from the commands themselves, so it is always
complete for the ipamctl that prints it. Load it in the current shell:

  bash:  source <(ipamctl completion bash)
  zsh:   source <(ipamctl completion zsh)
  fish:  ipamctl completion fish | source

or install it for every shell: ipamctl completion bash
>/etc/bash_completion.d/ipamctl, ipamctl completion zsh >"${fpath[1]}/_ipamctl",
ipamctl completion fish >~/.config/fish/completions/ipamctl.fish.`,
		Examples: []Example{{Comment: "the script for bash", Args: "completion bash"}},
		Flags: func(fs *flagSet) runFunc {
			return func(_ context.Context, e *env, args []string) error {
				if len(args) != 1 {
					return usageErrorf("want one shell: bash, zsh or fish")
				}
				tree := completionTree(rootCommand())
				switch args[0] {
				case "bash":
					return writeBashCompletion(e.stdout, tree)
				case "zsh":
					return writeZshCompletion(e.stdout, tree)
				case "fish":
					return writeFishCompletion(e.stdout, tree)
				}
				return usageErrorf("unknown shell %q: want bash, zsh or fish", args[0])
			}
		},
	}
}

// completionNode is one command as completion sees it: its path after
// "ipamctl" ("" for the root, "cidr free"), its children and its flags.
type completionNode struct {
	path     string
	short    string
	children []*completionNode
	flags    []completionFlag
}

// completionFlag is a flag with its values, if it takes one of a few.
type completionFlag struct {
	name    string   // without dashes
	usage   string   // the first sentence of its documentation
	takes   bool     // takes a value
	choices []string // the values, for a choice flag
}

// completionTree returns the tree of cmd: every command with its flags
// and, for each command, the global flags.
func completionTree(root *Command) *completionNode {
	tree := completionWalk([]*Command{root})
	for _, c := range tree.children {
		if c.path == "help" { // "ipamctl help cidr free": the commands again, without flags
			for _, cmd := range tree.children {
				if cmd != c {
					c.children = append(c.children, cmd.under("help"))
				}
			}
		}
	}
	return tree
}

// under returns a copy of n and its children with their paths under
// prefix and no flags but --help.
func (n *completionNode) under(prefix string) *completionNode {
	c := &completionNode{path: prefix + " " + n.path, short: n.short, flags: []completionFlag{{name: "help", usage: "Print the help."}}}
	for _, sub := range n.children {
		c.children = append(c.children, sub.under(prefix))
	}
	return c
}

func completionWalk(path []*Command) *completionNode {
	cmd := path[len(path)-1]
	names := make([]string, 0, len(path)-1)
	for _, c := range path[1:] {
		names = append(names, c.Name)
	}
	n := &completionNode{path: strings.Join(names, " "), short: cmd.Short}
	fs := newFlagSet(commandPath(path))
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	docs := slices.Concat(fs.docs, globalDocs)
	if len(path) > 1 {
		docs = slices.DeleteFunc(docs, func(d flagDoc) bool { return d.Name == "version" })
	}
	for _, d := range docs {
		f := completionFlag{name: d.Name, usage: firstSentence(d.Usage), takes: d.Arg != ""}
		if d.Arg != "" && strings.Contains(d.Arg, "|") && strings.ToLower(d.Arg) == d.Arg && !strings.ContainsAny(d.Arg, ",.[") {
			f.choices = strings.Split(d.Arg, "|")
		}
		n.flags = append(n.flags, f)
		if d.Name == "q" {
			n.flags = append(n.flags, completionFlag{name: "quiet", usage: f.usage})
		}
	}
	n.flags = append(n.flags, completionFlag{name: "help", usage: "Print the help."})
	for _, sub := range cmd.Commands {
		n.children = append(n.children, completionWalk(append(slices.Clip(path), sub)))
	}
	return n
}

// all returns n and every node below it, parents first.
func (n *completionNode) all() []*completionNode {
	out := []*completionNode{n}
	for _, c := range n.children {
		out = append(out, c.all()...)
	}
	return out
}

// childNames returns the names of n's children.
func (n *completionNode) childNames() []string {
	var names []string
	for _, c := range n.children {
		names = append(names, c.path[strings.LastIndexByte(c.path, ' ')+1:])
	}
	return names
}

// firstSentence returns s up to its first ". ", without the period.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// shellQuote quotes s for sh and fish alike, in single quotes.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fishQuote quotes s for fish, in single quotes: fish escapes a quote or
// a backslash inside them with a backslash.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// writeBashCompletion writes the bash script: the command path is read
// from the words before the cursor, then the children, the flags or a
// flag's values are offered; anything else falls back to file names.
func writeBashCompletion(w io.Writer, tree *completionNode) error {
	var b strings.Builder
	b.WriteString(`# bash completion for ipamctl, generated by 'ipamctl completion bash'.
# Load it with: source <(ipamctl completion bash)

_ipamctl_children() {
    case "$1" in
`)
	for _, n := range tree.all() {
		if len(n.children) > 0 {
			fmt.Fprintf(&b, "    %s) echo %s ;;\n", shellQuote(n.path), shellQuote(strings.Join(n.childNames(), " ")))
		}
	}
	b.WriteString(`    esac
}

_ipamctl_flags() {
    case "$1" in
`)
	for _, n := range tree.all() {
		var names []string
		for _, f := range n.flags {
			names = append(names, dashed(f.name))
		}
		fmt.Fprintf(&b, "    %s) echo %s ;;\n", shellQuote(n.path), shellQuote(strings.Join(names, " ")))
	}
	b.WriteString(`    esac
}

_ipamctl_values() {
    case "$1 $2" in
`)
	for _, n := range tree.all() {
		for _, f := range n.flags {
			if len(f.choices) > 0 {
				fmt.Fprintf(&b, "    %s) echo %s ;;\n", shellQuote(n.path+" "+dashed(f.name)), shellQuote(strings.Join(f.choices, " ")))
			}
		}
	}
	b.WriteString(`    esac
}

_ipamctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local path="" w c i
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        for c in $(_ipamctl_children "$path"); do
            if [[ $w == "$c" ]]; then
                path=${path:+$path }$w
                break
            fi
        done
    done
    local values
    values=$(_ipamctl_values "$path" "$prev")
    if [[ -n $values ]]; then
        COMPREPLY=($(compgen -W "$values" -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_ipamctl_flags "$path")" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$(_ipamctl_children "$path")" -- "$cur"))
    fi
}

complete -o default -F _ipamctl ipamctl
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeZshCompletion writes the bash script for zsh's bashcompinit, which
// runs bash completion functions.
func writeZshCompletion(w io.Writer, tree *completionNode) error {
	if _, err := io.WriteString(w, "#compdef ipamctl\n# zsh completion for ipamctl, generated by 'ipamctl completion zsh':\n# the bash completion, through zsh's bashcompinit.\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n\n"); err != nil {
		return err
	}
	return writeBashCompletion(w, tree)
}

// writeFishCompletion writes the fish script: a function that reads the
// command path from the command line ("ipamctl cidr free"), and one
// complete line for each command and flag.
func writeFishCompletion(w io.Writer, tree *completionNode) error {
	var b strings.Builder
	var paths []string
	for _, n := range tree.all()[1:] {
		paths = append(paths, fishQuote(n.path))
	}
	fmt.Fprintf(&b, `# fish completion for ipamctl, generated by 'ipamctl completion fish'.
# Load it with: ipamctl completion fish | source

function __ipamctl_path
    set -l path
    for w in (commandline -opc)[2..-1]
        if contains -- (string join ' ' $path $w) %s
            set path $path $w
        end
    end
    string join ' ' ipamctl $path
end

complete -c ipamctl -e
`, strings.Join(paths, " "))
	for _, n := range tree.all() {
		cond := fishQuote("test (__ipamctl_path) = " + fishQuote(strings.TrimSpace("ipamctl "+n.path)))
		for _, c := range n.children {
			name := c.path[strings.LastIndexByte(c.path, ' ')+1:]
			fmt.Fprintf(&b, "complete -c ipamctl -f -n %s -a %s -d %s\n", cond, fishQuote(name), fishQuote(c.short))
		}
		for _, f := range n.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			switch {
			case len(f.choices) > 0:
				opt += " -x -a " + fishQuote(strings.Join(f.choices, " "))
			case f.takes:
				opt += " -r"
			}
			fmt.Fprintf(&b, "complete -c ipamctl -n %s %s -d %s\n", cond, opt, fishQuote(f.usage))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
