package notify

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// SpecKind is the kind of notifier or metric sink that a [Spec] names.
type SpecKind string

// The kinds of [Spec]. SpecCloudWatch and SpecEMF are metric sinks; the
// others are notifiers.
const (
	SpecSlack       SpecKind = "slack"       // [Slack]: URL
	SpecTeams       SpecKind = "teams"       // [Teams]: URL
	SpecWebhook     SpecKind = "webhook"     // [Webhook]: URL, and Secret to sign
	SpecSNS         SpecKind = "sns"         // [SNS]: Target is the topic ARN; Subject
	SpecEventBridge SpecKind = "eventbridge" // [EventBridge]: Target is the bus; empty means the default bus
	SpecLambda      SpecKind = "lambda"      // [Lambda]: Target is the function
	SpecCloudWatch  SpecKind = "cloudwatch"  // [CloudWatch]: Target is the namespace; empty means DefaultNamespace
	SpecEMF         SpecKind = "emf"         // [EMF] on MultiOptions.Writer: Target is the namespace
	SpecText        SpecKind = "text"        // [Writer] of text on MultiOptions.Writer
)

// Spec names one notifier or metric sink, as a program's configuration
// (flags, environment variables, a file) describes it; [NewMulti] builds
// it. Its URL and Secret redact themselves in fmt's verbs and slog
// records, not in encoding/json: never marshal a Spec.
type Spec struct {
	Kind    SpecKind
	Name    string     // the name in errors ([Named]); empty means Kind
	Target  string     // the topic ARN, event bus, function or namespace, as Kind says
	URL     WebhookURL // slack, teams, webhook
	Secret  Secret     // webhook: the HMAC key; empty means unsigned
	Subject string     // sns: the subject of every message; empty means one rendered from each alert
	Filter  Filter     // notifiers: what this one hears of alerts on change; empty means all
}

// MultiOptions configures [NewMulti]. The zero value builds each notifier
// and sink with its defaults, writing EMF and text to os.Stdout.
type MultiOptions struct {
	// HTTP configures Slack, Teams and the webhook; a nil Logger there
	// means Logger.
	HTTP HTTPOptions
	// Writer receives EMF lines and text alerts; nil means os.Stdout, where
	// AWS Lambda turns EMF into metrics.
	Writer io.Writer
	// Text renders the alerts of SpecText; nil means [DefaultText].
	Text Renderer
	// Logger is given to every notifier and sink that logs; nil discards
	// records.
	Logger *slog.Logger
}

// NewMulti returns the notifiers and sinks of specs, in their order, each
// [Named] by its Spec, with the AWS clients built from cfg: SNS in the
// topic's own region, the others in cfg's. It makes no call. It reports
// every bad spec at once: an unknown kind, a webhook without URL, an SNS
// spec without a topic ARN, a Lambda spec without a function; errors name
// the spec, never its URL or secret.
func NewMulti(cfg aws.Config, specs []Spec, optFns ...func(*MultiOptions)) (Multi, error) {
	var o MultiOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Writer == nil {
		o.Writer = os.Stdout
	}
	if o.HTTP.Logger == nil {
		o.HTTP.Logger = o.Logger
	}
	var (
		m    Multi
		errs []error
	)
	for _, s := range specs {
		name := s.Name
		if name == "" {
			name = string(s.Kind)
		}
		var n Notifier
		switch s.Kind {
		case SpecSlack, SpecTeams, SpecWebhook:
			if s.URL == "" {
				errs = append(errs, fmt.Errorf("%s: no URL", name))
				continue
			}
			n = o.webhook(s)
		case SpecSNS:
			arn := strings.Split(s.Target, ":")
			if len(arn) != 6 || arn[0] != "arn" || arn[2] != "sns" || arn[3] == "" {
				errs = append(errs, fmt.Errorf("%s: want a topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC", name))
				continue
			}
			client := sns.NewFromConfig(cfg, func(so *sns.Options) { so.Region = arn[3] })
			n = NewSNS(client, s.Target, func(so *SNSOptions) {
				so.Logger = o.Logger
				if subject := s.Subject; subject != "" {
					so.Subject = RendererFunc(func(Alert) (string, error) { return subject, nil })
				}
			})
		case SpecEventBridge:
			n = NewEventBridge(eventbridge.NewFromConfig(cfg), func(eo *EventBridgeOptions) { eo.EventBusName, eo.Logger = s.Target, o.Logger })
		case SpecLambda:
			if s.Target == "" {
				errs = append(errs, fmt.Errorf("%s: no function", name))
				continue
			}
			n = NewLambda(lambda.NewFromConfig(cfg), s.Target, func(lo *LambdaOptions) { lo.Logger = o.Logger })
		case SpecText:
			n = NewWriter(o.Writer, func(wo *WriterOptions) { wo.Text = o.Text })
		case SpecCloudWatch:
			sink := NewCloudWatch(cloudwatch.NewFromConfig(cfg), func(co *CloudWatchOptions) { co.Namespace, co.Logger = s.Target, o.Logger })
			m.Sinks = append(m.Sinks, NamedSink(name, sink))
		case SpecEMF:
			m.Sinks = append(m.Sinks, NamedSink(name, NewEMF(o.Writer, func(eo *EMFOptions) { eo.Namespace = s.Target })))
		default:
			errs = append(errs, fmt.Errorf("%s: unknown kind %q", name, s.Kind))
		}
		if _, err := ParseFilter(string(s.Filter)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if n != nil {
			m.Notifiers = append(m.Notifiers, Named(name, Filtered(n, s.Filter)))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Multi{}, err
	}
	return m, nil
}

// webhook returns the HTTP notifier of s.
func (o *MultiOptions) webhook(s Spec) Notifier {
	switch s.Kind {
	case SpecSlack:
		return NewSlack(s.URL, func(so *SlackOptions) { so.HTTPOptions = o.HTTP })
	case SpecTeams:
		return NewTeams(s.URL, func(to *TeamsOptions) { to.HTTPOptions = o.HTTP })
	}
	return NewWebhook(s.URL, func(wo *WebhookOptions) { wo.HTTPOptions, wo.Secret = o.HTTP, s.Secret })
}
