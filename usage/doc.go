// Package usage measures how full IP address space is across an AWS
// Organization and decides what deserves an alert.
//
// # Model
//
// A [Resource] is the utilization of one subnet, VPC, IPAM resource CIDR or
// IPAM pool: exact address counts ([github.com/ipamkit/ipamkit/ipam.Count]),
// the largest free block — headroom, which a percentage cannot show — and
// where it lives (account, region, VPC, pool). Its [Source] says whether the
// figures come from IPAM ([SourceIPAM]), from EC2 directly for space IPAM
// does not manage ([SourceEC2]), or from IPAM pools ([SourcePools]). A
// resource whose usage the source does not report is kept with Known false,
// never dropped and never a crash.
//
// A VPC or subnet that both SourceIPAM and SourceEC2 measure is one
// resource, not two: [NewReport] and [Merge] keep the SourceEC2 resource,
// whose figures are exact (a subnet's usable addresses, from EC2's own
// count; a VPC's largest free block), and copy into it what only IPAM
// knows: its pool, compliance, overlap and management state. A report
// thus has one resource, at most one finding and one set of metrics per
// ResourceId, and CloudWatch never averages two sources' values under one
// dimension. IPAM's records of other types (EIPs, public IPv4 and IPv6
// pools) and of resources EC2 did not scan stay as they are.
//
// # Policy and findings
//
// A [Policy] holds warning and critical thresholds in percent, with
// overrides per resource type and per resource through the tags
// [TagWarning], [TagCritical] and [TagIgnore], and a minimum size. The zero
// Policy is the monitor sample's: critical at [DefaultCritical] (80%). A
// resource at exactly a threshold reaches it. [Evaluate] turns resources into
// [Finding] values, worst first.
//
// # Reports
//
// A [Report] holds the resources, the findings, one [TargetError] per
// account and region that failed, and the scan's figures ([ScanInfo]). Its
// JSON form (camelCase, from the struct tags; counts as decimal strings;
// a "formatVersion" member, [FormatVersion]) is the contract with
// downstream workflows, pinned by a golden file (testdata/report.golden.json).
// It uses the words of [notify]: a finding's severity is a
// [notify.Severity], and an alert's resources carry the same member names
// (resourceId, accountId, available, …) as a report's. [Merge] combines reports of scans over disjoint
// targets into the report of one scan over all of them, so a large
// organization can be scanned in batches, for instance by a Step Functions
// distributed map, and merged at the end.
//
// [Report.WriteTable] and [Report.WriteCSV] render a report for people and
// spreadsheets, as ipamctl usage prints it: the findings first, worst
// first, then the other resources by utilization, and those of unknown
// usage last, never shown as ok. A [Resource] and a [Finding] print as one
// line that reads well in a log or a message ("critical at 80%:
// subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used
// (95.6%), largest free 10.0.0.248/29"). Text from AWS is escaped in both,
// and neutralised in CSV, so a Name tag cannot split a row, reach the
// terminal or become a spreadsheet formula.
//
// # Forecasting exhaustion
//
// [ForecastFrom] turns a resource's history of [Sample] values (time,
// used, total) into a [Forecast]: the growth in addresses a day, the date
// it runs out and a range for that date. The rate is the Theil–Sen
// estimator, the median of the slopes between every pair of samples, over
// a trailing window ([DefaultForecastWindow], 90 days, unless
// ForecastOptions.Window says otherwise) of at most 32 samples: it
// ignores outliers and a step change near either end. The range comes
// from Sen's 95% confidence interval of the rate. Counts are exact; only
// the rate is a float. The status says what the forecast found:
// [ForecastExhausts] (a date, never before the latest sample),
// [ForecastNotGrowing], [ForecastShrinking], [ForecastFull] (already out
// of addresses) or [ForecastInsufficientHistory] (fewer than 3 samples in
// the window, or since Total last changed: a CIDR added starts the history
// afresh, and TotalChanged says so).
//
// History comes from three collectors: [CloudWatchHistory] reads the
// metrics the monitor publishes (250 resources a GetMetricData call),
// [IPAMHistory] derives the use of VPCs and pools from IPAM's address
// history of their subnets and VPCs, and [ReportHistory] reads a directory
// of reports saved earlier. [Report.WithForecasts] gives every resource of
// a report its Forecast and applies Policy.Exhaustion ("runs out within N
// days", warning and critical, off in the zero Policy); an alert then leads
// with the date ("runs out in 9 days, about 2026-12-11"), and the metrics
// gain DaysToExhaustion. [ForecastAll] forecasts many resources on every
// core; a [Forecaster] reuses its buffers.
// [Report.WriteHTML] renders it as one self-contained page to open, share
// or attach to a ticket: the findings, an address-space map of every pool
// and VPC, the organization and pool trees, the failed targets; its size
// is bounded by [HTMLOptions].
//
// # Scanning an organization
//
// [ScanOrganization] (or an [OrganizationScanner] built once and run on a
// schedule) is the one call a platform tool makes: it finds the caller,
// chooses the targets — every active account of the organization, listed
// accounts, or the caller's own — in each region, reads the caller's own
// account with its own credentials and the others through a role, reads the
// IPAM where it lives and EC2 over the targets, and returns the merged
// report. A failed target is a [TargetError] in the report; only a scan
// that cannot start (caller or organization unreadable, no account to
// scan) is an error, a [*ScanError] that says as whom, where and what to
// do. Measuring nothing is never a success: where the IPAM sources find no
// IPAM, or no scope of the requested type, the target fails with a
// [*NoIPAMError], and the all-clear is sent only when at least one
// resource was measured and no target failed.
//
// [Report.Deliver] is the other half of that call: it sends the report's
// alert to every notifier of a [notify.Multi] when there is something to say
// (or the all-clear, when asked), the metrics of the findings or of every
// resource to every sink, and returns a [Delivery] that names each notifier
// or sink that failed, none of which stops the others. When the scan
// cannot start at all, [DeliverScanFailure] sends every notifier the
// critical [ScanFailedAlert] instead, with the reason and no credential:
// a dead monitor is heard, not silent.
//
// # Alerting on change
//
// A monitor run on a schedule need not repeat itself. [Compare] compares a
// report's findings with the previous run's [Snapshot], by resource and
// source, into a [Diff] of [Change] values: new, escalated (a higher
// severity, or a forecast that moved within a closer [ExhaustionDays] step), improved,
// resolved (below threshold, or gone), unverified (its target failed: never
// resolved by a failure) and unchanged, with a reminder due when a critical
// finding has been outstanding for [CompareOptions].RemindEvery. [Diff.Alert]
// says the changes first, then the count of unchanged findings, and nothing
// when there is nothing new, unless the scan was incomplete.
// [Report.DeliverChange] does it all with a [State]: it loads the previous
// snapshot, saves this run's with a compare-and-swap — so that of two
// overlapping runs only one alerts; the other gets [ErrStateConflict] — and
// only then sends. [FileState] keeps the state in a local file; package
// usage/s3state in an S3 object, with conditional writes.
//
// Underneath, a [Scanner] measures a given list of [Target] values with
// bounded concurrency, getting each target's client from a [ClientFactory]:
// [AWSClients] assumes each target's role once and caches its credentials.
// The collectors ([CollectEC2], [CollectIPAM], [CollectPools],
// [CollectDiscoveryFailures]) each take the smallest interface of
// *ec2.Client they call, so tests mock only what is used.
package usage
