// Package share gives every account of an AWS Organization the IPAM pools
// its OU should have, through AWS RAM: it resolves accounts to OUs,
// matches pools by their allocation tags, and reconciles the RAM shares of
// one account (a Control Tower lifecycle event) or of the whole
// organization (a backfill, or the repair of any drift), explaining each
// decision.
//
// It replaces the Control Tower sample's lifecycle Lambda, which read one
// page of pools, shared those whose allocation tag Env equalled the new
// account's OU name, and created a new share on every delivery: retried
// events duplicated shares, failed creations were shared, accounts that
// moved OU kept their old pools, and leading zeros were lost from account
// IDs.
//
//	r := share.NewFromConfig(networkCfg, managementCfg, func(o *share.Options) { o.Prune = true })
//	plan, err := r.PlanAll(ctx)
//	plan.WriteText(os.Stdout) // review
//	res, err := r.Apply(ctx, plan)
//
// # Matching rules
//
// A [Rule] reads one allocation tag of each pool (TagKey, default
// [DefaultTagKey], Env) and compares its value with the account's OU ([By]):
// its name ([ByOUName], the default and the sample's behaviour), its ID
// ([ByOUID], which survives a rename), or as a path pattern ([ByOUPath],
// [MatchPath]: "Prod" matches an account in Root/Workloads/Prod/Payments,
// "/Root/Workloads/*" every workload OU). Locales restricts a rule to pools
// of some regions. With several rules, a pool is shared when any rule
// matches. [Match] is pure and explains every decision:
//
//	pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'
//
// [Reconciler.Explain] gives the decisions for one live account.
//
// # Modes
//
// [ModeAccount] (the default) keeps one share per account, named
// ipamShare-<12-digit account id> as the sample names it: shares the sample
// made are found by name and adopted, never duplicated. Choose it to take
// over from the sample, when the rules differ between an OU and its child
// OUs (each account gets exactly its own pools), or when a suspended
// account must lose its pools (with Prune, the next plan takes them back;
// an OU share keeps serving it). It costs a share per account and an event per
// move: run [Reconciler.PlanAll] after moves and new pools.
//
// [ModeOU] keeps one share per OU, named ipamShare-<OU id>, whose principal
// is the OU's ARN (arn:aws:organizations::<management account>:ou/<org
// id>/<OU id>: RAM requires the management account's ID in it, which
// [OUARN] takes from the account's own ARN). RAM then serves every account
// of the OU and of the OUs under it, and follows accounts that join, move
// or leave with no event at all. So with name or ID rules, an account in a
// child OU receives its own OU's pools and those of every OU above it; use
// ModeAccount when that is not wanted. Choose ModeOU when the pools of an OU should
// reach its whole subtree (path rules such as "Prod" do exactly that), and
// for large organizations: there are as many shares as OUs. Accounts
// directly under the root have no OU: they get per-account shares.
//
// # Safety
//
// The reconciler is level-based, like a controller-runtime reconciler: a
// plan reads the organization, every pool (every page of
// DescribeIpamPools) and every share and association (every page of
// GetResourceShares and GetResourceShareAssociations, at 500 a page) as
// they are, so running it twice, or after a failure, converges. A share is
// created only when none exists, found by name and by the tag
// [DefaultShareTagKey]; the creation carries a client token derived from
// the name ([ClientToken]), so a retried call never makes a second share,
// and allowExternalPrincipals=false. Suspended and closed accounts are
// never shared with, nor is the networking account itself. Pools that no
// longer match (an account moved, a tag changed) are shown in every plan
// but disassociated only with [Options.Prune], since that can break
// allocations. Duplicate shares and shares that allow external principals
// are reported as notes and left alone. [Reconciler.Apply] waits until the
// associations leave associating ([Reconciler.WaitAssociations], bounded by
// [Options.MaxWait] and ctx).
//
// Errors that no retry can fix (access denied, a role that cannot be
// assumed, an unknown account, a malformed ARN, bad options) are
// [*TerminalError]s ([IsTerminal]); the others (throttling beyond the SDK's
// retries, service errors, a wait that timed out) are worth retrying, so an
// event handler can return them to EventBridge.
//
// # Clients
//
// RAM and EC2 calls go to the networking account (the IPAM's owner or
// delegated administrator) in the IPAM's home region: from the management
// account, through the role [NetworkTarget] names (default
// [DefaultRoleName], AWSControlTowerExecution, with an optional external
// ID) and account.Configs, or with the caller's own configuration inside
// the networking account. Organizations calls need the management account
// or a delegated administrator. [NewReconciler] takes narrow clients
// ([RAMAPI], [EC2API], [OrganizationsAPI]); nothing is built at import
// time.
//
// # Events
//
// [ParseEvent] reads Control Tower's CreateManagedAccount and
// UpdateManagedAccount events as EventBridge delivers them, keeping the
// account ID as its 12-digit string; a missing or mistyped field is an
// [*EventError] naming it. [Reconciler.HandleEvent] acts only on SUCCEEDED
// events (a FAILED one comes back as [Result].Ignored) and reconciles the
// account where Organizations places it now, so an UpdateManagedAccount
// that moved it re-shares it.
package share
