package awsfake

import (
	"cmp"
	stdjson "encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNS operations (awsQuery, version 2010-03-31). Topics are part of the
// world ([Builder.Topic]); published messages are kept for tests
// ([Server.Messages]).

// Message is an SNS message the server accepted.
type Message struct {
	Account, Region  string // the publisher's account and region
	TopicARN         string
	MessageID        string
	Subject          string
	Message          string
	MessageStructure string // "json" or ""
	Attributes       map[string]MessageAttribute
	BatchEntryID     string // the entry Id when published by PublishBatch
}

// MessageAttribute is a typed SNS message attribute: StringValue for the
// String and Number data types, BinaryValue for Binary.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// Messages returns a copy of the messages the server accepted, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.messages)
}

// SNS limits (aws-facts §5.2).
const (
	maxMessageBytes   = 256 << 10 // body and attributes, for topics with the default MaximumMessageSize
	maxBatchEntries   = 10
	maxSubjectLength  = 99 // "less than 100 characters"
	maxBatchIDLength  = 80
	defaultTopicLimit = maxMessageBytes
)

var (
	topicARNPattern   = lazyPattern(`^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$`)
	batchEntryPattern = lazyPattern(`^[A-Za-z0-9_-]+$`)
)

// topic is an SNS topic.
type topic struct{ arn, account, region string }

// addTopic adds a topic and returns its ARN.
func (st *state) addTopic(accountID, region, name string) (string, error) {
	if st.accounts[accountID] == nil {
		return "", fmt.Errorf("no account %q", accountID)
	}
	if !st.regionEnabled(region) {
		return "", fmt.Errorf("region %q is not enabled", region)
	}
	arn := "arn:aws:sns:" + region + ":" + accountID + ":" + name
	if !topicARNPattern.MatchString(arn) {
		return "", fmt.Errorf("topic name %q is not valid", name)
	}
	if st.topics[arn] != nil {
		return "", fmt.Errorf("topic %q already exists", arn)
	}
	st.topics[arn] = &topic{arn: arn, account: accountID, region: region}
	return arn, nil
}

// Topic adds an SNS topic named name to an account in a region and returns
// its ARN. Only its owner may publish to it.
func (b *Builder) Topic(accountID, region, name string) string {
	return b.applyID(fmt.Sprintf("topic %q in %s/%s", name, accountID, region), func(st *state) (string, error) {
		return st.addTopic(accountID, region, name)
	})
}

func snsInvalid(format string, args ...any) *apiError {
	return badRequest("InvalidParameter", "Invalid parameter: "+format, args...)
}

// publishableTopic finds a topic the caller may publish to.
func (c *call) publishableTopic(st *state, arn string) (*topic, error) {
	if arn == "" {
		return nil, snsInvalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	if !topicARNPattern.MatchString(arn) {
		return nil, snsInvalid("TopicArn Reason: An ARN must have at least 6 elements, not %q", arn)
	}
	t := st.topics[arn]
	if t == nil || t.region != c.region {
		return nil, newError(http.StatusNotFound, "NotFound", "Topic does not exist")
	}
	if t.account != c.account() {
		return nil, newError(http.StatusForbidden, "AuthorizationError", "User: %s is not authorized to perform: SNS:Publish on resource: %s", c.who.arn, arn)
	}
	return t, nil
}

// snsMessage checks one message: Publish's or one PublishBatch entry's.
func snsMessage(body, subject, structure *string, attrs map[string]types.MessageAttributeValue) (Message, *apiError) {
	msg := Message{Message: aws.ToString(body), Subject: aws.ToString(subject), MessageStructure: aws.ToString(structure)}
	if msg.Message == "" {
		return msg, snsInvalid("Empty message")
	}
	if subject != nil && (msg.Subject == "" || len([]rune(msg.Subject)) > maxSubjectLength || strings.IndexFunc(msg.Subject, unicode.IsControl) >= 0) {
		return msg, snsInvalid("Subject")
	}
	switch msg.MessageStructure {
	case "":
	case "json":
		var parts map[string]any
		if err := stdjson.Unmarshal([]byte(msg.Message), &parts); err != nil {
			return msg, snsInvalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := parts["default"].(string); !ok {
			return msg, snsInvalid("Message Structure - No default entry in JSON message body")
		}
	default:
		return msg, snsInvalid("MessageStructure Reason: must be json")
	}
	size := len(msg.Message)
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		v := attrs[name]
		a := MessageAttribute{DataType: aws.ToString(v.DataType), StringValue: aws.ToString(v.StringValue), BinaryValue: v.BinaryValue}
		switch {
		case name == "" || len(name) > 256:
			return msg, snsInvalid("Message attribute name must be 1 to 256 characters")
		case a.DataType == "":
			return msg, snsInvalid("The message attribute '%s' must contain non-empty message attribute type.", name)
		case !strings.HasPrefix(a.DataType, "String") && !strings.HasPrefix(a.DataType, "Number") && !strings.HasPrefix(a.DataType, "Binary"):
			return msg, snsInvalid("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		case a.StringValue == "" && a.BinaryValue == nil:
			return msg, snsInvalid("The message attribute '%s' must contain non-empty message attribute value.", name)
		}
		if msg.Attributes == nil {
			msg.Attributes = map[string]MessageAttribute{}
		}
		msg.Attributes[name] = a
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if size > defaultTopicLimit {
		return msg, snsInvalid("Message too long")
	}
	return msg, nil
}

var snsPublish = model("sns", "Publish", func(st *state, c *call, in *sns.PublishInput) (*sns.PublishOutput, error) {
	arn := cmp.Or(aws.ToString(in.TopicArn), aws.ToString(in.TargetArn))
	if in.PhoneNumber != nil && arn == "" {
		return nil, snsInvalid("PhoneNumber Reason: SMS is not modelled by this server")
	}
	t, err := c.publishableTopic(st, arn)
	if err != nil {
		return nil, err
	}
	msg, apiErr := snsMessage(in.Message, in.Subject, in.MessageStructure, in.MessageAttributes)
	if apiErr != nil {
		return nil, apiErr
	}
	st.record(c, t, &msg)
	return &sns.PublishOutput{MessageId: aws.String(msg.MessageID)}, nil
})

// record keeps an accepted message.
func (st *state) record(c *call, t *topic, msg *Message) {
	h := st.hexID("sns-message", 32)
	msg.MessageID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	msg.Account, msg.Region, msg.TopicARN = c.account(), c.region, t.arn
	st.messages = append(st.messages, *msg)
}

var snsPublishBatch = model("sns", "PublishBatch", func(st *state, c *call, in *sns.PublishBatchInput) (*sns.PublishBatchOutput, error) {
	t, err := c.publishableTopic(st, aws.ToString(in.TopicArn))
	if err != nil {
		return nil, err
	}
	switch n := len(in.PublishBatchRequestEntries); {
	case n == 0:
		return nil, badRequest("EmptyBatchRequest", "The batch request doesn't contain any entries.")
	case n > maxBatchEntries:
		return nil, badRequest("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
	}
	ids := map[string]bool{}
	total := 0
	for _, e := range in.PublishBatchRequestEntries {
		id := aws.ToString(e.Id)
		if id == "" || len(id) > maxBatchIDLength || !batchEntryPattern.MatchString(id) {
			return nil, badRequest("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		if ids[id] {
			return nil, badRequest("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
		}
		ids[id] = true
		total += len(aws.ToString(e.Message))
	}
	if total > defaultTopicLimit {
		return nil, badRequest("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
	}
	out := &sns.PublishBatchOutput{Successful: []types.PublishBatchResultEntry{}, Failed: []types.BatchResultErrorEntry{}}
	for _, e := range in.PublishBatchRequestEntries {
		msg, apiErr := snsMessage(e.Message, e.Subject, e.MessageStructure, e.MessageAttributes)
		if apiErr != nil {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String(apiErr.code), Message: aws.String(apiErr.message), SenderFault: true})
			continue
		}
		msg.BatchEntryID = aws.ToString(e.Id)
		st.record(c, t, &msg)
		out.Successful = append(out.Successful, types.PublishBatchResultEntry{Id: e.Id, MessageId: aws.String(msg.MessageID)})
	}
	return out, nil
})

// snsTopicsPage is the number of topics a ListTopics page holds, as in SNS.
var snsTopicsPage = pageRange{def: 100}

// snsListTopics lists the topics of the caller's account and region, 100 a
// page.
var snsListTopics = model("sns", "ListTopics", func(st *state, c *call, in *sns.ListTopicsInput) (*sns.ListTopicsOutput, error) {
	var arns []string
	for _, arn := range sortedKeys(st.topics) {
		if t := st.topics[arn]; t.account == c.account() && t.region == c.region {
			arns = append(arns, arn)
		}
	}
	pg, next, err := paginate(c, arns, func(s string) string { return s }, pageRequest{token: aws.ToString(in.NextToken), present: in.NextToken != nil}, snsTopicsPage)
	if err != nil {
		return nil, snsInvalid("NextToken")
	}
	out := &sns.ListTopicsOutput{Topics: make([]types.Topic, len(pg)), NextToken: optString(next)}
	for i, arn := range pg {
		out.Topics[i] = types.Topic{TopicArn: aws.String(arn)}
	}
	return out, nil
})
