package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// demoTourLong describes "ipamctl demo".
const demoTourLong = `Walk through what ipamkit does, against a demo organization served
inside this process: no AWS account, no credentials, no network. Each step
prints the ipamctl command it runs, so you can run it yourself against
'ipamctl demo serve' or a real organization:

  1. the CIDR view of the IPAM's top-level pool, and where the next blocks go;
  2. utilization of every VPC and subnet of the organization, IPAM-managed
     or not, with the largest free block of each VPC;
  3. the IPAM pools against their allocations;
  4. the alert of that scan as Slack, Microsoft Teams and SNS would receive
     it, and the metrics as CloudWatch Embedded Metric Format lines.

It finishes in a few seconds and writes everything to standard output.`

// demoTopic is the SNS topic the tour pretends to publish to.
const demoTopic = "arn:aws:sns:us-east-1:" + awsfake.DemoManagementAccount + ":ipam-alerts"

// runTour runs the guided demo and writes it to e.stdout once complete.
func runTour(ctx context.Context, e *env) error {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		return fmt.Errorf("start the demo organization: %w", err)
	}
	defer srv.Close()
	var out bytes.Buffer
	as := func(key string) func(context.Context) (aws.Config, error) {
		return func(context.Context) (aws.Config, error) { return srv.ClientConfig(key, "us-east-1"), nil }
	}
	step := func(title string, cfg func(context.Context) (aws.Config, error), args string) error {
		fmt.Fprintf(&out, "\n# %s\n$ ipamctl %s\n", title, args)
		var stderr bytes.Buffer
		sub := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &stderr, awsConfig: cfg}
		if code := sub.run(ctx, strings.Fields(args)); code != 0 && code != exitFindings {
			return fmt.Errorf("demo step %q failed: %s", title, strings.TrimSpace(stderr.String()))
		}
		return nil
	}
	network := as(awsfake.DemoNetworkAccessKey)
	fmt.Fprintf(&out, "A demo organization runs in this process: management account %s, networking account %s\n"+
		"with an IPAM in us-east-1 and us-west-2, workload accounts in \"Prod OU\" and \"SDLC OU\".\n",
		awsfake.DemoManagementAccount, awsfake.DemoNetworkAccount)
	for _, s := range []struct {
		title string
		cfg   func(context.Context) (aws.Config, error)
		args  string
	}{
		{"1. The IPAM's top-level pool, with a /20 allocated to each region: exact counts and headroom", nil,
			"cidr usage --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20"},
		{"   Where the next two regional /20s go", nil,
			"cidr next --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20 --bits 20 --count 2"},
	} {
		if err := step(s.title, s.cfg, s.args); err != nil {
			return err
		}
	}
	// Step 2 is scanned once, with the library, and shown as the command
	// shows it; step 4 sends the alert of the same report.
	rep, err := tourScan(ctx, srv)
	if err != nil {
		return err
	}
	fmt.Fprintf(&out, "\n# 2. Every VPC and subnet of the organization, IPAM-managed or not (as the management account)\n$ ipamctl %s\n", tourScanArgs)
	if err := writeUsageReport(&out, rep, "table"); err != nil {
		return err
	}
	if err := step("3. The IPAM pools against their allocations (as the networking account)", network, "usage --source pools --regions us-east-1"); err != nil {
		return err
	}
	if err := tourAlerts(ctx, &out, rep); err != nil {
		return err
	}
	fmt.Fprintf(&out, "\nTry any of these against a server of your own: 'ipamctl demo serve' prints the environment to export.\n")
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// tourScanArgs is the ipamctl command whose report tourScan computes.
const tourScanArgs = "usage --org --source ec2 --regions us-east-1,us-west-2 --warning 50"

// tourScan scans the demo organization as tourScanArgs does, as its
// management account.
func tourScan(ctx context.Context, srv *awsfake.Server) (usage.Report, error) {
	return usage.ScanOrganization(ctx, srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), func(o *usage.OrganizationScanOptions) {
		o.Organization, o.Regions, o.Sources = true, []string{"us-east-1", "us-west-2"}, []usage.Source{usage.SourceEC2}
		o.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: 50}}
	})
}

// tourAlerts shows the alert and metrics of rep as the notifiers would send
// them, captured in this process.
func tourAlerts(ctx context.Context, out *bytes.Buffer, rep usage.Report) error {
	fmt.Fprintf(out, "\n# 4. The alert of that scan, as the notifiers would send it\n"+
		"$ ipamctl %s \\\n"+
		"    --notify slack=env:SLACK_WEBHOOK_URL --notify teams=env:TEAMS_WEBHOOK_URL \\\n"+
		"    --notify sns=%s --notify emf\n", tourScanArgs, demoTopic)
	alert, ok := rep.Alert("ipamctl demo")
	if !ok {
		return fmt.Errorf("demo: the scan found nothing to alert about")
	}

	posts := &capture{}
	client := &http.Client{Transport: posts}
	hook := notify.WebhookURL("https://hooks.example.com/demo")
	sent := []struct {
		name string
		n    notify.Notifier
	}{
		{"Slack (Block Kit, incoming webhook)", notify.NewSlack(hook, func(o *notify.SlackOptions) { o.Client = client; o.MaxResources = 5 })},
		{"Microsoft Teams (Adaptive Card, workflow webhook)", notify.NewTeams(hook, func(o *notify.TeamsOptions) { o.Client = client; o.MaxResources = 5 })},
	}
	for _, s := range sent {
		posts.bodies = nil
		if err := s.n.Notify(ctx, alert); err != nil {
			return fmt.Errorf("demo: %s: %w", s.name, err)
		}
		fmt.Fprintf(out, "\n## %s: the JSON posted\n", s.name)
		for _, b := range posts.bodies {
			var pretty bytes.Buffer
			if json.Indent(&pretty, b, "", "  ") != nil {
				pretty.Reset()
				pretty.Write(b)
			}
			out.Write(pretty.Bytes())
			out.WriteByte('\n')
		}
	}

	topic := &recordingSNS{}
	if err := notify.NewSNS(topic, demoTopic).Notify(ctx, alert); err != nil {
		return fmt.Errorf("demo: SNS: %w", err)
	}
	for _, p := range topic.published {
		fmt.Fprintf(out, "\n## SNS: published to %s\nSubject: %s\n\n%s\n", aws.ToString(p.TopicArn), aws.ToString(p.Subject), aws.ToString(p.Message))
	}

	fmt.Fprintf(out, "\n## CloudWatch Embedded Metric Format: one line per finding, on standard output in a Lambda\n")
	return notify.NewEMF(out).PutMetrics(ctx, rep.FindingMetrics(time.Now()))
}

// capture is an http.RoundTripper that keeps request bodies and answers
// 200 "ok" without any network.
type capture struct{ bodies [][]byte }

func (c *capture) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	c.bodies = append(c.bodies, b)
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

// recordingSNS is a notify.SNSAPI that keeps what is published.
type recordingSNS struct{ published []*sns.PublishInput }

func (r *recordingSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	r.published = append(r.published, in)
	return &sns.PublishOutput{MessageId: aws.String(fmt.Sprintf("demo-%d", len(r.published)))}, nil
}
