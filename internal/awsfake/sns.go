package awsfake

import (
	"encoding/base64"
	stdjson "encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/aws/smithy-go/encoding/xml"
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

// snsMessage decodes and checks one message: from Publish's request or one
// PublishBatch entry (a document tree from fromQuery).
func snsMessage(m map[string]any) (Message, *apiError) {
	msg := Message{}
	msg.Message, _ = docString(m, "Message")
	msg.Subject, _ = docString(m, "Subject")
	msg.MessageStructure, _ = docString(m, "MessageStructure")
	if msg.Message == "" {
		return msg, snsInvalid("Empty message")
	}
	if _, ok := m["Subject"]; ok {
		if msg.Subject == "" || len([]rune(msg.Subject)) > maxSubjectLength || strings.IndexFunc(msg.Subject, unicode.IsControl) >= 0 {
			return msg, snsInvalid("Subject")
		}
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
	for _, x := range docList(m, "MessageAttributes") {
		e, _ := x.(map[string]any)
		name, _ := docString(e, "Name")
		v, _ := e["Value"].(map[string]any)
		var a MessageAttribute
		a.DataType, _ = docString(v, "DataType")
		a.StringValue, _ = docString(v, "StringValue")
		if b64, ok := docString(v, "BinaryValue"); ok {
			raw, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return msg, snsInvalid("Message attribute '%s' has an invalid binary value", name)
			}
			a.BinaryValue = raw
		}
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

// publishInput is the input of Publish.
type publishInput struct {
	topicARN string
	fields   map[string]any
}

var snsPublish = op("sns", "Publish",
	func(c *call) (publishInput, error) {
		doc, _ := fromQuery(c.form).(map[string]any)
		arn, _ := docString(doc, "TopicArn")
		if arn == "" {
			arn, _ = docString(doc, "TargetArn")
		}
		if _, ok := doc["PhoneNumber"]; ok && arn == "" {
			return publishInput{}, snsInvalid("PhoneNumber Reason: SMS is not modelled by this server")
		}
		return publishInput{topicARN: arn, fields: doc}, nil
	},
	func(s *Server, c *call, in publishInput) (any, error) {
		t, err := c.publishableTopic(s.st, in.topicARN)
		if err != nil {
			return nil, err
		}
		msg, apiErr := snsMessage(in.fields)
		if apiErr != nil {
			return nil, apiErr
		}
		s.st.record(c, t, &msg)
		return xmlMembers(func(v xml.Value) { xstr(v, "MessageId", msg.MessageID) }), nil
	})

// record keeps an accepted message.
func (st *state) record(c *call, t *topic, msg *Message) {
	h := st.hexID("sns-message", 32)
	msg.MessageID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	msg.Account, msg.Region, msg.TopicARN = c.account(), c.region, t.arn
	st.messages = append(st.messages, *msg)
}

var snsPublishBatch = op("sns", "PublishBatch",
	func(c *call) (publishInput, error) {
		doc, _ := fromQuery(c.form).(map[string]any)
		arn, _ := docString(doc, "TopicArn")
		return publishInput{topicARN: arn, fields: doc}, nil
	},
	func(s *Server, c *call, in publishInput) (any, error) {
		t, err := c.publishableTopic(s.st, in.topicARN)
		if err != nil {
			return nil, err
		}
		entries := docList(in.fields, "PublishBatchRequestEntries")
		switch {
		case len(entries) == 0:
			return nil, badRequest("EmptyBatchRequest", "The batch request doesn't contain any entries.")
		case len(entries) > maxBatchEntries:
			return nil, badRequest("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
		}
		ids := map[string]bool{}
		total := 0
		for _, x := range entries {
			e, _ := x.(map[string]any)
			id, _ := docString(e, "Id")
			if id == "" || len(id) > maxBatchIDLength || !batchEntryPattern.MatchString(id) {
				return nil, badRequest("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.")
			}
			if ids[id] {
				return nil, badRequest("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
			}
			ids[id] = true
			body, _ := docString(e, "Message")
			total += len(body)
		}
		if total > defaultTopicLimit {
			return nil, badRequest("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
		}
		type failure struct{ id, code, message string }
		var ok []Message
		var failed []failure
		for _, x := range entries {
			e, _ := x.(map[string]any)
			id, _ := docString(e, "Id")
			msg, apiErr := snsMessage(e)
			if apiErr != nil {
				failed = append(failed, failure{id, apiErr.code, apiErr.message})
				continue
			}
			msg.BatchEntryID = id
			s.st.record(c, t, &msg)
			ok = append(ok, s.st.messages[len(s.st.messages)-1])
		}
		return xmlMembers(func(v xml.Value) {
			succ := v.MemberElement(el("Successful"))
			for _, m := range ok {
				xstruct(succ, "member", func(mv xml.Value) {
					xstr(mv, "Id", m.BatchEntryID)
					xstr(mv, "MessageId", m.MessageID)
				})
			}
			succ.Close()
			fail := v.MemberElement(el("Failed"))
			for _, f := range failed {
				xstruct(fail, "member", func(fv xml.Value) {
					xstr(fv, "Id", f.id)
					xstr(fv, "Code", f.code)
					xstr(fv, "Message", f.message)
					xbool(fv, "SenderFault", true)
				})
			}
			fail.Close()
		}), nil
	})
