package monitorenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ipamkit/ipamkit/internal/envconfig"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// Store is where a credential is kept.
type Store string

// The stores of credentials.
const (
	StoreSSM            Store = "ssm"            // an SSM Parameter Store SecureString
	StoreSecretsManager Store = "secretsmanager" // a Secrets Manager secret's string
)

// Ref names a credential kept in SSM or Secrets Manager. The zero Ref
// names none. It holds a name, never the credential itself.
type Ref struct {
	Store Store
	Name  string // parameter name or ARN; secret name or ARN
	Env   string // the variable that named it, for messages
}

// IsZero reports whether r names no credential.
func (r Ref) IsZero() bool { return r.Name == "" }

// String describes r for messages and logs: the variable and the name.
func (r Ref) String() string { return fmt.Sprintf("%s=%s", r.Env, r.Name) }

// Patterns of the names of credentials.
var (
	// An SSM parameter name or ARN, with an optional :version or :label.
	parameterPattern = regexp.MustCompile(`^[A-Za-z0-9_.\-/:]+$`) // 1 to 2048 characters
	// A Secrets Manager secret name or ARN.
	secretIDPattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:!-]+$`) // 1 to 2048 characters
)

// credentials lists the webhook credentials: the variables that name them
// and the plain variable that must not hold them.
var credentials = []struct {
	param, secretID, plain string
	field                  func(*Settings) *Ref
}{
	{"IPAMKIT_SLACK_URL_PARAM", "IPAMKIT_SLACK_URL_SECRET_ID", "IPAMKIT_SLACK_URL", func(s *Settings) *Ref { return &s.Slack }},
	{"IPAMKIT_TEAMS_URL_PARAM", "IPAMKIT_TEAMS_URL_SECRET_ID", "IPAMKIT_TEAMS_URL", func(s *Settings) *Ref { return &s.Teams }},
	{"IPAMKIT_WEBHOOK_URL_PARAM", "IPAMKIT_WEBHOOK_URL_SECRET_ID", "IPAMKIT_WEBHOOK_URL", func(s *Settings) *Ref { return &s.Webhook }},
	{"IPAMKIT_WEBHOOK_SECRET_PARAM", "IPAMKIT_WEBHOOK_SECRET_ID", "IPAMKIT_WEBHOOK_SECRET", func(s *Settings) *Ref { return &s.WebhookSecret }},
}

// CredentialVariables returns the variables that name credentials, each
// parameter variable followed by its secret one, for the templates' tests.
func CredentialVariables() []string {
	var out []string
	for _, cr := range credentials {
		out = append(out, cr.param, cr.secretID)
	}
	return out
}

// readCredentials reads the variables that name the webhook credentials:
// an SSM parameter or a Secrets Manager secret, never the credential in a
// plain variable.
func (s *Settings) readCredentials(get func(string) string, p *envconfig.Problems) {
	for _, cr := range credentials {
		param, secretID := get(cr.param), get(cr.secretID)
		if get(cr.plain) != "" {
			*p = append(*p, fmt.Errorf("%s is set: a credential never goes in a plain variable; store it as an SSM SecureString or a Secrets Manager secret and give its name in %s or %s", cr.plain, cr.param, cr.secretID))
		}
		switch {
		case param != "" && secretID != "":
			*p = append(*p, fmt.Errorf("%s and %s exclude each other", cr.param, cr.secretID))
		case param != "":
			if len(param) > 2048 || !parameterPattern.MatchString(param) || strings.Contains(param, "://") {
				*p = append(*p, fmt.Errorf("%s: want the name or ARN of an SSM parameter (letters, digits and _.-/ only), not the credential itself", cr.param))
			} else {
				*cr.field(s) = Ref{Store: StoreSSM, Name: param, Env: cr.param}
			}
		case secretID != "":
			if len(secretID) > 2048 || !secretIDPattern.MatchString(secretID) || strings.Contains(secretID, "://") {
				*p = append(*p, fmt.Errorf("%s: want the name or ARN of a Secrets Manager secret, not the credential itself", cr.secretID))
			} else {
				*cr.field(s) = Ref{Store: StoreSecretsManager, Name: secretID, Env: cr.secretID}
			}
		}
	}
	if !s.WebhookSecret.IsZero() && get("IPAMKIT_WEBHOOK_URL_PARAM") == "" && get("IPAMKIT_WEBHOOK_URL_SECRET_ID") == "" {
		*p = append(*p, errors.New("IPAMKIT_WEBHOOK_SECRET_PARAM or IPAMKIT_WEBHOOK_SECRET_ID needs IPAMKIT_WEBHOOK_URL_PARAM or IPAMKIT_WEBHOOK_URL_SECRET_ID"))
	}
}

// ssmAPI is the part of *ssm.Client that Notifiers calls.
type ssmAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

// secretsManagerAPI is the part of *secretsmanager.Client that Notifiers
// calls.
type secretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var (
	_ ssmAPI            = (*ssm.Client)(nil)
	_ secretsManagerAPI = (*secretsmanager.Client)(nil)
)

// NotifierOptions configures Notifiers. The zero value gives every
// notifier every alert, writes EMF to os.Stdout, discards log records and
// delivers webhooks with notify's HTTP defaults.
type NotifierOptions struct {
	// Filters say what each notifier hears of an alert on change; a kind
	// not in the map hears every alert.
	Filters map[notify.SpecKind]notify.Filter
	HTTP    notify.HTTPOptions // delivery to Slack, Teams and the webhook
	Writer  io.Writer          // EMF lines; nil means os.Stdout
	Logger  *slog.Logger       // nil discards records
}

// Notifiers fetches the webhook credentials of s from SSM and Secrets
// Manager with awsCfg's credentials, once, and builds with notify.NewMulti
// the notifiers of alerts (SNS, Slack, Teams, the signed webhook) and the
// sink of metrics (CloudWatch or EMF) of s. It reports every credential
// that cannot be fetched or is not usable in one envconfig.Error, which
// never contains a credential.
func (s Settings) Notifiers(ctx context.Context, awsCfg aws.Config, optFns ...func(*NotifierOptions)) (notify.Multi, error) {
	var o NotifierOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Writer == nil {
		o.Writer = os.Stdout
	}
	specs, err := s.specs(ctx, awsCfg)
	if err != nil {
		return notify.Multi{}, err
	}
	for i := range specs {
		specs[i].Filter = o.Filters[specs[i].Kind]
	}
	return notify.NewMulti(awsCfg, specs, func(mo *notify.MultiOptions) {
		mo.HTTP, mo.Writer, mo.Logger = o.HTTP, o.Writer, o.Logger
	})
}

// specs fetches the webhook credentials and returns the notifiers and the
// metrics sink of s.
func (s Settings) specs(ctx context.Context, awsCfg aws.Config) ([]notify.Spec, error) {
	var specs []notify.Spec
	if s.SNSTopic != "" {
		specs = append(specs, notify.Spec{Kind: notify.SpecSNS, Target: s.SNSTopic, Subject: s.SNSSubject})
	}
	var (
		params   ssmAPI
		secrets  secretsManagerAPI
		problems []error
	)
	fetch := func(ref Ref, isURL bool) string {
		if ref.IsZero() {
			return ""
		}
		var v string
		var err error
		switch ref.Store {
		case StoreSSM:
			if params == nil {
				params = ssm.NewFromConfig(awsCfg)
			}
			v, err = fetchParameter(ctx, params, ref.Name)
		case StoreSecretsManager:
			if secrets == nil {
				secrets = secretsmanager.NewFromConfig(awsCfg)
			}
			v, err = fetchSecret(ctx, secrets, ref.Name)
		}
		if err == nil && isURL {
			err = CheckWebhookURL(v)
		}
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", ref, err))
			return ""
		}
		return v
	}
	slack, teams := fetch(s.Slack, true), fetch(s.Teams, true)
	webhook, secret := fetch(s.Webhook, true), fetch(s.WebhookSecret, false)
	if len(problems) > 0 {
		return nil, envconfig.Error(problems)
	}
	for _, w := range []notify.Spec{
		{Kind: notify.SpecSlack, URL: notify.WebhookURL(slack)},
		{Kind: notify.SpecTeams, URL: notify.WebhookURL(teams)},
		{Kind: notify.SpecWebhook, URL: notify.WebhookURL(webhook), Secret: notify.Secret(secret)},
	} {
		if w.URL != "" {
			specs = append(specs, w)
		}
	}
	switch {
	case s.Metrics == usage.MetricsNone:
	case s.CloudWatch:
		specs = append(specs, notify.Spec{Kind: notify.SpecCloudWatch, Target: s.Namespace})
	default:
		specs = append(specs, notify.Spec{Kind: notify.SpecEMF, Target: s.Namespace})
	}
	return specs, nil
}

// fetchParameter returns the decrypted value of the SSM SecureString name.
// A parameter of another type is refused: a credential is stored encrypted.
func fetchParameter(ctx context.Context, client ssmAPI, name string) (string, error) {
	out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", err
	}
	if out.Parameter == nil {
		return "", errors.New("SSM returned no parameter")
	}
	if out.Parameter.Type != ssmtypes.ParameterTypeSecureString {
		return "", fmt.Errorf("the parameter is a %s: store a credential as a SecureString", out.Parameter.Type)
	}
	v := strings.TrimSpace(aws.ToString(out.Parameter.Value))
	if v == "" {
		return "", errors.New("the parameter is empty")
	}
	return v, nil
}

// fetchSecret returns the string value of the Secrets Manager secret id.
func fetchSecret(ctx context.Context, client secretsManagerAPI, id string) (string, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(aws.ToString(out.SecretString))
	if v == "" {
		return "", errors.New("the secret has no string value")
	}
	return v, nil
}

// CheckWebhookURL accepts an https URL, or an http one to a loopback
// address (a local test receiver). Its errors never contain the URL.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("the value is not a URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("the URL is plain http: want https")
	}
	return errors.New("the value is not an http or https URL")
}
