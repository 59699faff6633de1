package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
)

// alertSource is the Source of the alerts the merge step sends.
const alertSource = "ipamkit scan-map-lambda"

// Where the functions keep their objects in the bucket. The state
// machine's ResultWriter writes under resultsPrefix; the template's IAM
// policies grant each function exactly its prefixes.
const (
	targetsPrefix = "targets/" // the list step's targets, read by the map's ItemReader
	partialPrefix = "partial/" // the scan step's reports too large to return inline
	resultsPrefix = "results/" // the map's ResultWriter: manifest.json, SUCCEEDED_n.json, FAILED_n.json
)

// defaultInlineLimit is the largest report a scan step returns inline, in
// bytes of JSON. Step Functions limits a state's input and output to 256
// KiB (262,144 bytes) of UTF-8; the rest is headroom for the wrapper.
const defaultInlineLimit = 200 << 10

// s3API is the part of *s3.Client the functions call.
type s3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ s3API = (*s3.Client)(nil)

// handlerOptions configures newHandler. The zero value builds an S3 client
// from the AWS configuration, writes EMF to os.Stdout and discards log
// records.
type handlerOptions struct {
	S3          s3API            // nil means s3.NewFromConfig
	Stdout      io.Writer        // EMF lines; nil means os.Stdout
	Logger      *slog.Logger     // nil discards records
	Now         func() time.Time // nil means time.Now
	InlineLimit int              // zero means defaultInlineLimit
	// HTTP is the delivery of the merge step to Slack, Teams and the
	// webhook.
	HTTP notify.HTTPOptions
}

// handler runs one step of the state machine. It is built once per
// container by newHandler and is safe for concurrent use.
type handler struct {
	cfg     Config
	s3      s3API
	scanner *usage.OrganizationScanner // list and scan
	notify  notify.Multi               // merge
	log     *slog.Logger
	now     func() time.Time
	inline  int
}

// newHandler builds the handler of c.Step from awsCfg: the organization
// scanner of the list and scan steps, whose caller it finds at once
// (sts:GetCallerIdentity) so that bad credentials fail the cold start, and
// the notifiers of the merge step, whose webhook credentials it fetches
// once from SSM and Secrets Manager (monitorenv.Settings.Notifiers).
func newHandler(ctx context.Context, awsCfg aws.Config, c Config, optFns ...func(*handlerOptions)) (*handler, error) {
	var o handlerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.S3 == nil {
		o.S3 = s3.NewFromConfig(awsCfg)
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
	if o.InlineLimit <= 0 {
		o.InlineLimit = defaultInlineLimit
	}
	h := &handler{cfg: c, s3: o.S3, log: o.Logger, now: o.Now, inline: o.InlineLimit}
	switch c.Step {
	case stepList, stepScan:
		regions := c.Regions
		if len(regions) == 0 {
			if awsCfg.Region == "" {
				return nil, errNoRegion
			}
			regions = []string{awsCfg.Region}
		}
		var err error
		h.scanner, err = usage.NewOrganizationScanner(awsCfg, func(so *usage.OrganizationScanOptions) {
			so.Organization, so.Accounts, so.Regions = c.Organization, c.Accounts, regions
			so.IPAMAccount, so.IPAMRegion = c.IPAMAccount, c.IPAMRegion
			so.RoleName, so.ExternalID, so.SessionName = c.RoleName, c.ExternalID, "ipamkit-scan-map"
			so.Sources, so.IPAM, so.Policy = c.Sources, usage.IPAMOptions{ScopeType: c.ScopeType, ResourceTypes: c.ResourceTypes}, c.Policy()
			so.Concurrency, so.DeadlineMargin, so.Logger = c.Concurrency, c.DeadlineMargin, o.Logger
		})
		if err != nil {
			return nil, err
		}
		if _, err := h.scanner.Caller(ctx); err != nil {
			return nil, err
		}
	case stepMerge:
		var err error
		h.notify, err = c.Notifiers(ctx, awsCfg, func(no *monitorenv.NotifierOptions) {
			no.HTTP, no.Writer, no.Logger = o.HTTP, o.Stdout, o.Logger
		})
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s %q: want list, scan or merge", envStep, c.Step)
	}
	return h, nil
}

// invocationLog returns the logger of one invocation, with its request
// ID.
func (h *handler) invocationLog(ctx context.Context) *slog.Logger {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return h.log.With("request_id", lc.AwsRequestID)
	}
	return h.log
}

// executionPattern is what an execution name may hold, as a key part.
var executionPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,80}$`)

// listInput is the list step's event: the state machine passes its
// execution's name ($$.Execution.Name), which names the run's objects.
type listInput struct {
	Execution string `json:"execution"`
}

// listOutput is the list step's result, the input of the Map state: where
// the targets are, for its ItemReader, and how many.
type listOutput struct {
	Bucket  string `json:"bucket"`
	Key     string `json:"key"`
	Targets int    `json:"targets"`
}

// List lists the targets of the scan (usage.OrganizationScanner.Items: the
// IPAM's account and region, then every account and region of the ec2
// source) and writes them, as a JSON array, to the bucket for the map's
// ItemReader: inline, 5,000 targets would pass the 256 KiB a state's output
// may hold. Its error, when the caller or the organization's accounts
// cannot be read, is caught by the state machine and reported by the
// merge step as a failed scan.
func (h *handler) List(ctx context.Context, in listInput) (listOutput, error) {
	log := h.invocationLog(ctx)
	if !executionPattern.MatchString(in.Execution) {
		return listOutput{}, fmt.Errorf("list: execution %q: want the execution's name, 1 to 80 letters, digits or _.- (the state machine passes $$.Execution.Name)", in.Execution)
	}
	items, err := h.scanner.Items(ctx)
	if err != nil {
		return listOutput{}, fmt.Errorf("list: %w", err)
	}
	body, err := json.Marshal(items)
	if err != nil {
		return listOutput{}, fmt.Errorf("list: %w", err)
	}
	out := listOutput{Bucket: h.cfg.Bucket, Key: targetsPrefix + in.Execution + ".json", Targets: len(items)}
	if err := h.put(ctx, out.Key, body); err != nil {
		return listOutput{}, fmt.Errorf("list: %w", err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "targets listed", slog.Int("targets", len(items)), slog.String("key", out.Key))
	return out, nil
}

// batchInput is the scan step's event: what the Map state's ItemBatcher
// gives each child, the items of the batch and the BatchInput.
type batchInput struct {
	Items      []usage.ScanItem `json:"Items"`
	BatchInput struct {
		Execution string `json:"execution"`
	} `json:"BatchInput"`
}

// batchOutput is the scan step's result: the batch's report inline, or
// the key of the object that holds it when it is too large for a state's
// output.
type batchOutput struct {
	Report    *usage.Report `json:"report,omitempty"`
	ReportKey string        `json:"reportKey,omitempty"`
	Targets   int           `json:"targets"`
	Failed    int           `json:"failed"`
}

// Scan scans the batch's items (usage.OrganizationScanner.ScanItems, the
// monitor's scan over exactly these targets) and returns the report,
// inline when its JSON is within the inline limit and otherwise written
// to the bucket under partial/, named by the execution and a hash of the
// batch, so that a retried batch overwrites its own report. A target that
// fails is a failed target in the report; Scan returns an error only for
// a batch it cannot scan at all, which the merge step then reports as
// failed targets.
func (h *handler) Scan(ctx context.Context, in batchInput) (batchOutput, error) {
	log := h.invocationLog(ctx)
	rep, err := h.scanner.ScanItems(ctx, in.Items)
	if err != nil {
		return batchOutput{}, fmt.Errorf("scan: %w", err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "batch scanned", slog.Int("targets", rep.Scan.Targets), slog.Int("resources", len(rep.Resources)),
		slog.Int("failed_targets", len(rep.Errors)), slog.Int("api_calls", rep.Scan.APICalls), slog.Duration("took", rep.Scan.Duration()))
	out := batchOutput{Targets: rep.Scan.Targets, Failed: len(rep.Errors)}
	body, err := json.Marshal(rep)
	if err != nil {
		return batchOutput{}, fmt.Errorf("scan: %w", err)
	}
	if len(body) <= h.inline {
		out.Report = &rep
		return out, nil
	}
	if !executionPattern.MatchString(in.BatchInput.Execution) {
		return batchOutput{}, fmt.Errorf("scan: BatchInput.execution %q: want the execution's name (the state machine passes $$.Execution.Name)", in.BatchInput.Execution)
	}
	items, _ := json.Marshal(in.Items) // cannot fail: it was just decoded
	sum := sha256.Sum256(items)
	out.ReportKey = partialPrefix + in.BatchInput.Execution + "/" + hex.EncodeToString(sum[:16]) + ".json"
	if err := h.put(ctx, out.ReportKey, body); err != nil {
		return batchOutput{}, fmt.Errorf("scan: %w", err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "report written", slog.Int("bytes", len(body)), slog.String("key", out.ReportKey))
	return out, nil
}

// put writes body to key in the bucket.
func (h *handler) put(ctx context.Context, key string, body []byte) error {
	_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(h.cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("write %q in bucket %s: %w", key, h.cfg.Bucket, err)
	}
	return nil
}

// get returns the object key of the bucket; the caller closes it.
func (h *handler) get(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if bucket != h.cfg.Bucket {
		return nil, fmt.Errorf("read %q in bucket %s: not the bucket of %s (%s)", key, bucket, envBucket, h.cfg.Bucket)
	}
	out, err := h.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("read %q in bucket %s: %w", key, bucket, err)
	}
	return out.Body, nil
}

// stateError is the error a Catch of the state machine records, at the
// ResultPath of the state that failed.
type stateError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// String returns "Error: Cause", or "Error" when there is no cause.
func (e stateError) String() string {
	if e.Cause == "" {
		return e.Error
	}
	return e.Error + ": " + e.Cause
}

// mergeInput is the merge step's event: the list step's output, with the
// Map state's at "map" (its ResultWriter's manifest, or the error its
// Catch recorded), or the list step's error at "failure".
type mergeInput struct {
	listOutput
	Map     *mapOutput  `json:"map,omitempty"`
	Failure *stateError `json:"failure,omitempty"`
}

// mapOutput is what a Map state with a ResultWriter outputs, or, when it
// failed, the error its Catch recorded.
type mapOutput struct {
	MapRunARN           string `json:"MapRunArn"`
	ResultWriterDetails *struct {
		Bucket string `json:"Bucket"`
		Key    string `json:"Key"`
	} `json:"ResultWriterDetails"`
	stateError
}

// Response is what the merge step returns, the state machine's output:
// the alert's text and the scan's figures. The report itself stays out:
// a state's output holds at most 256 KiB.
type Response struct {
	// Message is the alert as text; when nothing is over threshold and no
	// target failed, the all-clear text.
	Message string `json:"Message"`
	// Severity is the alert's: info, warning or critical.
	Severity string `json:"Severity"`
	// Targets, Resources, Findings and FailedTargets count the merged
	// report's.
	Targets       int `json:"Targets"`
	Resources     int `json:"Resources"`
	Findings      int `json:"Findings"`
	FailedTargets int `json:"FailedTargets"`
	// FailedBatches counts the batches whose targets failed together.
	FailedBatches int `json:"FailedBatches"`
	// NotifyErrors names each notifier or metrics sink that failed.
	NotifyErrors []string `json:"NotifyErrors,omitempty"`
}

// maxMessage bounds Response.Message, so the state's output stays far
// below 256 KiB however many resources the alert lists.
const maxMessage = 32 << 10

// Merge reads the map's results, merges the partial reports into one, in
// which every target of a failed or unrun batch is a failed target,
// evaluates the policy once over the merged resources, and notifies once:
// the alert (or the all-clear, when asked) to every notifier and the
// metrics to the sink. When the list step or the whole map failed, it
// sends the "scan failed" alert instead.
//
// Results that cannot be read at all (the targets, the manifest, a result
// file) give the "scan failed" alert; a child's report that cannot be read
// makes its batch a failed batch. Merge returns an error only when every
// notifier failed: nothing was said, and a retry cannot say it twice.
func (h *handler) Merge(ctx context.Context, in mergeInput) (Response, error) {
	log := h.invocationLog(ctx)
	rep, batches, err := h.merge(ctx, in)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelError, "scan failed", slog.String("error", err.Error()))
		d := usage.DeliverScanFailure(ctx, h.notify, err, h.now(), func(o *usage.DeliverOptions) { o.Source = alertSource })
		resp := Response{Message: notify.DefaultText(d.Alert), Severity: d.Alert.Severity.String()}
		for _, f := range d.Failures() {
			resp.NotifyErrors = append(resp.NotifyErrors, f.Error())
		}
		if d.AllNotifiersFailed() {
			return resp, fmt.Errorf("%w; scan failure not delivered, every notifier failed: %s", err, strings.Join(resp.NotifyErrors, "; "))
		}
		return resp, nil // said: a retry would say it twice
	}
	log.LogAttrs(ctx, slog.LevelInfo, "reports merged", slog.Int("targets", rep.Scan.Targets), slog.Int("resources", len(rep.Resources)),
		slog.Int("findings", len(rep.Findings)), slog.Int("failed_targets", len(rep.Errors)), slog.Int("failed_batches", batches))
	d := rep.Deliver(ctx, h.notify, func(o *usage.DeliverOptions) {
		o.Source, o.AllClear, o.Metrics = alertSource, h.cfg.AllClear, h.cfg.Metrics
	})
	resp := Response{
		Message: notify.DefaultText(d.Alert), Severity: d.Alert.Severity.String(), Targets: rep.Scan.Targets,
		Resources: len(rep.Resources), Findings: len(rep.Findings), FailedTargets: len(rep.Errors), FailedBatches: batches,
	}
	if len(resp.Message) > maxMessage {
		resp.Message = strings.ToValidUTF8(resp.Message[:maxMessage], "") + "…"
	}
	for _, f := range d.Failures() {
		resp.NotifyErrors = append(resp.NotifyErrors, f.Error())
	}
	for _, f := range d.NotifyErrors {
		log.LogAttrs(ctx, slog.LevelError, "notification failed", slog.String("error", f.Error()))
	}
	for _, f := range d.MetricErrors {
		log.LogAttrs(ctx, slog.LevelError, "metrics failed", slog.String("error", f.Error()))
	}
	if d.AllNotifiersFailed() {
		return resp, fmt.Errorf("alert not delivered, every notifier failed: %s", strings.Join(resp.NotifyErrors[:len(d.NotifyErrors)], "; "))
	}
	return resp, nil
}

// Errors of the merge step's targets that no batch scanned.
var (
	// errBatchFailed is wrapped by the error of every target of a batch
	// whose child execution failed.
	errBatchFailed = errors.New("batch failed")
	// errNotRun is wrapped by the error of every target whose batch the
	// map never ran or never reported.
	errNotRun = errors.New("batch not run")
)

// batchError is the error of a target that no batch scanned: its batch
// failed (errBatchFailed, with the child execution's error and cause) or
// never ran (errNotRun). Its code, in the report's JSON and the alert, is
// BatchFailed or BatchNotRun.
type batchError struct {
	kind  error // errBatchFailed or errNotRun
	cause string
}

func (e *batchError) Error() string { return e.kind.Error() + ": " + e.cause }
func (e *batchError) Unwrap() error { return e.kind }

// ErrorCode returns BatchFailed or BatchNotRun.
func (e *batchError) ErrorCode() string {
	if e.kind == errNotRun {
		return "BatchNotRun"
	}
	return "BatchFailed"
}

// merge returns the merged report of in and the number of failed batches,
// or the error that left nothing to merge.
func (h *handler) merge(ctx context.Context, in mergeInput) (usage.Report, int, error) {
	if in.Failure != nil {
		return usage.Report{}, 0, fmt.Errorf("list targets: %s", in.Failure)
	}
	items, err := h.readItems(ctx, in.Bucket, in.Key)
	if err != nil {
		return usage.Report{}, 0, err
	}
	var (
		reports []usage.Report
		failed  int
		left    = newItemSet(items)
	)
	switch {
	case in.Map == nil:
		return usage.Report{}, 0, errors.New("merge: the event has no map result: want the Map state's output at $.map")
	case in.Map.ResultWriterDetails == nil:
		// The map failed as a whole (its Catch recorded the error): no
		// batch's result was written.
		return usage.Report{}, 0, fmt.Errorf("scan batches: %s", in.Map.stateError)
	}
	err = h.readResults(ctx, in.Map.ResultWriterDetails.Bucket, in.Map.ResultWriterDetails.Key, func(r result) error {
		var batch batchInput
		if err := json.Unmarshal([]byte(r.Input), &batch); err != nil {
			return fmt.Errorf("input of %s: %w", r.name(), err)
		}
		left.remove(batch.Items)
		if r.Status != "SUCCEEDED" {
			failed++
			reports = append(reports, usage.FailedReport(batch.Items, &batchError{errBatchFailed, r.stateError.String()}))
			return nil
		}
		rep, err := h.batchReport(ctx, r)
		if err != nil {
			// The batch ran but its report cannot be read: its targets
			// failed, the other batches still count.
			failed++
			rep = usage.FailedReport(batch.Items, &batchError{errBatchFailed, err.Error()})
		}
		reports = append(reports, rep)
		return nil
	})
	if err != nil {
		return usage.Report{}, 0, err
	}
	if rest := left.items(); len(rest) > 0 {
		reports = append(reports, usage.FailedReport(rest, &batchError{errNotRun, "the map stopped before its batch ran"}))
	}
	rep, err := h.evaluate(reports...)
	if err != nil {
		return usage.Report{}, 0, err
	}
	return rep, failed, nil
}

// evaluate merges reports and evaluates the policy, once, over the merged
// resources: the findings do not depend on how the targets were batched.
func (h *handler) evaluate(reports ...usage.Report) (usage.Report, error) {
	m := usage.Merge(reports...)
	return usage.NewReport(m.Resources, m.Errors, m.Scan, h.cfg.Policy())
}
