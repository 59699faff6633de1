package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/share"
)

// sessionName names the function's sessions in the networking account, as
// CloudTrail shows them.
const sessionName = "ipamkit-account-lambda"

// deadlineMargin is how long before the invocation's deadline the
// reconcile is stopped, so that the function still logs its record and
// answers: a Lambda that times out says nothing.
const deadlineMargin = 10 * time.Second

// detailTypeScheduled is the detail-type of an EventBridge schedule's
// events.
const detailTypeScheduled = "Scheduled Event"

// Statuses of a Response.
const (
	statusChanged   = "changed"   // changes were made
	statusUnchanged = "unchanged" // the shares were already right
	statusIgnored   = "ignored"   // a FAILED lifecycle event: nothing to do
	statusFailed    = "failed"    // the error is in Error; Terminal says whether EventBridge retries
)

// Response is what Handle returns, and what the function's log record
// says. It only ever gains fields.
type Response struct {
	// Event is the event's detail.eventName (CreateManagedAccount,
	// UpdateManagedAccount), or "Scheduled Event"; empty for an event that
	// could not be read.
	Event   string `json:"event"`
	EventID string `json:"eventId,omitempty"`
	// AccountID and OUID are the account a lifecycle event is about and
	// the OU the event names (the account is reconciled where
	// Organizations places it now).
	AccountID string `json:"accountId,omitempty"`
	OUID      string `json:"ouId,omitempty"`
	// Status is changed, unchanged, ignored or failed.
	Status string `json:"status"`
	// Summary counts the plan's changes; Kept are disassociations shown
	// but not made, for want of IPAMKIT_PRUNE.
	Summary share.Summary `json:"summary"`
	// Changes are the changes made, in order, even when a later one
	// failed; never null.
	Changes []share.Change `json:"changes"`
	// Notes are what the plan saw and left alone: duplicate shares,
	// shares that allow external principals, accounts not shared with.
	Notes []share.Note `json:"notes,omitempty"`
	// Ignored says why a lifecycle event changed nothing.
	Ignored string `json:"ignored,omitempty"`
	// Error is why the invocation failed.
	Error string `json:"error,omitempty"`
	// Terminal marks an error that no retry fixes (a malformed event,
	// access denied, a bad configuration): Handle then returns no error,
	// so that EventBridge's asynchronous invocation does not retry it.
	Terminal bool `json:"terminal,omitempty"`
}

// handlerOptions configures newHandler. The zero value discards log
// records.
type handlerOptions struct {
	// Logger receives the one record of each invocation; nil discards
	// records.
	Logger *slog.Logger
	// Reconciler options, applied after those of the configuration.
	Reconciler []func(*share.Options)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// handler reconciles the RAM shares of IPAM pools on each event. It is
// built once per container by newHandler, with its clients, and is safe
// for concurrent use.
type handler struct {
	cfg Config
	rec *share.Reconciler
	log *slog.Logger
	now func() time.Time
}

// newHandler builds the handler from awsCfg, the function's own
// configuration in the management account, and c: it finds the function's
// identity (sts:GetCallerIdentity) for the partition of the networking
// account's role, and builds the clients once. Organizations is called
// with the function's own credentials; RAM and EC2 in the networking
// account, in the IPAM's home region, through the role c names (assumed
// on the first call, and again when its credentials expire), or with the
// function's own credentials when it runs in the networking account.
func newHandler(ctx context.Context, awsCfg aws.Config, c Config, optFns ...func(*handlerOptions)) (*handler, error) {
	var o handlerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	caller, err := account.Identify(ctx, sts.NewFromConfig(awsCfg))
	if err != nil {
		return nil, fmt.Errorf("identify the function's account: %w", err)
	}
	network := awsCfg.Copy()
	network.Region = c.IPAMRegion
	if caller.AccountID != c.NetworkAccountID {
		target := share.NetworkTarget(caller.ARN, c.NetworkAccountID, c.IPAMRegion, c.RoleName, c.ExternalID)
		network, err = account.New(awsCfg, func(ao *account.Options) { ao.SessionName = sessionName }).Config(ctx, target)
		if err != nil {
			return nil, err
		}
	}
	// The library's records of each phase only at DEBUG: at INFO an
	// invocation logs one record.
	libLog := slog.New(slog.DiscardHandler)
	if c.LogLevel <= slog.LevelDebug {
		libLog = o.Logger
	}
	opts := append([]func(*share.Options){func(so *share.Options) {
		so.Mode, so.Rules, so.Prune, so.ScopeID, so.Logger = c.Mode, c.Rules(), c.Prune, c.ScopeID, libLog
	}}, o.Reconciler...)
	return &handler{cfg: c, rec: share.NewFromConfig(network, awsCfg, opts...), log: o.Logger, now: o.Now}, nil
}

// envelope is what Handle reads of any event before choosing what to do.
type envelope struct {
	ID         string `json:"id"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// Handle reconciles the shares an event calls for, logs one record of
// what changed and returns it:
//
//   - a Control Tower CreateManagedAccount or UpdateManagedAccount event
//     (share.ParseEvent) reconciles the account's share where
//     Organizations places the account now; a FAILED one changes nothing
//     (status ignored);
//   - an EventBridge "Scheduled Event" reconciles every account of the
//     organization (the backfill, and the repair of any drift);
//   - anything else is a malformed event (status failed, terminal).
//
// Delivering the same event again is harmless: the reconcile reads the
// shares as they are, and finds nothing to do. Handle returns an error only
// when a retry may succeed (throttling that outlasted the SDK's retries, a
// service error, the deadline): EventBridge's asynchronous invocation then
// retries the event. An error that no retry fixes (share.IsTerminal: a
// malformed event, access denied, an unknown account, a bad option) is
// logged and returned in the Response, with a nil error, so that it is
// reported once and not retried.
func (h *handler) Handle(ctx context.Context, event json.RawMessage) (Response, error) {
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-deadlineMargin))
		defer cancel()
	}
	start := h.now()
	var env envelope
	_ = json.Unmarshal(event, &env) // ParseEvent reports what is wrong
	resp := Response{EventID: env.ID, Changes: []share.Change{}}
	var (
		res share.Result
		err error
	)
	if env.DetailType == detailTypeScheduled {
		resp.Event = detailTypeScheduled
		res, err = h.rec.ReconcileAll(ctx)
	} else {
		var e share.Event
		e, err = share.ParseEvent(event)
		if err == nil {
			resp.Event, resp.AccountID, resp.OUID = e.Name, e.AccountID, e.OUID
			res, err = h.rec.HandleEvent(ctx, e)
		}
	}
	resp.Summary, resp.Notes = res.Plan.Summary(), res.Plan.Notes
	resp.Changes = append(resp.Changes, res.Applied...)
	resp.Ignored = res.Ignored.Reason
	switch {
	case err != nil:
		resp.Status, resp.Error, resp.Terminal = statusFailed, err.Error(), share.IsTerminal(err)
	case !res.Ignored.IsZero():
		resp.Status = statusIgnored
	case len(res.Applied) > 0:
		resp.Status = statusChanged
	default:
		resp.Status = statusUnchanged
	}
	h.record(ctx, resp, h.now().Sub(start))
	if err != nil && !resp.Terminal {
		return resp, err
	}
	return resp, nil
}

// record logs the one record of an invocation: what changed, or why
// nothing did. It never logs the event, only what the Response holds.
func (h *handler) record(ctx context.Context, resp Response, took time.Duration) {
	attrs := []slog.Attr{slog.String("event", resp.Event), slog.String("event_id", resp.EventID)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	if resp.AccountID != "" {
		attrs = append(attrs, slog.String("account_id", resp.AccountID), slog.String("ou_id", resp.OUID))
	}
	attrs = append(attrs, slog.String("status", resp.Status),
		slog.Int("created", resp.Summary.Create), slog.Int("associated", resp.Summary.Associate),
		slog.Int("disassociated", resp.Summary.Disassociate), slog.Int("kept", resp.Summary.Kept),
		slog.Int("applied", len(resp.Changes)), slog.Any("changes", resp.Changes), slog.Duration("took", took))
	if len(resp.Notes) > 0 {
		attrs = append(attrs, slog.Any("notes", resp.Notes))
	}
	level, msg := slog.LevelInfo, "shares reconciled"
	switch resp.Status {
	case statusIgnored:
		msg = "event ignored"
		attrs = append(attrs, slog.String("reason", resp.Ignored))
	case statusFailed:
		level, msg = slog.LevelError, "reconcile failed; EventBridge retries the event"
		if resp.Terminal {
			msg = "reconcile failed; not retried: no retry can fix it"
		}
		attrs = append(attrs, slog.String("error", resp.Error), slog.Bool("terminal", resp.Terminal))
	}
	h.log.LogAttrs(ctx, level, msg, attrs...)
}

// misconfigured answers every event of a container whose configuration is
// invalid: each event is reported once, with every problem, and not
// retried, since no retry fixes a configuration. (Failing the cold start
// instead would have Lambda retry each event twice, to the same end.)
type misconfigured struct {
	err error
	log *slog.Logger
}

// Handle logs the configuration's problems at ERROR, with the event's ID,
// and returns them in a terminal Response with a nil error.
func (m misconfigured) Handle(ctx context.Context, event json.RawMessage) (Response, error) {
	var env envelope
	_ = json.Unmarshal(event, &env) // only the ID, for the record
	resp := Response{EventID: env.ID, Status: statusFailed, Changes: []share.Change{}, Error: m.err.Error(), Terminal: true}
	attrs := []slog.Attr{slog.String("event_id", env.ID), slog.String("status", resp.Status),
		slog.String("error", resp.Error), slog.Bool("terminal", true)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("request_id", lc.AwsRequestID))
	}
	m.log.LogAttrs(ctx, slog.LevelError, "invalid configuration; not retried: fix the function's environment", attrs...)
	return resp, nil
}
