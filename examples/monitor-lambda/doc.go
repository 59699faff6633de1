// Command monitor-lambda is an AWS Lambda function, run on a schedule by an
// Amazon EventBridge rule, that measures how full IP address space is and
// alerts before it runs out: the monitor sample (aws-ipam-monitor-app) done
// right. It reads the sample's environment variables with the sample's
// defaults, so an existing deployment keeps its settings, alarms and
// downstream consumers.
//
// It measures, with package usage, the resource CIDRs that IPAM computes
// (every scope of the type, every page, IPv4 and IPv6), optionally the IPAM
// pools and, from EC2 itself, the VPCs and subnets of any number of accounts
// and regions, space IPAM manages or not. What reaches a threshold goes, as
// one alert, to SNS, Slack, Microsoft Teams and a signed webhook (package
// notify); metrics go to CloudWatch as Embedded Metric Format lines on
// standard output, or through PutMetricData.
//
// # Environment
//
// The monitor sample's variables, with its names and defaults:
//
//	IpamUsageThreshold       80       critical threshold, percent (0 to 100; "85.5" and "85%" work).
//	                                  A resource at exactly the threshold reaches it.
//	IpamScopeType            private  IPAM scopes read by the ipam and pools sources: private or public.
//	IpamResourceType         *        IPAM resource types of the ipam source: * (all: vpc, subnet, eip,
//	                                  public-ipv4-pool, ipv6-pool) or a comma-separated list of them.
//	                                  The sample's * meant vpc,subnet only; set that for the old scope.
//	IpamSnsTopic             (none)   SNS topic ARN of the alerts; empty means no SNS, never a publish
//	                                  to an empty topic. The topic is published to in its own region.
//	IpamSnsSubject           (built)  subject of every SNS message, used as given; empty means one
//	                                  built from the alert: "[CRITICAL] 2 resources over threshold (…)".
//	IpamCloudWatchEnabled    false    true sends metrics with PutMetricData; otherwise they are written
//	                                  as EMF lines on standard output, which costs no API call.
//	                                  Accepts true/false, yes/no, y/n, t/f, 1/0, on/off.
//	IpamCloudWatchNamespace  CUSTOM/IPAM  namespace of the metrics PercentAssigned, IpAddressTotal
//	                                  and IpAddressAvailable, with the dimension ResourceId.
//
// New variables:
//
//	IPAMKIT_SOURCES            ipam   what to measure: a comma-separated list of ipam (IPAM's resource
//	                                  CIDRs), pools (each IPAM pool against its allocations), ec2 (VPCs
//	                                  and subnets from EC2), or all.
//	IPAMKIT_ACCOUNTS           (own)  accounts the ec2 source scans: a comma-separated list of 12-digit
//	                                  IDs, or "organization" for every active account (the function then
//	                                  runs in the management or a delegated administrator account).
//	                                  Empty means the function's own account.
//	IPAMKIT_REGIONS            (own)  regions the ec2 source scans, comma-separated; empty means the
//	                                  function's region.
//	IPAMKIT_IPAM_REGION        (1st)  region where the ipam and pools sources read the IPAM, in the
//	                                  function's own account (the IPAM's delegated administrator);
//	                                  empty means the first of IPAMKIT_REGIONS.
//	IPAMKIT_ROLE_NAME          OrganizationAccountAccessRole
//	                                  role assumed in every other account (a name, optionally with its
//	                                  path, not an ARN).
//	IPAMKIT_EXTERNAL_ID        (none) ExternalId given to AssumeRole; never logged nor reported.
//	IPAMKIT_WARNING_THRESHOLD  (none) warning threshold, percent, below IpamUsageThreshold.
//	IPAMKIT_METRICS            findings  which resources get metrics: findings (over a threshold, as
//	                                  the sample did), all (every measured resource: alarms keep data
//	                                  when usage drops) or none.
//	IPAMKIT_NOTIFY_ALL_CLEAR   false  also send an all-clear alert when nothing is over threshold,
//	                                  no target failed and at least one resource was measured (else a
//	                                  warning that nothing was measured).
//	IPAMKIT_CONCURRENCY        8      targets scanned at once (1 to 256).
//	IPAMKIT_DEADLINE_MARGIN    30s    time kept free before the invocation's deadline to notify: no
//	                                  target starts this close to it, and a target still running (a
//	                                  stuck region, a slow account) is stopped when it is reached; both
//	                                  are reported as not scanned. A Go duration or whole seconds, 1s
//	                                  to 15m.
//	AWS_LAMBDA_LOG_LEVEL       INFO   set by Lambda's logging controls: TRACE, DEBUG, INFO, WARN, ERROR.
//	IPAMKIT_REPORT_BUCKET      (none) S3 bucket the scan's HTML report (usage.Report.WriteHTML) is put
//	                                  in after the alert, as PREFIX/report-20261123T060000Z.html and
//	                                  PREFIX/latest.html; none when empty.
//	IPAMKIT_REPORT_PREFIX      ipamkit/  prefix of those keys.
//
// Alerts on change: with a state bucket, each run compares its findings
// with the previous run's, kept in one S3 object, and alerts only on what
// is new, escalated, improved or resolved (see usage.Report.DeliverChange).
//
//	IPAMKIT_STATE_BUCKET       (none) S3 bucket of the state; empty alerts on every run, as the sample.
//	IPAMKIT_STATE_KEY          ipamkit/monitor-state.json
//	                                  the state object's key.
//	IPAMKIT_REMIND             24h    how long a critical finding stays unchanged before a reminder;
//	                                  0 never reminds.
//	IPAMKIT_SNS_FILTER         all    what SNS hears of an alert on change: all, changes (without
//	                                  the unchanged findings) or new-critical (a pager).
//	IPAMKIT_SLACK_FILTER       all    the same for Slack.
//	IPAMKIT_TEAMS_FILTER       all    the same for Teams.
//	IPAMKIT_WEBHOOK_FILTER     all    the same for the webhook; all sends the full diff.
//
// The exhaustion forecast (package usage, "Forecasting exhaustion"):
//
//	IPAMKIT_FORECAST           off    where each resource's history comes from: cloudwatch (the
//	                                  metrics this function publishes, in its own account and region;
//	                                  needs cloudwatch:GetMetricData), ipam (IPAM's address history of
//	                                  VPCs and pools, in IPAMKIT_IPAM_REGION; needs
//	                                  ec2:GetIpamAddressHistory) or off. Every resource of the
//	                                  response then carries its forecast, alerts lead with the date,
//	                                  and the metrics gain DaysToExhaustion. A history that cannot be
//	                                  read is logged as a warning; the alert goes out without it.
//	IPAMKIT_FORECAST_WINDOW    30d    how far back the forecast looks: days (30d) or a Go duration,
//	                                  1 to 3650 days.
//	IPAMKIT_EXHAUSTION_WARNING_DAYS   (none) a resource that runs out within so many days is a
//	IPAMKIT_EXHAUSTION_CRITICAL_DAYS  (none) warning, or critical; beside the percentages.
//
// Credentials are given by name, never by value. Each of Slack's, Teams'
// and the webhook's URL, and the webhook's HMAC secret, is named by one of
// two variables: the name (or ARN) of an SSM Parameter Store SecureString,
// or the name (or ARN) of a Secrets Manager secret, whose string value is
// used whole. They are fetched once per container, at cold start.
//
//	IPAMKIT_SLACK_URL_PARAM       IPAMKIT_SLACK_URL_SECRET_ID      Slack incoming-webhook URL
//	IPAMKIT_TEAMS_URL_PARAM       IPAMKIT_TEAMS_URL_SECRET_ID      Teams workflow webhook URL
//	IPAMKIT_WEBHOOK_URL_PARAM     IPAMKIT_WEBHOOK_URL_SECRET_ID    URL receiving the alert JSON
//	IPAMKIT_WEBHOOK_SECRET_PARAM  IPAMKIT_WEBHOOK_SECRET_ID        HMAC-SHA256 key signing its bodies
//	                                                               (header X-Ipamkit-Signature-256)
//
// A URL must be https (http only to a loopback address, for local tests).
// A parameter that is not a SecureString is refused. Setting a credential
// in a plain variable (IPAMKIT_SLACK_URL, IPAMKIT_TEAMS_URL,
// IPAMKIT_WEBHOOK_URL, IPAMKIT_WEBHOOK_SECRET) is an error too.
//
// A configuration with any problem fails at cold start with one error that
// lists every problem; no message quotes a credential.
//
// # Response
//
// The function returns the sample's body, extended:
//
//	{"Message": "...", "IpamResourceCidrs": [...], "Report": {...}, "NotifyErrors": [...]}
//
// Message is the alert as text (the SNS message), or the all-clear text.
// IpamResourceCidrs holds one record per finding, worst first, from every
// source (the sample listed its over-threshold IPAM records there), with the
// sample's field names: ResourceId, ResourceType, ResourceCidr,
// ResourceRegion, ResourceOwnerId, IpUsage (a fraction from 0 to 1, as the
// API gives it), IpAddressTotal and IpAddressAvailable (exact integers),
// and more. Report is the whole usage.Report. NotifyErrors lists the
// notifiers and metric sinks that failed, when any did. HtmlReport holds
// the s3:// URLs of the HTML report, when a bucket is configured, and
// HtmlReportError why it could not be written: that fails neither the
// invocation nor the alert.
//
// # Failures
//
// A target that fails (access denied, throttled past retries, region not
// enabled, no IPAM where the ipam and pools sources look) is reported and the others go on; the alert then says the scan is
// incomplete, since silence is not an all-clear. The invocation fails, and
// EventBridge's asynchronous invocation retries it, only when nothing was
// delivered: the organization's accounts could not be listed, or every
// notifier failed. A scan that cannot start (the function's credentials
// refused at cold start, the organization not readable) still sends every
// notifier a critical "scan failed" alert with the reason, so a dead
// monitor is heard rather than silent. When some notifiers failed, retrying would repeat the
// alert to the others, so the failures are logged and returned instead.
//
// # Logs
//
// Structured JSON (log/slog) on standard error: one record when the scan
// starts and finishes, one per target, one per failed notifier. The
// environment, credentials and the event are never logged; of the event,
// only its id, source and detail-type.
//
// # Permissions
//
// ec2:DescribeIpams, ec2:DescribeIpamScopes, ec2:GetIpamResourceCidrs,
// ec2:GetIpamDiscoveredAccounts (ipam source); ec2:DescribeIpamPools,
// ec2:GetIpamPoolCidrs, ec2:GetIpamPoolAllocations (pools);
// ec2:DescribeVpcs, ec2:DescribeSubnets (ec2); sts:GetCallerIdentity;
// sts:AssumeRole on the member roles; organizations:ListAccounts
// (organization); sns:Publish on the topic; cloudwatch:PutMetricData when
// IpamCloudWatchEnabled; ssm:GetParameter and kms:Decrypt, or
// secretsmanager:GetSecretValue, on the credentials named; s3:PutObject on
// IPAMKIT_REPORT_BUCKET/IPAMKIT_REPORT_PREFIX* when a bucket is named.
package main
