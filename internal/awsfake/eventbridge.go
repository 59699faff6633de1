package awsfake

import (
	stdjson "encoding/json"
	"math"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/aws/smithy-go/encoding/json"
)

// EventBridge PutEvents (awsJson1_1, AWSEvents). Event buses are not
// modelled: any bus name is accepted. Accepted events are kept for tests
// ([Server.Events]).

// Event is an EventBridge event the server accepted.
type Event struct {
	Account, Region string // the sender's account and region
	EventID         string
	EventBusName    string // "default" when the entry named none
	Source          string
	DetailType      string
	Detail          string // a JSON object
	Resources       []string
	Time            time.Time // zero when the entry had none
	TraceHeader     string
}

// Events returns a copy of the events the server accepted, in order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.events)
}

// PutEvents limits (aws-facts §5.4).
const (
	maxEventEntries     = 10
	maxDetailTypeLength = 128
	maxEventsBytes      = 1 << 20 // the entries' total size must stay below it
)

// putEventsInput is the input of PutEvents.
type putEventsInput struct {
	Entries []struct {
		Source       string   `json:"Source"`
		DetailType   string   `json:"DetailType"`
		Detail       string   `json:"Detail"`
		EventBusName string   `json:"EventBusName"`
		Resources    []string `json:"Resources"`
		Time         *float64 `json:"Time"`
		TraceHeader  string   `json:"TraceHeader"`
	} `json:"Entries"`
	EndpointID string `json:"EndpointId"`
}

func validationException(format string, args ...any) *apiError {
	return badRequest("ValidationException", "1 validation error detected: "+format, args...)
}

var ebPutEvents = op("events", "PutEvents", decodeJSON[putEventsInput], func(s *Server, c *call, in putEventsInput) (any, error) {
	switch n := len(in.Entries); {
	case n < 1:
		return nil, validationException("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case n > maxEventEntries:
		return nil, validationException("Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", maxEventEntries)
	case in.EndpointID != "":
		return nil, validationException("EndpointId: global endpoints are not modelled by this server")
	}
	size := 0
	for _, e := range in.Entries {
		if e.Time != nil {
			size += 14
		}
		size += len(e.Source) + len(e.DetailType) + len(e.Detail)
		for _, r := range e.Resources {
			size += len(r)
		}
	}
	if size >= maxEventsBytes {
		return nil, validationException("Total size of the entries in the request is over the limit.")
	}
	type result struct{ id, code, message string }
	results := make([]result, len(in.Entries))
	failed := 0
	for i, e := range in.Entries {
		var detail map[string]any
		switch {
		case e.Source == "" || e.DetailType == "" || e.Detail == "":
			results[i] = result{code: "InvalidArgument", message: "Parameters Source, DetailType and Detail are required."}
		case utf8.RuneCountInString(e.DetailType) > maxDetailTypeLength:
			results[i] = result{code: "InvalidArgument", message: "Parameter DetailType is not valid: it is longer than 128 characters."}
		case stdjson.Unmarshal([]byte(e.Detail), &detail) != nil:
			results[i] = result{code: "MalformedDetail", message: "Detail is malformed."}
		}
		if results[i].code != "" {
			failed++
			continue
		}
		ev := Event{Account: c.account(), Region: c.region, EventBusName: e.EventBusName, Source: e.Source,
			DetailType: e.DetailType, Detail: e.Detail, Resources: e.Resources, TraceHeader: e.TraceHeader}
		if ev.EventBusName == "" {
			ev.EventBusName = "default"
		}
		if e.Time != nil {
			sec, frac := math.Modf(*e.Time)
			ev.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
		}
		h := s.st.hexID("event", 32)
		ev.EventID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
		s.st.events = append(s.st.events, ev)
		results[i].id = ev.EventID
	}
	return jsonMembers(func(o *json.Object) {
		o.Key("FailedEntryCount").Integer(int32(failed))
		jlist(o, "Entries", len(results), func(i int, item *json.Object) {
			r := results[i]
			jopt(item, "EventId", r.id)
			jopt(item, "ErrorCode", r.code)
			jopt(item, "ErrorMessage", r.message)
		})
	}), nil
})
