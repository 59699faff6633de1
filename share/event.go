package share

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Control Tower lifecycle event names and states.
const (
	EventCreateManagedAccount = "CreateManagedAccount"
	EventUpdateManagedAccount = "UpdateManagedAccount"
	StateSucceeded            = "SUCCEEDED"
	StateFailed               = "FAILED"
)

// ErrMalformedEvent is wrapped by every [*EventError].
var ErrMalformedEvent = errors.New("malformed Control Tower event")

// EventError reports an event that [ParseEvent] cannot use: Field is the
// JSON path of the member that is missing or wrong
// ("detail.serviceEventDetails.createManagedAccountStatus.account.accountId").
// It unwraps to [ErrMalformedEvent], and reconciling cannot fix it: it is
// terminal.
type EventError struct {
	Field string
	Msg   string
}

// Error returns "malformed Control Tower event: FIELD: MSG".
func (e *EventError) Error() string {
	if e.Field == "" {
		return ErrMalformedEvent.Error() + ": " + e.Msg
	}
	return ErrMalformedEvent.Error() + ": " + e.Field + ": " + e.Msg
}

// Unwrap returns [ErrMalformedEvent].
func (e *EventError) Unwrap() error { return ErrMalformedEvent }

// Event is a Control Tower lifecycle event about a managed account, as
// EventBridge delivers it: CreateManagedAccount or UpdateManagedAccount.
// The zero Event is not valid.
type Event struct {
	ID          string    `json:"id,omitempty"`       // EventBridge's event ID
	Name        string    `json:"name"`               // CreateManagedAccount or UpdateManagedAccount
	AccountID   string    `json:"accountId"`          // 12 digits, leading zeros kept
	AccountName string    `json:"accountName"`        //
	OUID        string    `json:"ouId"`               // the OU Control Tower put the account in
	OUName      string    `json:"ouName"`             //
	State       string    `json:"state"`              // SUCCEEDED or FAILED
	Message     string    `json:"message"`            // Control Tower's message
	Completed   time.Time `json:"completed,omitzero"` // completedTimestamp
}

// Succeeded reports whether Control Tower finished the operation: only such
// an event is acted on.
func (e Event) Succeeded() bool { return e.State == StateSucceeded }

// Ignored says why [Reconciler.HandleEvent] changed nothing for an event.
// The zero Ignored means the event was acted on.
type Ignored struct {
	Event  string `json:"event"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// IsZero reports whether i is the zero Ignored.
func (i Ignored) IsZero() bool { return i == Ignored{} }

type ctStatus struct {
	OrganizationalUnit *struct {
		Name *string `json:"organizationalUnitName"`
		ID   *string `json:"organizationalUnitId"`
	} `json:"organizationalUnit"`
	Account *struct {
		Name *string `json:"accountName"`
		ID   *string `json:"accountId"`
	} `json:"account"`
	State     *string `json:"state"`
	Message   string  `json:"message"`
	Completed string  `json:"completedTimestamp"`
}

type ctEvent struct {
	ID         string  `json:"id"`
	Source     *string `json:"source"`
	DetailType *string `json:"detail-type"`
	Detail     *struct {
		EventName *string `json:"eventName"`
		Details   *struct {
			Create *ctStatus `json:"createManagedAccountStatus"`
			Update *ctStatus `json:"updateManagedAccountStatus"`
		} `json:"serviceEventDetails"`
	} `json:"detail"`
}

// ParseEvent parses a Control Tower lifecycle event as EventBridge delivers
// it (source aws.controltower, detail-type "AWS Service Event via
// CloudTrail"). Every field the package uses must be present: a missing or
// mistyped one is an [*EventError] naming it. The account ID stays the
// string of 12 digits it is in the event. ParseEvent never panics.
func ParseEvent(data []byte) (Event, error) {
	var raw ctEvent
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return Event{}, &EventError{Msg: "not a JSON object: it is a JSON " + te.Value}
		}
		if errors.As(err, &te) {
			return Event{}, &EventError{Field: te.Field, Msg: fmt.Sprintf("is a JSON %s, want a %s", te.Value, te.Type)}
		}
		return Event{}, &EventError{Msg: "not a JSON object: " + err.Error()}
	}
	switch {
	case raw.Source == nil:
		return Event{}, &EventError{Field: "source", Msg: "missing"}
	case *raw.Source != "aws.controltower":
		return Event{}, &EventError{Field: "source", Msg: fmt.Sprintf("%q is not aws.controltower: route only Control Tower events here", *raw.Source)}
	case raw.Detail == nil:
		return Event{}, &EventError{Field: "detail", Msg: "missing"}
	case raw.Detail.EventName == nil:
		return Event{}, &EventError{Field: "detail.eventName", Msg: "missing"}
	}
	name := *raw.Detail.EventName
	var st *ctStatus
	prefix := "detail.serviceEventDetails."
	switch name {
	case EventCreateManagedAccount:
		prefix += "createManagedAccountStatus"
		if raw.Detail.Details != nil {
			st = raw.Detail.Details.Create
		}
	case EventUpdateManagedAccount:
		prefix += "updateManagedAccountStatus"
		if raw.Detail.Details != nil {
			st = raw.Detail.Details.Update
		}
	default:
		return Event{}, &EventError{Field: "detail.eventName", Msg: fmt.Sprintf("%q is neither %s nor %s", name, EventCreateManagedAccount, EventUpdateManagedAccount)}
	}
	switch {
	case raw.Detail.Details == nil:
		return Event{}, &EventError{Field: "detail.serviceEventDetails", Msg: "missing"}
	case st == nil:
		return Event{}, &EventError{Field: prefix, Msg: "missing"}
	case st.State == nil:
		return Event{}, &EventError{Field: prefix + ".state", Msg: "missing"}
	case st.Account == nil:
		return Event{}, &EventError{Field: prefix + ".account", Msg: "missing"}
	case st.Account.ID == nil:
		return Event{}, &EventError{Field: prefix + ".account.accountId", Msg: "missing"}
	}
	e := Event{ID: raw.ID, Name: name, AccountID: *st.Account.ID, State: *st.State, Message: st.Message}
	if st.Account.Name != nil {
		e.AccountName = *st.Account.Name
	}
	if st.OrganizationalUnit != nil {
		if st.OrganizationalUnit.ID != nil {
			e.OUID = *st.OrganizationalUnit.ID
		}
		if st.OrganizationalUnit.Name != nil {
			e.OUName = *st.OrganizationalUnit.Name
		}
	}
	if e.State != StateSucceeded && e.State != StateFailed {
		return Event{}, &EventError{Field: prefix + ".state", Msg: fmt.Sprintf("%q is neither %s nor %s", e.State, StateSucceeded, StateFailed)}
	}
	if !accountIDPattern.MatchString(e.AccountID) {
		return Event{}, &EventError{Field: prefix + ".account.accountId", Msg: fmt.Sprintf("%q is not 12 digits", e.AccountID)}
	}
	if e.Succeeded() {
		if e.OUID == "" {
			return Event{}, &EventError{Field: prefix + ".organizationalUnit.organizationalUnitId", Msg: "missing"}
		}
	}
	if st.Completed != "" {
		// Control Tower writes +0000 offsets, not RFC 3339.
		t, err := time.Parse("2006-01-02T15:04:05-0700", st.Completed)
		if err != nil {
			t, err = time.Parse(time.RFC3339, st.Completed)
		}
		if err != nil {
			return Event{}, &EventError{Field: prefix + ".completedTimestamp", Msg: fmt.Sprintf("%q is not a time like 2026-03-02T10:15:29+0000", st.Completed)}
		}
		e.Completed = t.UTC()
	}
	return e, nil
}

// HandleEvent reconciles the account an event is about. An event whose
// state is not SUCCEEDED (a failed account creation, which the sample
// still shared) changes nothing and comes back as Result.Ignored. An
// UpdateManagedAccount that moved the account re-reconciles it where
// Organizations now places it: the event's OU is only reported, since
// events can arrive late or out of order. Errors that no retry fixes are
// [*TerminalError]s; return the others to EventBridge so that it retries.
func (r *Reconciler) HandleEvent(ctx context.Context, e Event) (Result, error) {
	if !e.Succeeded() {
		return Result{Plan: Plan{Mode: r.o.Mode, Changes: []Change{}}, Applied: []Change{}, Ignored: Ignored{Event: e.Name, State: e.State,
			Reason: fmt.Sprintf("account %s: %s is %s, not %s: nothing to share (%s)", e.AccountID, e.Name, e.State, StateSucceeded, strings.TrimSpace(e.Message))}}, nil
	}
	log := r.o.Logger.With("account_id", e.AccountID, "event", e.Name)
	log.InfoContext(ctx, "reconciling the account of a Control Tower event", "ou_id", e.OUID)
	return r.ReconcileAccount(ctx, e.AccountID)
}
