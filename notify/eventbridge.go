package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/ipamkit/ipamkit/internal/ctxsleep"
)

// EventBridge names and limits (aws-facts §5.4).
const (
	// EventSource is the default source of the events [EventBridge] puts.
	EventSource = "ipamkit"
	// EventDetailType is the default detail-type of those events.
	EventDetailType = "IPAM Alert"

	ebMaxEntries = 10
	ebMaxBytes   = 1_000_000 // a call's entries must total less than 1 MB
	ebTimeBytes  = 14        // what a set Time counts
	ebMaxDelay   = 20 * time.Second
)

// ErrTooLarge is wrapped by the errors of [EventBridge] and [Lambda] for a
// payload that is over the service's size limit and cannot be split.
var ErrTooLarge = errors.New("payload over the size limit")

// EventBridgeOptions configures an [EventBridge] notifier. The zero value
// puts one event per alert on the default event bus, with source
// [EventSource] and detail-type [EventDetailType], and tries failed
// entries 3 times.
type EventBridgeOptions struct {
	// EventBusName is the name or ARN of the bus; empty means the
	// account's default bus.
	EventBusName string
	// Source is the event source; empty means EventSource.
	Source string
	// DetailType is the event detail-type; empty means EventDetailType.
	DetailType string
	// PerResource puts one event per resource of an alert, each with the
	// alert's fields and that one resource, so rules can match on it and
	// large alerts stay small. An alert without resources is one event.
	PerResource bool
	// MaxAttempts bounds the attempts for entries that PutEvents reports
	// as failed (FailedEntryCount); zero means 3. Errors of the whole call
	// are retried by the SDK client's retryer, not here.
	MaxAttempts int
	// BaseDelay is the wait before the first retry of failed entries; it
	// doubles for each further retry, up to 20s. Zero means 100ms.
	BaseDelay time.Duration
	// Logger receives a Debug record per call; nil discards records.
	Logger *slog.Logger

	// sleep waits d or until ctx is done, returning ctx.Err() then; nil
	// means a timer. This package's tests replace it so that they never
	// sleep.
	sleep func(ctx context.Context, d time.Duration) error

	// now gives the time of alerts whose Time is zero; nil means time.Now.
	// This package's tests pin it.
	now func() time.Time
}

// EventBridge is a [Notifier] that puts alerts on an Amazon EventBridge
// event bus, for downstream rules and workflows.
//
// Each event has source "ipamkit", detail-type "IPAM Alert" (both
// configurable) and the [Alert] JSON as its detail, so a rule can match,
// for example, {"source": ["ipamkit"], "detail": {"severity":
// ["critical"]}}. Events go in calls of at most 10 entries whose sizes, as
// EventBridge counts them, total less than 1 MB. Entries that a call reports
// as failed are retried, alone, up to MaxAttempts; those that still fail are
// reported as [*EntryError] values. An EventBridge is safe for concurrent
// use.
type EventBridge struct {
	client EventBridgeAPI
	opts   EventBridgeOptions
}

// NewEventBridge returns a notifier putting events through client, usually
// an *eventbridge.Client.
func NewEventBridge(client EventBridgeAPI, optFns ...func(*EventBridgeOptions)) *EventBridge {
	var o EventBridgeOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Source == "" {
		o.Source = EventSource
	}
	if o.DetailType == "" {
		o.DetailType = EventDetailType
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 100 * time.Millisecond
	}
	if o.sleep == nil {
		o.sleep = ctxsleep.Sleep
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &EventBridge{client: client, opts: o}
}

// String names the notifier and its bus.
func (e *EventBridge) String() string {
	if e.opts.EventBusName == "" {
		return "eventbridge default"
	}
	return "eventbridge " + e.opts.EventBusName
}

// EntryError reports an event that PutEvents refused every time it was
// tried.
type EntryError struct {
	Event   int    // the index of the event among those of the call to Notify or NotifyAll
	Code    string // the entry's ErrorCode, such as "ThrottlingException"
	Message string // the entry's ErrorMessage
}

// Error returns the index, code and message.
func (e *EntryError) Error() string {
	return "event " + strconv.Itoa(e.Event) + ": " + e.Code + ": " + e.Message
}

// Notify puts a as one event, or one per resource with PerResource.
func (e *EventBridge) Notify(ctx context.Context, a Alert) error {
	return e.NotifyAll(ctx, []Alert{a})
}

// NotifyAll puts the alerts as events, in order, in as few calls as the
// limits allow. A failed call does not stop the others. The error joins
// one error per failed call and one [*EntryError] per event that failed
// every attempt; an event too large to send wraps [ErrTooLarge], and then
// nothing is sent.
func (e *EventBridge) NotifyAll(ctx context.Context, alerts []Alert) error {
	switch {
	case utf8.RuneCountInString(e.opts.DetailType) > ebMaxDetailType:
		return fmt.Errorf("eventbridge: detail-type of %d characters: at most %d are accepted", utf8.RuneCountInString(e.opts.DetailType), ebMaxDetailType)
	case utf8.RuneCountInString(e.opts.Source) > ebMaxSource:
		return fmt.Errorf("eventbridge: source of %d characters: at most %d are accepted", utf8.RuneCountInString(e.opts.Source), ebMaxSource)
	}
	entries, sizes, err := e.entries(alerts)
	if err != nil {
		return fmt.Errorf("eventbridge: %w", err)
	}
	var errs []error
	start := 0
	batches := fillBatches(sizes, 0, ebMaxEntries, ebMaxBytes-1)
	for i, n := range batches {
		if err := e.put(ctx, entries[start:start+n], start); err != nil {
			errs = append(errs, fmt.Errorf("call %d of %d (events %d to %d): %w", i+1, len(batches), start, start+n-1, err))
		}
		start += n
	}
	if len(errs) > 0 {
		return fmt.Errorf("eventbridge: %w", errors.Join(errs...))
	}
	return nil
}

// ebTransient are the entry error codes worth another attempt. Any other
// (InvalidArgument, MalformedDetail, AccessDeniedException, …) means the
// entry will never be accepted as it is.
var ebTransient = map[string]bool{"ThrottlingException": true, "InternalFailure": true, "InternalException": true}

// Limits of PutEvents entries that would fail every time (aws-facts §7).
const (
	ebMaxDetailType = 128
	ebMaxSource     = 256
)

// put sends one batch, retrying the entries reported as failed for a
// transient reason (ebTransient); entries refused for good are reported
// without a retry. first is the index of the batch's first event.
func (e *EventBridge) put(ctx context.Context, entries []types.PutEventsRequestEntry, first int) error {
	index := make([]int, len(entries)) // event index of each entry
	for i := range index {
		index[i] = first + i
	}
	var failed, final []error // transient failures of the last attempt; entries refused for good
	for attempt := 1; ; attempt++ {
		out, err := e.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			return err
		}
		e.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "put events",
			slog.Int("entries", len(entries)), slog.Int("failed", int(out.FailedEntryCount)), slog.Int("attempt", attempt))
		if out.FailedEntryCount == 0 {
			if len(final) > 0 { // the retried ones went through; the refused did not
				return fmt.Errorf("%d events refused: %w", len(final), errors.Join(final...))
			}
			return nil
		}
		var retry []types.PutEventsRequestEntry
		var retryIndex []int
		failed = failed[:0]
		matched := 0
		for i, r := range out.Entries {
			if i >= len(entries) || r.ErrorCode == nil {
				continue
			}
			matched++
			ee := &EntryError{Event: index[i], Code: aws.ToString(r.ErrorCode), Message: aws.ToString(r.ErrorMessage)}
			if !ebTransient[ee.Code] {
				final = append(final, ee) // invalid or refused: trying again changes nothing
				continue
			}
			retry = append(retry, entries[i])
			retryIndex = append(retryIndex, index[i])
			failed = append(failed, ee)
		}
		if matched == 0 { // a count without entries to match: nothing to retry
			return fmt.Errorf("%d entries failed without an error code", out.FailedEntryCount)
		}
		if len(retry) == 0 {
			return fmt.Errorf("%d events refused: %w", len(final), errors.Join(final...))
		}
		if attempt >= e.opts.MaxAttempts {
			msg := fmt.Sprintf("%d of %d events failed after %d attempts", len(failed), len(entries), attempt)
			if len(final) > 0 {
				msg = fmt.Sprintf("%d events refused, and %s", len(final), msg)
			}
			return fmt.Errorf("%s: %w", msg, errors.Join(append(final, failed...)...))
		}
		if err := e.opts.sleep(ctx, min(backoff(e.opts.BaseDelay, attempt), ebMaxDelay)); err != nil {
			return fmt.Errorf("waiting to retry (%w): %w", err, errors.Join(append(final, failed...)...))
		}
		entries, index = retry, retryIndex
	}
}

// entries builds the request entries and their sizes as EventBridge counts
// them: the Time, and the UTF-8 bytes of source, detail-type and detail.
func (e *EventBridge) entries(alerts []Alert) ([]types.PutEventsRequestEntry, []int, error) {
	var events []Alert
	for _, a := range alerts {
		if !e.opts.PerResource || len(a.Resources) <= 1 {
			events = append(events, a)
			continue
		}
		for _, r := range a.Resources {
			one := a
			one.Resources = []Resource{r}
			events = append(events, one)
		}
	}
	entries := make([]types.PutEventsRequestEntry, len(events))
	sizes := make([]int, len(events))
	for i, a := range events {
		if a.Time.IsZero() {
			a.Time = e.opts.now()
		}
		detail, err := json.Marshal(a)
		if err != nil {
			return nil, nil, fmt.Errorf("event %d: encode alert: %w", i, err)
		}
		sizes[i] = ebTimeBytes + len(e.opts.Source) + len(e.opts.DetailType) + len(detail)
		if sizes[i] >= ebMaxBytes {
			hint := ""
			if !e.opts.PerResource {
				hint = " (PerResource puts one event per resource)"
			}
			return nil, nil, fmt.Errorf("event %d is %d bytes, EventBridge takes less than %d: %w%s", i, sizes[i], ebMaxBytes, ErrTooLarge, hint)
		}
		entries[i] = types.PutEventsRequestEntry{
			Source:     aws.String(e.opts.Source),
			DetailType: aws.String(e.opts.DetailType),
			Detail:     aws.String(string(detail)),
			Time:       aws.Time(a.Time),
		}
		if e.opts.EventBusName != "" {
			entries[i].EventBusName = aws.String(e.opts.EventBusName)
		}
	}
	return entries, sizes, nil
}
