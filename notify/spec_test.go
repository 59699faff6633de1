package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// names returns the names Multi gives its notifiers and sinks.
func names(m Multi) (notifiers, sinks []string) {
	for i, n := range m.Notifiers {
		notifiers = append(notifiers, targetName(i, n))
	}
	for i, s := range m.Sinks {
		sinks = append(sinks, targetName(i, s))
	}
	return notifiers, sinks
}

func TestNewMulti(t *testing.T) {
	t.Parallel()
	const hook = WebhookURL("https://hooks.example.com/services/T0SECRET/B0SECRET?token=SECRET")
	tests := []struct {
		name             string
		specs            []Spec
		notifiers, sinks []string // the names, in order
		err              string   // the whole error; empty for none
	}{
		{
			name: "every kind, named by its kind or its name",
			specs: []Spec{
				{Kind: SpecSlack, URL: hook}, {Kind: SpecTeams, URL: hook, Name: "teams=env:TEAMS_URL"},
				{Kind: SpecWebhook, URL: hook, Secret: "SECRET"}, {Kind: SpecSNS, Target: "arn:aws:sns:eu-west-1:123456789012:alerts"},
				{Kind: SpecCloudWatch}, {Kind: SpecEventBridge}, {Kind: SpecLambda, Target: "ipam-sink"},
				{Kind: SpecEMF, Target: "Team/IPAM"}, {Kind: SpecText, Name: "stdout"},
			},
			notifiers: []string{"slack", "teams=env:TEAMS_URL", "webhook", "sns", "eventbridge", "lambda", "stdout"},
			sinks:     []string{"cloudwatch", "emf"},
		},
		{
			name:  "none",
			specs: nil,
		},
		{
			name: "every bad spec at once, without its URL",
			specs: []Spec{
				{Kind: SpecSlack}, {Kind: SpecSNS, Target: "alerts"}, {Kind: SpecLambda, Name: "fn"},
				{Kind: "pager", Name: "oncall", URL: hook, Secret: "SECRET"}, {Kind: SpecEMF},
			},
			err: "slack: no URL\nsns: want a topic ARN, arn:aws:sns:REGION:ACCOUNT:TOPIC\nfn: no function\noncall: unknown kind \"pager\"",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := NewMulti(aws.Config{Region: "us-east-1"}, tt.specs)
			if tt.err != "" {
				require.EqualError(t, err, tt.err, "NewMulti(%v)", tt.specs)
				assert.Equal(t, Multi{}, m)
				return
			}
			require.NoError(t, err, "NewMulti(%v)", tt.specs)
			notifiers, sinks := names(m)
			assert.Equal(t, tt.notifiers, notifiers, "NewMulti(%v)", tt.specs)
			assert.Equal(t, tt.sinks, sinks, "NewMulti(%v)", tt.specs)
		})
	}
}

// TestNewMultiWriter sends an alert and metrics to the text and EMF specs,
// which share MultiOptions.Writer.
func TestNewMultiWriter(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m, err := NewMulti(aws.Config{}, []Spec{{Kind: SpecText}, {Kind: SpecEMF, Target: "Team/IPAM"}}, func(o *MultiOptions) {
		o.Writer = &out
		o.Text = RendererFunc(func(a Alert) (string, error) { return "\n" + DefaultText(a), nil })
	})
	require.NoError(t, err)
	at := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

	require.NoError(t, m.Notify(t.Context(), Alert{Severity: Warning, Title: "hello"}))
	require.NoError(t, m.PutMetrics(t.Context(), []Metric{{Name: MetricPercentAssigned, Value: 90, Unit: UnitPercent, Time: at}}))

	text, emf, ok := strings.Cut(out.String(), "{")
	require.True(t, ok, "the text, then an EMF line: %q", out.String())
	assert.Equal(t, "\n[WARNING] hello\n", text, "the text as the renderer made it")
	assert.Contains(t, emf, `"Namespace":"Team/IPAM"`)
}

// TestNewMultiSNSRegion checks that SNS is called in the topic's region,
// whatever the configuration's, and the other AWS clients in the
// configuration's: a topic only takes messages in its own region.
func TestNewMultiSNSRegion(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		regions []string // the signing region of each request, from its Authorization header
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, scope, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		parts := strings.Split(scope, "/") // AKID/date/region/service/aws4_request
		mu.Lock()
		if len(parts) > 3 {
			regions = append(regions, parts[3]+" "+parts[2])
		}
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, nil
		}),
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	m, err := NewMulti(cfg, []Spec{{Kind: SpecSNS, Target: "arn:aws:sns:eu-west-1:123456789012:alerts"}, {Kind: SpecLambda, Target: "ipam-sink"}})
	require.NoError(t, err)

	err = m.Notify(t.Context(), Alert{Severity: Critical, Title: "hello"})

	require.Error(t, err, "the server refuses everything")
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []string{"sns eu-west-1", "lambda us-east-1"}, regions, fmt.Sprintf("signing regions; error %v", err))
}

// TestSpecRedacted checks that a Spec prints without its credentials, as
// its doc comment promises.
func TestSpecRedacted(t *testing.T) {
	t.Parallel()
	s := Spec{Kind: SpecWebhook, URL: "https://hooks.example.com/T0SECRET?token=SECRET", Secret: "SECRET"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, s), "SECRET", "Sprintf(%q, spec)", verb)
	}
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("built", "spec", s)
	assert.NotContains(t, b.String(), "SECRET", "slog text record")
}
