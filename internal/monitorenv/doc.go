// Package monitorenv reads the settings that the monitor Lambdas share
// (examples/monitor-lambda and examples/scan-map-lambda) from their
// environment: the thresholds, what is measured and where, the role to
// assume, SNS, Slack, Teams and the signed webhook, the metrics and the
// concurrency. Each Lambda reads its own settings beside them.
//
// The names, defaults and error messages are the monitor sample's where it
// had the variable, so that a deployment moves from one function to the
// other with its settings. Credentials are never in a variable: the
// variables name an SSM SecureString or a Secrets Manager secret, which
// [Settings.Notifiers] fetches once, at cold start.
package monitorenv
