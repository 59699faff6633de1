package notify_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
)

// resource returns a VPC of cidr with used addresses in use.
func resource(id, cidr string, used uint64) notify.Resource {
	p := ipam.MustParseCIDR(cidr)
	total, u := ipam.Size(p), ipam.NewCount(used)
	return notify.Resource{ID: id, Type: "vpc", CIDR: p, Region: "eu-west-1",
		Total: total, Used: u, Available: total.Sub(u), Percent: u.Percent(total)}
}

func alert() notify.Alert {
	return notify.Alert{
		Kind:     "utilization",
		Severity: notify.Critical,
		Title:    "2 VPCs above 80% utilization",
		Resources: []notify.Resource{
			resource("vpc-0aaa", "10.0.0.0/16", 53248),
			resource("vpc-0bbb", "10.1.0.0/24", 250),
		},
		Source: "ipamkit/usage",
		Time:   time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC),
	}
}

func ExampleWriter() {
	w := notify.NewWriter(os.Stdout)
	if err := w.Notify(context.Background(), alert()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [CRITICAL] 2 VPCs above 80% utilization
	// Source: ipamkit/usage  Time: 2026-11-23T20:00:00Z
	// [###################.]  97.7%  vpc-0bbb  10.1.0.0/24  eu-west-1  6 of 256 free
	// [################....]  81.2%  vpc-0aaa  10.0.0.0/16  eu-west-1  12288 of 65536 free
}

func ExampleParseTemplate() {
	t, err := notify.ParseTemplate(`{{.Title}}:{{range first 1 .Worst}} {{.ID}} {{pct .Percent}}{{end}}` +
		`{{with more 1 .Resources}} (+{{.}} more){{end}}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := notify.NewWriter(os.Stdout, func(o *notify.WriterOptions) { o.Text = t })
	_ = w.Notify(context.Background(), alert())
	// Output:
	// 2 VPCs above 80% utilization: vpc-0bbb 97.7% (+1 more)
}

func ExampleRendererFunc() {
	// A subject of our own and the default text after a line of our own,
	// in plain Go: no template to parse, nothing that can fail.
	w := notify.NewWriter(os.Stdout, func(o *notify.WriterOptions) {
		o.Text = notify.RendererFunc(func(a notify.Alert) (string, error) {
			return "IP space, " + a.Severity.String() + ": " + a.Title + "\n" +
				"Runbook: https://wiki.example.com/ipam\n" + notify.DefaultText(a), nil
		})
	})
	a := alert()
	a.Resources = a.Resources[:1]
	if err := w.Notify(context.Background(), a); err != nil {
		fmt.Println(err)
	}
	// Output:
	// IP space, critical: 2 VPCs above 80% utilization
	// Runbook: https://wiki.example.com/ipam
	// [CRITICAL] 2 VPCs above 80% utilization
	// Source: ipamkit/usage  Time: 2026-11-23T20:00:00Z
	// [################....]  81.2%  vpc-0aaa  10.0.0.0/16  eu-west-1  12288 of 65536 free
}

func ExampleEMF() {
	// In AWS Lambda, EMF on os.Stdout is all it takes: CloudWatch Logs
	// extracts the metrics, with no PutMetricData call.
	emf := notify.NewEMF(os.Stdout)
	at := time.UnixMilli(1767323045000)
	ms := notify.ResourceMetrics([]notify.Resource{resource("vpc-0aaa", "10.0.0.0/16", 53248)}, at)
	if err := emf.PutMetrics(context.Background(), ms); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"_aws":{"Timestamp":1767323045000,"CloudWatchMetrics":[{"Namespace":"CUSTOM/IPAM","Dimensions":[["ResourceId"]],"Metrics":[{"Name":"PercentAssigned","Unit":"Percent"},{"Name":"IpAddressTotal","Unit":"Count"},{"Name":"IpAddressAvailable","Unit":"Count"}]}]},"ResourceId":"vpc-0aaa","PercentAssigned":81.25,"IpAddressTotal":65536,"IpAddressAvailable":12288}
}

func ExampleMulti() {
	failing := notify.NotifierFunc(func(context.Context, notify.Alert) error {
		return fmt.Errorf("connection refused")
	})
	m := notify.Multi{Notifiers: []notify.Notifier{
		notify.Named("pager", failing),
		notify.NewWriter(os.Stdout, func(o *notify.WriterOptions) { o.Text = notify.MustParseTemplate("{{.Title}}") }),
	}}
	// The writer still gets the alert; the error names the one that failed.
	err := m.Notify(context.Background(), alert())
	fmt.Println("error:", err)
	// Output:
	// 2 VPCs above 80% utilization
	// error: pager: connection refused
}

func ExampleNewSlack() {
	// A stand-in for https://hooks.slack.com/services/…
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("Slack got %d bytes of Block Kit\n", len(body))
	}))
	defer srv.Close()

	slack := notify.NewSlack(notify.WebhookURL(srv.URL+"/services/T000/B000/XXXX"), func(o *notify.SlackOptions) {
		o.MaxResources = 10
	})
	fmt.Println("posting to", slack) // the URL's path is a credential, so it is redacted
	if err := slack.Notify(context.Background(), alert()); err != nil {
		fmt.Println(err)
	}
	// Output is not checked: the server's address changes on every run.
}

func ExampleVerifySignature() {
	secret := notify.Secret("s3cr3t")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !notify.VerifySignature(secret, body, r.Header.Get(notify.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		fmt.Println("signature verified")
	}))
	defer srv.Close()

	hook := notify.NewWebhook(notify.WebhookURL(srv.URL+"/ipam"), func(o *notify.WebhookOptions) { o.Secret = secret })
	if err := hook.Notify(context.Background(), alert()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// signature verified
}

func ExampleWebhookURL() {
	u := notify.WebhookURL("https://hooks.slack.com/services/T000/B000/XXXX")
	fmt.Println(u)
	fmt.Printf("%#v\n", u)
	// Output:
	// https://hooks.slack.com/[redacted]
	// https://hooks.slack.com/[redacted]
}

func ExampleNewSNS() {
	var cfg aws.Config // from config.LoadDefaultConfig(ctx) in a real program
	topic := notify.NewSNS(sns.NewFromConfig(cfg), "arn:aws:sns:eu-west-1:012345678901:ipam-alerts")
	metrics := notify.NewCloudWatch(cloudwatch.NewFromConfig(cfg), func(o *notify.CloudWatchOptions) {
		o.Dimensions = []notify.Dimension{{Name: "Environment", Value: "prod"}}
	})

	ctx := context.Background()
	a := alert()
	if err := topic.Notify(ctx, a); err != nil {
		fmt.Println(err)
	}
	if err := metrics.PutMetrics(ctx, notify.ResourceMetrics(a.Resources, a.Time)); err != nil {
		fmt.Println(err)
	}
}
