// Package ipamkit governs IP address space across an AWS Organization: it
// watches how full subnets, VPCs and IPAM pools are, plans and applies IPAM
// pool hierarchies as code, and shares pools with the accounts that should
// have them. Platform and network teams import it into their own tools,
// Lambdas and controllers; this package itself holds only this overview.
//
// # Packages
//
// The module is built in layers. Each layer imports only the ones below it,
// and every AWS client sits behind a narrow interface declared by the
// package that calls it, with the aws-sdk-go-v2 method signatures, so a real
// client, a mock or the in-process fake all fit.
//
//   - [github.com/ipamkit/ipamkit/ipam]: exact CIDR arithmetic over
//     net/netip for IPv4 and IPv6 — strict parsing, address counts up to
//     2^128, free space, next available blocks (lowest-first or best-fit),
//     largest free block, overlaps, utilization, lazy splitting. It imports
//     no AWS package; everything else computes with it.
//   - [github.com/ipamkit/ipamkit/usage]: utilization of subnets, VPCs,
//     IPAM resource CIDRs and IPAM pools across accounts and regions — space
//     IPAM does not manage included — through a bounded multi-account
//     scanner; thresholds, findings and reports that merge, with the
//     largest free block beside every percentage.
//   - [github.com/ipamkit/ipamkit/hierarchy]: a pool hierarchy as code,
//     carved with ipam, diffed against live IPAM into a reviewable plan that
//     adopts existing pools, applied idempotently while waiting on IPAM's
//     states.
//   - [github.com/ipamkit/ipamkit/share]: share exactly the pools whose
//     allocation tag matches an account's organizational unit through AWS
//     RAM, for one account or the whole organization, explaining each
//     decision.
//   - [github.com/ipamkit/ipamkit/notify]: alerts and metrics to SNS,
//     CloudWatch (PutMetricData or Embedded Metric Format), EventBridge,
//     Lambda, Slack, Microsoft Teams, signed webhooks and writers, each
//     within its service's limits, with a fan-out that names what failed.
//
// Dependencies point down: usage imports ipam and notify, hierarchy
// imports ipam, notify imports ipam, and ipam imports no AWS package;
// usage and share build their multi-account plumbing on one internal
// package.
//
// # Programs and tests
//
// The examples directory holds thin programs over these packages: the
// ipamctl command line tool, a scheduled monitor Lambda, a Control Tower
// account Lambda and a CloudFormation custom resource for the pool
// hierarchy. ipamctl answers address-plan questions, scans accounts and
// plans pool trees:
//
//	go run ./examples/ipamctl cidr next --pool 10.0.0.0/16 --used 10.0.0.0/24 --bits 24 --count 2
//	go run ./examples/ipamctl usage --org --regions us-east-1,eu-west-1
//
// Nothing needs an AWS account to be tried or tested: internal/awsfake
// serves the AWS APIs ipamkit calls over their real wire protocols, with a
// demo organization ('ipamctl demo serve'). See the README for the test
// command and more examples.
package ipamkit
