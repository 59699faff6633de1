package hierarchy

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// DefaultPathTagKey is the tag key whose value is a managed pool's path.
const DefaultPathTagKey = "ipamkit:path"

// Options configures [Plan]. The zero value is ready to use: pools are
// recognised by [DefaultPathTagKey] and nothing is deleted.
type Options struct {
	// PathTagKey is the tag that holds a managed pool's path; "" means
	// [DefaultPathTagKey].
	PathTagKey string
	// AllowDelete lets the plan deprovision CIDRs and delete pools that the
	// spec no longer has. Even then, a pool or CIDR with allocations is never
	// touched: the plan lists it under Refused with the allocations named.
	AllowDelete bool
	// Avoid is more space no carved pool may take, on top of the spec's
	// disallowed list: typically VPC CIDRs that IPAM discovered but no pool
	// allocated, which IPAM would otherwise hand out again.
	Avoid []netip.Prefix
	// ScopeID is the IPAM scope the plan is for. It goes into the client
	// tokens, so two scopes with the same paths get different tokens.
	ScopeID string
	// Regions are the IPAM's operating regions as read from IPAM. When not
	// empty, they replace [Spec.Regions] for checking locales.
	Regions []string
	// MaxPools is the scope's pools quota as read from Service Quotas, used
	// when [Spec.MaxPools] is 0; 0 means [DefaultMaxPools].
	MaxPools int
}

func (o Options) withDefaults() Options {
	if o.PathTagKey == "" {
		o.PathTagKey = DefaultPathTagKey
	}
	return o
}

// Action is what an operation does, as a plan/apply tool shows it. It is a
// rune: the symbol of the action, except [Adopt] whose symbol is "<=".
type Action rune

// The actions. The zero Action is NoOp, which no plan contains.
const (
	NoOp   Action = 0
	Create Action = '+'
	Update Action = '~'
	Delete Action = '-'
	Adopt  Action = '<'
)

// String returns "create", "update", "delete", "adopt" or "no-op".
func (a Action) String() string {
	switch a {
	case Create:
		return "create"
	case Update:
		return "update"
	case Delete:
		return "delete"
	case Adopt:
		return "adopt"
	case NoOp:
		return "no-op"
	}
	return fmt.Sprintf("Action(%d)", rune(a))
}

// Symbol returns "+", "~", "-", "<=", or " " for NoOp.
func (a Action) Symbol() string {
	switch a {
	case Adopt:
		return "<="
	case NoOp:
		return " "
	}
	return string(rune(a))
}

// MarshalText returns the action's [Action.String].
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses what [Action.MarshalText] writes.
func (a *Action) UnmarshalText(b []byte) error {
	for _, c := range []Action{NoOp, Create, Update, Delete, Adopt} {
		if c.String() == string(b) {
			*a = c
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}

// Kind is the IPAM operation an [Op] stands for.
type Kind string

// The kinds of operation, in the order Apply runs them for one pool.
const (
	// KindAdoptPool tags an existing untagged pool with its path (and the
	// spec's tags): CreateTags. From then on the pool is managed.
	KindAdoptPool Kind = "adopt-pool"
	// KindCreatePool creates a pool: CreateIpamPool with the config, the
	// parent as SourceIpamPoolId and the client token; then wait for
	// create-complete.
	KindCreatePool Kind = "create-pool"
	// KindModifyPool changes a pool's description, rules or tags:
	// ModifyIpamPool and CreateTags.
	KindModifyPool Kind = "modify-pool"
	// KindProvisionCIDR provisions a CIDR (or, when the CIDR is not known
	// before apply, a netmask length) to a pool: ProvisionIpamPoolCidr;
	// then wait for provisioned.
	KindProvisionCIDR Kind = "provision-cidr"
	// KindDeprovisionCIDR deprovisions a CIDR: DeprovisionIpamPoolCidr.
	KindDeprovisionCIDR Kind = "deprovision-cidr"
	// KindDeletePool deletes a pool whose CIDRs are deprovisioned:
	// DeleteIpamPool.
	KindDeletePool Kind = "delete-pool"
)

// Action returns the kind's action.
func (k Kind) Action() Action {
	switch k {
	case KindCreatePool, KindProvisionCIDR:
		return Create
	case KindModifyPool:
		return Update
	case KindDeprovisionCIDR, KindDeletePool:
		return Delete
	case KindAdoptPool:
		return Adopt
	}
	return NoOp
}

// PoolConfig is a pool's settings as [KindCreatePool] sends them and as
// [KindAdoptPool] and [KindModifyPool] make them. Tags include the path tag.
// For a pool that exists, the fields its spec leaves out ([Pool.Stated])
// are the live pool's, which the plan does not change.
type PoolConfig struct {
	Family               Family            `json:"family,omitempty"`
	Locale               string            `json:"locale,omitempty"`
	Description          string            `json:"description,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"`
	Allocation           Allocation        `json:"allocation,omitzero"`
	AutoImport           bool              `json:"autoImport,omitempty"`
	PublicIPSource       string            `json:"publicIpSource,omitempty"`
	PubliclyAdvertisable bool              `json:"publiclyAdvertisable,omitempty"`
}

// Change is one field an [Op] changes, as people read it: Field is
// "description", "autoImport", "allocation.minNetmask", "allocation.tags" or
// "tags.KEY"; Before and After are "(none)" when unset.
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Op is one operation of a plan, with everything Apply needs to run it.
//
// Path names the pool. PoolID is the live pool's ID when the pool exists
// (every kind but [KindCreatePool] and a provision into a pool the same plan
// creates). ParentPath, and ParentID when the parent exists before the
// apply, name the parent of a new pool; Apply resolves a ParentPath created
// earlier in the same apply. CIDR is the real CIDR of a provision or
// deprovision; it is zero only when AWS chooses it (an Amazon-provided pool,
// or a pool below one), and then Netmask is the length to ask for.
type Op struct {
	Kind        Kind         `json:"kind"`
	Action      Action       `json:"action"`
	Path        string       `json:"path"`
	PoolID      string       `json:"poolId,omitempty"`
	ParentPath  string       `json:"parentPath,omitempty"`
	ParentID    string       `json:"parentId,omitempty"`
	CIDR        netip.Prefix `json:"cidr,omitzero"`
	Netmask     int          `json:"netmask,omitempty"`
	Config      PoolConfig   `json:"config,omitzero"`
	Changes     []Change     `json:"changes,omitempty"`
	ClientToken string       `json:"clientToken,omitempty"`
	Reason      string       `json:"reason"`
}

// Label names the operation in a few words, as the plan draws it and as a
// progress line shows it: the action's symbol, then "pool" and the path, or
// "cidr", the path and the CIDR (the netmask when AWS chooses the CIDR);
// an operation on a pool that exists already ends with the pool's ID:
//
//   - pool /top/us-east-1
//   - cidr /top/us-east-1 192.168.16.0/20
//   - cidr /v6/prod /54
//     <= pool /top ipam-pool-0123456789abcdef0
//
// Compare [Op.String], which adds the kind.
func (op Op) Label() string {
	switch op.Kind {
	case KindProvisionCIDR, KindDeprovisionCIDR:
		return op.Action.Symbol() + " cidr " + op.Path + " " + op.cidrLabel()
	case KindCreatePool:
		return op.Action.Symbol() + " pool " + op.Path
	}
	return strings.TrimSuffix(op.Action.Symbol()+" pool "+op.Path+" "+op.PoolID, " ")
}

// String names the operation with its kind and pool ID, as [ApplyError]
// does: "+ pool /top/us-east-1 (create-pool)", "- cidr /top/a 10.0.0.0/20
// (deprovision-cidr, ipam-pool-…)".
func (op Op) String() string { return describeOp(op) }

// cidrLabel is the CIDR of a provision or deprovision, or "/N" when AWS
// chooses it.
func (op Op) cidrLabel() string {
	if op.CIDR.IsValid() {
		return op.CIDR.String()
	}
	return "/" + strconv.Itoa(op.Netmask)
}

// PlannedPool is one pool of the spec as it will be after apply, with its
// real CIDRs. Status is "create", "adopt" or "managed".
type PlannedPool struct {
	Path   string         `json:"path"`
	PoolID string         `json:"poolId,omitempty"`
	Status string         `json:"status"`
	CIDRs  []netip.Prefix `json:"cidrs,omitempty"`
	// Netmask is the length AWS will provision when the CIDRs are not known
	// before apply (an Amazon-provided pool and the pools below it).
	Netmask int `json:"netmask,omitempty"`
}

// ChangeSet is the result of [Plan]: the operations that make the live tree
// match the spec, in the order to run them, what the plan refused to do and
// why, and the whole tree with its CIDRs.
//
// Ops creates, adopts and changes pools parents first (each pool's adopt or
// create, then its changes, then its CIDRs, in spec order), then
// deprovisions and deletes children first. A ChangeSet is plain data: its
// JSON form is the same value, and [ChangeSet.Render] draws it for people.
type ChangeSet struct {
	PathTagKey string        `json:"pathTagKey"`
	Ops        []Op          `json:"ops"`
	Refused    []Op          `json:"refused,omitempty"`
	Warnings   []Warning     `json:"warnings,omitempty"`
	Pools      []PlannedPool `json:"pools"`
	// ScopeID is [Options.ScopeID]: the scope [Apply] creates pools in.
	ScopeID string `json:"scopeId,omitempty"`
	// AllowDelete is [Options.AllowDelete]. [Apply] runs no deprovision or
	// deletion unless it is set. It is part of the JSON (allowDelete), so a
	// plan saved with deletions and reviewed can be applied later as it is.
	AllowDelete bool `json:"allowDelete,omitempty"`
}

// Warning is something the plan does differently from what the spec says,
// because IPAM cannot do otherwise: a live pool keeps a CIDR of another size
// than the spec's netmask, for one.
type Warning struct {
	Path string `json:"path"`
	Msg  string `json:"message"`
}

// Summary counts a plan's operations by action.
type Summary struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Delete int `json:"delete"`
	Adopt  int `json:"adopt"`
}

// Summary counts the operations of cs by action; refused ones do not count.
func (cs ChangeSet) Summary() Summary {
	var s Summary
	for _, op := range cs.Ops {
		switch op.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Delete:
			s.Delete++
		case Adopt:
			s.Adopt++
		}
	}
	return s
}

// IsEmpty reports whether the plan has nothing to do. A plan that only
// refuses deletions is empty.
func (cs ChangeSet) IsEmpty() bool { return len(cs.Ops) == 0 }

// ClientToken returns the idempotency token Apply sends with the operation
// of kind on the pool at path (and detail: a CIDR or netmask, or ""), in the
// IPAM scope scopeID: "ipamkit-" and 40 hex digits, within EC2's 64
// characters. It depends only on its arguments, so a repeated or resumed
// apply sends the same token and EC2 returns the first result instead of
// acting twice.
func ClientToken(scopeID, path string, kind Kind, detail string) string {
	h := sha256.New()
	for _, s := range []string{scopeID, string(kind), path, detail} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "ipamkit-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// Plan compares the spec with the live tree of its scope and returns the
// operations that make the live tree match, each with its real CIDR and the
// reason for it. The package documentation explains how CIDRs are carved,
// how pools are recognised and adopted, and what the plan never does.
//
// Plan does not modify spec or live. When the spec has problems, or the live
// tree conflicts with it, Plan returns an empty ChangeSet and a
// [*ValidationError] listing every problem ([ErrConflict] for live state it
// cannot reconcile, [ErrQuota] when the scope would exceed its quota).
func Plan(spec Spec, live Live, optFns ...func(*Options)) (ChangeSet, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	o = o.withDefaults()
	roots, ps, warnings := build(spec, &live, o)
	if len(ps) > 0 {
		return ChangeSet{}, ps.err()
	}
	p := &planner{opts: o, cs: ChangeSet{ScopeID: o.ScopeID, AllowDelete: o.AllowDelete, PathTagKey: o.PathTagKey, Ops: []Op{}, Pools: []PlannedPool{}, Warnings: warnings}, claimed: map[string]bool{}}
	p.forward(roots)
	kept := p.backward(live)
	if max, n := maxPoolsOf(spec, o), spec.Count()+kept; n > max {
		ps.add("", ErrQuota, "after this plan the scope would hold %d pools (%d in the spec, %d others) but its quota is %d: ask for a higher \"Pools per scope\" quota in Service Quotas and set maxPools", n, spec.Count(), kept, max)
		return ChangeSet{}, ps.err()
	}
	return p.cs, nil
}

func maxPoolsOf(s Spec, o Options) int {
	switch {
	case s.MaxPools > 0:
		return s.MaxPools
	case o.MaxPools > 0:
		return o.MaxPools
	}
	return DefaultMaxPools
}

type planner struct {
	opts    Options
	cs      ChangeSet
	claimed map[string]bool           // live pool IDs the spec uses
	extra   map[string][]netip.Prefix // CIDRs of claimed pools the spec no longer lists
}

func (p *planner) token(path string, kind Kind, detail string) string {
	return ClientToken(p.opts.ScopeID, path, kind, detail)
}

// forward emits adoptions, creations, changes and provisions, parents first.
func (p *planner) forward(ns []*node) {
	for _, n := range ns {
		p.node(n)
		p.forward(n.children)
	}
}

func (p *planner) node(n *node) {
	cfg := p.config(n)
	pp := PlannedPool{Path: n.path, Status: "create", CIDRs: n.cidrs}
	if !n.known {
		pp.CIDRs, pp.Netmask = nil, n.cidrs[0].Bits()
	}
	parentPath, parentID := "", ""
	if n.parent != nil {
		parentPath = n.parent.path
		if n.parent.live != nil {
			parentID = n.parent.live.ID
		}
	}
	poolID := ""
	var have []netip.Prefix
	if lp := n.live; lp == nil {
		why := fmt.Sprintf("the spec has this pool; no pool in the scope carries %s=%s and no untagged pool matches it", p.opts.PathTagKey, n.path)
		if n.why != "" {
			why += " (" + n.why + ")"
		}
		p.add(Op{Kind: KindCreatePool, Path: n.path, ParentPath: parentPath, ParentID: parentID, Config: cfg,
			ClientToken: p.token(n.path, KindCreatePool, ""), Reason: why})
	} else {
		poolID = lp.ID
		pp.PoolID = lp.ID
		p.claimed[lp.ID] = true
		have = lp.Provisioned()
		tags, other := drift(lp, cfg, p.opts.PathTagKey)
		if n.adopted {
			pp.Status = "adopt"
			p.add(Op{Kind: KindAdoptPool, Path: n.path, PoolID: lp.ID, ParentPath: parentPath, ParentID: parentID, Config: cfg, Changes: tags,
				Reason: n.why + "; tagging it instead of creating a duplicate"})
			tags = nil
		} else {
			pp.Status = "managed"
		}
		if changes := append(tags, other...); len(changes) > 0 {
			why := "the pool was changed outside ipamkit, or the spec changed"
			if n.adopted {
				why = "the adopted pool differs from the spec"
			}
			p.add(Op{Kind: KindModifyPool, Path: n.path, PoolID: lp.ID, Config: cfg, Changes: changes, Reason: why})
		}
		if n.origin == originExplicit {
			for _, c := range have {
				if !slices.Contains(n.cidrs, c) {
					if p.extra == nil {
						p.extra = map[string][]netip.Prefix{}
					}
					p.extra[lp.ID] = append(p.extra[lp.ID], c)
				}
			}
		}
	}
	p.cs.Pools = append(p.cs.Pools, pp)
	if n.origin == originKept {
		return
	}
	for _, c := range n.cidrs {
		if slices.Contains(have, c) {
			continue
		}
		op := Op{Kind: KindProvisionCIDR, Path: n.path, PoolID: poolID, CIDR: c, Reason: p.provisionReason(n)}
		if !n.known {
			op.CIDR, op.Netmask = netip.Prefix{}, c.Bits()
		}
		op.ClientToken = p.token(n.path, KindProvisionCIDR, strconv.Itoa(c.Bits())+"|"+op.CIDR.String())
		p.add(op)
	}
}

func (p *planner) provisionReason(n *node) string {
	switch {
	case n.origin == originExplicit:
		return "listed in the spec"
	case n.origin == originAmazon:
		return fmt.Sprintf("Amazon-provided: AWS chooses the /%d in %s at apply", n.pool.Netmask, n.locale)
	case !n.known:
		return fmt.Sprintf("a /%d that IPAM carves from %s at apply (its space is Amazon-provided)", n.pool.Netmask, n.parent.path)
	}
	how := "lowest free"
	if n.parent.strategy != 0 {
		how = "best-fitting free"
	}
	return fmt.Sprintf("carved: the %s /%d of %s (%s), in spec order", how, n.pool.Netmask, n.parent.path, joinPrefixes(n.parent.cidrs))
}

func (p *planner) config(n *node) PoolConfig {
	sp := n.pool
	tags := maps.Clone(sp.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[p.opts.PathTagKey] = n.path
	a := n.alloc
	a.Tags = maps.Clone(a.Tags)
	cfg := PoolConfig{
		Family: n.family, Locale: n.locale, Description: sp.Description, Tags: tags, Allocation: a,
		AutoImport: sp.AutoImport, PublicIPSource: sp.PublicIPSource, PubliclyAdvertisable: sp.PubliclyAdvertisable,
	}
	// What the spec leaves out, an existing pool keeps.
	if lp := n.live; lp != nil {
		if !sp.Stated(FieldDescription) {
			cfg.Description = lp.Description
		}
		if !sp.Stated(FieldAutoImport) {
			cfg.AutoImport = lp.AutoImport
		}
		if !sp.Stated(FieldMinNetmask) {
			cfg.Allocation.MinNetmask = lp.Allocation.MinNetmask
		}
		if !sp.Stated(FieldMaxNetmask) {
			cfg.Allocation.MaxNetmask = lp.Allocation.MaxNetmask
		}
		if !sp.Stated(FieldDefaultNetmask) {
			cfg.Allocation.DefaultNetmask = lp.Allocation.DefaultNetmask
		}
	}
	return cfg
}

// drift compares a live pool with its desired config: tag changes, then the
// other fields. Tags the spec does not set are left alone.
func drift(lp *LivePool, cfg PoolConfig, tagKey string) (tags, other []Change) {
	for _, k := range slices.Sorted(maps.Keys(cfg.Tags)) {
		v, ok := lp.Tags[k]
		if ok && v == cfg.Tags[k] {
			continue
		}
		before := "(none)"
		if ok {
			before = v
		}
		tags = append(tags, Change{Field: "tags." + k, Before: before, After: cfg.Tags[k]})
	}
	str := func(s string) string { return cmp.Or(s, "(none)") }
	mask := func(n int) string {
		if n == 0 {
			return "(none)"
		}
		return "/" + strconv.Itoa(n)
	}
	if lp.Description != cfg.Description {
		other = append(other, Change{"description", str(lp.Description), str(cfg.Description)})
	}
	la, ca := lp.Allocation, cfg.Allocation
	if la.MinNetmask != ca.MinNetmask {
		other = append(other, Change{"allocation.minNetmask", mask(la.MinNetmask), mask(ca.MinNetmask)})
	}
	if la.MaxNetmask != ca.MaxNetmask {
		other = append(other, Change{"allocation.maxNetmask", mask(la.MaxNetmask), mask(ca.MaxNetmask)})
	}
	if la.DefaultNetmask != ca.DefaultNetmask {
		other = append(other, Change{"allocation.defaultNetmask", mask(la.DefaultNetmask), mask(ca.DefaultNetmask)})
	}
	if !maps.Equal(la.Tags, ca.Tags) {
		other = append(other, Change{"allocation.tags", str(formatTags(la.Tags)), str(formatTags(ca.Tags))})
	}
	if lp.AutoImport != cfg.AutoImport {
		other = append(other, Change{"autoImport", strconv.FormatBool(lp.AutoImport), strconv.FormatBool(cfg.AutoImport)})
	}
	return tags, other
}

func (p *planner) add(op Op) {
	op.Action = op.Kind.Action()
	p.cs.Ops = append(p.cs.Ops, op)
}

func (p *planner) refuse(op Op) {
	op.Action = op.Kind.Action()
	p.cs.Refused = append(p.cs.Refused, op)
}

// backward emits deprovisions and deletions, children first, and returns how
// many pools other than the spec's the scope keeps.
func (p *planner) backward(live Live) int {
	children := map[string][]*LivePool{}
	var roots []*LivePool
	byID := map[string]bool{}
	for i := range live.Pools {
		if !live.Pools[i].Gone() {
			byID[live.Pools[i].ID] = true
		}
	}
	for i := range live.Pools {
		lp := &live.Pools[i]
		if lp.Gone() {
			continue
		}
		if lp.ParentID == "" || !byID[lp.ParentID] {
			roots = append(roots, lp)
		} else {
			children[lp.ParentID] = append(children[lp.ParentID], lp)
		}
	}
	key := func(lp *LivePool) string {
		if v, ok := lp.Path(p.opts.PathTagKey); ok {
			return v + "\x00" + lp.ID
		}
		return "\xff" + lp.ID
	}
	byKey := func(a, b *LivePool) int { return strings.Compare(key(a), key(b)) }
	deleted := map[string]bool{}
	// Pools whose deletion is refused only for want of AllowDelete: with
	// it, they would be deleted before their parent.
	wouldDelete := map[string]bool{}
	refused := map[string]bool{} // pools whose deletion is refused
	kept := 0
	var visit func(lp *LivePool)
	visit = func(lp *LivePool) {
		cs := children[lp.ID]
		slices.SortFunc(cs, byKey)
		for _, c := range cs {
			visit(c)
		}
		path, managed := lp.Path(p.opts.PathTagKey)
		if p.claimed[lp.ID] {
			for _, c := range p.extra[lp.ID] {
				op := Op{Kind: KindDeprovisionCIDR, Path: path, PoolID: lp.ID, CIDR: c,
					ClientToken: p.token(path, KindDeprovisionCIDR, c.String()),
					Reason:      "the spec no longer lists this CIDR"}
				if why := p.refusal(lp, c, deleted, wouldDelete, refused, "deprovisioning"); why != "" {
					op.Reason += why
					p.refuse(op)
					continue
				}
				p.add(op)
			}
			return
		}
		if !managed {
			kept++
			return // not ours: never changed
		}
		del := Op{Kind: KindDeletePool, Path: path, PoolID: lp.ID,
			Reason: fmt.Sprintf("the spec has no pool %s, and the pool carries %s, so ipamkit manages it", path, p.opts.PathTagKey)}
		if why := p.refusal(lp, netip.Prefix{}, deleted, wouldDelete, refused, "deleting"); why != "" {
			del.Reason += why
			p.refuse(del)
			refused[lp.ID] = true
			if len(blockers(lp, netip.Prefix{}, deleted, wouldDelete)) == 0 {
				wouldDelete[lp.ID] = true
			}
			kept++
			return
		}
		for _, c := range sortedCopy(lp.Provisioned()) {
			p.add(Op{Kind: KindDeprovisionCIDR, Path: path, PoolID: lp.ID, CIDR: c,
				ClientToken: p.token(path, KindDeprovisionCIDR, c.String()),
				Reason:      "the pool is deleted: its CIDRs go first"})
		}
		p.add(del)
		deleted[lp.ID] = true
	}
	slices.SortFunc(roots, byKey)
	for _, r := range roots {
		visit(r)
	}
	return kept
}

// refusal says why a deprovision or deletion on lp (of CIDR c; the whole
// pool when c is zero) may not run ("; refused: …"), or returns "" when it
// may: allocations block it even with AllowDelete, and nothing runs
// without AllowDelete. Child pools this plan deletes block nothing, and
// neither, for the message, do those it would delete with AllowDelete: the
// refusal then says that AllowDelete would delete them first. Child pools
// whose own deletion is refused (in refused) are named as such.
func (p *planner) refusal(lp *LivePool, c netip.Prefix, deleted, wouldDelete, refused map[string]bool, verb string) string {
	if blocking := blockers(lp, c, deleted, wouldDelete); len(blocking) > 0 {
		var names, kept []string
		for _, a := range blocking {
			if a.ResourceType == ResourceTypePool && refused[a.ResourceID] {
				kept = append(kept, a.ResourceID)
				continue
			}
			names = append(names, strings.TrimSpace(cmp.Or(a.ResourceType, "allocation")+" "+cmp.Or(a.ResourceID, a.ID)+" "+a.CIDR.String()))
		}
		if len(names) > 3 {
			names = append(names[:3], fmt.Sprintf("and %d more", len(names)-3))
		}
		var why []string
		if len(names) > 0 {
			why = append(why, fmt.Sprintf("the pool holds allocations (%s) and ipamkit never takes space in use, even with AllowDelete: release them first", strings.Join(names, ", ")))
		}
		if len(kept) > 0 {
			why = append(why, fmt.Sprintf("it holds the space of pools below it whose deletion is refused too (%s, listed before it)", strings.Join(kept, ", ")))
		}
		return "; refused: " + strings.Join(why, "; and ")
	}
	if !p.opts.AllowDelete {
		why := fmt.Sprintf("; refused: %s needs AllowDelete (ipamctl hierarchy apply --allow-delete)", verb)
		if len(blockers(lp, c, deleted, nil)) > 0 {
			why += ", which would delete the pools below it first"
		}
		return why
	}
	return ""
}

// blockers returns the allocations of lp inside c (all of them when c is
// zero), except those of child pools in deleted or also.
func blockers(lp *LivePool, c netip.Prefix, deleted, also map[string]bool) []LiveAllocation {
	var out []LiveAllocation
	for _, a := range lp.Allocations {
		if a.ResourceType == ResourceTypePool && (deleted[a.ResourceID] || also[a.ResourceID]) {
			continue
		}
		if c.IsValid() && !a.CIDR.Overlaps(c) {
			continue
		}
		out = append(out, a)
	}
	return out
}
