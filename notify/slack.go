package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Slack's documented limits (aws-facts §6.4); we stay well below the
// ~13k characters of block text at which Slack was seen to refuse messages.
const (
	slackMaxBlocks      = 50
	slackMaxSectionText = 3000
	slackMaxHeaderText  = 150
	slackDefaultChars   = 10000
)

// SlackOptions configures a [Slack] notifier. The zero value shows up to 20
// resources within 10,000 characters of text, with the HTTP defaults of
// [HTTPOptions].
type SlackOptions struct {
	HTTPOptions
	// MaxResources is how many resources a message shows before a
	// "+N more" line; zero means 20. At most 45 fit Slack's 50 blocks.
	MaxResources int
	// MaxChars bounds the text of all blocks together; zero means 10,000.
	// Resources are dropped into the "+N more" line until the message fits.
	MaxChars int
	// Text renders the notification text that Slack shows in
	// notifications and where blocks cannot be shown; nil means
	// [DefaultSubject].
	Text Renderer
}

// Slack is a [Notifier] that posts to a Slack incoming webhook as Block
// Kit: a header with the severity and title, the summary, the source and
// time, then one section per resource, fullest first, with a text
// utilization bar, and a "+N more" line for the rest. A Slack is safe for
// concurrent use.
type Slack struct {
	url  WebhookURL
	opts SlackOptions
}

// NewSlack returns a Slack notifier posting to url.
func NewSlack(url WebhookURL, optFns ...func(*SlackOptions)) *Slack {
	var o SlackOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.setDefaults()
	if o.MaxResources <= 0 {
		o.MaxResources = 20
	}
	o.MaxResources = min(o.MaxResources, slackMaxBlocks-5)
	if o.MaxChars <= 0 {
		o.MaxChars = slackDefaultChars
	}
	if o.Text == nil {
		o.Text = RendererFunc(renderSubject)
	}
	return &Slack{url: url, opts: o}
}

// String names the notifier, with its URL redacted.
func (s *Slack) String() string { return "slack " + s.url.String() }

// Notify posts a to Slack. Errors never contain the webhook URL; a
// refused message is an [*HTTPError].
func (s *Slack) Notify(ctx context.Context, a Alert) error {
	body, err := s.payload(a)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	if err := s.opts.post(ctx, s.url, body, nil); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	return nil
}

type slackText struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

var slackEmoji = map[Severity]string{Info: ":large_blue_circle:", Warning: ":large_orange_circle:", Critical: ":red_circle:"}

func (s *Slack) payload(a Alert) ([]byte, error) {
	text, err := s.opts.Text.Render(a)
	if err != nil {
		return nil, err
	}
	msg := slackMessage{Text: truncate(oneLine(text), slackMaxSectionText)}
	emoji := slackEmoji[a.Severity]
	if emoji == "" {
		emoji = ":white_circle:"
	}
	msg.Blocks = append(msg.Blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Emoji: true,
		Text: truncate(emoji+" "+oneLine(a.Title), slackMaxHeaderText)}})
	if a.Summary != "" {
		msg.Blocks = append(msg.Blocks, slackBlock{Type: "section", Text: mrkdwn(truncate(slackEscape(a.Summary), slackMaxSectionText))})
	}
	ctxLine := []string{"*" + strings.ToUpper(a.Severity.String()) + "*"}
	if a.Source != "" {
		ctxLine = append(ctxLine, slackEscape(oneLine(a.Source)))
	}
	if !a.Time.IsZero() {
		ctxLine = append(ctxLine, a.Time.UTC().Format("2006-01-02 15:04 UTC"))
	}
	msg.Blocks = append(msg.Blocks, slackBlock{Type: "context", Elements: []slackText{*mrkdwn(strings.Join(ctxLine, "  |  "))}})
	fixed := msg.Blocks

	rs := a.Worst()
	for n := min(len(rs), s.opts.MaxResources); ; n-- {
		msg.Blocks = fixed
		if n > 0 {
			msg.Blocks = append(msg.Blocks, slackBlock{Type: "divider"})
		}
		for _, r := range rs[:n] {
			msg.Blocks = append(msg.Blocks, slackBlock{Type: "section", Text: mrkdwn(truncate(slackResource(r), slackMaxSectionText))})
		}
		if more := len(rs) - n; more > 0 {
			msg.Blocks = append(msg.Blocks, slackBlock{Type: "context", Elements: []slackText{*mrkdwn(moreLine(more))}})
		}
		if n == 0 || slackChars(msg) <= s.opts.MaxChars {
			break
		}
	}
	return json.Marshal(msg)
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

// slackResource is one resource: its label and facts, then the bar.
func slackResource(r Resource) string {
	var b strings.Builder
	b.WriteString("*" + slackEscape(oneLine(r.ID)) + "*")
	if r.Name != "" && r.Name != r.ID {
		b.WriteString(" (" + slackEscape(oneLine(r.Name)) + ")")
	}
	if r.CIDR.IsValid() {
		b.WriteString("  `" + r.CIDR.String() + "`")
	}
	for _, s := range []string{r.AccountID, r.Region} {
		if s != "" {
			b.WriteString("  " + slackEscape(oneLine(s)))
		}
	}
	b.WriteString("\n`" + bar(r.Percent) + " " + fmt.Sprintf("%6s", pct(r.Percent)) + "`")
	if !r.Total.IsZero() {
		b.WriteString("  " + r.Available.String() + " of " + r.Total.String() + " free")
	}
	if r.Note != "" {
		b.WriteString("  " + slackEscape(oneLine(r.Note)))
	}
	return b.String()
}

func moreLine(n int) string {
	if n == 1 {
		return "+1 more resource not shown"
	}
	return "+" + strconv.Itoa(n) + " more resources not shown"
}

// slackChars counts the characters of text in m, fallback included.
func slackChars(m slackMessage) int {
	n := utf8.RuneCountInString(m.Text)
	for _, b := range m.Blocks {
		if b.Text != nil {
			n += utf8.RuneCountInString(b.Text.Text)
		}
		for _, e := range b.Elements {
			n += utf8.RuneCountInString(e.Text)
		}
	}
	return n
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate shortens s to at most n characters, ending in "…" when it cut;
// it never splits a UTF-8 sequence.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n-1 {
			i = j
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}
