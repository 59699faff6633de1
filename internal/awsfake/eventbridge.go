package awsfake

import (
	"cmp"
	stdjson "encoding/json"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
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

func validationException(format string, args ...any) *apiError {
	return badRequest("ValidationException", "1 validation error detected: "+format, args...)
}

var ebPutEvents = model("events", "PutEvents", func(st *state, c *call, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
	switch n := len(in.Entries); {
	case n < 1:
		return nil, validationException("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case n > maxEventEntries:
		return nil, validationException("Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", maxEventEntries)
	case in.EndpointId != nil:
		return nil, validationException("EndpointId: global endpoints are not modelled by this server")
	}
	size := 0
	for _, e := range in.Entries {
		if e.Time != nil {
			size += 14
		}
		size += len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail))
		for _, r := range e.Resources {
			size += len(r)
		}
	}
	if size >= maxEventsBytes {
		return nil, validationException("Total size of the entries in the request is over the limit.")
	}
	out := &eventbridge.PutEventsOutput{Entries: make([]types.PutEventsResultEntry, len(in.Entries))}
	for i, e := range in.Entries {
		ev := Event{Account: c.account(), Region: c.region, EventBusName: cmp.Or(aws.ToString(e.EventBusName), "default"),
			Source: aws.ToString(e.Source), DetailType: aws.ToString(e.DetailType), Detail: aws.ToString(e.Detail),
			Resources: e.Resources, TraceHeader: aws.ToString(e.TraceHeader), Time: aws.ToTime(e.Time)}
		var detail map[string]any
		switch r := &out.Entries[i]; {
		case ev.Source == "" || ev.DetailType == "" || ev.Detail == "":
			r.ErrorCode, r.ErrorMessage = aws.String("InvalidArgument"), aws.String("Parameters Source, DetailType and Detail are required.")
		case utf8.RuneCountInString(ev.DetailType) > maxDetailTypeLength:
			r.ErrorCode, r.ErrorMessage = aws.String("InvalidArgument"), aws.String("Parameter DetailType is not valid: it is longer than 128 characters.")
		case stdjson.Unmarshal([]byte(ev.Detail), &detail) != nil:
			r.ErrorCode, r.ErrorMessage = aws.String("MalformedDetail"), aws.String("Detail is malformed.")
		default:
			h := st.hexID("event", 32)
			ev.EventID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
			st.events = append(st.events, ev)
			r.EventId = aws.String(ev.EventID)
			continue
		}
		out.FailedEntryCount++
	}
	return out, nil
})
