package notify_test

import (
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamkit/ipamkit/notify"
)

// ExampleNewMulti builds the destinations a configuration names: here a
// Slack webhook and an SNS topic, and the metrics as CloudWatch Embedded
// Metric Format on standard output. A real program reads the webhook URL
// from a secret store; NewMulti makes no call.
func ExampleNewMulti() {
	cfg := aws.Config{Region: "us-east-1"} // a real program loads it with config.LoadDefaultConfig
	m, err := notify.NewMulti(cfg, []notify.Spec{
		{Kind: notify.SpecSlack, URL: notify.WebhookURL("https://hooks.slack.com/services/T000/B000/XXXX")},
		{Kind: notify.SpecSNS, Target: "arn:aws:sns:eu-west-1:123456789012:ipam-alerts", Subject: "IPAM usage"},
		{Kind: notify.SpecEMF, Name: "metrics", Target: "Network/IPAM"},
	}, func(o *notify.MultiOptions) { o.Writer = os.Stdout })
	if err != nil {
		panic(err) // every bad spec, named, without its URL
	}
	for _, n := range m.Notifiers {
		fmt.Println("notifier", n)
	}
	for _, s := range m.Sinks {
		fmt.Println("sink", s)
	}
	// Output:
	// notifier slack
	// notifier sns
	// sink metrics
}
