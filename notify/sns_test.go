package notify

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

const topicARN = "arn:aws:sns:eu-west-1:012345678901:ipam-alerts"

// publishes records every PublishInput a mock receives.
func recordPublishes(m *MockSNSAPI, ins *[]*sns.PublishInput) {
	m.EXPECT().Publish(gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
			*ins = append(*ins, in)
			return &sns.PublishOutput{MessageId: aws.String("m")}, nil
		}).AnyTimes()
}

// snsSize is what SNS counts against the limit: the message and the
// attributes' names, types and values.
func snsSize(in *sns.PublishInput) int {
	n := len(aws.ToString(in.Message))
	for name, v := range in.MessageAttributes {
		n += len(name) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

// attrBytes is the size of the severity attribute of a critical alert.
var attrBytes = len("severity") + len("String") + len("critical")

func TestSNSSplit(t *testing.T) {
	t.Parallel()
	const limit = SNSDefaultMaxMessageBytes
	lines := func(n int) string { // lines of 50 bytes with multi-byte characters
		var b strings.Builder
		for b.Len() < n {
			b.WriteString("vpc-0abc 10.0.0.0/16 réseau partagé ✓ 81.2%\n")
		}
		s := b.String()[:n]
		return strings.ToValidUTF8(s, "x") + strings.Repeat("x", n-len(strings.ToValidUTF8(s, "x")))
	}
	tests := []struct {
		name      string
		message   string
		max       int
		wantParts int
	}{
		{"small", "hello", 0, 1},
		{"exactly at the limit", strings.Repeat("a", limit-attrBytes), 0, 1},
		{"one byte over the limit", strings.Repeat("a", limit-attrBytes+1), 0, 2},
		{"lines over the limit", lines(limit), 0, 2},
		{"multi-byte without line breaks", strings.Repeat("é✓", limit/2), 0, 3},
		{"ten times the limit", lines(10 * limit), 0, 11},
		{"raised topic limit", lines(limit + 1000), 1 << 20, 1},
		{"small limit, many parts", lines(200_000), 1024, 209},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockSNSAPI(gomock.NewController(t))
			var ins []*sns.PublishInput
			recordPublishes(m, &ins)
			s := NewSNS(m, topicARN, func(o *SNSOptions) {
				o.Text = MustParseTemplate("{{.Summary}}")
				o.MaxMessageBytes = tt.max
			})
			a := Alert{Severity: Critical, Title: "t", Summary: tt.message}
			require.NoError(t, s.Notify(t.Context(), a))
			require.Len(t, ins, tt.wantParts)

			max := tt.max
			if max == 0 {
				max = limit
			}
			var joined strings.Builder
			for i, in := range ins {
				msg := aws.ToString(in.Message)
				assert.LessOrEqual(t, snsSize(in), max, "part %d", i+1)
				assert.True(t, utf8.ValidString(msg), "part %d is valid UTF-8", i+1)
				assert.NotEmpty(t, strings.TrimSpace(msg), "part %d", i+1)
				if tt.wantParts > 1 {
					header, body, ok := strings.Cut(msg, "\n")
					require.True(t, ok)
					assert.Equal(t, "(part "+strconv.Itoa(i+1)+"/"+strconv.Itoa(tt.wantParts)+")", header)
					assert.NotEmpty(t, body)
					assert.True(t, strings.HasSuffix(aws.ToString(in.Subject), " ("+strconv.Itoa(i+1)+"/"+strconv.Itoa(tt.wantParts)+")"))
					msg = body
				}
				joined.WriteString(msg)
			}
			assert.Equal(t, tt.message, joined.String(), "the parts add up to the message")
		})
	}
}

func TestSNSMessage(t *testing.T) {
	t.Parallel()
	longTitle := strings.Repeat("Ünïcödé ", 20) + "\nsecond line\x00\x07\u2028end"
	tests := []struct {
		name        string
		topic       string
		alert       Alert
		opts        func(*SNSOptions)
		wantSubject *string
		wantMessage string
		wantFIFO    bool
	}{
		{
			name:        "default templates",
			topic:       topicARN,
			alert:       Alert{Severity: Warning, Title: "disk", Resources: []Resource{{ID: "vpc-1", Percent: 85}}},
			wantSubject: aws.String("[WARNING] disk"),
			wantMessage: "[WARNING] disk\n[#################...]  85.0%  vpc-1\n",
		},
		{
			name:        "empty message falls back to the title",
			topic:       topicARN,
			alert:       Alert{Title: "all clear"},
			opts:        func(o *SNSOptions) { o.Text = MustParseTemplate(" \n") },
			wantSubject: aws.String("[INFO] all clear"),
			wantMessage: "all clear",
		},
		{
			name:        "empty message and title",
			topic:       topicARN,
			alert:       Alert{},
			opts:        func(o *SNSOptions) { o.Text = MustParseTemplate(""); o.Subject = MustParseTemplate("") },
			wantSubject: nil,
			wantMessage: "ipamkit alert (info)",
		},
		{
			name:        "FIFO topic",
			topic:       topicARN + ".fifo",
			alert:       Alert{Title: "x"},
			opts:        func(o *SNSOptions) { o.Text = MustParseTemplate("body") },
			wantSubject: aws.String("[INFO] x"),
			wantMessage: "body",
			wantFIFO:    true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockSNSAPI(gomock.NewController(t))
			var ins []*sns.PublishInput
			recordPublishes(m, &ins)
			opts := func(*SNSOptions) {}
			if tt.opts != nil {
				opts = tt.opts
			}
			s := NewSNS(m, tt.topic, opts)
			require.NoError(t, s.Notify(t.Context(), tt.alert))
			require.NoError(t, s.Notify(t.Context(), tt.alert))
			require.Len(t, ins, 2)
			in := ins[0]
			assert.Equal(t, tt.topic, aws.ToString(in.TopicArn))
			assert.Equal(t, tt.wantSubject, in.Subject)
			assert.Equal(t, tt.wantMessage, aws.ToString(in.Message))
			assert.Equal(t, tt.alert.Severity.String(), aws.ToString(in.MessageAttributes["severity"].StringValue))
			assert.Equal(t, "String", aws.ToString(in.MessageAttributes["severity"].DataType))
			if tt.wantFIFO {
				assert.Equal(t, "ipamkit", aws.ToString(in.MessageGroupId))
				assert.Len(t, aws.ToString(in.MessageDeduplicationId), 64)
				assert.Equal(t, in.MessageDeduplicationId, ins[1].MessageDeduplicationId, "deterministic")
			} else {
				assert.Nil(t, in.MessageGroupId)
				assert.Nil(t, in.MessageDeduplicationId)
			}
		})
	}

	t.Run("subject rules", func(t *testing.T) {
		t.Parallel()
		m := NewMockSNSAPI(gomock.NewController(t))
		var ins []*sns.PublishInput
		recordPublishes(m, &ins)
		require.NoError(t, NewSNS(m, topicARN).Notify(t.Context(), Alert{Title: longTitle}))
		subj := aws.ToString(ins[0].Subject)
		assert.Less(t, utf8.RuneCountInString(subj), 100)
		assert.True(t, utf8.ValidString(subj))
		assert.True(t, strings.HasSuffix(subj, "…"))
		assert.False(t, strings.ContainsFunc(subj, unicode.IsControl), "subject %q", subj)
		assert.True(t, strings.HasPrefix(subj, "[INFO] Ünïcödé Ünïcödé"))
	})

	t.Run("FIFO parts get distinct dedup ids", func(t *testing.T) {
		t.Parallel()
		m := NewMockSNSAPI(gomock.NewController(t))
		var ins []*sns.PublishInput
		recordPublishes(m, &ins)
		s := NewSNS(m, topicARN+".fifo", func(o *SNSOptions) {
			o.MaxMessageBytes = 1024
			o.MessageGroupID = "ipam"
			o.Text = MustParseTemplate("{{.Summary}}")
		})
		require.NoError(t, s.Notify(t.Context(), Alert{Summary: strings.Repeat("a", 2500)}))
		require.Len(t, ins, 3)
		seen := map[string]bool{}
		for _, in := range ins {
			assert.Equal(t, "ipam", aws.ToString(in.MessageGroupId))
			seen[aws.ToString(in.MessageDeduplicationId)] = true
		}
		assert.Len(t, seen, 3)
	})
}

func TestSNSErrors(t *testing.T) {
	t.Parallel()
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}

	t.Run("no topic", func(t *testing.T) {
		t.Parallel()
		m := NewMockSNSAPI(gomock.NewController(t)) // no call expected
		require.ErrorIs(t, NewSNS(m, "").Notify(t.Context(), testAlert()), ErrNoTopic)
	})

	t.Run("throttled on part 2 of 3, named by Multi", func(t *testing.T) {
		t.Parallel()
		m := NewMockSNSAPI(gomock.NewController(t))
		gomock.InOrder(
			m.EXPECT().Publish(gomock.Any(), gomock.Any()).Return(&sns.PublishOutput{}, nil),
			m.EXPECT().Publish(gomock.Any(), gomock.Any()).Return(nil, throttled),
		)
		s := NewSNS(m, topicARN, func(o *SNSOptions) {
			o.MaxMessageBytes = 1024
			o.Text = MustParseTemplate("{{.Summary}}")
		})
		err := Multi{Notifiers: []Notifier{s}}.Notify(t.Context(), Alert{Summary: strings.Repeat("a", 2500)})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Throttling", apiErr.ErrorCode())
		assert.EqualError(t, err, "sns "+topicARN+": sns: publish part 2 of 3: api error Throttling: Rate exceeded")
	})

	t.Run("bad template", func(t *testing.T) {
		t.Parallel()
		m := NewMockSNSAPI(gomock.NewController(t))
		err := NewSNS(m, topicARN, func(o *SNSOptions) { o.Subject = MustParseTemplate("{{.Nope}}") }).Notify(t.Context(), Alert{})
		require.Error(t, err)
		err = NewSNS(m, topicARN, func(o *SNSOptions) { o.Text = MustParseTemplate("{{.Nope}}") }).Notify(t.Context(), Alert{})
		require.Error(t, err)
		assert.False(t, errors.Is(err, ErrNoTopic))
	})
}
