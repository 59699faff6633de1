package share

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"

	"github.com/ipamkit/ipamkit/internal/ctxsleep"
)

// SharePrefix starts the name of every share the package makes:
// ipamShare-<12-digit account id>, as the Control Tower sample names its
// shares, or ipamShare-<OU id>.
const SharePrefix = "ipamShare-"

// DefaultShareTagKey is the tag the package puts on the shares it creates,
// with the value account/<id> or ou/<OU id>; shares are found by it as well
// as by name.
const DefaultShareTagKey = "ipamkit:share"

// DefaultMaxWait is how long [Reconciler.Apply] waits, at most, for the
// associations it made to leave associating.
const DefaultMaxWait = 5 * time.Minute

// ErrInvalidAccountID is wrapped by the errors for an account ID that is
// not 12 digits; such errors are terminal.
var ErrInvalidAccountID = errors.New("account ID is not 12 digits")

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// Options configures a [Reconciler]. The zero value is ready to use: mode
// account, the Control Tower sample's rule, no pruning.
type Options struct {
	// Mode is ModeAccount (the zero value) or ModeOU.
	Mode Mode
	// Rules match pools with accounts; nil means one zero [Rule]: the
	// allocation tag Env equal to the account's OU name.
	Rules []Rule
	// Prune lets Apply disassociate pools that no longer match (an account
	// moved to another OU, a tag changed). Without it the plan shows them,
	// kept: disassociating a pool can break allocations from it.
	Prune bool
	// ScopeID, when set, shares only the pools of this IPAM scope; empty
	// means every pool the networking account owns.
	ScopeID string
	// ShareTagKey is the tag that marks the package's shares; "" means
	// DefaultShareTagKey.
	ShareTagKey string
	// MinDelay and MaxDelay bound the waits between reads of the
	// associations being made; zero means 1 and 10 seconds.
	MinDelay, MaxDelay time.Duration
	// MaxWait bounds the whole wait; zero means DefaultMaxWait.
	MaxWait time.Duration
	// Logger records each phase; nil discards records.
	Logger *slog.Logger

	// sleep waits d or until ctx is done; nil means a timer. Tests make it
	// return at once, so that no test sleeps.
	sleep func(ctx context.Context, d time.Duration) error
}

// Reconciler shares IPAM pools with accounts through RAM so that every
// account has exactly the pools the rules give its OU. It is level-based:
// each plan reads the organization, the pools and the shares as they are,
// so running it twice, or after a partial failure, converges. A Reconciler
// holds no state between calls and is safe for concurrent use.
type Reconciler struct {
	ram RAMAPI
	ec2 EC2API
	org OrganizationsAPI
	o   Options
}

// NewReconciler returns a reconciler that shares through ramClient and
// reads pools through ec2Client, both in the networking account and the
// IPAM's home region, and reads the organization through orgClient (the
// management account or a delegated administrator). It makes no call.
// Options are applied in order.
func NewReconciler(ramClient RAMAPI, ec2Client EC2API, orgClient OrganizationsAPI, optFns ...func(*Options)) *Reconciler {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Mode == "" {
		o.Mode = ModeAccount
	}
	if len(o.Rules) == 0 {
		o.Rules = []Rule{{}}
	}
	o.ShareTagKey = cmp.Or(o.ShareTagKey, DefaultShareTagKey)
	if o.MinDelay <= 0 {
		o.MinDelay = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 10 * time.Second
	}
	if o.MaxDelay < o.MinDelay {
		o.MaxDelay = o.MinDelay
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.sleep == nil {
		o.sleep = ctxsleep.Sleep
	}
	return &Reconciler{ram: ramClient, ec2: ec2Client, org: orgClient, o: o}
}

// NewFromConfig returns a reconciler whose RAM and EC2 clients are built
// from network (the networking account in the IPAM's home region: an
// account.Configs configuration of [NetworkTarget], or the caller's own
// when it runs there) and whose Organizations client is built from
// management (the management account or a delegated administrator).
func NewFromConfig(network, management aws.Config, optFns ...func(*Options)) *Reconciler {
	return NewReconciler(ram.NewFromConfig(network), ec2.NewFromConfig(network), organizations.NewFromConfig(management), optFns...)
}

// checkOptions reports options no run can use, as a terminal error.
func (r *Reconciler) checkOptions() error {
	var errs []error
	switch r.o.Mode {
	case ModeAccount, ModeOU:
	default:
		errs = append(errs, fmt.Errorf("unknown mode %q: use %q or %q", r.o.Mode, ModeAccount, ModeOU))
	}
	for _, rule := range r.o.Rules {
		if err := rule.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return Terminal(errors.Join(errs...))
}

// target is one share as the rules want it.
type target struct {
	name, tag, principal string
	accountID            string  // for an account share
	what                 string  // "account 333333333333 (prod, Root/Workloads/Prod OU)"
	acct                 Account // the account, or for an OU share an account in it
	active               bool
}

// liveShare is a share as RAM lists it, with its associations.
type liveShare struct {
	arn, name, tag string
	created        time.Time
	allowExternal  bool
	principals     map[string]bool
	resources      map[string]bool
}

// world is what a plan reads.
type world struct {
	pools  []Pool
	owner  string // the pools' owner: the networking account
	shares []*liveShare
}

// PlanAccount plans the shares of one account (a Control Tower event): its
// place in the organization (a few calls, not the whole tree), every pool,
// and the one share that concerns it — the account's own, or in ModeOU its
// OU's. Errors that no retry fixes are [*TerminalError]s.
func (r *Reconciler) PlanAccount(ctx context.Context, accountID string) (Plan, error) {
	if err := r.checkOptions(); err != nil {
		return Plan{}, err
	}
	if !accountIDPattern.MatchString(accountID) {
		return Plan{}, Terminal(fmt.Errorf("account %q: %w: give the 12 digits, leading zeros kept", accountID, ErrInvalidAccountID))
	}
	o := &org{client: r.org}
	a, err := o.locate(ctx, accountID)
	if err != nil {
		return Plan{}, err
	}
	t, err := r.targetOf(a)
	if err != nil {
		return Plan{}, err
	}
	w, err := r.read(ctx, []target{t})
	if err != nil {
		return Plan{}, err
	}
	return r.plan(w, []Account{a}, []target{t}), nil
}

// PlanAll plans the shares of every account of the organization: a
// backfill for accounts that existed before, and the repair of any drift
// (a pool added or retagged, an account moved). It reads the whole tree,
// every pool and every share once, at the largest page sizes.
func (r *Reconciler) PlanAll(ctx context.Context) (Plan, error) {
	if err := r.checkOptions(); err != nil {
		return Plan{}, err
	}
	o := &org{client: r.org}
	tree, err := o.all(ctx)
	if err != nil {
		return Plan{}, err
	}
	var targets []target
	for _, a := range tree.Accounts {
		if r.o.Mode == ModeOU && strings.HasPrefix(a.ParentID, "ou-") {
			continue
		}
		t, err := r.targetOf(a)
		if err != nil {
			return Plan{}, err
		}
		targets = append(targets, t)
	}
	if r.o.Mode == ModeOU {
		for _, u := range tree.Units {
			if u.IsRoot() {
				continue
			}
			targets = append(targets, r.ouTarget(u.ID, u.ARN, Account{ParentID: u.ID, ParentName: u.Name, Path: u.Path}))
		}
	}
	w, err := r.read(ctx, nil)
	if err != nil {
		return Plan{}, err
	}
	return r.plan(w, tree.Accounts, targets), nil
}

// Explain returns, for every pool, whether the rules share it with the
// account and why, with the account as the organization places it. The
// decisions are those of the account's own OU; in ModeOU the account also
// receives, through RAM, the pools of the shares of the OUs above it.
func (r *Reconciler) Explain(ctx context.Context, accountID string) (Account, []Decision, error) {
	if err := r.checkOptions(); err != nil {
		return Account{}, nil, err
	}
	if !accountIDPattern.MatchString(accountID) {
		return Account{}, nil, Terminal(fmt.Errorf("account %q: %w: give the 12 digits, leading zeros kept", accountID, ErrInvalidAccountID))
	}
	a, err := (&org{client: r.org}).locate(ctx, accountID)
	if err != nil {
		return Account{}, nil, err
	}
	pools, _, err := r.readPools(ctx)
	if err != nil {
		return Account{}, nil, err
	}
	return a, Match(r.o.Rules, pools, a), nil
}

// targetOf returns the share that serves a in the reconciler's mode.
func (r *Reconciler) targetOf(a Account) (target, error) {
	if r.o.Mode == ModeOU && strings.HasPrefix(a.ParentID, "ou-") {
		arn, err := OUARN(a)
		if err != nil {
			return target{}, Terminal(err)
		}
		return r.ouTarget(a.ParentID, arn, a), nil
	}
	return target{
		name: SharePrefix + a.ID, tag: "account/" + a.ID, principal: a.ID, accountID: a.ID,
		what: fmt.Sprintf("account %s (%s, %s)", a.ID, a.Name, a.Path),
		acct: a, active: a.Active(),
	}, nil
}

func (r *Reconciler) ouTarget(id, arn string, a Account) target {
	return target{
		name: SharePrefix + id, tag: "ou/" + id, principal: arn,
		what: fmt.Sprintf("OU %s (%s) and the OUs under it", id, a.Path), acct: a, active: true,
	}
}

// read reads the pools and the shares: every share when targets is nil,
// else only those of the targets (by name and by tag).
func (r *Reconciler) read(ctx context.Context, targets []target) (world, error) {
	pools, owner, err := r.readPools(ctx)
	if err != nil {
		return world{}, err
	}
	w := world{pools: pools, owner: owner}
	var ins []*ram.GetResourceSharesInput
	if targets == nil {
		ins = append(ins, &ram.GetResourceSharesInput{})
	} else {
		for _, t := range targets {
			ins = append(ins,
				&ram.GetResourceSharesInput{Name: aws.String(t.name)},
				&ram.GetResourceSharesInput{TagFilters: []ramtypes.TagFilter{{TagKey: aws.String(r.o.ShareTagKey), TagValues: []string{t.tag}}}})
		}
	}
	// With targets, keep only their shares: a RAM that ignored the tag
	// filter would list every share.
	wanted := map[string]bool{}
	for _, t := range targets {
		wanted[t.name], wanted[t.tag] = true, true
	}
	seen := map[string]bool{}
	for _, in := range ins {
		in.ResourceOwner, in.MaxResults = ramtypes.ResourceOwnerSelf, aws.Int32(ramPage)
		p := ram.NewGetResourceSharesPaginator(r.ram, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return world{}, classify(fmt.Errorf("list the resource shares: %w", err))
			}
			for _, s := range page.ResourceShares {
				arn := aws.ToString(s.ResourceShareArn)
				if seen[arn] || (s.Status != ramtypes.ResourceShareStatusActive && s.Status != ramtypes.ResourceShareStatusPending) {
					continue
				}
				seen[arn] = true
				ls := &liveShare{arn: arn, name: aws.ToString(s.Name), created: aws.ToTime(s.CreationTime),
					allowExternal: aws.ToBool(s.AllowExternalPrincipals), principals: map[string]bool{}, resources: map[string]bool{}}
				for _, tg := range s.Tags {
					if aws.ToString(tg.Key) == r.o.ShareTagKey {
						ls.tag = aws.ToString(tg.Value)
					}
				}
				if (targets == nil && (strings.HasPrefix(ls.name, SharePrefix) || ls.tag != "")) || wanted[ls.name] || wanted[ls.tag] {
					w.shares = append(w.shares, ls)
				}
			}
		}
	}
	if len(w.shares) == 0 {
		return w, nil
	}
	byARN := map[string]*liveShare{}
	var arns []string
	for _, s := range w.shares {
		byARN[s.arn] = s
		arns = append(arns, s.arn)
	}
	var chunks [][]string
	if targets == nil {
		chunks = [][]string{nil} // every share the account owns, in one listing
	} else {
		chunks = slices.Collect(slices.Chunk(arns, maxBatch))
	}
	for _, kind := range []ramtypes.ResourceShareAssociationType{ramtypes.ResourceShareAssociationTypePrincipal, ramtypes.ResourceShareAssociationTypeResource} {
		for _, chunk := range chunks {
			err := r.associations(ctx, kind, chunk, func(a ramtypes.ResourceShareAssociation) {
				s := byARN[aws.ToString(a.ResourceShareArn)]
				if s == nil {
					return
				}
				switch a.Status {
				case ramtypes.ResourceShareAssociationStatusAssociated, ramtypes.ResourceShareAssociationStatusAssociating:
				default:
					return
				}
				if kind == ramtypes.ResourceShareAssociationTypePrincipal {
					s.principals[aws.ToString(a.AssociatedEntity)] = true
				} else {
					s.resources[aws.ToString(a.AssociatedEntity)] = true
				}
			})
			if err != nil {
				return world{}, err
			}
		}
	}
	return w, nil
}

// associations calls fn for every association of a type of the shares
// (all the caller's shares when arns is nil), every page.
func (r *Reconciler) associations(ctx context.Context, kind ramtypes.ResourceShareAssociationType, arns []string, fn func(ramtypes.ResourceShareAssociation)) error {
	p := ram.NewGetResourceShareAssociationsPaginator(r.ram, &ram.GetResourceShareAssociationsInput{
		AssociationType: kind, ResourceShareArns: arns, MaxResults: aws.Int32(ramPage),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return classify(fmt.Errorf("list the %s associations of the resource shares: %w", strings.ToLower(string(kind)), err))
		}
		for _, a := range page.ResourceShareAssociations {
			fn(a)
		}
	}
	return nil
}

// readPools returns the pools that may be shared (every page of
// DescribeIpamPools), by ID, and their owner.
func (r *Reconciler) readPools(ctx context.Context) ([]Pool, string, error) {
	var pools []Pool
	owner := ""
	p := ec2.NewDescribeIpamPoolsPaginator(r.ec2, &ec2.DescribeIpamPoolsInput{MaxResults: aws.Int32(ec2Page)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, "", classify(fmt.Errorf("describe the IPAM pools: %w", err))
		}
		for _, ap := range page.IpamPools {
			if r.o.ScopeID != "" && !strings.HasSuffix(aws.ToString(ap.IpamScopeArn), "/"+r.o.ScopeID) {
				continue
			}
			switch ap.State {
			case ec2types.IpamPoolStateCreateFailed, ec2types.IpamPoolStateDeleteInProgress, ec2types.IpamPoolStateDeleteComplete, ec2types.IpamPoolStateDeleteFailed:
				continue
			}
			owner = cmp.Or(owner, aws.ToString(ap.OwnerId))
			pool := Pool{ID: aws.ToString(ap.IpamPoolId), ARN: aws.ToString(ap.IpamPoolArn), Locale: aws.ToString(ap.Locale)}
			if pool.Locale == "None" {
				pool.Locale = ""
			}
			for _, t := range ap.AllocationResourceTags {
				if pool.AllocationTags == nil {
					pool.AllocationTags = map[string]string{}
				}
				pool.AllocationTags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			pools = append(pools, pool)
		}
	}
	slices.SortFunc(pools, func(a, b Pool) int { return cmp.Compare(a.ID, b.ID) })
	return pools, owner, nil
}

// plan compares the targets with the live shares.
func (r *Reconciler) plan(w world, accounts []Account, targets []target) Plan {
	p := Plan{Mode: r.o.Mode, Prune: r.o.Prune, Accounts: len(accounts), Changes: []Change{}}
	byTag, byName := map[string][]*liveShare{}, map[string][]*liveShare{}
	for _, s := range w.shares {
		if s.tag != "" {
			byTag[s.tag] = append(byTag[s.tag], s)
		}
		byName[s.name] = append(byName[s.name], s)
	}
	poolByARN := map[string]Pool{}
	for _, pl := range w.pools {
		poolByARN[pl.ARN] = pl
	}
	for _, a := range accounts {
		if r.o.Mode == ModeOU && strings.HasPrefix(a.ParentID, "ou-") && !a.Active() {
			p.Notes = append(p.Notes, Note{AccountID: a.ID, Msg: fmt.Sprintf("account %s is %s but stays in OU %s, whose share RAM keeps serving it", a.ID, a.State, a.ParentID)})
		}
	}
	slices.SortFunc(targets, func(a, b target) int { return cmp.Compare(a.name, b.name) })
	byOU := map[string]ouMatch{}
	for _, t := range targets {
		if t.accountID != "" && t.accountID == w.owner {
			p.Notes = append(p.Notes, Note{AccountID: t.accountID, Msg: fmt.Sprintf("account %s owns the pools: it needs no share", t.accountID)})
			continue
		}
		// Find the share: by tag, else by name; the oldest wins, others are
		// duplicates (the sample makes one per delivery of an event).
		cands := slices.Clone(byTag[t.tag])
		for _, s := range byName[t.name] {
			if !slices.Contains(cands, s) {
				cands = append(cands, s)
			}
		}
		slices.SortStableFunc(cands, func(a, b *liveShare) int {
			return cmp.Or(cmp.Compare(rank(a.tag != t.tag), rank(b.tag != t.tag)), a.created.Compare(b.created), cmp.Compare(a.arn, b.arn))
		})
		var s *liveShare
		if len(cands) > 0 {
			s = cands[0]
			p.Shares++
			for _, d := range cands[1:] {
				p.Notes = append(p.Notes, Note{AccountID: t.accountID, Share: d.name, ShareARN: d.arn,
					Msg: fmt.Sprintf("share %s (%s) duplicates %s: delete it once you have checked it", d.name, d.arn, s.arn)})
			}
			if s.allowExternal {
				p.Notes = append(p.Notes, Note{AccountID: t.accountID, Share: s.name, ShareARN: s.arn,
					Msg: fmt.Sprintf("share %s (%s) allows external principals (the sample's default): turn it off with ram update-resource-share --no-allow-external-principals", s.name, s.arn)})
			}
		}
		// Decisions depend only on the OU: match once per OU, not per
		// account (5,000 accounts in 200 OUs make 200 matches).
		ouKey := t.acct.ParentID + "\x00" + t.acct.ParentName + "\x00" + t.acct.Path
		m, ok := byOU[ouKey]
		if !ok {
			m = ouMatch{why: make(map[string]string, len(w.pools))}
			for _, d := range Match(r.o.Rules, w.pools, Account{ParentID: t.acct.ParentID, ParentName: t.acct.ParentName, Path: t.acct.Path}) {
				m.why[d.PoolARN] = d.Reason
				if d.Matched {
					m.matched = append(m.matched, d)
				}
			}
			byOU[ouKey] = m
		}
		why := m.why
		var want []Decision
		if t.active {
			want = make([]Decision, len(m.matched))
			for i, d := range m.matched {
				d.AccountID = t.acct.ID
				want[i] = d
			}
		}
		if !t.active {
			p.Notes = append(p.Notes, Note{AccountID: t.accountID, Msg: fmt.Sprintf("%s is not active: it is never shared with", t.what)})
		}
		wanted := map[string]bool{}
		for _, d := range want {
			wanted[d.PoolARN] = true
		}
		if s == nil {
			if len(want) == 0 {
				continue
			}
			p.Changes = append(p.Changes, Change{Kind: KindCreateShare, Share: t.name, Principal: t.principal,
				Reason: fmt.Sprintf("%s: no share yet, %s to share", t.what, plural(len(want), "pool"))})
			for _, d := range want {
				p.Changes = append(p.Changes, Change{Kind: KindAssociatePool, Share: t.name, PoolID: d.PoolID, PoolARN: d.PoolARN, Reason: d.Reason})
			}
			continue
		}
		if len(want) > 0 && !s.principals[t.principal] {
			p.Changes = append(p.Changes, Change{Kind: KindAssociatePrincipal, Share: s.name, ShareARN: s.arn, Principal: t.principal,
				Reason: fmt.Sprintf("the share does not name %s", t.what)})
		}
		for _, d := range want {
			if !s.resources[d.PoolARN] {
				p.Changes = append(p.Changes, Change{Kind: KindAssociatePool, Share: s.name, ShareARN: s.arn, PoolID: d.PoolID, PoolARN: d.PoolARN, Reason: d.Reason})
			}
		}
		for _, res := range slices.Sorted(maps.Keys(s.resources)) {
			if wanted[res] {
				continue
			}
			c := Change{Kind: KindDisassociatePool, Share: s.name, ShareARN: s.arn, PoolARN: res, Kept: !r.o.Prune}
			if pl, ok := poolByARN[res]; ok {
				c.PoolID = pl.ID
				c.Reason = why[res]
				if !t.active {
					c.Reason = fmt.Sprintf("pool %s: %s is not active", pl.ID, t.what)
				}
			} else {
				c.PoolID = res[strings.LastIndex(res, "/")+1:]
				c.Reason = fmt.Sprintf("%s is not a pool the networking account shares: deleted, or in another scope", res)
			}
			p.Changes = append(p.Changes, c)
		}
	}
	return p
}

func rank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ouMatch is the decisions for the accounts of one OU: the pools that
// match, and every pool's reason by ARN.
type ouMatch struct {
	matched []Decision
	why     map[string]string
}
