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
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/share"
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
  4. the alert of that scan published to an SNS topic, and as Slack and
     Microsoft Teams would receive it, and the metrics as CloudWatch
     Embedded Metric Format lines;
  5. the Control Tower story, end to end: the sample's pool tree as a spec,
     planned and applied against the IPAM the sample built (only
     adoptions), the tree drawn; Control Tower's CreateManagedAccount event
     for an account in "Prod OU" handled as the account Lambda handles it;
     the share it made; that account creating a VPC from the shared pool;
     and the reports showing the VPC's CIDR.

It finishes in a few seconds and writes everything to standard output.`

// demoTopic is the SNS topic of the demo organization that step 4
// publishes to.
const demoTopic = "arn:aws:sns:us-east-1:" + awsfake.DemoManagementAccount + ":" + awsfake.DemoTopicName

// runTour runs the guided demo and writes it to e.stdout once complete.
func runTour(ctx context.Context, e *env) error {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		return fmt.Errorf("start the demo organization: %w", err)
	}
	defer srv.Close()
	var out bytes.Buffer
	fmt.Fprintf(&out, "A demo organization runs in this process: management account %s, networking account %s\n"+
		"with an IPAM in us-east-1 and us-west-2, workload accounts in \"Prod OU\" and \"SDLC OU\".\n",
		awsfake.DemoManagementAccount, awsfake.DemoNetworkAccount)
	for _, s := range []struct{ title, line string }{
		{"1. The IPAM's top-level pool, with a /20 allocated to each region: exact counts and headroom",
			"ipamctl cidr usage --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20"},
		{"   Where the next two regional /20s go",
			"ipamctl cidr next --pool 192.168.0.0/16 --used 192.168.0.0/20,192.168.16.0/20 --bits 20 --count 2"},
	} {
		if err := tourLine(ctx, &out, srv, s.title, nil, s.line); err != nil {
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
	if err := tourLine(ctx, &out, srv, "   Which of them run out, and when: a forecast from the history the monitor published", nil, tourForecastLine); err != nil {
		return err
	}
	if err := tourLine(ctx, &out, srv, "3. The IPAM pools against their allocations (as the networking account)", nil, tourPoolsLine); err != nil {
		return err
	}
	if err := tourAlerts(ctx, &out, srv, rep); err != nil {
		return err
	}
	if err := tourControlTower(ctx, &out, srv); err != nil {
		return err
	}
	fmt.Fprintf(&out, "\nTry any of these against a server of your own: 'ipamctl demo serve' prints the environment to export.\n")
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// tourForecastLine is step 2 again, with the forecast of each resource
// from the history the demo's CloudWatch holds.
const tourForecastLine = "ipamctl " + tourScanArgs + " --forecast --warning-days 30 --critical-days 10"

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

// tourAlertLine is step 4's command: step 2's scan, its alert published
// to the demo's SNS topic, its metrics as EMF lines after the report.
const tourAlertLine = "ipamctl " + tourScanArgs + " --notify sns=" + demoTopic + " --notify emf"

// tourAgain is what the tour shows of a command's output that begins with
// what an earlier step showed (step 4's report is step 2's): a note in its
// place, then the rest.
func tourAgain(stdout, shown, step string) string {
	rest, ok := strings.CutPrefix(stdout, shown)
	if !ok {
		return stdout
	}
	return "(the report of step " + step + ", again)\n" + rest
}

// tourAlerts runs step 4 as printed, sending the alert of rep's scan to the
// demo's SNS topic and its metrics as EMF lines, then shows the message
// the topic received, as the demo server keeps it, and what the Slack and
// Teams notifiers post for the same alert, captured in this process: the
// demo has no webhook to post to.
func tourAlerts(ctx context.Context, out *bytes.Buffer, srv *awsfake.Server, rep usage.Report) error {
	var table bytes.Buffer
	if err := writeUsageReport(&table, rep, "table"); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n# 4. The alert of that scan, published to the demo's SNS topic, and its metrics as\n"+
		"#    CloudWatch Embedded Metric Format lines (what a Lambda writes for CloudWatch to read)\n$ %s\n", tourAlertLine)
	sent := len(srv.Messages())
	stdout, stderr, err := tourRun(ctx, srv, tourAlertLine)
	if err != nil {
		return fmt.Errorf("demo step 4: %w", err)
	}
	out.WriteString(stderr)
	out.WriteString(tourAgain(stdout, table.String(), "2"))

	fmt.Fprintf(out, "\n# What the alert's receivers get: the SNS message, which 'demo serve' keeps (SNS has no API\n"+
		"# to read it back), and what --notify slack=env:SLACK_WEBHOOK_URL and --notify teams=env:TEAMS_WEBHOOK_URL\n"+
		"# would post, captured here: the demo has no webhook to post to.\n")
	for _, m := range srv.Messages()[sent:] {
		fmt.Fprintf(out, "\n## SNS: published to %s\nSubject: %s\n\n%s\n", m.TopicARN, m.Subject, strings.TrimRight(m.Message, "\n"))
	}
	alert, ok := rep.Alert(notifySource)
	if !ok {
		return fmt.Errorf("demo: the scan found nothing to alert about")
	}
	posts := &capture{}
	client := &http.Client{Transport: posts}
	hook := notify.WebhookURL("https://hooks.example.com/demo")
	for _, s := range []struct {
		name string
		n    notify.Notifier
	}{
		{"Slack (Block Kit, incoming webhook)", notify.NewSlack(hook, func(o *notify.SlackOptions) { o.Client = client; o.MaxResources = 5 })},
		{"Microsoft Teams (Adaptive Card, workflow webhook)", notify.NewTeams(hook, func(o *notify.TeamsOptions) { o.Client = client; o.MaxResources = 5 })},
	} {
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
	return nil
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

// asNetwork is what the tour prints before a command that must run as the
// networking account: 'ipamctl demo serve' exports the management
// account's key, and prints this one on standard error.
const asNetwork = "AWS_ACCESS_KEY_ID=" + awsfake.DemoNetworkAccessKey + " "

// The command lines the tour prints and runs as printed (tourRun).
const (
	tourPoolsLine = asNetwork + "ipamctl usage --source pools --regions us-east-1"
	tourPlanLine  = "ipamctl hierarchy init --control-tower | " + asNetwork + "ipamctl hierarchy plan -f -"
	tourApplyLine = "ipamctl hierarchy init --control-tower | " + asNetwork + "ipamctl hierarchy apply -f - --yes"
	tourShowLine  = asNetwork + "ipamctl hierarchy show"
	tourVPCsLine  = asNetwork + "ipamctl usage --source ipam --resource-type vpc --regions us-east-1"
)

// tourRegion is the region of every call of the tour, the one 'ipamctl
// demo serve' exports: the IPAM's home region.
const tourRegion = "us-east-1"

// tourLine prints a titled command line, with comment lines under the
// title, runs it as printed (tourRun) and prints what it wrote: standard
// error first (apply's plan and progress), then standard output.
func tourLine(ctx context.Context, out *bytes.Buffer, srv *awsfake.Server, title string, comments []string, line string) error {
	fmt.Fprintf(out, "\n# %s\n", title)
	for _, c := range comments {
		fmt.Fprintf(out, "#    %s\n", c)
	}
	fmt.Fprintf(out, "$ %s\n", line)
	stdout, stderr, err := tourRun(ctx, srv, line)
	if err != nil {
		return fmt.Errorf("demo step %q: %w", title, err)
	}
	out.WriteString(tourStderr(stderr))
	out.WriteString(stdout)
	return nil
}

// tourRun runs a command line as a shell would against 'ipamctl demo
// serve': stages separated by " | ", each "ipamctl ARGS" with an optional
// "AWS_ACCESS_KEY_ID=KEY " in front; without one, the management account's
// key, which demo serve exports. The lines hold no quotes, so a shell
// splits their arguments as strings.Fields does. Each stage reads what the
// one before it wrote; tourRun returns what the last one wrote on standard
// output and what every stage wrote on standard error. An exit code other
// than 0, or 2 for findings, is an error.
func tourRun(ctx context.Context, srv *awsfake.Server, line string) (stdout, stderr string, err error) {
	var in, errs bytes.Buffer
	for stage := range strings.SplitSeq(line, " | ") {
		key := awsfake.DefaultAccessKeyID
		if rest, ok := strings.CutPrefix(stage, "AWS_ACCESS_KEY_ID="); ok {
			key, stage, _ = strings.Cut(rest, " ")
		}
		args, ok := strings.CutPrefix(stage, "ipamctl ")
		if !ok || strings.ContainsAny(args, `'"\$|;&<>`) {
			return "", "", fmt.Errorf("not a command the tour can run as printed: %q", stage)
		}
		var o, e bytes.Buffer
		sub := &env{stdin: bytes.NewReader(in.Bytes()), stdout: &o, stderr: &e, awsConfig: func(context.Context) (aws.Config, error) {
			return srv.ClientConfig(key, tourRegion), nil
		}}
		if code := sub.run(ctx, strings.Fields(args)); code != 0 && code != exitFindings {
			return "", "", fmt.Errorf("ipamctl %s: exit code %d: %s", args, code, strings.TrimSpace(e.String()))
		}
		errs.Write(e.Bytes())
		in = o
	}
	return in.String(), errs.String(), nil
}

// tourStderr shortens what apply writes on standard error: the plan it
// prints again before its progress is the plan the step before showed.
func tourStderr(stderr string) string {
	const planEnd = "\nPlan: "
	i := strings.Index(stderr, planEnd)
	if i < 0 {
		return stderr
	}
	_, rest, _ := strings.Cut(stderr[i+len(planEnd):], "\n")
	return "(standard error: the plan above, again, then each operation as it starts and ends)\n" + rest
}

// tourEvent is Control Tower's CreateManagedAccount event for account
// 333333333333 in Prod OU, as EventBridge delivers it to the account
// Lambda: tourEventFile, byte for byte (a test compares them).
const tourEvent = `{
  "version": "0",
  "id": "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b",
  "detail-type": "AWS Service Event via CloudTrail",
  "source": "aws.controltower",
  "account": "111111111111",
  "time": "2026-03-02T10:15:30Z",
  "region": "us-east-1",
  "resources": [],
  "detail": {
    "eventVersion": "1.05",
    "userIdentity": {
      "accountId": "111111111111",
      "invokedBy": "AWS Internal"
    },
    "eventTime": "2026-03-02T10:15:30Z",
    "eventSource": "controltower.amazonaws.com",
    "eventName": "CreateManagedAccount",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "AWS Internal",
    "userAgent": "AWS Internal",
    "eventID": "6d1e2f3a-4b5c-6d7e-8f90-1c2d3e4f5a6b",
    "readOnly": false,
    "eventType": "AwsServiceEvent",
    "serviceEventDetails": {
      "createManagedAccountStatus": {
        "organizationalUnit": {
          "organizationalUnitName": "Prod OU",
          "organizationalUnitId": "ou-prod-00000001"
        },
        "account": {
          "accountName": "prod",
          "accountId": "333333333333"
        },
        "state": "SUCCEEDED",
        "message": "AWS Control Tower successfully created a managed account.",
        "requestedTimestamp": "2026-03-02T09:48:02+0000",
        "completedTimestamp": "2026-03-02T10:15:30+0000"
      }
    }
  }
}
`

// tourEventFile names tourEvent's file in the repository.
const tourEventFile = "examples/account-lambda/testdata/events/create-succeeded.json"

// tourRole is the role the tour assumes in member accounts: the one every
// member account of the demo organization has.
const tourRole = "OrganizationAccountAccessRole"

// tourControlTower is the Control Tower chapter: the sample's pool tree
// planned, applied and drawn; an account's CreateManagedAccount event
// handled as the account Lambda handles it; the share it made; the
// account creating a VPC from the shared pool; the reports.
func tourControlTower(ctx context.Context, out *bytes.Buffer, srv *awsfake.Server) error {
	fmt.Fprintf(out, "\n# The Control Tower sample, done with ipamkit. The commands below work as printed against\n"+
		"# 'ipamctl demo serve': %s is the networking account's key, which it\n"+
		"# prints on standard error; without it, a command acts as the management account.\n", strings.TrimSpace(asNetwork))
	steps := []struct {
		title    string
		comments []string
		line     string
	}{
		{"5. The sample's pool tree as a spec, planned against the demo's IPAM (as the networking account)", []string{
			"'hierarchy init --control-tower' writes the spec of the sample's tree from the sample's",
			"parameters (here its defaults). The demo's pools were made by the sample's own calls, so",
			"the plan creates nothing: it adopts each pool, tagging it with its path, and leaves",
			"alone what the spec does not state (the pools' descriptions, allocation netmasks).",
		}, tourPlanLine},
		{"6. Apply it, then the pools of the spec with their IDs", nil, tourApplyLine},
		{"7. The live tree, every pool managed now, with the VPCs allocated from it", nil, tourShowLine},
	}
	for _, s := range steps {
		if err := tourLine(ctx, out, srv, s.title, s.comments, s.line); err != nil {
			return err
		}
	}
	poolID, err := tourAccountLambda(ctx, out, srv)
	if err != nil {
		return err
	}
	if err := tourMemberVPC(ctx, out, srv, poolID); err != nil {
		return err
	}
	if err := tourLine(ctx, out, srv, "10. The pools' report: the new VPC's /24 fills its OU's pool in us-east-1 to 25%", nil, tourPoolsLine); err != nil {
		return err
	}
	return tourLine(ctx, out, srv, "11. The VPCs as IPAM sees them across the organization: the new one is there, empty", nil, tourVPCsLine)
}

// tourAccountLambda handles tourEvent as the account Lambda's handler
// does (examples/account-lambda, handler.Handle): share.ParseEvent, then
// Reconciler.HandleEvent, as the management account, with RAM and EC2 in
// the networking account through a role assumed there. The Lambda is
// package main of another example, which cannot be imported; the tour
// calls package share on the same path. It returns the pool of the IPAM's
// home region that the share gave the account.
func tourAccountLambda(ctx context.Context, out *bytes.Buffer, srv *awsfake.Server) (string, error) {
	fmt.Fprintf(out, "\n# 8. Control Tower creates an account in \"Prod OU\"; its CreateManagedAccount event runs the account Lambda\n"+
		"#    The event is %s, as EventBridge\n"+
		"#    delivers it. (The fake cannot create accounts: the demo's prod account, %s, stands in\n"+
		"#    for the new one, with the VPCs it already has.) What runs is the Lambda handler's path,\n"+
		"#    called here from package share since the Lambda is a package main: share.ParseEvent, then\n"+
		"#    Reconciler.HandleEvent, as the management account, sharing from %s through the role\n"+
		"#    %s (IPAMKIT_ROLE_NAME; AWSControlTowerExecution by default), in mode account.\n",
		tourEventFile, awsfake.DemoProdAccount, awsfake.DemoNetworkAccount, tourRole)
	e, err := share.ParseEvent([]byte(tourEvent))
	if err != nil {
		return "", fmt.Errorf("demo: the account Lambda's event: %w", err)
	}
	fmt.Fprintf(out, "-> share.ParseEvent: %s of account %s (%s) in %s (%s), %s\n", e.Name, e.AccountID, e.AccountName, e.OUID, e.OUName, e.State)
	mgmt := srv.ClientConfig(awsfake.DefaultAccessKeyID, tourRegion)
	caller, err := account.Identify(ctx, sts.NewFromConfig(mgmt))
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	network, err := account.New(mgmt, func(o *account.Options) { o.SessionName = "ipamkit-account-lambda" }).
		Config(ctx, share.NetworkTarget(caller.ARN, awsfake.DemoNetworkAccount, tourRegion, tourRole, ""))
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	rec := share.NewFromConfig(network, mgmt, func(o *share.Options) {
		// The fake settles associations after a few reads, not after
		// time: read them again at once, not after AWS's second.
		o.MinDelay, o.MaxDelay = time.Millisecond, time.Millisecond
	})
	res, err := rec.HandleEvent(ctx, e)
	if err != nil {
		return "", fmt.Errorf("demo: the account Lambda's reconcile: %w", err)
	}
	fmt.Fprintf(out, "-> Reconciler.HandleEvent: the account is reconciled where Organizations has it now; the share it made:\n")
	if err := res.WriteText(out); err != nil {
		return "", err
	}
	// EventBridge delivers at least once: the same event again finds the
	// share as it should be.
	again, err := rec.HandleEvent(ctx, e)
	if err != nil {
		return "", fmt.Errorf("demo: the account Lambda's reconcile, again: %w", err)
	}
	fmt.Fprintf(out, "-> The same event delivered again, as EventBridge may: ")
	if err := again.WriteText(out); err != nil {
		return "", err
	}
	pools, err := ec2.NewFromConfig(network).DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	shared := map[string]bool{}
	for _, c := range res.Applied {
		if c.Kind == share.KindAssociatePool {
			shared[c.PoolID] = true
		}
	}
	for _, p := range pools.IpamPools {
		if id := aws.ToString(p.IpamPoolId); shared[id] && aws.ToString(p.Locale) == tourRegion {
			return id, nil
		}
	}
	return "", fmt.Errorf("demo: the account Lambda shared no pool of %s with %s", tourRegion, e.AccountID)
}

// tourMemberVPC creates a VPC in the Prod OU account from poolID, the pool
// shared with it, as that account: through its tourRole, assumed from the
// management account.
func tourMemberVPC(ctx context.Context, out *bytes.Buffer, srv *awsfake.Server, poolID string) error {
	mgmt := srv.ClientConfig(awsfake.DefaultAccessKeyID, tourRegion)
	fmt.Fprintf(out, "\n# 9. The new account creates a VPC from the pool shared with it\n"+
		"#    As %s, through its %s, in %s: the AWS SDK's calls.\n", awsfake.DemoProdAccount, tourRole, tourRegion)
	caller, err := account.Identify(ctx, sts.NewFromConfig(mgmt))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	cfg, err := account.New(mgmt).Config(ctx, account.Target{AccountID: awsfake.DemoProdAccount, Region: tourRegion,
		RoleARN: account.RoleARN(caller.ARN, awsfake.DemoProdAccount, tourRole)})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	client := ec2.NewFromConfig(cfg)
	pools, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{})
	if err != nil {
		return fmt.Errorf("demo: the new account's pools: %w", err)
	}
	fmt.Fprintf(out, "-> ec2:DescribeIpamPools: the pools it sees\n")
	var tags []ec2types.Tag
	for _, p := range pools.IpamPools {
		var rules []string
		for _, t := range p.AllocationResourceTags {
			rules = append(rules, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
			if aws.ToString(p.IpamPoolId) == poolID { // the pool's rule: the VPC must carry the tag
				tags = append(tags, ec2types.Tag{Key: t.Key, Value: t.Value})
			}
		}
		fmt.Fprintf(out, "   %s  %s  owner %s  allocation tags %s\n", aws.ToString(p.IpamPoolId), aws.ToString(p.Locale), aws.ToString(p.OwnerId), strings.Join(rules, ","))
	}
	tags = append(tags, ec2types.Tag{Key: aws.String("Name"), Value: aws.String("new-prod")})
	shown := make([]string, len(tags))
	for i, t := range tags {
		shown[i] = aws.ToString(t.Key) + "=" + aws.ToString(t.Value)
	}
	vpc, err := client.CreateVpc(ctx, &ec2.CreateVpcInput{
		Ipv4IpamPoolId:    aws.String(poolID),
		Ipv4NetmaskLength: aws.Int32(24),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: tags}},
	})
	if err != nil {
		return fmt.Errorf("demo: the new account's VPC: %w", err)
	}
	fmt.Fprintf(out, "-> ec2:CreateVpc Ipv4IpamPoolId=%s Ipv4NetmaskLength=24, tags %s\n   %s %s, allocated by IPAM from the pool\n",
		poolID, strings.Join(shown, ","), aws.ToString(vpc.Vpc.VpcId), aws.ToString(vpc.Vpc.CidrBlock))
	return nil
}
