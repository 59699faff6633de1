// Package notify delivers IP address alerts and metrics: to Amazon SNS,
// Amazon CloudWatch (PutMetricData or Embedded Metric Format), Amazon
// EventBridge, AWS Lambda, Slack, Microsoft Teams, any webhook, or an
// [io.Writer]. It is usable on its own by any Go service.
//
// # Model
//
// An [Alert] says what happened, how urgent it is ([Severity]), to which
// [Resource] values, with exact address counts ([ipam.Count]) and a
// utilization percentage. A [Metric] is one data point with a [Unit] and
// [Dimension] values. [ResourceMetrics] turns resources into the monitor
// sample's metrics: namespace [DefaultNamespace] ("CUSTOM/IPAM"),
// [MetricPercentAssigned], [MetricIPAddressTotal] and
// [MetricIPAddressAvailable] with the dimension [DimensionResourceID], so
// existing alarms and dashboards keep working.
//
// # Interfaces
//
// Two one-method interfaces carry them: [Notifier] for alerts and
// [MetricSink] for metrics, with the adapters [NotifierFunc] and
// [MetricSinkFunc]. [Multi] delivers to several at once, keeps going when one
// fails, and returns the joined errors, each a [*SinkError] naming the
// target that failed (by its String method, or as given to [Named]).
//
// # Destinations
//
//   - [Writer]: human text or JSON lines on any io.Writer.
//   - [EMF]: CloudWatch Embedded Metric Format lines, the cheap path in AWS
//     Lambda: print to stdout and CloudWatch Logs extracts the metrics.
//   - [CloudWatch]: PutMetricData, in the fewest requests the limits allow
//     (1000 metrics, 1 MB).
//   - [SNS]: a topic, with a clean subject, a severity attribute for
//     subscription filters, messages split rather than refused when over
//     the size limit, and FIFO group and deduplication ids.
//   - [EventBridge]: events with source [EventSource] and detail-type
//     [EventDetailType], batched by 10 and under 1 MB, failed entries
//     retried and reported.
//   - [Lambda]: the alert as the JSON payload of a function, synchronous or
//     asynchronous.
//   - [Slack], [Teams] and [Webhook]: HTTP posts of Block Kit, an Adaptive
//     Card or the alert JSON (signed with HMAC-SHA256 when given a
//     [Secret]).
//
// The AWS destinations take the narrow interfaces [SNSAPI], [CloudWatchAPI],
// [EventBridgeAPI] and [LambdaAPI], which the aws-sdk-go-v2 clients
// satisfy, so tests can pass mocks. Throttling and transient errors of
// those calls are retried by the SDK client's own retryer.
//
// A program whose configuration names its destinations (flags,
// environment variables) lists them as [Spec] values and builds them all
// with [NewMulti], from one aws.Config.
//
// # Limits
//
// Every destination stays within its service's limits instead of failing:
// Slack messages keep under 50 blocks, 3000 characters per section and
// 10,000 characters in all; Teams cards under 20,000 bytes; both show the
// fullest resources first and end with a "+N more" line. Payloads that
// cannot be split or shortened (one EventBridge event of 1 MB, a Lambda
// payload over 6 MB) are refused before any call with [ErrTooLarge].
// Metrics that CloudWatch would refuse are refused, all of them named,
// before anything is sent ([ErrInvalidMetric]).
//
// # Rendering
//
// The types that write text take a [Renderer] option. The defaults,
// [DefaultText] and [DefaultSubject], are plain Go; a [RendererFunc] can
// wrap them or replace them. A [*Template] is a Renderer too, for callers
// who would rather write a [text/template]: [DefaultTextTemplate] and
// [DefaultSubjectTemplate] render the defaults, and templates can draw
// utilization bars and "+N more" tails with the functions listed at
// [Template]. Templates are opt-in because of what they cost: a program
// that executes one keeps every exported method of the SDK clients it
// links, tens of megabytes (see [Template]).
//
// # Credentials
//
// Webhook URLs carry credentials in their path, so they travel as
// [WebhookURL], which redacts itself in strings, %#v and log records, and
// no error of this package contains one. HMAC keys travel as [Secret].
// HTTP delivery ([HTTPOptions]) has a timeout by default and retries 429
// and 5xx answers a bounded number of times, honouring Retry-After.
//
// # Concurrency
//
// Every type is safe for concurrent use once constructed. Options are
// read at construction: later changes to an options struct have no effect.
package notify
