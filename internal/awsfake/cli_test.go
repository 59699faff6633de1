package awsfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAWSCLIReads lists what the notifiers wrote with the AWS CLI, as a
// user of demo serve would: SNS topics (101, so the CLI pages), event
// buses, and CloudWatch metrics and their data (which AWS CLI v1 asks for
// in JSON 1.0). It skips when the aws command is not installed.
func TestAWSCLIReads(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the aws command is not installed")
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	b := NewBuilder(mgmtAccount)
	for i := range 101 {
		b.Topic(mgmtAccount, "us-east-1", fmt.Sprintf("alerts-%03d", i))
	}
	w, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, w, func(o *Options) { o.Now = func() time.Time { return now } })
	cfg := clientConfig(srv, DefaultAccessKeyID, "us-east-1")
	_, err = eventbridge.NewFromConfig(cfg).PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("ipamkit.monitor"), DetailType: aws.String("IPAM usage"), Detail: aws.String(`{}`), EventBusName: aws.String("ipam-alerts")}}})
	require.NoError(t, err)
	_, err = cloudwatch.NewFromConfig(cfg).PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("CUSTOM/IPAM"), MetricData: []cwtypes.MetricDatum{
		{MetricName: aws.String("PercentAssigned"), Value: aws.Float64(81.25), Timestamp: aws.Time(now.Add(-2 * time.Minute)),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("ResourceId"), Value: aws.String("ipam-pool-0abc")}}}}})
	require.NoError(t, err)

	dir := t.TempDir()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), cli, append([]string{"--endpoint-url", srv.URL(), "--output", "json"}, args...)...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+DefaultAccessKeyID, "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"), "AWS_MAX_ATTEMPTS=1")
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("aws %v: %v: %s", args, err, exit.Stderr)
		}
		require.NoError(t, err, "aws %v", args)
		var v map[string]any
		require.NoError(t, json.Unmarshal(out, &v), "%s", out)
		return v
	}

	topics := run("sns", "list-topics")["Topics"].([]any)
	require.Len(t, topics, 101, "the CLI follows NextToken over two pages")
	assert.Equal(t, "arn:aws:sns:us-east-1:"+mgmtAccount+":alerts-100", topics[100].(map[string]any)["TopicArn"])
	assert.Len(t, callsTo(srv, "ListTopics"), 2)

	buses := run("events", "list-event-buses")["EventBuses"].([]any)
	var names []any
	for _, b := range buses {
		names = append(names, b.(map[string]any)["Name"])
	}
	assert.Equal(t, []any{"default", "ipam-alerts"}, names)

	metrics := run("cloudwatch", "list-metrics", "--namespace", "CUSTOM/IPAM")["Metrics"].([]any)
	assert.Equal(t, []any{map[string]any{"Namespace": "CUSTOM/IPAM", "MetricName": "PercentAssigned",
		"Dimensions": []any{map[string]any{"Name": "ResourceId", "Value": "ipam-pool-0abc"}}}}, metrics)

	data := run("cloudwatch", "get-metric-data", "--start-time", now.Add(-time.Hour).Format(time.RFC3339), "--end-time", now.Format(time.RFC3339),
		"--metric-data-queries", `[{"Id":"pct","MetricStat":{"Metric":{"Namespace":"CUSTOM/IPAM","MetricName":"PercentAssigned",`+
			`"Dimensions":[{"Name":"ResourceId","Value":"ipam-pool-0abc"}]},"Period":300,"Stat":"Maximum"}}]`)["MetricDataResults"].([]any)
	require.Len(t, data, 1)
	r := data[0].(map[string]any)
	assert.Equal(t, "Complete", r["StatusCode"])
	assert.Equal(t, []any{81.25}, r["Values"])
	require.Len(t, r["Timestamps"], 1)
	secs, ok := r["Timestamps"].([]any)[0].(float64) // AWS CLI v1 prints timestamps as the wire has them
	require.True(t, ok, "%v", r["Timestamps"])
	ts := time.Unix(int64(secs), 0)
	assert.True(t, ts.Equal(now.Add(-5*time.Minute)), "the period of the datum: %v", ts)
}
