package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsageState runs "usage --state" three times, as a schedule would: the
// first run alerts on the new finding, the second says nothing, and the
// third, once the subnet emptied, says it resolved.
func TestUsageState(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"usage", "--source", "ec2", "-o", "json", "--notify", "stdout", "--state", state}
	runs := []struct {
		used       int
		wantAlert  string // the first line of the alert on stderr; "" for none
		wantStderr string // a line stderr must hold
	}{
		{240, "[CRITICAL] IP usage changed: 1 new", "First run: no previous state, every finding is reported as new."},
		{240, "", "ipamctl usage: no change since the last run"},
		{0, "[INFO] IP usage changed: 1 resolved", "resolved (below threshold), was critical at 80%"},
	}
	for i, run := range runs {
		nw := newNotifyWorld(t, run.used)
		e, stdout, stderr, _ := notifyEnv(t, nw.world)
		code := e.run(t.Context(), args)
		require.Equal(t, 0, code, "run %d: stderr: %s", i+1, stderr)
		assert.True(t, strings.HasPrefix(stdout.String(), "{"), "run %d: stdout holds only the report", i+1)
		if run.wantAlert != "" {
			assert.True(t, strings.HasPrefix(stderr.String(), run.wantAlert+"\n"), "run %d: stderr: %s", i+1, stderr)
		} else {
			assert.NotContains(t, stderr.String(), "[", "run %d: no alert: %s", i+1, stderr)
		}
		assert.Contains(t, stderr.String(), run.wantStderr, "run %d", i+1)
	}
}

// TestUsageStateFilter gives stdout only what becomes critical: the
// resolution is not said.
func TestUsageStateFilter(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	args := []string{"usage", "--source", "ec2", "-o", "json", "--notify", "stdout", "--state", state, "--notify-filter", "stdout=new-critical"}
	for i, run := range []struct {
		used int
		want string
	}{{240, "[CRITICAL] 1 resource newly critical\n"}, {0, ""}} {
		nw := newNotifyWorld(t, run.used)
		e, _, stderr, _ := notifyEnv(t, nw.world)
		require.Equal(t, 0, e.run(t.Context(), args), "run %d: stderr: %s", i+1, stderr)
		first, _, _ := strings.Cut(stderr.String(), "\n")
		if run.want == "" {
			assert.Empty(t, stderr.String(), "run %d", i+1)
		} else {
			assert.Equal(t, run.want, first+"\n", "run %d", i+1)
		}
	}
}

func TestUsageStateBadFlags(t *testing.T) {
	tests := []struct {
		args, want string
	}{
		{"usage --source ec2 --state s.json", "--state needs --notify"},
		{"usage --source ec2 --remind 1h --notify stdout", "--remind needs --state"},
		{"usage --source ec2 --state s.json --notify stdout --notify-all-clear", "--state and --notify-all-clear exclude each other"},
		{"usage --source ec2 --state s.json --notify stdout --remind soon", "want a duration"},
		{"usage --source ec2 --notify stdout --notify-filter sns=changes", "--notify-filter needs --state"},
		{"usage --source ec2 --state s.json --notify stdout --notify-filter sns=loud", `--notify-filter "sns=loud": want KIND=FILTER`},
		{"usage --source ec2 --state s.json --notify stdout --notify-filter emf=changes", `--notify-filter "emf=changes": want a notifier KIND`},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			nw := newNotifyWorld(t, 240)
			e, stdout, stderr, srv := notifyEnv(t, nw.world)
			code := e.run(t.Context(), strings.Fields(tt.args))
			assert.Equal(t, 1, code)
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Empty(t, srv.Calls(), "no AWS call before the flags are checked")
		})
	}
}
