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
// [Dimension] values; [ResourceMetrics] turns resources into the monitor
// sample's metrics (namespace [DefaultNamespace], [MetricPercentAssigned],
// [MetricIPAddressTotal], [MetricIPAddressAvailable], dimension
// [DimensionResourceID]), so existing alarms and dashboards keep working.
//
// # Interfaces
//
// Two one-method interfaces carry them: [Notifier] for alerts and
// [MetricSink] for metrics, with the adapters [NotifierFunc] and
// [MetricSinkFunc]. [Multi] delivers to several at once, keeps going when one
// fails, and returns the joined errors, each a [*SinkError] naming the
// target that failed.
//
// # Rendering
//
// Text renders through [text/template]: [DefaultTextTemplate] and
// [DefaultSubjectTemplate] are the defaults, and every type that writes text
// takes a [*Template] option to replace them.
package notify
