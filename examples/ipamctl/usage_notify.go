package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// notifyUsage documents --notify in the help of "ipamctl usage".
const notifyUsage = `Send the result to a notifier; repeatable. KIND=TARGET is one of
slack=URL, teams=URL, webhook=URL[,secret=SECRET] (the JSON alert, signed
with HMAC-SHA256 in the header X-Ipamkit-Signature-256 when a secret is given),
sns=TOPIC_ARN, eventbridge=BUS, lambda=FUNCTION, cloudwatch[=NAMESPACE]
(PutMetricData; CUSTOM/IPAM if not given), emf (CloudWatch Embedded Metric
Format lines) or stdout (the alert as text). URL and SECRET are credentials:
give them as env:VAR or file:PATH, never on the command line; surrounding
white space is ignored. An alert goes only when a resource reaches a
threshold or a target fails; cloudwatch and emf get the PercentAssigned,
IpAddressTotal and IpAddressAvailable metrics of the resources that reach a
threshold. The AWS notifiers use the scan's credentials and region. With -o
table, emf and stdout write to standard output after the report; with -o
json or csv, to standard error, so that standard output holds only the
report. A notifier that fails is named on standard error and makes the exit
code 1 (even with --fail-on-findings), after every notifier was tried.`

// notifyAllClearUsage documents --notify-all-clear.
const notifyAllClearUsage = `With --notify, also send an all-clear alert when no resource reaches a
threshold and no target fails.`

// notifySource is the Source of the alerts that "ipamctl usage" sends.
const notifySource = "ipamctl usage"

// notifyKinds are the KINDs of --notify, in the order the help lists them.
var notifyKinds = []string{"slack", "teams", "webhook", "sns", "eventbridge", "lambda", "cloudwatch", "emf", "stdout"}

// notifyFlags are the --notify and --notify-all-clear flags of "ipamctl
// usage". The values are kept as given and parsed by parse, which reports
// every bad one in words that never contain a credential: the flag package
// would quote a bad value whole.
type notifyFlags struct {
	values   []string      // KIND=TARGET, as given
	allClear bool          // --notify-all-clear
	specs    []notify.Spec // the values, parsed by parse, with their credentials read
}

// declare declares the flags on fs.
func (n *notifyFlags) declare(fs *flagSet) {
	fs.stringList(&n.values, "notify", "KIND=TARGET", strings.Join(strings.Fields(notifyUsage), " "))
	fs.boolVal(&n.allClear, "notify-all-clear", strings.Join(strings.Fields(notifyAllClearUsage), " "))
}

// parse parses the --notify values and reads their credentials from the
// environment and files, before anything is sent or scanned. It returns one
// error per bad value.
func (n *notifyFlags) parse() []error {
	var errs []error
	n.specs, errs = parseNotify(n.values, os.LookupEnv)
	if n.allClear && len(n.values) == 0 {
		errs = append(errs, usageErrorf("--notify-all-clear needs --notify"))
	}
	return errs
}

// parseNotify parses --notify values, reading env: references with
// lookupEnv. It returns the good values and one error for each bad one.
// Neither the errors nor a spec's Name contain a URL or secret: the Name
// is the value as given, with credentials only as env: or file:
// references.
func parseNotify(values []string, lookupEnv func(string) (string, bool)) ([]notify.Spec, []error) {
	var (
		specs []notify.Spec
		errs  []error
		seen  = map[string]bool{}
	)
	for _, v := range values {
		s, problems := parseNotifySpec(v, lookupEnv)
		switch {
		case len(problems) > 0:
			errs = append(errs, fmt.Errorf("--notify %q: %s", s.Name, strings.Join(problems, "; ")))
		case seen[v]:
			errs = append(errs, fmt.Errorf("--notify %q: given more than once", s.Name))
		default:
			seen[v] = true
			specs = append(specs, s)
		}
	}
	return specs, errs
}

// notifyWord is what a KIND looks like; anything else is not echoed, in
// case it is a URL given without a KIND.
var notifyWord = lazyRegexp(`^[a-z][a-z0-9_-]{0,31}$`)

// parseNotifySpec parses one --notify value. It returns the problems with
// it, in words, and always a printable name.
func parseNotifySpec(v string, lookupEnv func(string) (string, bool)) (notify.Spec, []string) {
	kind, target, hasTarget := strings.Cut(v, "=")
	s := notify.Spec{Kind: notify.SpecKind(kind), Target: target, Name: v}
	switch kind {
	case "slack", "teams", "webhook":
		return parseWebhookSpec(s, hasTarget, lookupEnv)
	case "sns":
		if !snsTopicARN().MatchString(target) {
			return s, []string{"want a topic ARN: sns=arn:aws:sns:REGION:ACCOUNT:TOPIC"}
		}
	case "eventbridge":
		if !eventBus().MatchString(target) {
			return s, []string{"want an event bus name or ARN: eventbridge=BUS (eventbridge=default for the default bus)"}
		}
	case "lambda":
		if !lambdaFunction().MatchString(target) {
			return s, []string{"want a function name or ARN: lambda=FUNCTION"}
		}
	case "cloudwatch":
		if hasTarget && (target == "" || len(target) > 255 || strings.HasPrefix(target, "AWS/") || strings.ContainsAny(target, ": \t")) {
			return s, []string{"want a CloudWatch namespace of 1 to 255 characters, without ':' or white space, not starting with AWS/ (cloudwatch alone means CUSTOM/IPAM)"}
		}
	case "emf", "stdout":
		if hasTarget {
			return s, []string{fmt.Sprintf("%s takes no target", kind)}
		}
		if kind == "stdout" {
			s.Kind = notify.SpecText // on standard output or error: see send
		}
	case "":
		s.Name = v
		if hasTarget {
			s.Name = "=[redacted]"
		}
		return s, []string{"want KIND=TARGET with KIND " + orList(notifyKinds)}
	default:
		s.Name = "[redacted]"
		if notifyWord().MatchString(kind) {
			s.Name = kind
			if hasTarget {
				s.Name += "=[redacted]"
			}
		}
		return s, []string{"unknown kind: want " + orList(notifyKinds)}
	}
	return s, nil
}

// Patterns of the AWS targets, as loose as AWS's own rules allow: a
// mistake should fail here, before the scan, rather than after it. They are
// compiled on first use: commands that never read --notify do not pay for
// them at start-up (snsTopicARN alone is 0.75 ms and 4,500 allocations).
var (
	snsTopicARN    = lazyRegexp(`^arn:[a-z0-9-]+:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
	eventBus       = lazyRegexp(`^([A-Za-z0-9._/-]{1,256}|arn:[a-z0-9-]+:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]{1,256})$`)
	lambdaFunction = lazyRegexp(`^(arn:[a-z0-9-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:)?([0-9]{12}:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$`)
	envVarName     = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// parseWebhookSpec parses the target of slack, teams and webhook: a URL
// reference, and for webhook an optional ",secret=" reference.
func parseWebhookSpec(s notify.Spec, hasTarget bool, lookupEnv func(string) (string, bool)) (notify.Spec, []string) {
	if !hasTarget || s.Target == "" {
		return s, []string{fmt.Sprintf("want %s=env:VAR or %s=file:PATH, the variable or file holding the URL", s.Kind, s.Kind)}
	}
	urlRef, secretRef, hasSecret := s.Target, "", false
	if s.Kind == notify.SpecWebhook {
		urlRef, secretRef, hasSecret = strings.Cut(s.Target, ",secret=")
	}
	var problems []string
	rawURL, err := readCredential(urlRef, "URL", lookupEnv)
	if err != nil {
		problems = append(problems, err.Error())
	} else if u, perr := url.Parse(rawURL); perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		problems = append(problems, urlRef+" does not hold an http or https URL")
	}
	name := string(s.Kind) + "=" + printableRef(urlRef)
	var secret string
	if hasSecret {
		name += ",secret=" + printableRef(secretRef)
		secret, err = readCredential(secretRef, "secret", lookupEnv)
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	s.Target, s.Name, s.URL, s.Secret = "", name, notify.WebhookURL(rawURL), notify.Secret(secret)
	return s, problems
}

// printableRef returns ref if it is an env: or file: reference, which may
// be printed, and "[redacted]" otherwise: it may be the credential itself.
func printableRef(ref string) string {
	if name, ok := strings.CutPrefix(ref, "env:"); ok && envVarName().MatchString(name) {
		return ref
	}
	if path, ok := strings.CutPrefix(ref, "file:"); ok && path != "" && !strings.Contains(path, "://") {
		return ref
	}
	return "[redacted]"
}

// maxCredentialFile bounds what readCredential reads of a file.
const maxCredentialFile = 64 << 10

// readCredential returns the credential that ref, env:VAR or file:PATH,
// refers to, without surrounding white space. what names the credential
// in errors ("URL", "secret"); errors name the reference, never the value.
func readCredential(ref, what string, lookupEnv func(string) (string, bool)) (string, error) {
	if printableRef(ref) != ref {
		return "", fmt.Errorf("the %s is a credential: give it as env:VAR or file:PATH, not on the command line", what)
	}
	var v string
	if name, ok := strings.CutPrefix(ref, "env:"); ok {
		val, ok := lookupEnv(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		v = val
	} else {
		path := strings.TrimPrefix(ref, "file:")
		f, err := os.Open(path)
		if err != nil {
			return "", err // *PathError: the path and the cause
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxCredentialFile+1))
		if err != nil {
			return "", fmt.Errorf("read %s: %w", path, err)
		}
		if len(b) > maxCredentialFile {
			return "", fmt.Errorf("%s is larger than %d KiB: want a file holding only the %s", path, maxCredentialFile>>10, what)
		}
		v = string(b)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("%s is empty", ref)
	}
	return v, nil
}

// send delivers rep to the notifiers with usage.Report.Deliver: the alert
// (the all-clear too with --notify-all-clear), then the findings' metrics
// to cloudwatch and emf. Alerts and metrics that emf and stdout write go to
// e.stdout after the report when format is table, and to e.stderr
// otherwise. It returns one error per notifier that failed, naming it as
// given.
func (n *notifyFlags) send(ctx context.Context, e *env, cfg aws.Config, format string, rep usage.Report) []error {
	if len(n.specs) == 0 {
		return nil
	}
	out, sep := e.stderr, ""
	if format == "table" {
		out, sep = e.stdout, "\n" // a blank line between the table and the alert
	}
	m, err := notify.NewMulti(cfg, n.specs, func(o *notify.MultiOptions) {
		o.Writer = out // the text and EMF: one notifier and one sink at most, never writing at once
		o.Text = notify.RendererFunc(func(a notify.Alert) (string, error) { return sep + notify.DefaultText(a), nil })
		if e.notifyHTTP != nil {
			e.notifyHTTP(&o.HTTP)
		}
	})
	if err != nil { // parse checked every value
		return []error{err}
	}
	d := rep.Deliver(ctx, m, func(o *usage.DeliverOptions) { o.Source, o.AllClear = notifySource, n.allClear })
	errs := make([]error, 0, len(d.NotifyErrors)+len(d.MetricErrors))
	for _, f := range d.Failures() { // notify's errors hold no credential
		errs = append(errs, fmt.Errorf("--notify %q: %w", f.Name, f.Err))
	}
	return errs
}

// lazyRegexp returns a function that compiles expr on its first call and
// returns the same *regexp.Regexp on every call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
