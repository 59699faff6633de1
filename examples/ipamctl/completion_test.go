package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// completionScript runs "ipamctl completion SHELL" and returns the script.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(t.Context(), []string{"completion", shell}, strings.NewReader(""), &stdout, &stderr), stderr.String())
	require.Empty(t, stderr.String())
	return stdout.String()
}

// TestCompletionListsEveryCommand checks that each script names every
// command of the tree and every flag of every verb.
func TestCompletionListsEveryCommand(t *testing.T) {
	t.Parallel()
	tree := completionTree(rootCommand())
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script := completionScript(t, shell)
		for _, n := range tree.all()[1:] {
			name := n.path[strings.LastIndexByte(n.path, ' ')+1:]
			assert.Contains(t, script, name, "the %s script names %q", shell, n.path)
			for _, f := range n.flags {
				assert.Contains(t, script, f.name, "the %s script names %s of %q", shell, dashed(f.name), n.path)
			}
		}
	}
	var paths []string
	for _, n := range tree.all()[1:] {
		paths = append(paths, n.path)
	}
	for _, want := range []string{"cidr free", "usage", "hierarchy plan", "share explain", "demo serve", "help", "version", "completion"} {
		assert.Contains(t, paths, want)
	}
}

// TestCompletionBash checks the bash script with bash itself: it parses
// (bash -n), and completing partial command lines offers what they allow.
func TestCompletionBash(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	script := filepath.Join(t.TempDir(), "ipamctl.bash")
	require.NoError(t, os.WriteFile(script, []byte(completionScript(t, "bash")), 0o644))
	out, err := exec.CommandContext(t.Context(), bash, "-n", script).CombinedOutput()
	require.NoError(t, err, "bash -n: %s", out)

	tests := []struct {
		words string // the command line, the cursor after its last word
		want  string
	}{
		{"ipamctl ", "cidr usage hierarchy share demo help version completion"},
		{"ipamctl ci", "cidr"},
		{"ipamctl cidr ", "free next usage overlaps split"},
		{"ipamctl cidr usage --p", "--pool --profile"},
		{"ipamctl cidr usage -o ", "text json csv"},
		{"ipamctl usage -o ", "text json csv html"},
		{"ipamctl hierarchy show -o ", "text json html"},
		{"ipamctl usage --source ", "ipam ec2 pools all"},
		{"ipamctl usage --regions us-east-1 --no", "--notify --notify-all-clear --notify-filter"},
		{"ipamctl --region us-east-1 usage --fail", "--fail-on-findings"},
		{"ipamctl demo s", "serve"},
		{"ipamctl --ver", "--version"},
		{"ipamctl help ", "cidr usage hierarchy share demo version completion"},
		{"ipamctl help cidr s", "split"},
	}
	for _, tt := range tests {
		words := strings.Split(tt.words, " ")
		prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoteAll(words), " ") + ")\n" +
			"COMP_CWORD=" + strconv.Itoa(len(words)-1) + "\n_ipamctl\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.CommandContext(t.Context(), bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Equal(t, tt.want, strings.TrimSpace(string(out)), "completion of %q", tt.words)
	}
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = shellQuote(w)
	}
	return out
}

// TestCompletionScriptsParse checks the zsh and fish scripts with their
// shells, where installed.
func TestCompletionScriptsParse(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"zsh", "fish"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			continue
		}
		script := filepath.Join(t.TempDir(), "ipamctl."+shell)
		require.NoError(t, os.WriteFile(script, []byte(completionScript(t, shell)), 0o644))
		out, err := exec.CommandContext(t.Context(), path, "-n", script).CombinedOutput()
		assert.NoError(t, err, "%s -n: %s", shell, out)
	}
}

func TestCompletionBadShell(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "completion-unknown-shell", args: args("completion tcsh"), code: 1, names: []string{`"tcsh"`, "bash, zsh or fish"}},
		{name: "completion-no-shell", args: args("completion"), code: 1, names: []string{"want one shell"}},
	})
}
