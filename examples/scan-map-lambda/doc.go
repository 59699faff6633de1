// Command scan-map-lambda is the AWS Lambda function of the three steps of
// an organization scan too large for one invocation, run by an AWS Step
// Functions state machine (examples/deploy/scan-map.yaml) with a
// distributed Map state:
//
//  1. list (IPAMKIT_SCAN_MAP_STEP=list) lists the targets: the IPAM's
//     account and region, then every account and region of the ec2 source
//     (usage.OrganizationScanner.Items, the targets monitor-lambda scans).
//     It writes them as a JSON array to targets/EXECUTION.json in the
//     bucket, where the Map state's ItemReader reads them.
//  2. scan (IPAMKIT_SCAN_MAP_STEP=scan) is the child of the map: it scans
//     one batch of targets (usage.OrganizationScanner.ScanItems, the same
//     scan as monitor-lambda's over exactly these targets) and returns the
//     batch's usage.Report inline, or writes it to partial/EXECUTION/HASH.json
//     when its JSON passes 200 KiB (a state's output holds at most 256 KiB).
//  3. merge (IPAMKIT_SCAN_MAP_STEP=merge) reads the map's results (the
//     ResultWriter's manifest.json and its SUCCEEDED_n.json and FAILED_n.json
//     files under results/), merges the partial reports with usage.Merge,
//     evaluates the policy once and notifies once: one alert to SNS, Slack,
//     Teams and the webhook, and one set of metrics. Every target of a batch that failed, whose report
//     cannot be read, or that the map never ran, is a failed target in the
//     merged report, with the batch's error and the code BatchFailed or
//     BatchNotRun, and the alert counts and lists it: never a silent gap.
//     When the list step or the whole map failed, the state machine's Catch
//     brings the error here and the notifiers get a "scan failed" alert.
//
// One binary serves the three steps, chosen by IPAMKIT_SCAN_MAP_STEP: the
// steps must read the same configuration to scan the same world, one zip is
// built and deployed, and each function's role still holds only its step's
// permissions.
//
// # Environment
//
// Every function of a deployment gets the same variables but the step,
// and the credentials' names, which only the merge step reads.
//
//	IPAMKIT_SCAN_MAP_STEP    (required)  list, scan or merge.
//	IPAMKIT_SCAN_MAP_BUCKET  (required)  the bucket of targets/, partial/ and results/.
//
// The others have monitor-lambda's names, values and defaults (see its
// documentation): IpamUsageThreshold, IPAMKIT_WARNING_THRESHOLD,
// IpamScopeType, IpamResourceType, IPAMKIT_SOURCES, IPAMKIT_ACCOUNTS
// (account IDs or "organization"), IPAMKIT_REGIONS, IPAMKIT_IPAM_REGION,
// IPAMKIT_ROLE_NAME, IPAMKIT_EXTERNAL_ID, IpamSnsTopic, IpamSnsSubject,
// IpamCloudWatchEnabled, IpamCloudWatchNamespace, IPAMKIT_METRICS,
// IPAMKIT_NOTIFY_ALL_CLEAR, IPAMKIT_CONCURRENCY (targets of a batch scanned
// at once), IPAMKIT_DEADLINE_MARGIN (default 20s here) and
// AWS_LAMBDA_LOG_LEVEL. One is new: IPAMKIT_IPAM_ACCOUNT, the account that
// holds the IPAM when it is not the functions' own (a delegated
// administrator), read through IPAMKIT_ROLE_NAME.
//
// The merge step notifies Slack, Teams and the signed webhook as
// monitor-lambda does, with the same variables, which name each credential
// in SSM Parameter Store (a SecureString) or Secrets Manager, never hold it:
//
//	IPAMKIT_SLACK_URL_PARAM, IPAMKIT_SLACK_URL_SECRET_ID          the Slack webhook URL
//	IPAMKIT_TEAMS_URL_PARAM, IPAMKIT_TEAMS_URL_SECRET_ID          the Teams workflow URL
//	IPAMKIT_WEBHOOK_URL_PARAM, IPAMKIT_WEBHOOK_URL_SECRET_ID      the webhook URL
//	IPAMKIT_WEBHOOK_SECRET_PARAM, IPAMKIT_WEBHOOK_SECRET_ID       the webhook's HMAC key
//
// At most one of each pair is set. The merge step fetches them once, at
// cold start (ssm:GetParameter, secretsmanager:GetSecretValue on the named
// ones only), and fails its cold start, naming the variable and never the
// credential, when one cannot be read or is not an https URL. The list
// and scan steps never read them; the template sets them on the merge
// function alone.
//
// # Events
//
// The state machine builds every event; the shapes are:
//
//	list   {"execution": "NAME"}
//	       -> {"bucket": "B", "key": "targets/NAME.json", "targets": 5000}
//	scan   {"Items": [{"accountId": "…", "region": "…", "sources": ["ec2"]}, …], "BatchInput": {"execution": "NAME"}}
//	       -> {"report": {…}, "targets": 25, "failed": 0} or {"reportKey": "partial/NAME/….json", …}
//	merge  the list step's output with the Map state's at "map"
//	       ({"MapRunArn": …, "ResultWriterDetails": {"Bucket": …, "Key": "results/…/manifest.json"}}
//	       or its Catch's {"Error": …, "Cause": …}), or the list step's error at "failure"
//	       -> {"Message": …, "Severity": …, "Targets": …, "FailedTargets": …, "FailedBatches": …}
//
// Items carry no role and no external ID: each function derives the role
// from its own configuration, so the execution history holds neither and an
// item cannot make the scan assume another role.
package main
