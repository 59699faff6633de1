package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notifyWorld is an organization of one account with one VPC in us-east-1
// and the targets of the AWS notifiers: the topic ipam-alerts and the
// function ipam-sink. The VPC is a /16; its subnet 10.1.0.0/24 has used
// addresses in use: 240 make the subnet critical, 0 leave nothing over
// threshold.
type notifyWorld struct {
	world              *awsfake.World
	topicARN, function string
}

func newNotifyWorld(t *testing.T, used int) notifyWorld {
	t.Helper()
	b := awsfake.NewBuilder(awsfake.DefaultAccountID)
	vpc := b.VPC(awsfake.DefaultAccountID, "us-east-1", "10.1.0.0/16")
	b.Tag(vpc, "Name", "prod")
	b.Subnet(vpc, "10.1.0.0/24", used)
	nw := notifyWorld{
		topicARN: b.Topic(awsfake.DefaultAccountID, "us-east-1", "ipam-alerts"),
		function: b.Function(awsfake.DefaultAccountID, "us-east-1", "ipam-sink", nil),
	}
	w, err := b.Build()
	require.NoError(t, err)
	nw.world = w
	return nw
}

// notifyEnv returns an env acting in w's account in us-east-1, its
// streams and its server.
func notifyEnv(t *testing.T, w *awsfake.World) (*env, *bytes.Buffer, *bytes.Buffer, *awsfake.Server) {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = w })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, awsConfig: func(context.Context) (aws.Config, error) {
		return srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), nil
	}}
	return e, &stdout, &stderr, srv
}

// hookRequest is one request a hook received.
type hookRequest struct {
	path, query string
	header      http.Header
	body        []byte
}

// hook is an HTTP endpoint on the loopback interface that records every
// request and answers each with status.
type hook struct {
	srv    *httptest.Server
	secret string // the path and query of url: the credential
	url    string
	mu     sync.Mutex
	reqs   []hookRequest
}

func newHook(t *testing.T, name string, status int) *hook {
	t.Helper()
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone(), body: body})
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.srv.Close)
	h.secret = "/services/T0" + strings.ToUpper(name) + "/B0PATHSECRET?token=QUERYSECRET" + name
	h.url = h.srv.URL + h.secret
	return h
}

func (h *hook) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.reqs...)
}

// credentialParts are the pieces of a hook's URL and of a secret that
// must never be printed.
func (h *hook) credentialParts() []string {
	return []string{h.url, "/services/", "B0PATHSECRET", "QUERYSECRET", "token="}
}

// writeCredential writes v to a file of t's temporary directory, with a
// final newline as editors leave it, and returns the file: reference.
func writeCredential(t *testing.T, name, v string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(v+"\n"), 0o600))
	return "file:" + path
}

// noWait makes e's HTTP notifiers retry at once.
func noWait(e *env) *env {
	e.notifyHTTP = func(o *notify.HTTPOptions) { o.BaseDelay, o.MaxDelay = time.Nanosecond, time.Nanosecond }
	return e
}

// decodeAlert decodes an alert sent as JSON.
func decodeAlert(t *testing.T, b []byte) notify.Alert {
	t.Helper()
	var a notify.Alert
	require.NoError(t, json.Unmarshal(b, &a), "alert JSON: %s", b)
	return a
}

// checkAlert checks that a is the alert of newNotifyWorld(t, 240).
func checkAlert(t *testing.T, a notify.Alert) {
	t.Helper()
	assert.Equal(t, "utilization", a.Kind)
	assert.Equal(t, notify.Critical, a.Severity)
	assert.Equal(t, notifySource, a.Source)
	require.Len(t, a.Resources, 1, "the subnet")
	assert.Equal(t, "subnet", a.Resources[0].Type)
	assert.Equal(t, "10.1.0.0/24", a.Resources[0].CIDR.String())
	assert.GreaterOrEqual(t, a.Resources[0].Percent, 80.0)
}

// TestUsageNotifyDelivers sends the alert of a scan with findings to each
// kind of notifier, and reads back what each received. Subtests do not run
// in parallel: some set environment variables.
func TestUsageNotifyDelivers(t *testing.T) {
	const secret = "hmac-key-0123456789"
	tests := []struct {
		name   string
		notify func(t *testing.T, h *hook, nw notifyWorld) []string // the --notify values
		check  func(t *testing.T, h *hook, nw notifyWorld, srv *awsfake.Server, stderr string)
	}{
		{
			name: "slack from env",
			notify: func(t *testing.T, h *hook, _ notifyWorld) []string {
				t.Setenv("IPAMCTL_TEST_SLACK_URL", h.url)
				return []string{"slack=env:IPAMCTL_TEST_SLACK_URL"}
			},
			check: func(t *testing.T, h *hook, _ notifyWorld, _ *awsfake.Server, _ string) {
				reqs := h.requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, "/services/T0SLACK/B0PATHSECRET", reqs[0].path, "posted to the URL of the variable")
				var msg struct {
					Text   string            `json:"text"`
					Blocks []json.RawMessage `json:"blocks"`
				}
				require.NoError(t, json.Unmarshal(reqs[0].body, &msg))
				assert.Contains(t, msg.Text, "[CRITICAL] 1 resource over threshold")
				assert.NotEmpty(t, msg.Blocks)
				assert.Contains(t, string(reqs[0].body), "10.1.0.0/24")
			},
		},
		{
			name: "teams from file",
			notify: func(t *testing.T, h *hook, _ notifyWorld) []string {
				return []string{"teams=" + writeCredential(t, "teams-url", h.url)}
			},
			check: func(t *testing.T, h *hook, _ notifyWorld, _ *awsfake.Server, _ string) {
				reqs := h.requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, "token=QUERYSECRETteams", reqs[0].query, "the file's final newline is not part of the URL")
				assert.Contains(t, string(reqs[0].body), "AdaptiveCard")
				assert.Contains(t, string(reqs[0].body), "10.1.0.0/24")
			},
		},
		{
			name: "webhook signed, URL from env and secret from file",
			notify: func(t *testing.T, h *hook, _ notifyWorld) []string {
				t.Setenv("IPAMCTL_TEST_HOOK_URL", h.url)
				return []string{"webhook=env:IPAMCTL_TEST_HOOK_URL,secret=" + writeCredential(t, "hook-secret", secret)}
			},
			check: func(t *testing.T, h *hook, _ notifyWorld, _ *awsfake.Server, _ string) {
				reqs := h.requests()
				require.Len(t, reqs, 1)
				sig := reqs[0].header.Get(notify.SignatureHeader)
				assert.True(t, notify.VerifySignature(secret, reqs[0].body, sig), "signature %q of the body with the file's secret", sig)
				assert.False(t, notify.VerifySignature(secret+"\n", reqs[0].body, sig), "the file's final newline is not part of the secret")
				checkAlert(t, decodeAlert(t, reqs[0].body))
			},
		},
		{
			name: "sns",
			notify: func(_ *testing.T, _ *hook, nw notifyWorld) []string {
				return []string{"sns=" + nw.topicARN}
			},
			check: func(t *testing.T, _ *hook, nw notifyWorld, srv *awsfake.Server, _ string) {
				msgs := srv.Messages()
				require.Len(t, msgs, 1)
				assert.Equal(t, nw.topicARN, msgs[0].TopicARN)
				assert.Equal(t, "[CRITICAL] 1 resource over threshold (1 critical, 0 warning)", msgs[0].Subject)
				assert.Equal(t, "critical", msgs[0].Attributes["severity"].StringValue)
				assert.Contains(t, msgs[0].Message, "10.1.0.0/24")
			},
		},
		{
			name: "eventbridge",
			notify: func(_ *testing.T, _ *hook, _ notifyWorld) []string {
				return []string{"eventbridge=ipam-bus"}
			},
			check: func(t *testing.T, _ *hook, _ notifyWorld, srv *awsfake.Server, _ string) {
				events := srv.Events()
				require.Len(t, events, 1)
				assert.Equal(t, "ipam-bus", events[0].EventBusName)
				assert.Equal(t, notify.EventSource, events[0].Source)
				assert.Equal(t, notify.EventDetailType, events[0].DetailType)
				checkAlert(t, decodeAlert(t, []byte(events[0].Detail)))
			},
		},
		{
			name: "lambda",
			notify: func(_ *testing.T, _ *hook, _ notifyWorld) []string {
				return []string{"lambda=ipam-sink"}
			},
			check: func(t *testing.T, _ *hook, nw notifyWorld, srv *awsfake.Server, _ string) {
				invs := srv.Invocations()
				require.Len(t, invs, 1)
				assert.Equal(t, nw.function, invs[0].FunctionARN)
				assert.Equal(t, "RequestResponse", invs[0].InvocationType)
				checkAlert(t, decodeAlert(t, invs[0].Payload))
			},
		},
		{
			name: "cloudwatch in a namespace and in the default one",
			notify: func(_ *testing.T, _ *hook, _ notifyWorld) []string {
				return []string{"cloudwatch=Test/IPAM", "cloudwatch"}
			},
			check: func(t *testing.T, _ *hook, _ notifyWorld, srv *awsfake.Server, _ string) {
				got := map[string][]string{} // namespace → metric names
				for _, d := range srv.Metrics() {
					require.Len(t, d.Dimensions, 1)
					assert.Equal(t, notify.DimensionResourceID, d.Dimensions[0].Name)
					got[d.Namespace] = append(got[d.Namespace], d.MetricName)
				}
				want := []string{notify.MetricPercentAssigned, notify.MetricIPAddressTotal, notify.MetricIPAddressAvailable}
				assert.ElementsMatch(t, want, got["Test/IPAM"])
				assert.ElementsMatch(t, want, got[notify.DefaultNamespace])
				assert.Len(t, got, 2)
			},
		},
		{
			name: "emf and stdout go to stderr with -o json",
			notify: func(_ *testing.T, _ *hook, _ notifyWorld) []string {
				return []string{"emf", "stdout"}
			},
			check: func(t *testing.T, _ *hook, _ notifyWorld, _ *awsfake.Server, stderr string) {
				text, emf, ok := strings.Cut(stderr, "\n{")
				require.True(t, ok, "the alert text, then EMF lines:\n%s", stderr)
				assert.True(t, strings.HasPrefix(text, "[CRITICAL] 1 resource over threshold"), text)
				lines := strings.Split(strings.TrimSpace("{"+emf), "\n")
				require.Len(t, lines, 1, "one EMF event for the one resource")
				for _, l := range lines {
					var ev struct {
						AWS struct {
							CloudWatchMetrics []struct {
								Namespace string `json:"Namespace"`
							} `json:"CloudWatchMetrics"`
						} `json:"_aws"`
						PercentAssigned float64 `json:"PercentAssigned"`
					}
					require.NoError(t, json.Unmarshal([]byte(l), &ev), "EMF line %s", l)
					require.Len(t, ev.AWS.CloudWatchMetrics, 1)
					assert.Equal(t, notify.DefaultNamespace, ev.AWS.CloudWatchMetrics[0].Namespace)
					assert.GreaterOrEqual(t, ev.PercentAssigned, 80.0)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw := newNotifyWorld(t, 240)
			h := newHook(t, strings.Fields(tt.name)[0], http.StatusOK)
			e, stdout, stderr, srv := notifyEnv(t, nw.world)
			args := strings.Fields("usage --source ec2 -o json --fail-on-findings")
			for _, v := range tt.notify(t, h, nw) {
				args = append(args, "--notify", v)
			}
			code := noWait(e).run(t.Context(), args)

			require.Equal(t, exitFindings, code, "exit code of ipamctl %s; stderr: %s", strings.Join(args, " "), stderr)
			var rep json.RawMessage
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "standard output is the report alone:\n%s", stdout)
			errText := strings.TrimSuffix(stderr.String(), "ipamctl usage: findings over threshold\n")
			tt.check(t, h, nw, srv, errText)
			for _, p := range append(h.credentialParts(), secret) {
				assert.NotContains(t, stdout.String()+stderr.String(), p, "a credential was printed")
			}
		})
	}
}

// TestUsageNotifyFailingNotifier has a webhook answer 500 to every
// request: the other notifiers still deliver, the webhook is named on
// standard error without its URL, and the exit code is 1, not the 2 of
// --fail-on-findings.
func TestUsageNotifyFailingNotifier(t *testing.T) {
	bad, good := newHook(t, "bad", http.StatusInternalServerError), newHook(t, "good", http.StatusOK)
	t.Setenv("IPAMCTL_TEST_BAD_URL", bad.url)
	nw := newNotifyWorld(t, 240)
	e, stdout, stderr, srv := notifyEnv(t, nw.world)
	webhook := "webhook=env:IPAMCTL_TEST_BAD_URL,secret=" + writeCredential(t, "secret", "hmac-key-0123456789")
	args := []string{"usage", "--source", "ec2", "--fail-on-findings",
		"--notify", webhook,
		"--notify", "slack=" + writeCredential(t, "slack", good.url),
		"--notify", "sns=" + nw.topicARN,
		"--notify", "cloudwatch",
		"--notify", "stdout",
	}
	code := noWait(e).run(t.Context(), args)

	assert.Equal(t, 1, code, "a notifier failed; stderr: %s", stderr)
	assert.Len(t, bad.requests(), 4, "the webhook was tried the default 4 times")
	assert.Len(t, good.requests(), 1, "slack got the alert")
	assert.Len(t, srv.Messages(), 1, "sns got the alert")
	assert.Len(t, srv.Metrics(), 3, "cloudwatch got the metrics")
	assert.Contains(t, stdout.String(), "\n\n[CRITICAL] 1 resource over threshold", "stdout got the alert, after the table and a blank line")
	assert.Equal(t, `ipamctl usage: --notify "`+webhook+`": webhook: after 4 attempts: http status 500 Internal Server Error`+"\n", stderr.String(),
		"one line, naming the webhook as given, and not the findings: the failure wins")
	for _, p := range append(bad.credentialParts(), good.credentialParts()...) {
		assert.NotContains(t, stdout.String()+stderr.String(), p, "a credential was printed")
	}
}

// TestUsageNotifyBadValues checks that every bad --notify value is
// reported, one line each, before any AWS call, and that no credential is
// echoed.
func TestUsageNotifyBadValues(t *testing.T) {
	t.Parallel()
	literal := "https://hooks.slack.com/services/T0SECRET/B0SECRET/XSECRET?token=QSECRET"
	missing := filepath.Join("testdata", "no-such-credential")
	tests := []struct {
		name  string
		args  []string
		lines int
	}{
		{
			name: "usage-notify-literal-url",
			args: []string{"--notify", "slack=" + literal, "--notify", "webhook=env:HOOK_URL_OK,secret=s3cretSECRET", "--notify", literal},
		},
		{
			name: "usage-notify-bad-values",
			args: []string{
				"--accounts", "12345",
				"--notify", "pagerduty=SECRETKEY",
				"--notify", "sns=my-topic",
				"--notify", "eventbridge=",
				"--notify", "lambda=bad name",
				"--notify", "cloudwatch=AWS/EC2",
				"--notify", "emf=CUSTOM",
				"--notify", "stdout", "--notify", "stdout",
				"--notify", "teams=file:" + missing,
				"--notify", "teams",
				"--notify", "",
			},
		},
		{
			name: "usage-notify-all-clear-alone",
			args: []string{"--notify-all-clear"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, srv := notifyEnv(t, newNotifyWorld(t, 240).world)
			srv.ResetCalls()
			args := append([]string{"usage", "--source", "ec2"}, tt.args...)
			assert.Equal(t, 1, e.run(t.Context(), args))
			assert.Empty(t, stdout.String())
			assert.Empty(t, srv.Calls(), "bad values are rejected before any AWS call")
			for _, p := range []string{"SECRET", "hooks.slack.com", "token="} {
				assert.NotContains(t, stderr.String(), p, "a credential was echoed")
			}
			checkGolden(t, tt.name, stderr.String(), "ipamctl "+strings.Join(args, " "))
		})
	}
}

// TestUsageNotifyNothingToSay checks that a scan without findings alerts
// nobody, unless --notify-all-clear asks for the all-clear.
func TestUsageNotifyNothingToSay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		allClear bool
	}{
		{"silent", false},
		{"all clear", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nw := newNotifyWorld(t, 0)
			h := newHook(t, "hook", http.StatusOK)
			e, stdout, stderr, srv := notifyEnv(t, nw.world)
			args := []string{"usage", "--source", "ec2", "-o", "csv", "--fail-on-findings",
				"--notify", "webhook=" + writeCredential(t, "url", h.url),
				"--notify", "sns=" + nw.topicARN,
				"--notify", "cloudwatch", "--notify", "emf", "--notify", "stdout",
			}
			if tt.allClear {
				args = append(args, "--notify-all-clear")
			}
			require.Equal(t, 0, e.run(t.Context(), args), "stderr: %s", stderr)
			assert.True(t, strings.HasPrefix(stdout.String(), "severity,percent,"), "standard output is the CSV report alone:\n%s", stdout)
			assert.Empty(t, srv.Metrics(), "no findings, no metrics")
			if !tt.allClear {
				assert.Empty(t, h.requests())
				assert.Empty(t, srv.Messages())
				assert.Empty(t, stderr.String())
				return
			}
			reqs := h.requests()
			require.Len(t, reqs, 1)
			a := decodeAlert(t, reqs[0].body)
			assert.Equal(t, "all-clear", a.Kind)
			assert.Equal(t, notify.Info, a.Severity)
			assert.Empty(t, a.Resources)
			msgs := srv.Messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, "[INFO] IP usage: all clear", msgs[0].Subject)
			assert.Equal(t, "info", msgs[0].Attributes["severity"].StringValue)
			assert.True(t, strings.HasPrefix(stderr.String(), "[INFO] IP usage: all clear\n"), "the all-clear on standard error:\n%s", stderr)
		})
	}
}

// TestUsageNotifyStdoutTable checks where stdout puts the alert with the
// table format: on standard output, after the report and a blank line.
func TestUsageNotifyStdoutTable(t *testing.T) {
	t.Parallel()
	e, stdout, stderr, _ := notifyEnv(t, newNotifyWorld(t, 240).world)
	args := strings.Fields("usage --source ec2 --notify stdout")
	require.Equal(t, 0, e.run(t.Context(), args), "stderr: %s", stderr)
	assert.Empty(t, stderr.String())
	got := regexp.MustCompile(`Time: \S+`).ReplaceAllString(stdout.String(), "Time: TIME")
	checkGolden(t, "usage-notify-stdout-table", got, "ipamctl "+strings.Join(args, " "))
}

func TestParseNotify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	urlFile := filepath.Join(dir, "url")
	require.NoError(t, os.WriteFile(urlFile, []byte("  https://hooks.example.com/T/B/X?k=v\r\n"), 0o600))
	emptyFile := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(emptyFile, []byte("\n"), 0o600))
	environ := map[string]string{
		"URL":    "https://hooks.example.com/T/B/X",
		"SECRET": "s3cret",
		"FTP":    "ftp://files.example.com/x",
		"BLANK":  "  ",
	}
	lookupEnv := func(k string) (string, bool) { v, ok := environ[k]; return v, ok }

	good := []struct {
		value string
		want  notify.Spec
	}{
		{"slack=env:URL", notify.Spec{Kind: notify.SpecSlack, URL: "https://hooks.example.com/T/B/X", Name: "slack=env:URL"}},
		{"teams=file:" + urlFile, notify.Spec{Kind: notify.SpecTeams, URL: "https://hooks.example.com/T/B/X?k=v", Name: "teams=file:" + urlFile}},
		{"webhook=env:URL", notify.Spec{Kind: notify.SpecWebhook, URL: "https://hooks.example.com/T/B/X", Name: "webhook=env:URL"}},
		{"webhook=env:URL,secret=env:SECRET", notify.Spec{Kind: notify.SpecWebhook, URL: "https://hooks.example.com/T/B/X", Secret: "s3cret", Name: "webhook=env:URL,secret=env:SECRET"}},
		{"sns=arn:aws:sns:us-east-1:123456789012:alerts", notify.Spec{Kind: notify.SpecSNS, Target: "arn:aws:sns:us-east-1:123456789012:alerts", Name: "sns=arn:aws:sns:us-east-1:123456789012:alerts"}},
		{"sns=arn:aws-cn:sns:cn-north-1:123456789012:alerts.fifo", notify.Spec{Kind: notify.SpecSNS, Target: "arn:aws-cn:sns:cn-north-1:123456789012:alerts.fifo", Name: "sns=arn:aws-cn:sns:cn-north-1:123456789012:alerts.fifo"}},
		{"eventbridge=default", notify.Spec{Kind: notify.SpecEventBridge, Target: "default", Name: "eventbridge=default"}},
		{"eventbridge=arn:aws:events:us-east-1:123456789012:event-bus/ipam", notify.Spec{Kind: notify.SpecEventBridge, Target: "arn:aws:events:us-east-1:123456789012:event-bus/ipam", Name: "eventbridge=arn:aws:events:us-east-1:123456789012:event-bus/ipam"}},
		{"lambda=ipam-sink", notify.Spec{Kind: notify.SpecLambda, Target: "ipam-sink", Name: "lambda=ipam-sink"}},
		{"lambda=arn:aws:lambda:us-east-1:123456789012:function:ipam-sink:prod", notify.Spec{Kind: notify.SpecLambda, Target: "arn:aws:lambda:us-east-1:123456789012:function:ipam-sink:prod", Name: "lambda=arn:aws:lambda:us-east-1:123456789012:function:ipam-sink:prod"}},
		{"cloudwatch", notify.Spec{Kind: notify.SpecCloudWatch, Name: "cloudwatch"}},
		{"cloudwatch=Team/IPAM", notify.Spec{Kind: notify.SpecCloudWatch, Target: "Team/IPAM", Name: "cloudwatch=Team/IPAM"}},
		{"emf", notify.Spec{Kind: notify.SpecEMF, Name: "emf"}},
		{"stdout", notify.Spec{Kind: notify.SpecText, Name: "stdout"}},
	}
	for _, tt := range good {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			specs, errs := parseNotify([]string{tt.value}, lookupEnv)
			require.Empty(t, errs, "parseNotify(%q)", tt.value)
			assert.Equal(t, []notify.Spec{tt.want}, specs, "parseNotify(%q)", tt.value)
		})
	}

	bad := []struct {
		value string
		want  string // the whole error
	}{
		{"slack=https://hooks.example.com/T/B/X", `--notify "slack=[redacted]": the URL is a credential: give it as env:VAR or file:PATH, not on the command line`},
		{"webhook=env:URL,secret=s3cret", `--notify "webhook=env:URL,secret=[redacted]": the secret is a credential: give it as env:VAR or file:PATH, not on the command line`},
		{"webhook=https://h.example.com/x,secret=s3cret", `--notify "webhook=[redacted],secret=[redacted]": the URL is a credential: give it as env:VAR or file:PATH, not on the command line; the secret is a credential: give it as env:VAR or file:PATH, not on the command line`},
		{"slack=env:https://hooks.example.com/T/B/X", `--notify "slack=[redacted]": the URL is a credential: give it as env:VAR or file:PATH, not on the command line`},
		{"slack=env:NOPE", `--notify "slack=env:NOPE": environment variable NOPE is not set`},
		{"slack=env:BLANK", `--notify "slack=env:BLANK": env:BLANK is empty`},
		{"teams=env:FTP", `--notify "teams=env:FTP": env:FTP does not hold an http or https URL`},
		{"teams=file:" + emptyFile, `--notify "teams=file:` + emptyFile + `": file:` + emptyFile + ` is empty`},
		{"slack", `--notify "slack": want slack=env:VAR or slack=file:PATH, the variable or file holding the URL`},
		{"https://hooks.example.com/T/B/X?k=v", `--notify "[redacted]": unknown kind: want slack, teams, webhook, sns, eventbridge, lambda, cloudwatch, emf or stdout`},
		{"=https://hooks.example.com/T/B/X", `--notify "=[redacted]": want KIND=TARGET with KIND slack, teams, webhook, sns, eventbridge, lambda, cloudwatch, emf or stdout`},
		{"sns=arn:aws:sns:us-east-1:12345:alerts", `--notify "sns=arn:aws:sns:us-east-1:12345:alerts": want a topic ARN: sns=arn:aws:sns:REGION:ACCOUNT:TOPIC`},
		{"stdout=file", `--notify "stdout=file": stdout takes no target`},
		{"cloudwatch=", `--notify "cloudwatch=": want a CloudWatch namespace of 1 to 255 characters, without ':' or white space, not starting with AWS/ (cloudwatch alone means CUSTOM/IPAM)`},
	}
	for _, tt := range bad {
		t.Run(tt.value, func(t *testing.T) {
			t.Parallel()
			specs, errs := parseNotify([]string{tt.value}, lookupEnv)
			assert.Empty(t, specs, "parseNotify(%q)", tt.value)
			require.Len(t, errs, 1, "parseNotify(%q)", tt.value)
			assert.Equal(t, tt.want, errs[0].Error(), "parseNotify(%q)", tt.value)
			for _, p := range []string{"/T/B/X", "k=v", "s3cret"} {
				assert.NotContains(t, errs[0].Error(), p, "parseNotify(%q) echoed a credential", tt.value)
			}
		})
	}
}
