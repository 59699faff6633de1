// Package account is the multi-account plumbing every AWS-facing package of
// ipamkit uses: a [Target] (an account and region, with the role to assume
// there), [Configs], which turns a target into an aws.Config carrying cached
// assumed-role credentials ([Configs.Config]) from which any service client
// is built, the caller's identity ([Identify]), and the organization: every
// account with its state ([ListAccounts]), the OU tree ([ListTree]), and one
// account's place in it ([Locate]).
//
// It sits under internal/ so that its API can change with its users: the
// public packages expose what their callers need, as type aliases
// (usage.Target) or aws.Config parameters.
//
// The external ID of a target is a shared secret between the caller and the
// role's trust policy: it is passed to sts:AssumeRole and nowhere else. A
// Target's String and LogValue leave it out, and [Target.Redacted] drops it
// before a target goes into a report.
package account
