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
// The collectors and the multi-account scanner that produce resources from
// the AWS APIs build on this model.
package usage
