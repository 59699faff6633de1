package notify

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// putEventsFunc answers one PutEvents call; call is 1-based.
type putEventsFunc func(call int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error)

func allOK(_ int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
	out := &eventbridge.PutEventsOutput{}
	for range in.Entries {
		out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String("id")})
	}
	return out, nil
}

func recordPutEvents(m *MockEventBridgeAPI, ins *[]*eventbridge.PutEventsInput, answer putEventsFunc) {
	var mu sync.Mutex
	m.EXPECT().PutEvents(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
			mu.Lock()
			defer mu.Unlock()
			*ins = append(*ins, in)
			return answer(len(*ins), in)
		}).AnyTimes()
}

func entryCounts(ins []*eventbridge.PutEventsInput) []int {
	var got []int
	for _, in := range ins {
		got = append(got, len(in.Entries))
	}
	return got
}

// sizedAlert returns an alert whose event counts exactly size bytes.
func sizedAlert(t *testing.T, size int) Alert {
	t.Helper()
	a := Alert{Title: "", Time: testTime}
	detail, err := json.Marshal(a)
	require.NoError(t, err)
	overhead := ebTimeBytes + len(EventSource) + len(EventDetailType) + len(detail)
	a.Title = strings.Repeat("x", size-overhead)
	return a
}

func TestEventBridgeBatching(t *testing.T) {
	t.Parallel()
	alerts := func(n int) []Alert {
		as := make([]Alert, n)
		for i := range as {
			as[i] = Alert{Title: "a", Time: testTime}
		}
		return as
	}
	many := testAlert()
	many.Resources = manyResources(25)
	tests := []struct {
		name   string
		alerts []Alert
		opts   func(*EventBridgeOptions)
		want   []int
	}{
		{"10 events", alerts(10), nil, []int{10}},
		{"11 events", alerts(11), nil, []int{10, 1}},
		{"25 resources, one event", []Alert{many}, nil, []int{1}},
		{"25 resources, one event each", []Alert{many}, func(o *EventBridgeOptions) { o.PerResource = true }, []int{10, 10, 5}},
		{"two events just under 1 MB together", []Alert{sizedAlert(t, 500_000), sizedAlert(t, 499_999)}, nil, []int{2}},
		{"two events of exactly 1 MB together", []Alert{sizedAlert(t, 500_000), sizedAlert(t, 500_000)}, nil, []int{1, 1}},
		{"one event just under 1 MB", []Alert{sizedAlert(t, 999_999)}, nil, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockEventBridgeAPI(gomock.NewController(t))
			var ins []*eventbridge.PutEventsInput
			recordPutEvents(m, &ins, allOK)
			opts := tt.opts
			if opts == nil {
				opts = func(*EventBridgeOptions) {}
			}
			require.NoError(t, NewEventBridge(m, opts).NotifyAll(t.Context(), tt.alerts))
			assert.Equal(t, tt.want, entryCounts(ins))
			for _, in := range ins {
				size := 0
				for _, e := range in.Entries {
					size += ebTimeBytes + len(*e.Source) + len(*e.DetailType) + len(*e.Detail)
				}
				assert.Less(t, size, ebMaxBytes)
			}
		})
	}
}

func TestEventBridgeEntry(t *testing.T) {
	t.Parallel()
	m := NewMockEventBridgeAPI(gomock.NewController(t))
	var ins []*eventbridge.PutEventsInput
	recordPutEvents(m, &ins, allOK)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	eb := NewEventBridge(m, func(o *EventBridgeOptions) {
		o.EventBusName = "ops"
		o.now = func() time.Time { return now }
	})
	require.NoError(t, eb.Notify(t.Context(), Alert{Severity: Critical, Title: "full", Resources: []Resource{{ID: "vpc-1", Percent: 99}}}))
	require.Len(t, ins, 1)
	assert.Equal(t, []types.PutEventsRequestEntry{{
		Source:       aws.String("ipamkit"),
		DetailType:   aws.String("IPAM Alert"),
		EventBusName: aws.String("ops"),
		Time:         aws.Time(now),
		Detail:       aws.String(`{"formatVersion":1,"severity":"critical","title":"full","resources":[{"resourceId":"vpc-1","percent":99}],"time":"2026-01-02T03:04:05Z"}`),
	}}, ins[0].Entries)
	assert.Equal(t, "eventbridge ops", eb.String())
}

func TestEventBridgeFailures(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	// failEntriesWith fails the entries whose title is in titles with code.
	failEntriesWith := func(code string, titles ...string) putEventsFunc {
		return func(_ int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
			out := &eventbridge.PutEventsOutput{}
			for _, e := range in.Entries {
				var a Alert
				if err := json.Unmarshal([]byte(*e.Detail), &a); err != nil {
					return nil, err
				}
				r := types.PutEventsResultEntry{EventId: aws.String("id-" + a.Title)}
				for _, t := range titles {
					if a.Title == t {
						r = types.PutEventsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("slow down")}
						out.FailedEntryCount++
					}
				}
				out.Entries = append(out.Entries, r)
			}
			return out, nil
		}
	}
	// failEntries fails the entries whose title is in titles, throttled.
	failEntries := func(titles ...string) putEventsFunc { return failEntriesWith("ThrottlingException", titles...) }
	titled := func(titles ...string) []Alert {
		var as []Alert
		for _, t := range titles {
			as = append(as, Alert{Title: t, Time: testTime})
		}
		return as
	}
	titlesOf := func(in *eventbridge.PutEventsInput) []string {
		var ts []string
		for _, e := range in.Entries {
			var a Alert
			require.NoError(t, json.Unmarshal([]byte(*e.Detail), &a))
			ts = append(ts, a.Title)
		}
		return ts
	}
	tests := []struct {
		name       string
		alerts     []Alert
		answer     putEventsFunc
		wantCalls  [][]string
		wantSleeps []time.Duration
		wantErr    string
		wantEntry  *EntryError
	}{
		{
			name:   "failed entries retried alone, then succeed",
			alerts: titled("a", "b", "c", "d"),
			answer: func(call int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				if call == 1 {
					return failEntries("b", "d")(call, in)
				}
				return allOK(call, in)
			},
			wantCalls:  [][]string{{"a", "b", "c", "d"}, {"b", "d"}},
			wantSleeps: []time.Duration{100 * time.Millisecond},
		},
		{
			name:       "an entry that always fails is reported after 3 attempts",
			alerts:     titled("a", "b", "c"),
			answer:     failEntries("b"),
			wantCalls:  [][]string{{"a", "b", "c"}, {"b"}, {"b"}},
			wantSleeps: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
			wantErr:    "eventbridge: call 1 of 1 (events 0 to 2): 1 of 1 events failed after 3 attempts: event 1: ThrottlingException: slow down",
			wantEntry:  &EntryError{Event: 1, Code: "ThrottlingException", Message: "slow down"},
		},
		{
			name:      "an entry refused for good is not retried",
			alerts:    titled("a", "b", "c"),
			answer:    failEntriesWith("MalformedDetail", "b"),
			wantCalls: [][]string{{"a", "b", "c"}},
			wantErr:   "eventbridge: call 1 of 1 (events 0 to 2): 1 events refused: event 1: MalformedDetail: slow down",
			wantEntry: &EntryError{Event: 1, Code: "MalformedDetail", Message: "slow down"},
		},
		{
			name:   "refused and throttled entries: only the throttled one is retried",
			alerts: titled("a", "b", "c"),
			answer: func(call int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				if call == 1 {
					out, err := failEntriesWith("InvalidArgument", "a")(call, in)
					if err == nil {
						out.Entries[2] = types.PutEventsResultEntry{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")}
						out.FailedEntryCount++
					}
					return out, err
				}
				return allOK(call, in)
			},
			wantCalls:  [][]string{{"a", "b", "c"}, {"c"}},
			wantSleeps: []time.Duration{100 * time.Millisecond},
			wantErr:    "eventbridge: call 1 of 1 (events 0 to 2): 1 events refused: event 0: InvalidArgument: slow down",
		},
		{
			name:   "a failed call does not stop the next",
			alerts: titled("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"),
			answer: func(call int, in *eventbridge.PutEventsInput) (*eventbridge.PutEventsOutput, error) {
				if call == 1 {
					return nil, throttled
				}
				return allOK(call, in)
			},
			wantCalls: [][]string{{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, {"10"}},
			wantErr:   "eventbridge: call 1 of 2 (events 0 to 9): api error ThrottlingException: Rate exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockEventBridgeAPI(gomock.NewController(t))
			var ins []*eventbridge.PutEventsInput
			recordPutEvents(m, &ins, tt.answer)
			var s sleeps
			err := NewEventBridge(m, func(o *EventBridgeOptions) { o.sleep = s.sleep }).NotifyAll(t.Context(), tt.alerts)
			var calls [][]string
			for _, in := range ins {
				calls = append(calls, titlesOf(in))
			}
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantSleeps, s.ds)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.wantErr)
			if tt.wantEntry != nil {
				var ee *EntryError
				require.ErrorAs(t, err, &ee)
				assert.Equal(t, tt.wantEntry, ee)
			}
		})
	}

	t.Run("detail-type over 128 characters", func(t *testing.T) {
		t.Parallel()
		m := NewMockEventBridgeAPI(gomock.NewController(t)) // no call expected
		err := NewEventBridge(m, func(o *EventBridgeOptions) { o.DetailType = strings.Repeat("é", 129) }).Notify(t.Context(), testAlert())
		require.EqualError(t, err, "eventbridge: detail-type of 129 characters: at most 128 are accepted")
	})

	t.Run("too large", func(t *testing.T) {
		t.Parallel()
		m := NewMockEventBridgeAPI(gomock.NewController(t)) // no call expected
		err := NewEventBridge(m).Notify(t.Context(), sizedAlert(t, 1_000_000))
		require.ErrorIs(t, err, ErrTooLarge)
		assert.ErrorContains(t, err, "PerResource")
	})

	t.Run("named by Multi", func(t *testing.T) {
		t.Parallel()
		m := NewMockEventBridgeAPI(gomock.NewController(t))
		m.EXPECT().PutEvents(gomock.Any(), gomock.Any()).Return(nil, throttled)
		err := Multi{Notifiers: []Notifier{NewEventBridge(m)}}.Notify(t.Context(), testAlert())
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "ThrottlingException", apiErr.ErrorCode())
		assert.ErrorContains(t, err, "eventbridge default: eventbridge: call 1 of 1")
	})
}
