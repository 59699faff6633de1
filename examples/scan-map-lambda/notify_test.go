package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
)

// The credentials of the test world: Slack's and the webhook's URLs in
// SSM, Teams' URL and the webhook's key in Secrets Manager.
const (
	slackParam       = "/ipamkit/slack-url"
	webhookParam     = "/ipamkit/webhook-url"
	teamsSecret      = "ipamkit/teams-url"
	webhookKeySecret = "ipamkit/webhook-key"
	webhookKey       = "webhook-key-s3cr3t"

	slackPath   = "/services/T000/B000/slack-token-s3cr3t"
	teamsPath   = "/workflows/teams-token-s3cr3t"
	webhookPath = "/hooks/webhook-token-s3cr3t"
)

// receiver is a local Slack, Teams and webhook endpoint that records what
// it receives.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	paths map[string][]http.Header
	body  map[string][]string
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{paths: map[string][]http.Header{}, body: map[string][]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.paths[req.URL.Path] = append(r.paths[req.URL.Path], req.Header.Clone())
		r.body[req.URL.Path] = append(r.body[req.URL.Path], string(b))
		r.mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(r.Close)
	return r
}

// at returns the headers and bodies of the requests received on path.
func (r *receiver) at(path string) ([]http.Header, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.paths[path], r.body[path]
}

// credentials stores the world's credentials in the network account.
func (w *testWorld) credentials(b *awsfake.Builder) {
	b.Parameter(networkAccount, "us-east-1", slackParam, "SecureString", w.hooks.URL+slackPath)
	b.Parameter(networkAccount, "us-east-1", webhookParam, "SecureString", w.hooks.URL+webhookPath)
	b.Parameter(networkAccount, "us-east-1", "/ipamkit/plain-url", "String", w.hooks.URL+slackPath)
	b.Secret(networkAccount, "us-east-1", teamsSecret, w.hooks.URL+teamsPath)
	b.Secret(networkAccount, "us-east-1", webhookKeySecret, webhookKey)
}

// TestMergeNotifiesEveryNotifier runs the state machine and checks that
// the merge step alerts Slack, Teams and the webhook once each, the
// webhook's body signed with the key from Secrets Manager, and that no
// credential reaches the logs, the metrics or the state's output.
func TestMergeNotifiesEveryNotifier(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	d := w.deploy(t, w.env())
	resp, _ := d.execute(t, "run-notify")
	require.Empty(t, resp.NotifyErrors)
	require.Equal(t, "critical", resp.Severity)
	for _, path := range []string{slackPath, teamsPath, webhookPath} {
		headers, _ := w.hooks.at(path)
		assert.Len(t, headers, 1, "alerts delivered on %s", path)
	}
	headers, bodies := w.hooks.at(webhookPath)
	require.Len(t, headers, 1)
	assert.True(t, notify.VerifySignature(notify.Secret(webhookKey), []byte(bodies[0]), headers[0].Get(notify.SignatureHeader)),
		"the webhook's body is signed with the key of %s", webhookKeySecret)
	out := resp.Message + d.merge.logs.String() + d.merge.stdout.String() + d.list.logs.String() + d.scan.logs.String()
	for _, secret := range []string{"s3cr3t", w.hooks.URL} {
		assert.NotContains(t, out, secret, "a credential in the output or the logs")
	}
}

// TestMergeCredentialProblems checks that the merge step's cold start
// fails, naming the variable and never the credential, when a credential
// cannot be fetched or is not usable, and that the other steps, which do
// not notify, never fetch them.
func TestMergeCredentialProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing parameter", map[string]string{"IPAMKIT_SLACK_URL_PARAM": "/ipamkit/none"}, "IPAMKIT_SLACK_URL_PARAM=/ipamkit/none: "},
		{"plain parameter", map[string]string{"IPAMKIT_SLACK_URL_PARAM": "/ipamkit/plain-url"}, "store a credential as a SecureString"},
		{"missing secret", map[string]string{"IPAMKIT_TEAMS_URL_SECRET_ID": "ipamkit/none"}, "IPAMKIT_TEAMS_URL_SECRET_ID=ipamkit/none: "},
		{"key as URL", map[string]string{"IPAMKIT_TEAMS_URL_SECRET_ID": webhookKeySecret}, "the value is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			env := maps(w.env(), tt.env)
			_, err := w.newFunction(t, env, stepMerge, mergeKey)
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
			for _, secret := range []string{"s3cr3t", w.hooks.URL} {
				assert.NotContains(t, err.Error(), secret, "a credential in the error")
			}
			for _, s := range []step{stepList, stepScan} {
				_, err := w.newFunction(t, env, s, map[step]string{stepList: listKey, stepScan: scanKey}[s])
				require.NoError(t, err, "the %s step fetches no credential", s)
			}
			for _, c := range w.srv.Calls() {
				if strings.HasPrefix(c.Service, "ssm") || strings.HasPrefix(c.Service, "secretsmanager") {
					assert.Equal(t, mergeKey, c.AccessKeyID, "only the merge step reads credentials: %+v", c)
				}
			}
		})
	}
}
