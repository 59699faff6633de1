package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// alertSource is the Source of the alerts the function sends.
const alertSource = "ipamkit monitor-lambda"

// Response is what Handle returns: the monitor sample's body (Message,
// IpamResourceCidrs) extended with the whole report. It only ever gains
// fields.
type Response struct {
	// Message is the alert as text, as the SNS message renders it; when
	// nothing is over threshold and no target failed, the all-clear text.
	// (The sample's was a "ResourceId;Owner;percent;total;available," list,
	// empty when all was well.)
	Message string `json:"Message"`
	// IpamResourceCidrs are the findings, worst first, one record per
	// resource over a threshold from every source, with the sample's field
	// names; never null.
	IpamResourceCidrs []ResourceCIDR `json:"IpamResourceCidrs"`
	// Report is the scan's usage.Report: every resource, the findings, the
	// failed and unscanned targets, the scan's figures.
	Report usage.Report `json:"Report"`
	// NotifyErrors names each notifier or metrics sink that failed, with
	// its error, which holds no credential. Empty when all went well.
	NotifyErrors []string `json:"NotifyErrors,omitempty"`
	// HTMLReport are the s3:// URLs of the scan's HTML page, when
	// IPAMKIT_REPORT_BUCKET names a bucket; HTMLReportError says why it
	// could not be written.
	HTMLReport      []string `json:"HtmlReport,omitempty"`
	HTMLReportError string   `json:"HtmlReportError,omitempty"`
}

// ResourceCIDR is one resource over a threshold, in the shape of the
// records of GetIpamResourceCidrs that the sample returned, with the
// sample's IpAddressTotal and IpAddressAvailable. Those two are exact
// integers (JSON numbers of any size: an IPv6 count can exceed 2^53); IpUsage
// is a fraction from 0 to 1, as in the API. The fields after them are new.
type ResourceCIDR struct {
	ResourceID         string        `json:"ResourceId"`
	ResourceType       string        `json:"ResourceType"`
	ResourceCIDR       string        `json:"ResourceCidr"`
	ResourceRegion     string        `json:"ResourceRegion"`
	ResourceOwnerID    string        `json:"ResourceOwnerId"`
	ResourceName       string        `json:"ResourceName,omitempty"`
	VPCID              string        `json:"VpcId,omitempty"`
	IPAMPoolID         string        `json:"IpamPoolId,omitempty"`
	ResourceTags       []ResourceTag `json:"ResourceTags,omitempty"`
	IPUsage            float64       `json:"IpUsage"`
	ComplianceStatus   string        `json:"ComplianceStatus,omitempty"`
	OverlapStatus      string        `json:"OverlapStatus,omitempty"`
	ManagementState    string        `json:"ManagementState,omitempty"`
	IPAddressTotal     json.Number   `json:"IpAddressTotal"`
	IPAddressAvailable json.Number   `json:"IpAddressAvailable"`

	ResourceCIDRs []string `json:"ResourceCidrs,omitempty"` // every CIDR measured together, when several
	Source        string   `json:"Source"`                  // ipam, pools or ec2
	Severity      string   `json:"Severity"`                // warning or critical
	Threshold     float64  `json:"Threshold"`               // the threshold reached, in percent
	LargestFree   string   `json:"LargestFree,omitempty"`   // the largest free CIDR of a VPC or pool
}

// ResourceTag is a tag, as the EC2 API writes it.
type ResourceTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// handlerOptions configures newHandler. The zero value writes EMF to
// os.Stdout, discards log records and delivers webhooks with notify's HTTP
// defaults.
type handlerOptions struct {
	Stdout io.Writer          // EMF lines; nil means os.Stdout
	Logger *slog.Logger       // nil discards records
	HTTP   notify.HTTPOptions // delivery to Slack, Teams and the webhook
	Now    func() time.Time   // nil means time.Now
	S3     s3API              // the HTML report's bucket; nil means an S3 client of the configuration
}

// handler runs the monitor. It is built once per container by newHandler,
// with its clients and credentials, and is safe for concurrent use.
type handler struct {
	cfg     Config
	regions []string // scanned by the ec2 source, for the logs

	scanner   *usage.OrganizationScanner
	notifiers notify.Multi // the notifiers of alerts and the sinks of metrics
	state     usage.State  // the previous run's findings; nil alerts on every run (handler_state.go)
	forecast  *forecaster  // nil without IPAMKIT_FORECAST
	s3        s3API        // nil when no HTML report is kept

	log *slog.Logger
	now func() time.Time
}

// newHandler builds the handler from awsCfg and c: it fetches the webhook
// credentials from SSM and Secrets Manager, makes every client, once, and
// finds the function's account (sts:GetCallerIdentity); when that fails,
// the notifiers get a "scan failed" alert before the error is returned. It reports every
// credential that cannot be fetched or is not usable in one error, which
// never contains a credential.
func newHandler(ctx context.Context, awsCfg aws.Config, c Config, optFns ...func(*handlerOptions)) (*handler, error) {
	var o handlerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &handler{cfg: c, log: o.Logger, now: o.Now, regions: c.Regions}
	if c.ReportBucket != "" {
		h.s3 = o.S3
		if h.s3 == nil {
			h.s3 = s3.NewFromConfig(awsCfg)
		}
	}
	if len(h.regions) == 0 {
		if awsCfg.Region == "" {
			return nil, errNoRegion
		}
		h.regions = []string{awsCfg.Region}
	}
	var err error
	h.scanner, err = usage.NewOrganizationScanner(awsCfg, func(so *usage.OrganizationScanOptions) {
		so.Organization, so.Accounts, so.Regions, so.IPAMRegion = c.Organization, c.Accounts, h.regions, c.IPAMRegion
		so.RoleName, so.ExternalID, so.SessionName = c.RoleName, c.ExternalID, "ipamkit-monitor"
		so.Sources, so.IPAM, so.Policy = c.Sources, usage.IPAMOptions{ScopeType: c.ScopeType, ResourceTypes: c.ResourceTypes}, c.Policy()
		so.Concurrency, so.DeadlineMargin, so.Logger = c.Concurrency, c.DeadlineMargin, o.Logger
	})
	if err != nil {
		return nil, err
	}
	h.forecast = newForecaster(awsCfg, c, h.regions)
	h.notifiers, err = c.Notifiers(ctx, awsCfg, func(no *monitorenv.NotifierOptions) {
		no.Filters, no.HTTP, no.Writer, no.Logger = c.State.Filters, o.HTTP, o.Stdout, o.Logger
	})
	if err != nil {
		return nil, err
	}
	h.state = c.State.newState(awsCfg)
	// Fail at cold start, not at every invocation, and say so to the
	// notifiers: a monitor that cannot scan must not fall silent.
	if _, err := h.scanner.Caller(ctx); err != nil {
		return nil, h.scanFailed(ctx, h.log, err)
	}
	return h, nil
}

// scanFailed sends the "scan failed" alert of err to every notifier, logs
// what was delivered, and returns err, joined with the notifiers' failures
// when every one failed.
func (h *handler) scanFailed(ctx context.Context, log *slog.Logger, err error) error {
	log.LogAttrs(ctx, slog.LevelError, "scan failed", slog.String("error", err.Error()))
	d := usage.DeliverScanFailure(ctx, h.notifiers, err, h.now(), func(o *usage.DeliverOptions) { o.Source = alertSource })
	h.logDelivery(ctx, log, d)
	if d.AllNotifiersFailed() {
		var errs []string
		for _, f := range d.NotifyErrors {
			errs = append(errs, f.Error())
		}
		return fmt.Errorf("%w; scan failure not delivered, every notifier failed: %s", err, strings.Join(errs, "; "))
	}
	return err
}

// Handle runs one scan: it measures the configured sources, sends an alert
// to every notifier when a resource is over a threshold or a target failed
// (or an all-clear when asked), sends the metrics, and returns the
// Response. The event is any invocation payload, usually an EventBridge
// scheduled event; only its id, source and detail-type are read, to be
// logged.
//
// Near the invocation's deadline (cfg.DeadlineMargin before it) the scan
// starts no more targets and stops those still running; those are
// reported as not scanned (usage.ErrNotScanned) and the alert goes out,
// in the margin, with what was measured.
//
// Handle returns an error only when nothing useful was done: the accounts
// of the organization could not be listed — every notifier then gets a
// critical "scan failed" alert with the reason (usage.DeliverScanFailure)
// — or an alert was due and every notifier failed. A retry then cannot deliver anything twice. A failure of
// some notifiers or of the metrics is logged and listed in
// Response.NotifyErrors instead: a retry would repeat what was delivered.
func (h *handler) Handle(ctx context.Context, event json.RawMessage) (Response, error) {
	log := h.start(ctx, event)
	rep, err := h.scanner.Scan(ctx)
	if err != nil {
		return Response{}, h.scanFailed(ctx, log, err) // still an error: the invocation failed
	}
	rep = h.forecast.apply(ctx, log, rep)
	h.logScan(ctx, log, rep)

	d := h.deliver(ctx, log, rep)
	resp := Response{Message: notify.DefaultText(d.Alert), Report: rep, IpamResourceCidrs: make([]ResourceCIDR, 0, len(rep.Findings))}
	for _, f := range rep.Findings {
		resp.IpamResourceCidrs = append(resp.IpamResourceCidrs, resourceCIDR(f))
	}
	for _, f := range d.Failures() { // notify's errors hold no credential
		resp.NotifyErrors = append(resp.NotifyErrors, f.Error())
	}
	h.logDelivery(ctx, log, d)
	if h.s3 != nil { // after the alert: a slow bucket must not delay it
		var err error
		if resp.HTMLReport, err = h.putReport(ctx, log, rep); err != nil {
			resp.HTMLReportError = err.Error()
			log.LogAttrs(ctx, slog.LevelError, "HTML report not written", slog.String("error", err.Error()))
		}
	}
	if d.AllNotifiersFailed() {
		notifiers := resp.NotifyErrors[:len(d.NotifyErrors)] // before the sinks'
		return resp, fmt.Errorf("alert not delivered, every notifier failed: %s", strings.Join(notifiers, "; "))
	}
	return resp, nil
}

// start returns the invocation's logger, with the event's and the
// request's IDs, and logs the start of the scan.
func (h *handler) start(ctx context.Context, event json.RawMessage) *slog.Logger {
	log := h.log
	var ev events.CloudWatchEvent
	if json.Unmarshal(event, &ev) == nil && ev.ID != "" {
		log = log.With("event_id", ev.ID, "event_source", ev.Source, "detail_type", ev.DetailType)
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	attrs := []slog.Attr{slog.Any("sources", h.cfg.Sources), slog.Any("regions", h.regions)}
	d, hasDeadline := ctx.Deadline()
	if hasDeadline {
		attrs = append(attrs, slog.Duration("time_left", d.Sub(h.now())))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "scan started", attrs...)
	if left := d.Sub(h.now()); hasDeadline && left < 2*h.cfg.DeadlineMargin {
		log.LogAttrs(ctx, slog.LevelWarn, "little time to scan: raise the function's timeout or lower "+monitorenv.EnvDeadlineMargin,
			slog.Duration("time_left", left), slog.Duration("deadline_margin", h.cfg.DeadlineMargin))
	}
	return log
}

// logScan logs the scan's figures, and warns of targets not scanned.
func (h *handler) logScan(ctx context.Context, log *slog.Logger, rep usage.Report) {
	notScanned := 0
	for _, te := range rep.Errors {
		if errors.Is(te, usage.ErrNotScanned) {
			notScanned++
		}
	}
	log.LogAttrs(ctx, slog.LevelInfo, "scan finished",
		slog.Int("targets", rep.Scan.Targets), slog.Int("resources", len(rep.Resources)),
		slog.Int("findings", len(rep.Findings)), slog.Int("failed_targets", len(rep.Errors)-notScanned),
		slog.Int("not_scanned", notScanned), slog.Int("api_calls", rep.Scan.APICalls),
		slog.Duration("took", rep.Scan.Duration()))
	if notScanned > 0 {
		log.LogAttrs(ctx, slog.LevelWarn, "deadline near: targets not scanned",
			slog.Int("not_scanned", notScanned), slog.Duration("deadline_margin", h.cfg.DeadlineMargin))
	}
}

// logDelivery logs what d delivered and each failure. Of the alert it
// logs nothing when every notifier failed: Handle returns that error.
func (h *handler) logDelivery(ctx context.Context, log *slog.Logger, d usage.Delivery) {
	if d.Notified > 0 {
		for _, f := range d.NotifyErrors {
			log.LogAttrs(ctx, slog.LevelError, "notification failed", slog.String("error", f.Error()))
		}
		log.LogAttrs(ctx, slog.LevelInfo, "alert sent", slog.String("severity", d.Alert.Severity.String()),
			slog.Int("resources", len(d.Alert.Resources)), slog.Int("notifiers", d.Notified))
	}
	for _, f := range d.MetricErrors {
		log.LogAttrs(ctx, slog.LevelError, "metrics failed", slog.String("error", f.Error()))
	}
	if d.Metrics > 0 && len(d.MetricErrors) == 0 {
		log.LogAttrs(ctx, slog.LevelInfo, "metrics sent", slog.Int("metrics", d.Metrics))
	}
}

// resourceCIDR returns the sample's record of a finding.
func resourceCIDR(f usage.Finding) ResourceCIDR {
	r := f.Resource
	rc := ResourceCIDR{
		ResourceID:         r.ID,
		ResourceType:       string(r.Type),
		ResourceCIDR:       r.CIDR.String(),
		ResourceRegion:     r.Region,
		ResourceOwnerID:    r.AccountID,
		ResourceName:       r.Name,
		VPCID:              r.VPCID,
		IPAMPoolID:         r.PoolID,
		IPUsage:            r.Percent() / 100,
		ComplianceStatus:   r.ComplianceStatus,
		OverlapStatus:      r.OverlapStatus,
		ManagementState:    r.ManagementState,
		IPAddressTotal:     json.Number(r.Total.String()),
		IPAddressAvailable: json.Number(r.Available.String()),
		Source:             string(r.Source),
		Severity:           f.Severity.String(),
		Threshold:          f.Threshold,
	}
	if len(r.CIDRs) > 1 {
		for _, p := range r.CIDRs {
			rc.ResourceCIDRs = append(rc.ResourceCIDRs, p.String())
		}
	}
	if r.LargestFree.IsValid() {
		rc.LargestFree = r.LargestFree.String()
	}
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rc.ResourceTags = append(rc.ResourceTags, ResourceTag{Key: k, Value: r.Tags[k]})
	}
	return rc
}
