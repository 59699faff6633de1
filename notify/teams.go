package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// teamsDefaultBytes keeps a card well under the ~28 KB that Teams workflow
// webhooks accept (aws-facts §6.5; about 21 KB was seen in practice).
const teamsDefaultBytes = 20000

// TeamsOptions configures a [Teams] notifier. The zero value shows up to 20
// resources within 20,000 bytes of JSON, with the HTTP defaults of
// [HTTPOptions].
type TeamsOptions struct {
	HTTPOptions
	// MaxResources is how many resources a card shows before a "+N more"
	// line; zero means 20.
	MaxResources int
	// MaxBytes bounds the JSON body; zero means 20,000. Resources are
	// dropped into the "+N more" line until the card fits.
	MaxBytes int
}

// Teams is a [Notifier] that posts an Adaptive Card (version 1.4) to a
// Microsoft Teams workflow webhook ("When a Teams webhook request is
// received"): the severity and title, the summary, facts (severity, source,
// time), then one block per resource, fullest first, with a text
// utilization bar, and a "+N more" line for the rest. A Teams is safe for
// concurrent use.
type Teams struct {
	url  WebhookURL
	opts TeamsOptions
}

// NewTeams returns a Teams notifier posting to url.
func NewTeams(url WebhookURL, optFns ...func(*TeamsOptions)) *Teams {
	var o TeamsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	o.setDefaults()
	if o.MaxResources <= 0 {
		o.MaxResources = 20
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = teamsDefaultBytes
	}
	return &Teams{url: url, opts: o}
}

// String names the notifier, with its URL redacted.
func (t *Teams) String() string { return "teams " + t.url.String() }

// Notify posts a to Teams. Errors never contain the webhook URL; a refused
// message is an [*HTTPError].
func (t *Teams) Notify(ctx context.Context, a Alert) error {
	body, err := t.payload(a)
	if err != nil {
		return fmt.Errorf("teams: %w", err)
	}
	if err := t.opts.post(ctx, t.url, body, nil); err != nil {
		return fmt.Errorf("teams: %w", err)
	}
	return nil
}

type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string        `json:"$schema"`
	Type    string        `json:"type"`
	Version string        `json:"version"`
	Body    []cardElement `json:"body"`
}

type cardElement struct {
	Type      string        `json:"type"`
	Text      string        `json:"text,omitempty"`
	Wrap      bool          `json:"wrap,omitempty"`
	Weight    string        `json:"weight,omitempty"`
	Size      string        `json:"size,omitempty"`
	Color     string        `json:"color,omitempty"`
	FontType  string        `json:"fontType,omitempty"`
	IsSubtle  bool          `json:"isSubtle,omitempty"`
	Spacing   string        `json:"spacing,omitempty"`
	Separator bool          `json:"separator,omitempty"`
	Facts     []cardFact    `json:"facts,omitempty"`
	Items     []cardElement `json:"items,omitempty"`
}

type cardFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

var teamsColor = map[Severity]string{Info: "Accent", Warning: "Warning", Critical: "Attention"}

func (t *Teams) payload(a Alert) ([]byte, error) {
	card := teamsCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4"}
	card.Body = append(card.Body, cardElement{Type: "TextBlock", Wrap: true, Weight: "Bolder", Size: "Large",
		Color: teamsColor[a.Severity], Text: strings.ToUpper(a.Severity.String()) + ": " + truncate(oneLine(a.Title), 300)})
	if a.Summary != "" {
		card.Body = append(card.Body, cardElement{Type: "TextBlock", Wrap: true, Text: truncate(a.Summary, 3000)})
	}
	facts := []cardFact{{Title: "Severity", Value: a.Severity.String()}}
	if a.Source != "" {
		facts = append(facts, cardFact{Title: "Source", Value: truncate(oneLine(a.Source), 200)})
	}
	if !a.Time.IsZero() {
		facts = append(facts, cardFact{Title: "Time", Value: a.Time.UTC().Format("2006-01-02 15:04 UTC")})
	}
	card.Body = append(card.Body, cardElement{Type: "FactSet", Facts: facts})
	fixed := card.Body

	rs := a.Worst()
	elems := make([]cardElement, min(len(rs), t.opts.MaxResources))
	for i := range elems {
		elems[i] = teamsResource(rs[i])
	}
	render := func(n int) ([]byte, error) {
		card.Body = append(fixed[:len(fixed):len(fixed)], elems[:n]...)
		if more := len(rs) - n; more > 0 {
			card.Body = append(card.Body, cardElement{Type: "TextBlock", Wrap: true, IsSubtle: true, Separator: true, Text: moreLine(more)})
		}
		return json.Marshal(teamsMessage{Type: "message", Attachments: []teamsAttachment{{
			ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}})
	}
	// Size every resource once, guess the largest n that fits, then
	// confirm by rendering (and step down in the rare case the guess was
	// off by the digits of the "+N more" line).
	base, err := render(0)
	if err != nil {
		return nil, err
	}
	n, size := 0, len(base)
	for n < len(elems) {
		b, err := json.Marshal(elems[n])
		if err != nil {
			return nil, err
		}
		if size+len(b)+1 > t.opts.MaxBytes {
			break
		}
		size += len(b) + 1
		n++
	}
	for ; ; n-- {
		body, err := render(n)
		if err != nil {
			return nil, err
		}
		if n == 0 || len(body) <= t.opts.MaxBytes {
			return body, nil
		}
	}
}

// teamsResource is one resource: label and CIDR, the bar, then where.
func teamsResource(r Resource) cardElement {
	head := "**" + truncate(oneLine(r.ID), 200) + "**"
	if r.Name != "" && r.Name != r.ID {
		head += " (" + truncate(oneLine(r.Name), 200) + ")"
	}
	if r.CIDR.IsValid() {
		head += "  " + r.CIDR.String()
	}
	figures := bar(r.Percent) + " " + fmt.Sprintf("%6s", pct(r.Percent))
	if !r.Total.IsZero() {
		figures += "  " + r.Available.String() + " of " + r.Total.String() + " free"
	}
	c := cardElement{Type: "Container", Separator: true, Items: []cardElement{
		{Type: "TextBlock", Wrap: true, Text: head},
		{Type: "TextBlock", Wrap: true, FontType: "Monospace", Spacing: "None", Text: figures},
	}}
	var where []string
	for _, s := range []string{r.AccountID, r.Region, r.Note} {
		if s != "" {
			where = append(where, truncate(oneLine(s), 200))
		}
	}
	if len(where) > 0 {
		c.Items = append(c.Items, cardElement{Type: "TextBlock", Wrap: true, IsSubtle: true, Spacing: "None", Text: strings.Join(where, "  ")})
	}
	return c
}
