package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNS limits (aws-facts §5.2).
const (
	// SNSDefaultMaxMessageBytes is the default size limit of an SNS
	// message: 256 KiB, message body and attributes together.
	SNSDefaultMaxMessageBytes = 256 * 1024
	snsMinMessageBytes        = 1024
	snsMaxSubjectChars        = 99 // "less than 100 characters"
	snsSeverityAttribute      = "severity"
)

// ErrNoTopic is returned by [SNS.Notify] when the SNS was made without a
// topic ARN. (The monitor sample published to an empty topic and failed on
// every run.)
var ErrNoTopic = errors.New("no SNS topic ARN configured")

// SNSOptions configures an [SNS] notifier. The zero value renders with
// [DefaultSubject] and [DefaultText] within 256 KiB per message.
type SNSOptions struct {
	// Subject renders the subject (used by email subscriptions); nil
	// means [DefaultSubject]. The result is made valid for SNS: line
	// breaks and control characters become spaces and it is cut to 99
	// characters, on a character boundary.
	Subject Renderer
	// Text renders the message; nil means [DefaultText].
	Text Renderer
	// MaxMessageBytes is the topic's size limit, message and attributes
	// together; zero means 256 KiB. Set it when the topic's
	// MaximumMessageSize is raised (up to 1 MiB). Values below 1024 mean
	// 1024.
	MaxMessageBytes int
	// MessageGroupID is the message group of FIFO topics; empty means
	// "ipamkit". It is ignored for standard topics.
	MessageGroupID string
	// Logger receives a Debug record per publish; nil discards records.
	Logger *slog.Logger
}

// SNS is a [Notifier] that publishes alerts to an Amazon SNS topic.
//
// Each message carries the String message attribute "severity" ("info",
// "warning" or "critical"), so subscriptions can filter with a policy such
// as {"severity": ["critical"]}. A message over the size limit is never
// refused for size: it is split, preferably at line ends and always on a
// UTF-8 boundary, across several publishes marked "(part 2/3)" in the
// message and the subject. A message is never empty. For a FIFO topic (ARN
// ending in ".fifo") each publish carries MessageGroupId and a deterministic
// MessageDeduplicationId, a hash of the subject and that part's message, so
// a retried alert within SNS's five-minute window is delivered once.
//
// An SNS is safe for concurrent use.
type SNS struct {
	client SNSAPI
	topic  string
	fifo   bool
	opts   SNSOptions
}

// NewSNS returns a notifier publishing to the topic topicARN through
// client, usually an *sns.Client.
func NewSNS(client SNSAPI, topicARN string, optFns ...func(*SNSOptions)) *SNS {
	var o SNSOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Subject == nil {
		o.Subject = RendererFunc(renderSubject)
	}
	if o.Text == nil {
		o.Text = RendererFunc(renderText)
	}
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = SNSDefaultMaxMessageBytes
	}
	o.MaxMessageBytes = max(o.MaxMessageBytes, snsMinMessageBytes)
	if o.MessageGroupID == "" {
		o.MessageGroupID = "ipamkit"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &SNS{client: client, topic: topicARN, fifo: strings.HasSuffix(topicARN, ".fifo"), opts: o}
}

// String names the notifier and its topic.
func (s *SNS) String() string { return "sns " + s.topic }

// Notify publishes a, in as many messages as its size requires, in order.
// It stops at the first failed publish; the error says which part failed
// (the parts before it were delivered). It returns [ErrNoTopic] without a
// topic.
func (s *SNS) Notify(ctx context.Context, a Alert) error {
	if s.topic == "" {
		return fmt.Errorf("sns: %w", ErrNoTopic)
	}
	subject, err := s.opts.Subject.Render(a)
	if err != nil {
		return fmt.Errorf("sns: subject: %w", err)
	}
	msg, err := s.opts.Text.Render(a)
	if err != nil {
		return fmt.Errorf("sns: message: %w", err)
	}
	msg = strings.ToValidUTF8(msg, "\uFFFD")
	if strings.TrimSpace(msg) == "" {
		msg = strings.ToValidUTF8(oneLine(a.Title), "\uFFFD")
		if msg == "" {
			msg = "ipamkit alert (" + a.Severity.String() + ")"
		}
	}
	severity := a.Severity.String()
	attrBytes := len(snsSeverityAttribute) + len("String") + len(severity)
	parts := splitMessage(msg, s.opts.MaxMessageBytes-attrBytes)
	for i, part := range parts {
		subj := snsSubject(subject, "")
		if len(parts) > 1 {
			n := strconv.Itoa(i+1) + "/" + strconv.Itoa(len(parts))
			subj = snsSubject(subject, " ("+n+")")
		}
		in := &sns.PublishInput{
			TopicArn: aws.String(s.topic),
			Message:  aws.String(part),
			MessageAttributes: map[string]types.MessageAttributeValue{
				snsSeverityAttribute: {DataType: aws.String("String"), StringValue: aws.String(severity)},
			},
		}
		if subj != "" {
			in.Subject = aws.String(subj)
		}
		if s.fifo {
			sum := sha256.Sum256([]byte(subj + "\x00" + part))
			in.MessageGroupId = aws.String(s.opts.MessageGroupID)
			in.MessageDeduplicationId = aws.String(hex.EncodeToString(sum[:]))
		}
		if _, err := s.client.Publish(ctx, in); err != nil {
			return fmt.Errorf("sns: publish part %d of %d: %w", i+1, len(parts), err)
		}
		s.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "published to sns",
			slog.String("topic", s.topic), slog.Int("part", i+1), slog.Int("parts", len(parts)), slog.Int("bytes", len(part)))
	}
	return nil
}

// snsSubject makes s a valid SNS subject with suffix: one line, no control
// characters, valid UTF-8, under 100 characters.
func snsSubject(s, suffix string) string {
	s = oneLine(strings.ToValidUTF8(s, ""))
	if s == "" {
		return ""
	}
	return truncate(s, snsMaxSubjectChars-utf8.RuneCountInString(suffix)) + suffix
}

// splitMessage splits msg into parts of at most limit bytes each. One part
// is msg itself; several parts each start with "(part i/n)\n". Parts end at
// a line break when one lies in the second half of the room, else at the
// last UTF-8 boundary that fits. limit must leave room for a header and
// a character (snsMinMessageBytes does).
func splitMessage(msg string, limit int) []string {
	if len(msg) <= limit {
		return []string{msg}
	}
	for reserve := len("(part 9/9)\n"); ; reserve += 2 {
		parts := splitAt(msg, limit-reserve)
		n := strconv.Itoa(len(parts))
		if len("(part "+n+"/"+n+")\n") > reserve {
			continue // more parts than digits reserved
		}
		for i, p := range parts {
			parts[i] = "(part " + strconv.Itoa(i+1) + "/" + n + ")\n" + p
		}
		return parts
	}
}

func splitAt(msg string, room int) []string {
	var parts []string
	for len(msg) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		if nl := strings.LastIndexByte(msg[:cut], '\n'); nl >= room/2 {
			cut = nl + 1
		}
		parts = append(parts, msg[:cut])
		msg = msg[cut:]
	}
	return append(parts, msg)
}
