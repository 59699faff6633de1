package awsfake

import (
	"cmp"
	stdjson "encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// EventBridge PutEvents and ListEventBuses (awsJson1_1, AWSEvents). Event
// buses are not modelled beyond their names: any bus name is accepted, and
// ListEventBuses answers the default bus and every bus an event was put on.
// Accepted events are kept for tests ([Server.Events]); EventBridge has no
// API that reads events back.

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

// ebBusesPage is ListEventBuses' Limit range; without one, a page of 100.
var ebBusesPage = pageRange{min: 1, max: 100, def: 100}

// ebListEventBuses lists the default bus of the caller's account and region
// and the buses events were put on there, by name.
var ebListEventBuses = model("events", "ListEventBuses", func(st *state, c *call, in *eventbridge.ListEventBusesInput) (*eventbridge.ListEventBusesOutput, error) {
	if n := aws.ToInt32(in.Limit); in.Limit != nil && (n < 1 || n > 100) {
		return nil, validationException("Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", n)
	}
	names := map[string]bool{"default": true}
	for _, e := range st.events {
		if e.Account == c.account() && e.Region == c.region {
			names[e.EventBusName[strings.LastIndex(e.EventBusName, "/")+1:]] = true // a name or an ARN
		}
	}
	var buses []string
	for _, name := range sortedKeys(names) {
		if strings.HasPrefix(name, aws.ToString(in.NamePrefix)) {
			buses = append(buses, name)
		}
	}
	pg, next, err := paginate(c, buses, func(s string) string { return s }, page(in.Limit, in.NextToken), ebBusesPage)
	if err != nil {
		return nil, badRequest("ValidationException", "The NextToken provided is not valid.")
	}
	out := &eventbridge.ListEventBusesOutput{EventBuses: make([]types.EventBus, len(pg)), NextToken: optString(next)}
	for i, name := range pg {
		out.EventBuses[i] = types.EventBus{Name: aws.String(name), Arn: aws.String("arn:aws:events:" + c.region + ":" + c.account() + ":event-bus/" + name)}
	}
	return out, nil
})
