package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/ipamkit/ipamkit/usage"
)

// progressLine is the one line of progress that "ipamctl usage" keeps on
// a terminal's standard error while it scans:
//
//	ipamctl usage: 12/40 targets, 3456 resources, 1 failed, 5s
//
// It is rewritten in place (a carriage return, then the line padded over
// the last one), at most every progressEvery and once more when the last
// target is done, and cleared by finish, so that what stays on the terminal
// is the report and the summary line. It reads the scan's log records: a
// "target scanned" record with its resources, or a "target failed" one.
// It is safe for concurrent use: targets are scanned at once.
type progressLine struct {
	mu       sync.Mutex
	w        io.Writer
	now      func() time.Time
	start    time.Time
	last     time.Time // of the last draw
	width    int       // of the last line drawn
	total    int       // targets the scan will log; 0 when not known
	done     int
	failed   int
	found    int // resources so far
	finished bool
}

// progressEvery is how often the progress line is redrawn at most.
const progressEvery = 100 * time.Millisecond

// newProgressLine returns a progress line of a scan of total targets (0
// when not known), drawn on w, with time from now.
func newProgressLine(w io.Writer, total int, now func() time.Time) *progressLine {
	p := &progressLine{w: w, now: now, total: total}
	p.start = now()
	p.draw(true)
	return p
}

// logger returns a logger whose records move the line; nil for a nil p,
// which discards them.
func (p *progressLine) logger() *slog.Logger {
	if p == nil {
		return nil
	}
	return slog.New(scanProgressHandler{p})
}

// record counts one target, done with n resources or failed.
func (p *progressLine) record(n int, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done++
	p.found += n
	if failed {
		p.failed++
	}
	p.draw(p.done == p.total)
}

// draw writes the line if force or progressEvery has passed; p.mu is held.
func (p *progressLine) draw(force bool) {
	t := p.now()
	if !force && t.Sub(p.last) < progressEvery {
		return
	}
	p.last = t
	var b strings.Builder
	b.WriteString("ipamctl usage: ")
	if p.total > 0 {
		fmt.Fprintf(&b, "%d/%d targets", p.done, p.total)
	} else {
		fmt.Fprintf(&b, "%d targets", p.done)
	}
	fmt.Fprintf(&b, ", %d resources", p.found)
	if p.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", p.failed)
	}
	fmt.Fprintf(&b, ", %v", t.Sub(p.start).Truncate(time.Second))
	line := b.String()
	pad := max(p.width-len(line), 0)
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
}

// finish clears the line and stops further drawing. A nil p does nothing.
func (p *progressLine) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
}

// scanProgressHandler is the slog.Handler of a progressLine's logger.
type scanProgressHandler struct{ p *progressLine }

func (h scanProgressHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h scanProgressHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h scanProgressHandler) WithGroup(string) slog.Handler            { return h }

// Handle counts the scan's per-target records and ignores the others.
func (h scanProgressHandler) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "target scanned":
		n := 0
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "resources" {
				n = int(a.Value.Int64())
				return false
			}
			return true
		})
		h.p.record(n, false)
	case "target failed":
		h.p.record(0, true)
	}
	return nil
}

// progress returns the progress line of the scan o is about to run, or
// nil when standard error is no terminal or --quiet is given. The total is
// the targets o names; with --org, the accounts the organization lists
// (one more call, made only for the line) times the regions.
func (o *usageOptions) progress(ctx context.Context, e *env, cfg aws.Config) *progressLine {
	if !e.chatty() {
		return nil
	}
	regions := o.regions
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	total, ec2 := 0, false
	for _, s := range usageSources[o.source] {
		if s == usage.SourceEC2 {
			ec2 = true
		} else {
			total = 1 // the IPAM, read once for ipam and pools
		}
	}
	switch {
	case !ec2:
	case o.org:
		if cfg.Region == "" {
			cfg.Region = regions[0]
		}
		targets, err := usage.OrganizationTargets(ctx, organizations.NewFromConfig(cfg), regions, "", "")
		if err != nil {
			total = 0 // not known; the scan will say why
			break
		}
		total += len(targets)
	case len(o.accounts) > 0:
		total += len(o.accounts) * len(regions)
	default:
		total += len(regions)
	}
	return newProgressLine(e.stderr, total, time.Now)
}
