package usage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// monitor is the README's example ("Using usage and notify"), which
// TestREADMEMonitor keeps identical to it: a scan of the organization,
// its alert to Slack and its findings' metrics to CloudWatch. cfg is what
// config.LoadDefaultConfig returns, for the management account or a
// delegated administrator of AWS Organizations.
func monitor(ctx context.Context, cfg aws.Config, networkAccountID, slackURL string) error {
	// Every active account of the organization in two regions, and the IPAM
	// in the account that holds it. The caller's own account is read with its
	// own credentials, the others through OrganizationAccountAccessRole
	// (o.RoleName, with o.ExternalID if its trust policy asks for one).
	report, err := usage.ScanOrganization(ctx, cfg, func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.IPAMAccount = networkAccountID
		o.Policy = usage.Policy{Thresholds: usage.Thresholds{Warning: 70, Critical: 90}}
	})
	if err != nil {
		return err // nothing scanned: a *usage.ScanError says as whom, where and what to do
	} // failed targets are in report.Errors, never an aborted scan
	fmt.Println(report.Scan.Targets, "targets,", len(report.Errors), "failed; the worst finding:")
	if len(report.Findings) > 0 {
		fmt.Println(report.Findings[0]) // critical at 90%: ipam-pool-… CIDR in ACCOUNT REGION: U of T used (P%)
	}

	m, err := notify.NewMulti(cfg, []notify.Spec{
		{Kind: notify.SpecSlack, URL: notify.WebhookURL(slackURL)}, // the URL never appears in errors or logs
		{Kind: notify.SpecCloudWatch},                              // PercentAssigned, IpAddressTotal, IpAddressAvailable by ResourceId
	})
	if err != nil {
		return err
	}
	// The alert when there is something to say (findings or failed targets),
	// then the findings' metrics; every notifier and sink is tried, and each
	// failure is named.
	d := report.Deliver(ctx, m, func(o *usage.DeliverOptions) { o.Source = "ipamkit/usage" })
	var errs []error
	for _, e := range d.Failures() {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// ExampleScanOrganization_monitor runs the README's example, monitor,
// against the demo organization that internal/awsfake serves, as its
// management account, with a stand-in for Slack's incoming webhook.
func ExampleScanOrganization_monitor() {
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	var (
		mu     sync.Mutex
		posted []string // the text of each message Slack was sent
	)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg struct{ Text string }
		if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		posted = append(posted, msg.Text)
	}))
	defer slack.Close()
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")

	if err := monitor(context.TODO(), cfg, awsfake.DemoNetworkAccount, slack.URL+"/services/T000/B000/XXXX"); err != nil {
		panic(err)
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Println("slack:", posted)
	fmt.Println("cloudwatch:", len(srv.Metrics()), "metrics")
	// Output:
	// 11 targets, 0 failed; the worst finding:
	// critical at 90%: ipam-pool-07fcc2593df1ee1c9 (us-east-1) 192.168.16.0/20 in 222222222222 us-east-1: 4096 of 4096 used (100.0%)
	// slack: [[CRITICAL] 12 resources over threshold (12 critical, 0 warning)]
	// cloudwatch: 36 metrics
}
