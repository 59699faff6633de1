package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/ipamkit/ipamkit/usage/s3state"
)

// newState returns the state of s, in S3 with the function's credentials,
// or nil when no bucket is configured.
func (s stateConfig) newState(awsCfg aws.Config) usage.State {
	if s.Bucket == "" {
		return nil
	}
	return s3state.New(s3.NewFromConfig(awsCfg), s.Bucket, s.Key)
}

// deliver sends rep: on change (usage.Report.DeliverChange) when a state
// is configured, else on every run (usage.Report.Deliver). A run that lost
// the race to an overlapping one sends nothing and logs it; a state that
// cannot be read or saved is logged as a warning, and the alert goes out as
// without state.
func (h *handler) deliver(ctx context.Context, log *slog.Logger, rep usage.Report) usage.Delivery {
	if h.state == nil {
		return rep.Deliver(ctx, h.notifiers, func(o *usage.DeliverOptions) {
			o.Source, o.AllClear, o.Metrics = alertSource, h.cfg.AllClear, h.cfg.Metrics
		})
	}
	d, err := rep.DeliverChange(ctx, h.state, h.notifiers, func(o *usage.DeliverOptions) {
		o.Source, o.Metrics, o.Change.RemindEvery = alertSource, h.cfg.Metrics, h.cfg.State.Remind
	})
	attrs := []slog.Attr{slog.String("bucket", h.cfg.State.Bucket), slog.String("key", h.cfg.State.Key)}
	switch {
	case errors.Is(err, usage.ErrStateConflict):
		log.LogAttrs(ctx, slog.LevelInfo, "another run saved the state first and alerted: nothing sent", attrs...)
	case err != nil:
		log.LogAttrs(ctx, slog.LevelWarn, "state not kept: alerting as without it", append(attrs, slog.String("error", err.Error()))...)
	}
	if d.Diff != nil {
		log.LogAttrs(ctx, slog.LevelInfo, "compared with the previous run",
			slog.Bool("due", d.Due), slog.Int("changed", len(d.Diff.Changed())), slog.Int("unchanged", d.Diff.Count(usage.ChangeUnchanged)),
			slog.Bool("reminder", d.Diff.ReminderDue), slog.Bool("incomplete", d.Diff.Incomplete), slog.String("baseline", d.Diff.Baseline))
	}
	return d
}
