package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Accounts and names of the test world.
const (
	mgmtAccount    = "111111111111"
	networkAccount = "222222222222" // runs the function and owns the IPAM
	prodAccount    = "333333333333"
	networkKey     = "AKIATESTNETWORK00001"
	memberRole     = "ipamkit-monitor-read"
	externalID     = "ext-id-7f3a9c"

	slackPath     = "/services/T0000/B0000/slack-token-s3cr3t"
	webhookPath   = "/hooks/webhook-token-s3cr3t"
	teamsPath     = "/workflows/teams-token-s3cr3t"
	webhookSecret = "hmac-key-s3cr3t-0042"
)

// receiver is a loopback HTTP server standing for Slack and the webhook
// endpoint. It records every request and answers status (200 by default).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	status   map[string]int // by path
}

// received is a request the receiver got.
type received struct {
	Path   string
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{status: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, received{Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
		status := r.status[req.URL.Path]
		r.mu.Unlock()
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

// fail makes the receiver answer status on path.
func (r *receiver) fail(path string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status[path] = status
}

// at returns the requests received on path.
func (r *receiver) at(path string) []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []received
	for _, q := range r.requests {
		if q.Path == path {
			out = append(out, q)
		}
	}
	return out
}

// testWorld is a running fake AWS with an organization of three accounts:
// the networking account owns the IPAM, the SNS topic and the credentials.
type testWorld struct {
	srv                    *awsfake.Server
	hooks                  *receiver
	topic                  string
	fullSubnet, prodSubnet string // 95.6% and 79.7% used
	networkVPC, prodVPC    string
	pool                   string // 75% allocated
	webhookSecretARN       string
	slackURL, webhookURL   string
	secrets                []string // every credential of the world, for leak checks
}

func newTestWorld(t *testing.T) *testWorld {
	t.Helper()
	w := &testWorld{hooks: newReceiver(t)}
	w.slackURL, w.webhookURL = w.hooks.URL+slackPath, w.hooks.URL+webhookPath
	b := awsfake.NewBuilder(mgmtAccount)
	b.Account(b.Root(), networkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(networkAccount)
	b.AccessKey(networkKey, networkAccount, "monitor")
	b.Account(b.Root(), prodAccount, "prod", "prod@example.com")
	b.Role(prodAccount, memberRole, externalID, networkAccount)
	b.Role(networkAccount, memberRole, externalID, networkAccount)

	ipam := b.IPAM(networkAccount, "us-east-1", "us-east-1")
	// A pool three quarters full, of custom allocations: a warning at 70%.
	w.pool = b.Pool(awsfake.PoolSpec{Scope: b.Scope(ipam, "private"), Locale: "us-east-1", Description: "appliances", Tags: map[string]string{"Name": "appliances"}})
	b.ProvisionCIDR(w.pool, "172.16.0.0/22")
	b.Allocate(w.pool, "172.16.0.0/23", "")
	b.Allocate(w.pool, "172.16.2.0/24", "")
	w.networkVPC = b.VPC(networkAccount, "us-east-1", "10.0.0.0/16")
	b.Tag(w.networkVPC, "Name", "shared-services")
	w.fullSubnet = b.Subnet(w.networkVPC, "10.0.1.0/24", 240)
	b.Tag(w.fullSubnet, "Name", "shared-a")
	b.Subnet(w.networkVPC, "10.0.2.0/24", 10)
	w.prodVPC = b.VPC(prodAccount, "us-east-1", "10.1.0.0/16")
	w.prodSubnet = b.Subnet(w.prodVPC, "10.1.0.0/24", 200)

	w.topic = b.Topic(networkAccount, "us-east-1", "ipam-alerts")
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/slack-url", "SecureString", w.slackURL)
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/teams-url", "SecureString", w.hooks.URL+teamsPath)
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/plain-slack-url", "String", w.slackURL)
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/webhook-secret", "SecureString", webhookSecret)
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/not-a-url", "SecureString", "ftp://example.com/x")
	w.webhookSecretARN = b.Secret(networkAccount, "us-east-1", "ipamkit/webhook-url", w.webhookURL)
	world, err := b.Build()
	require.NoError(t, err)
	w.srv, err = awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(w.srv.Close)
	createStateBucket(t, w.srv) // handler_state_test.go
	w.secrets = []string{slackPath, webhookPath, teamsPath, "slack-token-s3cr3t", "webhook-token-s3cr3t", "teams-token-s3cr3t", webhookSecret, externalID,
		awsfake.DefaultSecretAccessKey}
	return w
}

// baseEnv is the environment of most tests: the sample's variables as its
// env.json set them, with the world's topic, and every notifier.
func (w *testWorld) baseEnv() map[string]string {
	return map[string]string{
		"IpamUsageThreshold":            "80.0",
		"IpamScopeType":                 "private",
		"IpamResourceType":              "*",
		"IpamSnsTopic":                  w.topic,
		"IpamSnsSubject":                "[alert] - Amazon VPC IPAM Usage",
		"IpamCloudWatchNamespace":       "CUSTOM/IPAM",
		"IpamCloudWatchEnabled":         "false",
		"IPAMKIT_SOURCES":               "ipam,ec2",
		"IPAMKIT_ACCOUNTS":              networkAccount + "," + prodAccount,
		"IPAMKIT_ROLE_NAME":             memberRole,
		"IPAMKIT_EXTERNAL_ID":           externalID,
		"IPAMKIT_WARNING_THRESHOLD":     "70",
		"IPAMKIT_SLACK_URL_PARAM":       "/ipamkit/slack-url",
		"IPAMKIT_TEAMS_URL_PARAM":       "/ipamkit/teams-url",
		"IPAMKIT_WEBHOOK_URL_SECRET_ID": "ipamkit/webhook-url",
		"IPAMKIT_WEBHOOK_SECRET_PARAM":  "/ipamkit/webhook-secret",
	}
}

// run is one handler built over the test world, with its captured output.
type run struct {
	h      *handler
	stdout *bytes.Buffer // EMF lines
	logs   *bytes.Buffer // slog JSON records
}

// newRun builds the handler as main does, from env, against the world.
func (w *testWorld) newRun(t *testing.T, env map[string]string, optFns ...func(*handlerOptions)) (*run, error) {
	t.Helper()
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	r := &run{stdout: &bytes.Buffer{}, logs: &bytes.Buffer{}}
	r.h, err = newHandler(t.Context(), w.srv.ClientConfig(networkKey, "us-east-1"), cfg, func(o *handlerOptions) {
		o.Stdout = r.stdout
		o.Logger = slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.HTTP.MaxAttempts = 1
		for _, fn := range optFns {
			fn(o)
		}
	})
	return r, err
}

// scheduledEvent returns the EventBridge scheduled event of testdata.
func scheduledEvent(t *testing.T) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/events/scheduled.json")
	require.NoError(t, err)
	return b
}

// logRecords decodes the JSON log records, failing on a line that is not
// one.
func logRecords(t *testing.T, logs []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(logs))
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "log line %q", sc.Text())
		out = append(out, rec)
	}
	return out
}

// assertNoSecrets checks that none of the world's credentials is in text.
func (w *testWorld) assertNoSecrets(t *testing.T, what string, text []byte) {
	t.Helper()
	for _, s := range w.secrets {
		assert.NotContains(t, string(text), s, "%s holds a credential", what)
	}
}

func TestHandleScheduledEvent(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r, err := w.newRun(t, w.baseEnv())
	require.NoError(t, err)

	resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err)

	// The report: both accounts scanned, through the member role, from IPAM
	// and EC2; each subnet once, with EC2's exact figures and IPAM's
	// statuses.
	rep := resp.Report
	assert.Empty(t, rep.Errors)
	assert.Equal(t, 3, rep.Scan.Targets, "the IPAM and two EC2 targets")
	type finding struct {
		ID       string
		Source   usage.Source
		Severity notify.Severity
	}
	var got []finding
	for _, f := range rep.Findings {
		got = append(got, finding{f.ID, f.Source, f.Severity})
	}
	assert.Equal(t, []finding{
		{w.fullSubnet, usage.SourceEC2, notify.Critical},
		{w.prodSubnet, usage.SourceEC2, notify.Warning},
	}, got)

	// The sample's body: one record per finding, worst first.
	require.Len(t, resp.IpamResourceCidrs, 2)
	assert.Equal(t, ResourceCIDR{
		ResourceID: w.fullSubnet, ResourceType: "subnet", ResourceCIDR: "10.0.1.0/24",
		ResourceRegion: "us-east-1", ResourceOwnerID: networkAccount, ResourceName: "shared-a",
		VPCID: w.networkVPC, ResourceTags: []ResourceTag{{Key: "Name", Value: "shared-a"}},
		IPUsage: 240.0 / 251, ComplianceStatus: "unmanaged", OverlapStatus: "nonoverlapping", ManagementState: "unmanaged",
		IPAddressTotal: "251", IPAddressAvailable: "11",
		Source: "ec2", Severity: "critical", Threshold: 80,
	}, resp.IpamResourceCidrs[0])
	body, err := json.Marshal(resp)
	require.NoError(t, err)
	var shape map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &shape))
	assert.ElementsMatch(t, []string{"Message", "IpamResourceCidrs", "Report"}, keys(shape), "response keys")
	assert.Contains(t, string(shape["IpamResourceCidrs"]), `"IpAddressTotal":251,"IpAddressAvailable":11`, "counts are JSON numbers, as the sample's")
	w.assertNoSecrets(t, "response", body)

	// SNS: one message, the sample's subject, the alert text as the body.
	msgs := w.srv.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, w.topic, msgs[0].TopicARN)
	assert.Equal(t, "[alert] - Amazon VPC IPAM Usage", msgs[0].Subject)
	assert.Equal(t, resp.Message, msgs[0].Message)
	assert.Equal(t, "critical", msgs[0].Attributes["severity"].StringValue)
	assert.True(t, strings.HasPrefix(resp.Message, "[CRITICAL] 2 resources over threshold (1 critical, 1 warning)\n"), resp.Message)
	assert.Contains(t, resp.Message, w.fullSubnet+" (shared-a)  10.0.1.0/24  222222222222  us-east-1")

	// Slack, at the URL read from the SecureString parameter.
	slack := w.hooks.at(slackPath)
	require.Len(t, slack, 1)
	var blocks struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(slack[0].Body, &blocks), "%s", slack[0].Body)
	assert.Contains(t, blocks.Text, "2 resources over threshold")
	assert.Contains(t, string(slack[0].Body), w.fullSubnet)

	// Teams: an Adaptive Card.
	teams := w.hooks.at(teamsPath)
	require.Len(t, teams, 1)
	assert.Contains(t, string(teams[0].Body), `"AdaptiveCard"`)
	assert.Contains(t, string(teams[0].Body), w.prodSubnet)

	// The webhook, at the URL read from Secrets Manager, signed with the
	// key read from SSM.
	hook := w.hooks.at(webhookPath)
	require.Len(t, hook, 1)
	assert.True(t, notify.VerifySignature(webhookSecret, hook[0].Body, hook[0].Header.Get(notify.SignatureHeader)), "signature")
	var alert notify.Alert
	require.NoError(t, json.Unmarshal(hook[0].Body, &alert))
	assert.Equal(t, notify.Critical, alert.Severity)
	assert.Equal(t, alertSource, alert.Source)
	assert.Len(t, alert.Resources, 2)

	// Metrics: EMF lines on stdout, no PutMetricData.
	assert.Empty(t, w.srv.Metrics(), "PutMetricData")
	emf := emfEvents(t, r.stdout.Bytes())
	require.Len(t, emf, 2, "one event per resource: %s", r.stdout)
	assert.Equal(t, w.fullSubnet, emf[0]["ResourceId"])
	assert.Equal(t, 240.0/251*100, emf[0]["PercentAssigned"], "one value per ResourceId: never two averaged")
	assert.Equal(t, 251.0, emf[0]["IpAddressTotal"])
	assert.Equal(t, 11.0, emf[0]["IpAddressAvailable"])
	assert.Equal(t, w.prodSubnet, emf[1]["ResourceId"])

	// Logs: JSON records, the event by its id only, no credential.
	recs := logRecords(t, r.logs.Bytes())
	finished := findRecord(t, recs, "scan finished")
	assert.Equal(t, "89d1a02d-5ec7-412e-82f5-13505f849b41", finished["event_id"])
	assert.Equal(t, "Scheduled Event", finished["detail_type"])
	assert.Equal(t, 2.0, finished["findings"])
	findRecord(t, recs, "alert sent")
	assert.NotContains(t, r.logs.String(), "rule/ipamkit-monitor-daily", "the event is not logged whole")
	w.assertNoSecrets(t, "logs", r.logs.Bytes())
}

func TestHandleCloudWatchEnabled(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IpamCloudWatchEnabled"] = "true"
	env["IpamCloudWatchNamespace"] = "Network/IPAM"
	env["IPAMKIT_SOURCES"] = "ipam"
	r, err := w.newRun(t, env)
	require.NoError(t, err)

	_, err = r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err)

	assert.Empty(t, r.stdout.String(), "no EMF when PutMetricData is on")
	type datum struct {
		Name, Resource, Namespace string
		Value                     float64
	}
	var got []datum
	for _, m := range w.srv.Metrics() {
		require.Len(t, m.Dimensions, 1)
		assert.Equal(t, "ResourceId", m.Dimensions[0].Name)
		got = append(got, datum{m.MetricName, m.Dimensions[0].Value, m.Namespace, *m.Value})
	}
	assert.Equal(t, []datum{
		{"PercentAssigned", w.fullSubnet, "Network/IPAM", 245.0 / 256 * 100},
		{"IpAddressTotal", w.fullSubnet, "Network/IPAM", 256},
		{"IpAddressAvailable", w.fullSubnet, "Network/IPAM", 11},
		{"PercentAssigned", w.prodSubnet, "Network/IPAM", 205.0 / 256 * 100},
		{"IpAddressTotal", w.prodSubnet, "Network/IPAM", 256},
		{"IpAddressAvailable", w.prodSubnet, "Network/IPAM", 51},
	}, got)
}

func TestHandleNothingOverThreshold(t *testing.T) {
	t.Parallel()
	for _, allClear := range []bool{false, true} {
		t.Run(map[bool]string{false: "silent", true: "all-clear"}[allClear], func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			env := w.baseEnv()
			env["IpamUsageThreshold"] = "99"
			delete(env, "IPAMKIT_WARNING_THRESHOLD")
			if allClear {
				env["IPAMKIT_NOTIFY_ALL_CLEAR"] = "yes"
			}
			r, err := w.newRun(t, env)
			require.NoError(t, err)

			resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
			require.NoError(t, err)

			body, err := json.Marshal(resp)
			require.NoError(t, err)
			assert.Contains(t, string(body), `"IpamResourceCidrs":[]`, "an empty list, never null")
			assert.True(t, strings.HasPrefix(resp.Message, "[INFO] IP usage: all clear\n"), resp.Message)
			assert.Empty(t, r.stdout.String(), "no metrics without findings")
			if !allClear {
				assert.Empty(t, w.srv.Messages(), "no SNS publish, and never an empty one")
				assert.Empty(t, w.hooks.at(slackPath))
				assert.Empty(t, w.hooks.at(webhookPath))
				return
			}
			msgs := w.srv.Messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, "info", msgs[0].Attributes["severity"].StringValue)
			assert.Equal(t, resp.Message, msgs[0].Message)
			assert.Len(t, w.hooks.at(slackPath), 1)
			assert.Len(t, w.hooks.at(webhookPath), 1)
		})
	}
}

func TestHandleDeadlineNear(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IPAMKIT_DEADLINE_MARGIN"] = "1m"
	r, err := w.newRun(t, env)
	require.NoError(t, err)

	// An invocation with 20 seconds left: inside the margin, so no target
	// starts, yet the alert still goes out.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	resp, err := r.h.Handle(ctx, scheduledEvent(t))
	require.NoError(t, err)

	require.Len(t, resp.Report.Errors, 3, "every target reported")
	var got []string
	for _, te := range resp.Report.Errors {
		assert.ErrorIs(t, te, usage.ErrNotScanned, "%v", te.Target)
		got = append(got, te.Target.String())
	}
	assert.ElementsMatch(t, []string{"222222222222/us-east-1", "222222222222/us-east-1", "333333333333/us-east-1"}, got)
	assert.Empty(t, resp.Report.Resources)
	assert.Empty(t, resp.IpamResourceCidrs)

	msgs := w.srv.Messages()
	require.Len(t, msgs, 1, "an incomplete scan is not an all-clear")
	assert.Equal(t, "warning", msgs[0].Attributes["severity"].StringValue)
	assert.Contains(t, msgs[0].Message, "IP usage scan incomplete: 3 targets failed")
	for _, c := range w.srv.Calls() {
		assert.NotEqual(t, "ec2", c.Service, "no target started: %+v", c)
	}
	recs := logRecords(t, r.logs.Bytes())
	rec := findRecord(t, recs, "deadline near: targets not scanned")
	assert.Equal(t, 3.0, rec["not_scanned"])
	assert.Equal(t, "WARN", rec["level"])
	rec = findRecord(t, recs, "little time to scan: raise the function's timeout or lower IPAMKIT_DEADLINE_MARGIN")
	assert.Equal(t, "WARN", rec["level"])
}

// TestHandleSlowTarget: a target whose calls never answer is stopped at
// the deadline minus the margin and reported as not finished, so the
// margin is left for the alert, which every notifier gets.
func TestHandleSlowTarget(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IPAMKIT_DEADLINE_MARGIN"] = "1s"
	r, err := w.newRun(t, env)
	require.NoError(t, err)
	w.srv.InjectFault(awsfake.Fault{Service: "ec2", Account: prodAccount, Kind: awsfake.FaultLatency, Latency: time.Hour})

	// A short invocation: the margin and a moment to scan.
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	resp, err := r.h.Handle(ctx, scheduledEvent(t))
	require.NoError(t, err)
	require.NoError(t, ctx.Err(), "the scan ended with the margin left for delivery")

	require.Len(t, resp.Report.Errors, 1)
	te := resp.Report.Errors[0]
	assert.Equal(t, prodAccount+"/us-east-1", te.Target.String())
	assert.ErrorIs(t, te, usage.ErrNotScanned)
	assert.ErrorContains(t, te, "not scanned: not finished 1s before the deadline")
	assert.NotEmpty(t, resp.Report.Findings, "the other targets were measured")
	msgs := w.srv.Messages()
	require.Len(t, msgs, 1, "the alert went out")
	assert.Contains(t, msgs[0].Message, "1 target failed")
	assert.Len(t, w.hooks.at(slackPath), 1)
	assert.Len(t, w.hooks.at(webhookPath), 1)
	assert.Empty(t, resp.NotifyErrors)
}

func TestHandleOrganization(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IPAMKIT_SOURCES"] = "ec2"
	env["IPAMKIT_ACCOUNTS"] = "organization"
	r, err := w.newRun(t, env)
	require.NoError(t, err)

	resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err)

	// The management account has no member role: one failed target, the
	// others scanned.
	require.Len(t, resp.Report.Errors, 1)
	te := resp.Report.Errors[0]
	assert.Equal(t, mgmtAccount, te.Target.AccountID)
	assert.Equal(t, "arn:aws:iam::111111111111:role/"+memberRole, te.Target.RoleARN)
	assert.NotErrorIs(t, te, usage.ErrNotScanned)
	assert.Equal(t, 3, resp.Report.Scan.Targets)
	assert.Len(t, resp.Report.Findings, 2)
	assert.Contains(t, resp.Message, "1 target failed")
	require.Len(t, w.srv.Messages(), 1)
	rec := findRecord(t, logRecords(t, r.logs.Bytes()), "target failed")
	assert.Equal(t, mgmtAccount, rec["account_id"])
	w.assertNoSecrets(t, "logs", r.logs.Bytes())
	body, err := json.Marshal(resp)
	require.NoError(t, err)
	w.assertNoSecrets(t, "response", body)
}

func TestHandleNotifierFailures(t *testing.T) {
	t.Parallel()
	t.Run("some", func(t *testing.T) {
		t.Parallel()
		w := newTestWorld(t)
		w.hooks.fail(slackPath, http.StatusForbidden)
		r, err := w.newRun(t, w.baseEnv())
		require.NoError(t, err)

		resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
		require.NoError(t, err, "a retry would repeat the alert to SNS and the webhook")

		require.Len(t, resp.NotifyErrors, 1)
		assert.True(t, strings.HasPrefix(resp.NotifyErrors[0], "slack: "), resp.NotifyErrors[0])
		assert.Len(t, w.srv.Messages(), 1)
		assert.Len(t, w.hooks.at(webhookPath), 1)
		rec := findRecord(t, logRecords(t, r.logs.Bytes()), "notification failed")
		assert.Equal(t, "ERROR", rec["level"])
		w.assertNoSecrets(t, "logs", r.logs.Bytes())
		w.assertNoSecrets(t, "errors", []byte(strings.Join(resp.NotifyErrors, "\n")))
	})
	t.Run("all", func(t *testing.T) {
		t.Parallel()
		w := newTestWorld(t)
		w.hooks.fail(slackPath, http.StatusForbidden)
		w.hooks.fail(webhookPath, http.StatusUnauthorized)
		w.hooks.fail(teamsPath, http.StatusBadRequest)
		w.srv.InjectFault(awsfake.Fault{Service: "sns", Kind: awsfake.FaultAccessDenied})
		r, err := w.newRun(t, w.baseEnv())
		require.NoError(t, err)

		_, err = r.h.Handle(t.Context(), scheduledEvent(t))
		require.Error(t, err, "nothing was delivered: a retry is safe")
		assert.ErrorContains(t, err, "every notifier failed")
		for _, name := range []string{"sns: ", "slack: ", "teams: ", "webhook: "} {
			assert.ErrorContains(t, err, name)
		}
		w.assertNoSecrets(t, "error", []byte(err.Error()))
		w.assertNoSecrets(t, "logs", r.logs.Bytes())
		assert.Len(t, emfEvents(t, r.stdout.Bytes()), 2, "metrics are still written")
	})
}

func TestNewHandlerCredentials(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	tests := []struct {
		name string
		env  map[string]string
		want []string // in the error, in order
	}{
		{
			name: "missing, plain and not a URL",
			env: map[string]string{
				"IPAMKIT_SLACK_URL_PARAM":   "/ipamkit/plain-slack-url",
				"IPAMKIT_TEAMS_URL_PARAM":   "/ipamkit/nope",
				"IPAMKIT_WEBHOOK_URL_PARAM": "/ipamkit/not-a-url",
				"IPAMKIT_WEBHOOK_SECRET_ID": "ipamkit/nope",
			},
			want: []string{
				"IPAMKIT_SLACK_URL_PARAM=/ipamkit/plain-slack-url: the parameter is a String: store a credential as a SecureString",
				"IPAMKIT_TEAMS_URL_PARAM=/ipamkit/nope: ", "ParameterNotFound",
				"IPAMKIT_WEBHOOK_URL_PARAM=/ipamkit/not-a-url: the value is not an http or https URL",
				"IPAMKIT_WEBHOOK_SECRET_ID=ipamkit/nope: ", "ResourceNotFoundException",
			},
		},
		{
			name: "secret by ARN",
			env: map[string]string{
				"IPAMKIT_WEBHOOK_URL_SECRET_ID": w.webhookSecretARN,
				"IPAMKIT_SLACK_URL_SECRET_ID":   w.webhookSecretARN,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := w.newRun(t, tt.env)
			if len(tt.want) == 0 {
				require.NoError(t, err)
				require.Len(t, r.h.notifiers.Notifiers, 2)
				return
			}
			require.Error(t, err)
			var ce configError
			require.ErrorAs(t, err, &ce)
			assert.Len(t, ce, 4, "one problem per credential: %v", err)
			msg := err.Error()
			for _, s := range tt.want {
				i := strings.Index(msg, s)
				assert.GreaterOrEqual(t, i, 0, "error %q lacks %q", msg, s)
				if i >= 0 {
					msg = msg[i+len(s):]
				}
			}
			w.assertNoSecrets(t, "error", []byte(err.Error()))
			assert.NotContains(t, err.Error(), "ftp://example.com/x")
		})
	}
}

func TestHandlePools(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IPAMKIT_SOURCES"] = "pools"
	r, err := w.newRun(t, env)
	require.NoError(t, err)
	// Any payload will do: a test invocation, a manual run.
	for _, payload := range []string{`null`, `{}`, `"run"`} {
		resp, err := r.h.Handle(t.Context(), json.RawMessage(payload))
		require.NoError(t, err, "payload %s", payload)
		require.Len(t, resp.IpamResourceCidrs, 1, "payload %s", payload)
		assert.Equal(t, ResourceCIDR{
			ResourceID: w.pool, ResourceType: "ipam-pool", ResourceCIDR: "172.16.0.0/22",
			ResourceRegion: "us-east-1", ResourceOwnerID: networkAccount, ResourceName: "appliances", IPAMPoolID: w.pool,
			ResourceTags: []ResourceTag{{Key: "Name", Value: "appliances"}}, IPUsage: 0.75, IPAddressTotal: "1024", IPAddressAvailable: "256",
			Source: "pools", Severity: "warning", Threshold: 70, LargestFree: "172.16.3.0/24",
		}, resp.IpamResourceCidrs[0], "payload %s", payload)
	}
	assert.Len(t, w.srv.Messages(), 3)
}

// TestHandleNoIPAM: a scan of a region without the IPAM measured nothing;
// it is a failed target and a warning, never an all-clear.
func TestHandleNoIPAM(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"ipam", "pools"} {
		t.Run(src, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			env := w.baseEnv()
			env["IPAMKIT_SOURCES"] = src
			env["IPAMKIT_IPAM_REGION"] = "us-west-2" // the IPAM lives in us-east-1
			env["IPAMKIT_NOTIFY_ALL_CLEAR"] = "yes"
			r, err := w.newRun(t, env)
			require.NoError(t, err)

			resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
			require.NoError(t, err)
			require.Len(t, resp.Report.Errors, 1)
			te := resp.Report.Errors[0]
			assert.ErrorIs(t, te, usage.ErrNoIPAM)
			assert.Equal(t, networkAccount+"/us-west-2", te.Target.String())
			assert.Empty(t, resp.Report.Resources)
			msgs := w.srv.Messages()
			require.Len(t, msgs, 1)
			assert.Equal(t, "warning", msgs[0].Attributes["severity"].StringValue)
			assert.NotContains(t, msgs[0].Message, "all clear")
			assert.Contains(t, msgs[0].Message, "(NoIPAM)")
		})
	}
}

func TestHandleOrganizationUnreadable(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env["IPAMKIT_ACCOUNTS"] = "organization"
	r, err := w.newRun(t, env)
	require.NoError(t, err)
	w.srv.InjectFault(awsfake.Fault{Service: "organizations", Operation: "ListAccounts", Kind: awsfake.FaultAccessDenied})

	_, err = r.h.Handle(t.Context(), scheduledEvent(t))
	require.Error(t, err, "nothing scanned: the invocation fails")
	assert.ErrorContains(t, err, "targets of the organization: list accounts: ")
	checkScanFailed(t, w, "targets of the organization: list accounts: ")
}

// checkScanFailed checks that every notifier of the world heard one
// critical "scan failed" alert with reason, and no credential.
func checkScanFailed(t *testing.T, w *testWorld, reason string) {
	t.Helper()
	msgs := w.srv.Messages()
	require.Len(t, msgs, 1, "the scan failure is heard, once")
	assert.Equal(t, "critical", msgs[0].Attributes["severity"].StringValue)
	assert.Contains(t, msgs[0].Message, "IP usage scan failed: nothing was measured")
	assert.Contains(t, msgs[0].Message, reason)
	w.assertNoSecrets(t, "SNS message", []byte(msgs[0].Message))
	for _, path := range []string{slackPath, teamsPath, webhookPath} {
		reqs := w.hooks.at(path)
		require.Len(t, reqs, 1, "%s: once", path)
		assert.Contains(t, string(reqs[0].Body), "IP usage scan failed")
		w.assertNoSecrets(t, path, reqs[0].Body)
	}
}

// TestNewHandlerCallerDenied: when the function's own credentials are
// refused at cold start, the handler is not built, and every notifier
// hears why.
func TestNewHandlerCallerDenied(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.srv.InjectFault(awsfake.Fault{Service: "sts", Operation: "GetCallerIdentity", Kind: awsfake.FaultAccessDenied})
	_, err := w.newRun(t, w.baseEnv())
	require.Error(t, err)
	assert.ErrorContains(t, err, "find the caller's account: ")
	checkScanFailed(t, w, "find the caller's account: ")
}

// emfEvents decodes the EMF lines of out, checking the envelope.
func emfEvents(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var events []map[string]any
	for line := range bytes.Lines(out) {
		var ev map[string]any
		require.NoError(t, json.Unmarshal(line, &ev), "EMF line %q", line)
		var env struct {
			AWS struct {
				Timestamp         int64 `json:"Timestamp"`
				CloudWatchMetrics []struct {
					Namespace  string
					Dimensions [][]string
				}
			} `json:"_aws"`
		}
		require.NoError(t, json.Unmarshal(line, &env))
		require.Len(t, env.AWS.CloudWatchMetrics, 1)
		assert.Equal(t, "CUSTOM/IPAM", env.AWS.CloudWatchMetrics[0].Namespace)
		assert.Equal(t, [][]string{{"ResourceId"}}, env.AWS.CloudWatchMetrics[0].Dimensions)
		assert.Positive(t, env.AWS.Timestamp)
		events = append(events, ev)
	}
	return events
}

// findRecord returns the first log record with message msg.
func findRecord(t *testing.T, recs []map[string]any, msg string) map[string]any {
	t.Helper()
	for _, r := range recs {
		if r["msg"] == msg {
			return r
		}
	}
	require.Failf(t, "no log record", "%q among %v", msg, recs)
	return nil
}

// keys returns the keys of m.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
