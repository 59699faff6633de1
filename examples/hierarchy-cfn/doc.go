// Command hierarchy-cfn is an AWS Lambda function behind a CloudFormation
// custom resource (Custom::IpamHierarchy) that keeps a tree of IPAM pools
// as its properties say: the Control Tower sample's Custom::InitPools
// (aws-samples/integrate-control-tower-with-ipam) done right, with package
// hierarchy doing the work. examples/deploy/hierarchy.yaml deploys it in the
// IPAM's delegated-administrator account, in the IPAM's home region.
//
// # Properties
//
// Either the sample's properties, with its names:
//
//	TopLevelPool          the top pool's ID (!Ref of the stack's AWS::EC2::IPAMPool); the stack
//	                      owns it: the resource builds under it and never changes nor deletes it
//	TopLevelPoolCidr      its CIDR, such as 192.168.0.0/16
//	IpamPoolRegions       the regions, one regional pool each, in order (a list, or "a,b")
//	AccEnvName            the OU names, one pool each in every region, with the allocation
//	                      tag Env=<name> (a list, or "a,b")
//	IpamPoolPrefixLength  the regional pools' prefix length; 20 when absent
//	AccPoolPrefixLength   the environment pools' prefix length; 21 when absent
//
// which give the sample's tree (hierarchy.ControlTowerSpec, paths
// /top/<region>/<OU>), or a whole hierarchy spec:
//
//	Spec                  YAML or JSON, as ipamctl hierarchy reads it; one top pool
//
// and, with either:
//
//	ScopeId               the IPAM scope; absent means the TopLevelPool's scope, or the
//	                      IPAM's default scope of the spec's type
//	AllowDelete           "true" lets an Update delete the pools the new properties no
//	                      longer have (never a pool with allocations); default false: kept
//	Retain                "true" keeps every pool when the resource is deleted; default false
//
// # Requests
//
// Create and Update read the scope, plan the tree against it and apply the
// plan (hierarchy.Read, Plan, Apply), which waits on IPAM's states and
// never sleeps a fixed time. The plan sees only the pools of this tree (the
// pools tagged with a path under its root) and untagged pools, which it may
// adopt: the other trees of the scope are never touched. A tree the sample
// built is adopted, not duplicated: its pools are tagged with their paths.
// When the plan would delete a pool or deprovision a CIDR that holds
// allocations, nothing is applied and the answer is FAILED, naming them,
// so CloudFormation's rollback finds the tree as it was. Pools the new
// properties no longer have are deleted only with AllowDelete; without it
// they are kept, and the answer's Reason lists them: the rollback of an
// Update that failed half way (an Update back to the old properties) then
// succeeds, keeping what the failed Update made for a later Delete, or an
// Update with AllowDelete, to remove. Every step is idempotent (Apply's
// client tokens and the path tags), so a repeated Create or Update
// converges and never duplicates a pool.
//
// The PhysicalResourceId is "ipamkit-hierarchy:SCOPE:ROOT", such as
// ipamkit-hierarchy:ipam-scope-0abc:/top: it changes only when the scope or
// the top pool's name does, and only then does CloudFormation replace the
// resource and delete the old tree.
//
// Delete removes the pools under the root of the tree its
// PhysicalResourceId names, children first, and only when none holds an
// allocation (a VPC, a custom allocation, a pool of another tree); one
// that does makes the answer FAILED, naming the allocations, and nothing is
// deleted. The sample's TopLevelPool stays for the stack to delete. Retain
// keeps everything. A PhysicalResourceId that names no tree (a Create that
// failed before it knew its scope) and a scope that is gone delete nothing
// and answer SUCCESS.
//
// # Answer
//
// The function always answers CloudFormation, with a PUT to the
// pre-signed ResponseURL: on success; on any error, FAILED with the reason;
// on a panic, FAILED ("internal error while …"); on a request that does
// not decode, FAILED, changing nothing; and
// IPAMKIT_DEADLINE_MARGIN before the invocation's deadline, FAILED ("timed
// out while …"): the apply stops at that point. Data holds the pool IDs by path ("/top/us-west-2/Prod
// OU", read with Fn::GetAtt), ScopeId, RootPoolId and PoolCount. The body
// stays within CloudFormation's 4,096 bytes: Reason is cut, and when the
// pool IDs do not fit the deepest are left out and Truncated says how many.
//
// # Environment
//
//	IPAMKIT_DEADLINE_MARGIN  30s   how long before the deadline to stop and answer (1s to 5m)
//	IPAMKIT_MAX_WAIT         15m   how long one operation may wait for IPAM's state (1s to 15m)
//	IPAMKIT_PATH_TAG_KEY     ipamkit:path  the tag holding a managed pool's path
//	AWS_LAMBDA_LOG_LEVEL     INFO  set by Lambda's logging controls
//
// A configuration with any problem fails at cold start with one error that
// lists every problem.
//
// # Logs
//
// Structured JSON (log/slog) on standard error: the request's type, IDs and
// stack, the plan's counts, one record per operation applied, and the
// answer's status and reason. Never the ResponseURL, nor any part of it but
// its host: its query is a credential that lets anyone answer for the
// function. Never the properties.
//
// # Permissions
//
// ec2:DescribeIpams, ec2:DescribeIpamScopes, ec2:DescribeIpamPools,
// ec2:GetIpamPoolCidrs, ec2:GetIpamPoolAllocations (reads, on any
// resource); ec2:CreateIpamPool, ec2:ProvisionIpamPoolCidr,
// ec2:ModifyIpamPool, ec2:DeprovisionIpamPoolCidr, ec2:DeleteIpamPool and
// ec2:CreateTags on the account's IPAM pools and scopes. iam_test.go proves
// that the template grants exactly these.
package main
