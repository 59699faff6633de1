// Package hierarchy is the IPAM pool tree as code: a [Spec] of the pools
// under one scope, checked all at once by [Spec.Validate], compared with the
// live tree by [Plan], which carves every new pool's CIDR deterministically,
// adopts pools that exist untagged, and returns a [ChangeSet] of ordered
// operations to review ([ChangeSet.WriteText], [ChangeSet.WriteJSON]) and
// apply.
//
// [Read] reads the live tree of a scope from IPAM and [Apply] runs a plan
// against it, waiting on IPAM's real states. Everything between them —
// specs, validation, carving, plans and their rendering — is pure: it does
// no I/O, so a plan can be computed, reviewed and tested without AWS.
//
//	live, err := hierarchy.Read(ctx, ec2Client, scopeID)
//	cs, err := hierarchy.Plan(spec, live, live.PlanOptions)
//	cs.WriteText(os.Stdout) // review
//	res, err := hierarchy.Apply(ctx, ec2Client, cs)
//
// # Spec
//
// A spec is a tree of [Pool] values, in Go or YAML ([ParseSpec], strict:
// unknown keys are errors with their line). A pool's path is its ancestors'
// names and its own ("/top/us-east-1/Prod OU"), so names are unique among
// siblings. A pool gets its space from explicit CIDRs (several allowed) or
// from a netmask length that the plan carves from its parent. It has a
// locale (a region; a child without one inherits its parent's, as IPAM
// does), a description, tags, allocation rules (minimum, maximum and default
// netmask length, and the tags a resource must carry, such as Env=Prod OU;
// a maximum of /32 or /128 is no maximum, as IPAM reads it back) and
// auto-import. Public-scope top pools say where their space comes from:
// [SourceAmazon] (a netmask; AWS picks the CIDR at apply, so it and its
// descendants show "/52 (chosen by AWS at apply)") or [SourceBYOIP] (your
// CIDRs). [ControlTowerSpec] builds the Control Tower sample's tree.
//
// # Fields left out
//
// A field the spec states is enforced; a field it leaves out is left as the
// live pool has it, whoever set it. Tags work so: the plan sets the tags
// the spec lists and leaves the others alone. So do the description, the
// minimum, maximum and default netmask rules and auto-import: left at their
// zero value they are not stated ([Pool.Stated]), so adopting a tree that
// has descriptions and rules the spec does not mention changes nothing but
// its tags. To state the zero value itself — no description, no rule,
// auto-import off — list the field in [Pool.Clear], or in YAML write the key
// with it (description: "", maxNetmask: 0, autoImport: false). A new pool
// gets what the spec states and IPAM's defaults for the rest. The
// allocation tags are always stated (none means none): they decide which
// resources may take space, and adoption matches by them.
//
// # Validation
//
// [Spec.Validate], [ParseSpec] and [Plan] report every problem at once in a
// [*ValidationError], each [Problem] with its path (and, for a spec from
// [ParseSpec], the line of its pool) and what to do: children
// that do not fit, with the number of addresses missing and the parent size
// that would hold them; CIDRs that overlap a sibling, disallowed space or an
// allocation in the parent, or sit outside the parent; netmasks out of range
// or against the parent's allocation rules; duplicate names; depth beyond
// IPAM's 10 levels; locales that are not operating regions of the IPAM
// ([Spec.Regions], when given); the rules AWS enforces on public-scope and
// IPv6 pools; and the pools-per-scope quota ([DefaultMaxPools] unless
// [Spec.MaxPools] says otherwise; [Plan] counts the pools it does not manage
// too). Problems wrap sentinels such as [ErrNoFit] for [errors.Is].
//
// # Carving
//
// The rule, applied to each pool's children in turn, parents before
// children:
//
//  1. Space that is already decided is set aside first: the explicit CIDRs
//     of the children, the CIDRs that live children already hold (kept as
//     they are, whatever the spec's netmask now says; a [Warning] tells),
//     everything the live parent has allocated (child pools, VPCs), the
//     spec's disallowed CIDRs and [Options.Avoid].
//  2. The other children are carved in spec order, each at the lowest free
//     aligned block of its netmask ([CarveLowest], the default), or in the
//     smallest free block that holds it ([CarveBestFit], chosen per pool or
//     for the whole spec), as if the ones before it were already there.
//
// Carving uses [github.com/ipamkit/ipamkit/ipam.Space.Allocate], so it never enumerates candidate
// blocks. It follows that the same spec and live tree always give the same
// CIDRs; that appending a pool (a sibling at the end, a new region, a new
// level) never moves another one, even before anything is applied; and that
// once a tree is applied, inserting a pool anywhere moves nothing that
// exists. With its defaults, [ControlTowerSpec] carves exactly what the
// sample does (us-west-2 192.168.0.0/20, its Prod OU 192.168.0.0/21 and
// SDLC OU 192.168.8.0/21, us-east-1 192.168.16.0/20, ...).
//
// # Recognising and adopting pools
//
// A live pool is managed when it carries the path tag ([DefaultPathTagKey],
// or [Options.PathTagKey]) with its path as the value; creations set it.
// A spec pool that no live pool claims is matched with an untagged live pool
// of the same parent, family, locale and allocation tags whose CIDRs are the
// spec's (explicit) or of its netmask (carved) — the lowest-addressed one
// first, as carving would have placed it. The plan adopts such a pool: it
// tags it rather than creating a duplicate, and keeps its CIDRs. A team that
// built its tree with the Control Tower sample, which tags nothing, sees only
// adoptions. Two pools that claim one path, or a managed pool whose locale,
// family or parent differs from the spec (IPAM changes none of those), are
// [ErrConflict] problems, never guesses.
//
// # Plans
//
// A [ChangeSet] lists [Op] values in the order to run them: for each pool,
// parents first and in spec order, its adoption or creation, then changes
// of description, rules or tags ([KindModifyPool], drift included), then
// its CIDR provisions; after that, deprovisions and deletions, children
// first. Every op carries what Apply needs (the parent by ID, or by path
// when the same apply creates it; the real CIDR; the config with the path
// tag; an idempotency token from [ClientToken]) and its reason. Pools holds
// the whole tree with its CIDRs.
//
// # Reading
//
// [Read] takes a client in the IPAM's account and home region (an
// *ec2.Client, or anything with the methods of [ReadAPI]) and a scope ID
// ([DefaultScope] finds the default private or public scope). It reads the
// scope and its IPAM's operating regions, the scope's pools, and each
// pool's CIDRs and allocations, every page at the largest page size
// (1,000; 100,000 for allocations), a few pools at a time. It maps AWS's
// locale "None" to "" and a maximum netmask rule of /32 or /128 to none.
// [Live.PlanOptions] hands the scope ID and operating regions to [Plan]. A
// scope the caller cannot see is a [*ScopeNotFoundError] that names the
// scopes it can. [Live.WriteHTML] draws the tree as a page, with a map of
// each pool's CIDRs and allocations.
//
// # Applying and waiting
//
// [Apply] runs the operations in order, one at a time, each to its end
// before the next: it creates a pool (CreateIpamPool with the parent's ID,
// resolved from its path when the same apply created it, the path tag among
// its tags, and the operation's client token) and waits until it is
// create-complete; it provisions a CIDR (ProvisionIpamPoolCidr with its
// token) and waits until it is provisioned, filling in the CIDR AWS chose
// for a netmask; it tags adopted pools (CreateTags); it changes pools
// (ModifyIpamPool, CreateTags) and waits until they are modify-complete.
//
// Waiting is a [PoolWaiter], in the shape of the SDK's waiters (the SDK has
// none for IPAM): it reads the state at once, then after delays that grow
// with jitter from MinDelay to MaxDelay (smithy-go's waiter.ComputeDelay),
// until the state is final or the operation's [ApplyOptions.MaxWait] runs
// out ([ErrWaitTimeout]); ctx stops it at once. create-failed,
// failed-provision and the other failed states are a [*StateError] with
// IPAM's StateMessage or FailureReason. Never a fixed sleep.
//
// Throttling and transient errors are retried by the SDK's retryer.
// Apply itself retries only calls IPAM refused because the pool was busy
// (IncorrectState, ConcurrentMutationLimitExceeded), with the same backoff,
// up to [ApplyOptions.MaxRetries] times.
//
// # Resuming
//
// A failed or interrupted apply returns the operations it completed
// ([Result]) and an [*ApplyError] naming the failing operation ("failed at
// + pool /top/us-east-1/prod (create-pool): …; 3 of 9 operations done; run
// apply again to resume"). ctx is checked before every call, so Ctrl-C
// stops between two calls. Running Read, Plan and Apply again finishes the
// job: what was done is in the live tree, tagged with its path, so the new
// plan leaves it out; an operation whose answer was lost is sent again with
// the same client token, and EC2 answers with the first result instead of
// acting twice; pools and CIDRs the killed apply left in a transitional
// state are waited for before anything is built on them. A token that an
// earlier apply spent on a pool or CIDR that failed or was removed since is
// replaced by one derived from it, again the same on every run.
//
// # Safety
//
// Nothing is deprovisioned or deleted unless [Options.AllowDelete] is set;
// only managed pools the spec no longer has are deleted, and a pool or CIDR
// with allocations (a VPC, a custom allocation, a child the plan keeps) is
// never touched, even then: the plan lists it under Refused, naming the
// allocations. Pools without the path tag that the plan does not adopt are
// never changed. A managed pool changed by hand shows as a change in what
// the spec states. Tags and the other fields the spec does not state are
// left alone (see Fields left out).
//
// [Apply] checks again: it refuses a change set with deletions that was not
// planned with AllowDelete ([ErrDeleteNotAllowed]; the flag is part of the
// JSON, allowDelete, so a plan saved to a file deletes only if it was
// planned to), and before each
// deprovision or deletion it reads the pool again and stops if the pool no
// longer carries its path tag ([ErrConflict]) or holds allocations other
// than those of the pools this apply deleted ([ErrInUse]), whose release it
// waits for. It never deletes with Cascade.
//
// All functions are safe for concurrent use; they do not modify their
// arguments. Read and Apply take ctx first and call AWS only through the
// narrow interfaces of api.go, which *ec2.Client satisfies.
package hierarchy
