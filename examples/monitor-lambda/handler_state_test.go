package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stateBucket is the bucket of the test world that keeps the state.
const stateBucket = "ipamkit-monitor-state"

// createStateBucket creates stateBucket in srv, as the deployment's
// owner would, and forgets the call: it is not the function's.
func createStateBucket(t *testing.T, srv *awsfake.Server) {
	t.Helper()
	client := s3.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), func(o *s3.Options) { o.UsePathStyle = true })
	_, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(stateBucket)})
	require.NoError(t, err)
	srv.ResetCalls()
}

// heard is what the notifiers heard in one run, by notifier: the titles
// of the alerts, and the changes each carried.
type heard struct {
	SNS, Slack, Webhook []string
	WebhookChanges      []string // change:resourceId of the webhook's alert, Unchanged included
}

// TestHandleOnChange runs the monitor on three scheduled runs with its
// state in S3: the first alerts on every finding (new), the second has
// nothing to say, the third (the full subnet deleted) says it resolved.
// Slack hears the changes, SNS (a pager) only the new criticals, the
// webhook the full diff.
func TestHandleOnChange(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	delete(env, "IPAMKIT_TEAMS_URL_PARAM")
	delete(env, monitorenv.EnvSNSSubject) // the subject says what happened
	env[envStateBucket] = stateBucket
	env[envSNSFilter] = "new-critical"
	env[envSlackFilter] = "changes"

	var got []heard
	var seenSNS, seenSlack, seenWebhook int
	for i := range 3 {
		if i == 2 {
			ec2c := ec2.NewFromConfig(w.srv.ClientConfig(networkKey, "us-east-1"))
			_, err := ec2c.DeleteSubnet(t.Context(), &ec2.DeleteSubnetInput{SubnetId: aws.String(w.fullSubnet)})
			require.NoError(t, err)
		}
		r, err := w.newRun(t, env) // a cold start each time: the state is all that carries over
		require.NoError(t, err)
		resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
		require.NoError(t, err, "run %d", i+1)
		require.Empty(t, resp.NotifyErrors, "run %d", i+1)

		var h heard
		msgs := w.srv.Messages()
		for _, m := range msgs[seenSNS:] {
			h.SNS = append(h.SNS, m.Subject)
		}
		seenSNS = len(msgs)
		slack := w.hooks.at(slackPath)
		for _, q := range slack[seenSlack:] {
			var body struct{ Text string }
			require.NoError(t, json.Unmarshal(q.Body, &body))
			_, title, _ := strings.Cut(firstLine(body.Text), "] ") // after the severity
			h.Slack = append(h.Slack, title)
		}
		seenSlack = len(slack)
		hooks := w.hooks.at(webhookPath)
		for _, q := range hooks[seenWebhook:] {
			var a notify.Alert
			require.NoError(t, json.Unmarshal(q.Body, &a))
			h.Webhook = append(h.Webhook, a.Title)
			for _, r := range append(a.Resources, a.Unchanged...) {
				h.WebhookChanges = append(h.WebhookChanges, r.Change+":"+r.ID)
			}
		}
		seenWebhook = len(hooks)
		got = append(got, h)
		w.assertNoSecrets(t, "logs", r.logs.Bytes())
	}

	for i, h := range got {
		t.Logf("run %d: %+v", i+1, h)
	}
	want := []heard{
		{ // run 1: every finding is new; the pager hears only the critical one
			SNS:            []string{"[CRITICAL] 1 resource newly critical"},
			Slack:          []string{"IP usage changed: 2 new"},
			Webhook:        []string{"IP usage changed: 2 new"},
			WebhookChanges: []string{notify.ChangeNew + ":" + w.fullSubnet, notify.ChangeNew + ":" + w.prodSubnet},
		},
		{}, // run 2: nothing changed, nobody hears anything
		{ // run 3: the full subnet is gone; the webhook gets the full diff
			Slack:          []string{"IP usage changed: 1 resolved (1 unchanged)"},
			Webhook:        []string{"IP usage changed: 1 resolved (1 unchanged)"},
			WebhookChanges: []string{notify.ChangeResolved + ":" + w.fullSubnet, notify.ChangeUnchanged + ":" + w.prodSubnet},
		},
	}
	assert.Equal(t, want, got)
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

func TestConfigState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    stateConfig
		wantErr string
	}{
		{"none", nil, stateConfig{}, ""},
		{"bucket: default key", map[string]string{envStateBucket: "my-bucket"}, stateConfig{Bucket: "my-bucket", Key: defaultStateKey}, ""},
		{"everything", map[string]string{envStateBucket: "my-bucket", envStateKey: "a/b.json", envRemind: "12h", envSNSFilter: "New-Critical", envSlackFilter: "changes", envWebhookFilter: "all"},
			stateConfig{Bucket: "my-bucket", Key: "a/b.json", Remind: 12 * 60 * 60 * 1e9, Filters: map[notify.SpecKind]notify.Filter{notify.SpecSNS: notify.FilterNewCritical, notify.SpecSlack: notify.FilterChanges}}, ""},
		{"no reminders", map[string]string{envStateBucket: "my-bucket", envRemind: "0"}, stateConfig{Bucket: "my-bucket", Key: defaultStateKey, Remind: -1}, ""},
		{"key without bucket", map[string]string{envStateKey: "k"}, stateConfig{}, "IPAMKIT_STATE_KEY needs IPAMKIT_STATE_BUCKET"},
		{"bad bucket", map[string]string{envStateBucket: "My_Bucket"}, stateConfig{}, `IPAMKIT_STATE_BUCKET "My_Bucket": want an S3 bucket name`},
		{"bad filter", map[string]string{envSlackFilter: "loud"}, stateConfig{}, `IPAMKIT_SLACK_FILTER "loud": want all, changes or new-critical`},
		{"bad remind", map[string]string{envRemind: "daily"}, stateConfig{}, `IPAMKIT_REMIND "daily": want a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.State)
		})
	}
}

var _ usage.State = stateConfig{Bucket: "b", Key: "k"}.newState(aws.Config{})
