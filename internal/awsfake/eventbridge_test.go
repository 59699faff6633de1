package awsfake

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutEvents(t *testing.T) {
	srv := startServer(t, nil)
	client := eventbridge.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"))
	at := time.Date(2026, 3, 2, 10, 15, 30, 0, time.UTC)
	out, err := client.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("ipamkit.monitor"), DetailType: aws.String("IPAM usage"), Detail: aws.String(`{"pool":"ipam-pool-0abc","percent":81.25}`),
			Resources: []string{"arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0abc"}, Time: &at},
		{Source: aws.String("ipamkit.monitor"), DetailType: aws.String("IPAM usage"), Detail: aws.String(`not json`)},
		{Source: aws.String("ipamkit.monitor"), Detail: aws.String(`{}`)},
		{Source: aws.String("ipamkit.monitor"), DetailType: aws.String("x"), Detail: aws.String(`{}`), EventBusName: aws.String("ops")},
	}})
	require.NoError(t, err)
	assert.Equal(t, int32(2), out.FailedEntryCount)
	require.Len(t, out.Entries, 4, "one result per entry, in order")
	assert.NotEmpty(t, aws.ToString(out.Entries[0].EventId))
	assert.Equal(t, "MalformedDetail", aws.ToString(out.Entries[1].ErrorCode))
	assert.Equal(t, "InvalidArgument", aws.ToString(out.Entries[2].ErrorCode))
	events := srv.Events()
	require.Len(t, events, 2)
	assert.Equal(t, Event{
		Account: DefaultAccountID, Region: "eu-west-1", EventID: aws.ToString(out.Entries[0].EventId), EventBusName: "default",
		Source: "ipamkit.monitor", DetailType: "IPAM usage", Detail: `{"pool":"ipam-pool-0abc","percent":81.25}`,
		Resources: []string{"arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0abc"}, Time: at,
	}, events[0])
	assert.Equal(t, "ops", events[1].EventBusName)

	tests := []struct {
		name    string
		entries []types.PutEventsRequestEntry
	}{
		{"no entries", []types.PutEventsRequestEntry{}},
		{"11 entries", make([]types.PutEventsRequestEntry, 11)},
		{"1 MB", []types.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(`{"x":"` + strings.Repeat("x", 1<<20) + `"}`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: tt.entries})
			assert.Equal(t, "ValidationException", errorCode(err), "%v", err)
		})
	}
}

func TestListEventBuses(t *testing.T) {
	srv := startServer(t, nil)
	client := eventbridge.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"))
	entry := func(bus string) types.PutEventsRequestEntry {
		return types.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(`{}`), EventBusName: aws.String(bus)}
	}
	_, err := client.PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("ops"), entry("ops-audit"), entry("arn:aws:events:eu-west-1:" + DefaultAccountID + ":event-bus/audit"), entry("ops"),
	}})
	require.NoError(t, err)
	_, err = eventbridge.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1")).PutEvents(t.Context(), &eventbridge.PutEventsInput{
		Entries: []types.PutEventsRequestEntry{entry("other-region")}})
	require.NoError(t, err)

	names := func(in *eventbridge.ListEventBusesInput) ([]string, int) {
		t.Helper()
		var got []string
		pages := 0
		for {
			out, err := client.ListEventBuses(t.Context(), in)
			require.NoError(t, err)
			pages++
			for _, b := range out.EventBuses {
				got = append(got, aws.ToString(b.Name))
				assert.Equal(t, "arn:aws:events:eu-west-1:"+DefaultAccountID+":event-bus/"+aws.ToString(b.Name), aws.ToString(b.Arn))
			}
			if out.NextToken == nil {
				return got, pages
			}
			in.NextToken = out.NextToken
		}
	}
	got, pages := names(&eventbridge.ListEventBusesInput{})
	assert.Equal(t, []string{"audit", "default", "ops", "ops-audit"}, got)
	assert.Equal(t, 1, pages)
	got, pages = names(&eventbridge.ListEventBusesInput{NamePrefix: aws.String("ops"), Limit: aws.Int32(1)})
	assert.Equal(t, []string{"ops", "ops-audit"}, got)
	assert.Equal(t, 2, pages)

	for _, in := range []eventbridge.ListEventBusesInput{{Limit: aws.Int32(0)}, {Limit: aws.Int32(101)}, {NextToken: aws.String("bogus")}} {
		_, err := client.ListEventBuses(t.Context(), &in)
		assert.Equal(t, "ValidationException", errorCode(err), "%v", err)
	}
}
