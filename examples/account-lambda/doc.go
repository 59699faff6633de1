// Command account-lambda is an AWS Lambda function, run by Amazon
// EventBridge on AWS Control Tower's account lifecycle events, that gives
// each managed account the IPAM pools of its OU through AWS RAM: the
// Control Tower sample's lifecycle Lambda done right, with package share.
// It runs in the management account (examples/deploy/account.yaml) and
// shares from the networking account, which owns the IPAM, through a role
// it assumes there.
//
// # Events
//
//   - CreateManagedAccount and UpdateManagedAccount (source
//     aws.controltower, detail-type "AWS Service Event via CloudTrail"):
//     the account's share is reconciled where Organizations places the
//     account now, so an UpdateManagedAccount after a move to another OU
//     adds the new OU's pools (and, with IPAMKIT_PRUNE, takes back the old
//     ones). A FAILED event changes nothing and is logged as ignored. The
//     account ID stays the 12-digit string it is in the event.
//   - An EventBridge "Scheduled Event" reconciles every account of the
//     organization: the backfill of accounts that existed before the
//     function, and the repair of any drift (a pool added or retagged, a
//     move whose event was lost).
//   - Anything else is a malformed event.
//
// Every delivery reads the shares as they are, so the same event delivered
// three times makes one share; a share is created with a client token
// derived from its name, and the sample's ipamShare-<account id> shares are
// found by name and adopted. See package share for the rules and the modes.
//
// # Environment
//
//	IPAMKIT_NETWORK_ACCOUNT_ID  (required)  the account that owns the IPAM pools (its delegated
//	                                        administrator): 12 digits, leading zeros kept.
//	IPAMKIT_ROLE_NAME    AWSControlTowerExecution  role assumed in the networking account (a
//	                                        name, optionally with its path, not an ARN). Not
//	                                        assumed when the function runs in that account.
//	IPAMKIT_EXTERNAL_ID  (none)    ExternalId given to AssumeRole; never logged nor reported.
//	IPAMKIT_SHARE_MODE   account   account: one share per account, ipamShare-<account id>, as
//	                               the sample names them; ou: one share per OU, whose principal
//	                               is the OU, serving its accounts and child OUs.
//	IPAMKIT_TAG_KEY      Env       the pools' allocation tag compared with the account's OU.
//	IPAMKIT_MATCH        ou-name   what the tag value is compared with: ou-name (the OU's
//	                               name, as the sample), ou-id, or ou-path (a path pattern).
//	IPAMKIT_PRUNE        false     true takes back pools the account no longer matches;
//	                               without it they are counted as kept. true/false, yes/no,
//	                               1/0, on/off.
//	IPAMKIT_REGIONS      (any)     only pools of these locales are shared, comma-separated.
//	IPAMKIT_IPAM_REGION  AWS_REGION  the IPAM's home region, where RAM shares its pools.
//	IPAMKIT_SCOPE_ID     (any)     only pools of this IPAM scope are shared.
//	AWS_LAMBDA_LOG_LEVEL INFO      set by Lambda's logging controls; DEBUG adds share's records
//	                               of each phase.
//
// A configuration with any problem is found at cold start and reported as
// one error that lists every problem: each event is then answered with it
// (logged at ERROR, terminal, not retried) until the environment is fixed. The clients are built once per container:
// Organizations with the function's own credentials (the management
// account), RAM and EC2 in the networking account and the IPAM's home
// region through the role, assumed on the first call and again when its
// credentials expire.
//
// # Response and log
//
// Each invocation writes one JSON record (log/slog) to standard error and
// returns the same facts:
//
//	{"event": "CreateManagedAccount", "eventId": "…", "accountId": "333333333333", "ouId": "ou-…",
//	 "status": "changed", "summary": {"create": 1, "associate": 2, "disassociate": 0, "kept": 0},
//	 "changes": [{"kind": "create-share", "share": "ipamShare-333333333333", …}, …],
//	 "notes": [...], "ignored": "…", "error": "…", "terminal": true}
//
// status is changed, unchanged, ignored (a FAILED event) or failed. The
// event itself, the environment and the external ID are never logged;
// of the event, only its id, name, account and OU.
//
// # Retries
//
// EventBridge invokes the function asynchronously, and Lambda retries an
// invocation that fails (twice, in the template). So the function fails
// only when a retry may succeed: throttling that outlasted the SDK's
// retries, a service error, the invocation's deadline (the reconcile stops
// 10 seconds before it, to log and answer). An error that no retry fixes
// (share.IsTerminal: a malformed event, access denied, a role that cannot
// be assumed, an unknown account) is logged at ERROR and returned in the
// response with terminal true and a nil error: it is reported once, never
// retried. An event that exhausted its retries is repaired by the next
// nightly reconcile.
//
// # Permissions
//
// The function's role: sts:GetCallerIdentity; sts:AssumeRole on the
// networking account's role; organizations:DescribeAccount,
// DescribeOrganizationalUnit, ListParents and ListRoots (an event),
// ListAccountsForParent and ListOrganizationalUnitsForParent (the nightly
// reconcile). The role in the networking account: ec2:DescribeIpamPools,
// ram:GetResourceShares, ram:GetResourceShareAssociations,
// ram:CreateResourceShare, ram:AssociateResourceShare,
// ram:DisassociateResourceShare, and ec2:PutResourcePolicy and
// ec2:DeleteResourcePolicy, which RAM calls on its behalf to share an IPAM
// pool. Control Tower's AWSControlTowerExecution (AdministratorAccess)
// holds them already; the template can make a dedicated role instead.
package main
