package main

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a clock that moves only when told; its zero value reads
// the zero time.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var w bytes.Buffer
	clock := &fakeClock{}
	p := newProgressLine(&w, 3, clock.now)
	log := p.logger().With("account_id", "111111111111", "region", "us-east-1")
	ctx := context.Background()

	clock.advance(2 * time.Second)
	log.LogAttrs(ctx, slog.LevelInfo, "target scanned", slog.Int("resources", 120), slog.Duration("took", time.Second))
	clock.advance(10 * time.Millisecond) // too soon to draw again
	log.LogAttrs(ctx, slog.LevelWarn, "target failed", slog.String("error", "AccessDenied"))
	log.LogAttrs(ctx, slog.LevelDebug, "page", slog.Int("resources", 1000)) // not a target
	clock.advance(1500 * time.Millisecond)
	log.LogAttrs(ctx, slog.LevelInfo, "target scanned", slog.Int("resources", 7)) // the last: drawn at once
	p.finish()
	log.LogAttrs(ctx, slog.LevelInfo, "target scanned", slog.Int("resources", 7)) // after finish: nothing

	const (
		first = "ipamctl usage: 0/3 targets, 0 resources, 0s"
		mid   = "ipamctl usage: 1/3 targets, 120 resources, 2s"
		last  = "ipamctl usage: 3/3 targets, 127 resources, 1 failed, 3s"
	)
	want := "\r" + first + "\r" + mid + "\r" + last + "\r" + strings.Repeat(" ", len(last)) + "\r"
	assert.Equal(t, want, w.String())

	var unknown bytes.Buffer
	clock = &fakeClock{}
	q := newProgressLine(&unknown, 0, clock.now)
	clock.advance(61 * time.Second)
	q.record(5, false)
	q.finish()
	q.finish()
	assert.Equal(t, "\ripamctl usage: 0 targets, 0 resources, 0s\ripamctl usage: 1 targets, 5 resources, 1m1s\r"+strings.Repeat(" ", len("ipamctl usage: 1 targets, 5 resources, 1m1s"))+"\r", unknown.String(), "an unknown total")

	var nilLine *progressLine
	assert.Nil(t, nilLine.logger())
	nilLine.finish() // does nothing
}

// TestUsageProgress runs scans with standard error on a pretend terminal:
// a progress line, cleared, then the summary; nothing with --quiet or
// without a terminal.
func TestUsageProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     string
		terminal bool
		total    int
	}{
		{"organization", "usage --org --source ec2 --regions us-east-1,us-west-2 -o json", true, 10},
		{"ipam and accounts", "usage --accounts 111111111111,333333333333 --regions us-east-1 --ipam-account 222222222222 -o json", true, 3},
		{"quiet", "usage --org --source ec2 --regions us-east-1 -o json --quiet", true, 0},
		{"no terminal", "usage --org --source ec2 --regions us-east-1 -o json", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, _ := fakeEnv(t, awsfake.DefaultAccessKeyID, "us-east-1")
			e.terminal = func() bool { return tt.terminal }
			code := e.run(t.Context(), strings.Fields(tt.args))
			require.Contains(t, []int{0, exitFindings}, code, stderr.String())
			assert.NotEmpty(t, stdout.String())
			if tt.total == 0 {
				assert.Empty(t, stderr.String())
				return
			}
			out := stderr.String()
			lines := strings.Split(out, "\r")
			require.Greater(t, len(lines), 3, "%q", out)
			assert.Empty(t, lines[0], "the line starts at the left")
			assert.Contains(t, out, "targets, ")
			assert.Contains(t, out, "/"+strconv.Itoa(tt.total)+" targets")
			assert.Contains(t, out, "\ripamctl usage: "+strconv.Itoa(tt.total)+"/"+strconv.Itoa(tt.total)+" targets", "the last target drawn")
			cleared := lines[len(lines)-2]
			assert.Equal(t, strings.Repeat(" ", len(cleared)), cleared, "the line is cleared: %q", out)
			assert.True(t, strings.HasPrefix(lines[len(lines)-1], "ipamctl usage: "+strconv.Itoa(tt.total)+" targets in "), "the summary after: %q", lines[len(lines)-1])
			assert.NotContains(t, out, "level=", "no raw log records")
		})
	}
}
