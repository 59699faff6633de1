package awsfake

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func snsWorld(t *testing.T) (*Server, string) {
	t.Helper()
	b := NewBuilder(mgmtAccount)
	b.Account(b.Root(), prodAccount, "prod", "prod@example.com")
	b.AccessKey(prodKey, prodAccount, "produser")
	arn := b.Topic(prodAccount, "us-east-1", "ipam-alerts")
	w, err := b.Build()
	require.NoError(t, err)
	return startServer(t, w), arn
}

func TestPublish(t *testing.T) {
	srv, arn := snsWorld(t)
	client := sns.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"))
	out, err := client.Publish(t.Context(), &sns.PublishInput{
		TopicArn: &arn, Subject: aws.String("IPAM pool at 81%"), Message: aws.String("pool ipam-pool-0abc is 81% used"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("high")},
			"blob":     {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, []Message{{
		Account: prodAccount, Region: "us-east-1", TopicARN: arn, MessageID: aws.ToString(out.MessageId),
		Subject: "IPAM pool at 81%", Message: "pool ipam-pool-0abc is 81% used",
		Attributes: map[string]MessageAttribute{"severity": {DataType: "String", StringValue: "high"}, "blob": {DataType: "Binary", BinaryValue: []byte{1, 2, 3}}},
	}}, srv.Messages())

	tests := []struct {
		name     string
		key      string
		in       sns.PublishInput
		wantCode string
	}{
		{"unknown topic", prodKey, sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:" + prodAccount + ":nope"), Message: aws.String("m")}, "NotFound"},
		{"another account's topic", DefaultAccessKeyID, sns.PublishInput{TopicArn: &arn, Message: aws.String("m")}, "AuthorizationError"},
		{"empty message", prodKey, sns.PublishInput{TopicArn: &arn, Message: aws.String("")}, "InvalidParameter"},
		{"subject with a line break", prodKey, sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), Subject: aws.String("a\nb")}, "InvalidParameter"},
		{"subject of 100 characters", prodKey, sns.PublishInput{TopicArn: &arn, Message: aws.String("m"), Subject: aws.String(strings.Repeat("s", 100))}, "InvalidParameter"},
		{"message over 256 KiB", prodKey, sns.PublishInput{TopicArn: &arn, Message: aws.String(strings.Repeat("m", 256<<10+1))}, "InvalidParameter"},
		{"JSON structure without default", prodKey, sns.PublishInput{TopicArn: &arn, Message: aws.String(`{"email":"x"}`), MessageStructure: aws.String("json")}, "InvalidParameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sns.NewFromConfig(clientConfig(srv, tt.key, "us-east-1")).Publish(t.Context(), &tt.in)
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
	assert.Len(t, srv.Messages(), 1, "rejected messages are not kept")
}

func TestPublishBatch(t *testing.T) {
	srv, arn := snsWorld(t)
	client := sns.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"))
	out, err := client.PublishBatch(t.Context(), &sns.PublishBatchInput{TopicArn: &arn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("first")},
		{Id: aws.String("b"), Message: aws.String("")},
		{Id: aws.String("c"), Message: aws.String("third"), Subject: aws.String("s")},
	}})
	require.NoError(t, err)
	require.Len(t, out.Successful, 2)
	assert.Equal(t, "a", aws.ToString(out.Successful[0].Id))
	assert.Equal(t, "c", aws.ToString(out.Successful[1].Id))
	require.Len(t, out.Failed, 1)
	assert.Equal(t, "b", aws.ToString(out.Failed[0].Id))
	assert.Equal(t, "InvalidParameter", aws.ToString(out.Failed[0].Code))
	assert.True(t, out.Failed[0].SenderFault)
	msgs := srv.Messages()
	require.Len(t, msgs, 2)
	assert.Equal(t, aws.ToString(out.Successful[1].MessageId), msgs[1].MessageID)
	assert.Equal(t, "s", msgs[1].Subject)

	entries := func(n int, id func(int) string) []types.PublishBatchRequestEntry {
		var es []types.PublishBatchRequestEntry
		for i := range n {
			es = append(es, types.PublishBatchRequestEntry{Id: aws.String(id(i)), Message: aws.String("m")})
		}
		return es
	}
	tests := []struct {
		name     string
		entries  []types.PublishBatchRequestEntry
		wantCode string
	}{
		{"11 entries", entries(11, func(i int) string { return fmt.Sprint(i) }), "TooManyEntriesInBatchRequest"},
		{"same id twice", entries(2, func(int) string { return "x" }), "BatchEntryIdsNotDistinct"},
		{"id with a dot", entries(1, func(int) string { return "a.b" }), "InvalidBatchEntryId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.PublishBatch(t.Context(), &sns.PublishBatchInput{TopicArn: &arn, PublishBatchRequestEntries: tt.entries})
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
	var tooMany *types.TooManyEntriesInBatchRequestException
	_, err = client.PublishBatch(t.Context(), &sns.PublishBatchInput{TopicArn: &arn, PublishBatchRequestEntries: tests[0].entries})
	assert.ErrorAs(t, err, &tooMany, "a typed exception")
}

func TestListTopics(t *testing.T) {
	b := NewBuilder(mgmtAccount)
	b.Account(b.Root(), prodAccount, "prod", "prod@example.com")
	b.AccessKey(prodKey, prodAccount, "produser")
	var want []string
	for i := range 102 {
		want = append(want, b.Topic(prodAccount, "us-east-1", fmt.Sprintf("topic-%03d", i)))
	}
	b.Topic(prodAccount, "us-west-2", "elsewhere")
	b.Topic(mgmtAccount, "us-east-1", "not-yours")
	w, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, w)
	client := sns.NewFromConfig(clientConfig(srv, prodKey, "us-east-1"))

	var got []string
	pages := sns.NewListTopicsPaginator(client, &sns.ListTopicsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(t.Context())
		require.NoError(t, err)
		for _, tp := range out.Topics {
			got = append(got, aws.ToString(tp.TopicArn))
		}
	}
	assert.Equal(t, want, got, "the account's topics in the region, in order")
	assert.Len(t, callsTo(srv, "ListTopics"), 2, "100 topics a page")

	_, err = client.ListTopics(t.Context(), &sns.ListTopicsInput{NextToken: aws.String("bogus")})
	assert.Equal(t, "InvalidParameter", errorCode(err), "%v", err)
}
