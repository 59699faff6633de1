package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

// versionCommand is "version": what build of ipamctl this is.
func versionCommand() *Command {
	return &Command{
		Name:      "version",
		UsageLine: "",
		Short:     "Print the version, commit and Go version of ipamctl.",
		Long: `Print the version of ipamctl on one line: the module version it was built
at (as 'go install github.com/ipamkit/ipamkit/examples/ipamctl@v1.2.3'
records it), the commit and commit time of the source tree when it was
built from a git checkout, with "modified" when that tree had changes,
and the Go version. A build from a checkout without a release tag says
"(devel)". 'ipamctl --version' prints the same.`,
		Examples: []Example{{Args: "version"}},
		Flags: func(fs *flagSet) runFunc {
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				_, err := fmt.Fprintln(e.stdout, versionLine(debug.ReadBuildInfo()))
				return err
			}
		},
	}
}

// printVersion prints the version line for --version and returns exit
// code 0, or 1 if it could not be written.
func (e *env) printVersion() int {
	if _, err := fmt.Fprintln(e.stdout, versionLine(debug.ReadBuildInfo())); err != nil {
		return e.fail("ipamctl", fmt.Errorf("write the version: %w", err))
	}
	return 0
}

// versionLine describes the build bi, as debug.ReadBuildInfo returns it:
//
//	ipamctl v1.2.3 (commit 3c3065e4f1ab, 2026-12-01T10:00:00Z; go1.24.4 linux/amd64)
//	ipamctl (devel) (commit 3c3065e4f1ab, 2026-12-01T10:00:00Z, modified; go1.24.4)
//
// A binary without build information (ok false) says so.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "ipamctl (unknown version: built without module information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, modified, goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "modified"
			}
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	var vcs []string
	if rev != "" {
		vcs = append(vcs, "commit "+rev[:min(len(rev), 12)])
	}
	for _, s := range []string{at, modified} {
		if s != "" {
			vcs = append(vcs, s)
		}
	}
	goVersion := bi.GoVersion
	if goos != "" && goarch != "" {
		goVersion += " " + goos + "/" + goarch
	}
	var b strings.Builder
	b.WriteString("ipamctl " + v + " (")
	if len(vcs) > 0 {
		b.WriteString(strings.Join(vcs, ", ") + "; ")
	}
	b.WriteString(strings.TrimSpace(goVersion) + ")")
	return b.String()
}
