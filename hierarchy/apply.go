package hierarchy

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/waiter"
)

// Defaults of [ApplyOptions].
const (
	// DefaultMaxWait is how long one operation may take, its retries and
	// its wait for IPAM's state included.
	DefaultMaxWait = 15 * time.Minute
	// DefaultMaxRetries is how many times a call that IPAM refused because
	// the pool was busy is tried again.
	DefaultMaxRetries = 10
)

var (
	// ErrDeleteNotAllowed is returned by [Apply] for a change set that
	// deprovisions or deletes but was not planned with
	// [Options.AllowDelete]. Nothing is applied.
	ErrDeleteNotAllowed = errors.New("deletion not allowed")
	// ErrInUse is wrapped by the error of a deprovision or deletion that
	// [Apply] refused because, when it read the pool again just before,
	// the pool held allocations the plan did not know of.
	ErrInUse = errors.New("space in use")
)

// ApplyOptions configures [Apply]. The zero value is ready to use.
type ApplyOptions struct {
	// MinDelay and MaxDelay bound the waits between reads of a state and
	// between retries of a busy pool; zero means [DefaultMinDelay] and
	// [DefaultMaxDelay].
	MinDelay, MaxDelay time.Duration
	// MaxWait is how long one operation may take, retries and waiting
	// included; zero means [DefaultMaxWait]. ctx's deadline bounds the
	// whole apply.
	MaxWait time.Duration
	// MaxRetries is how many times a call that IPAM refused because the
	// pool was busy (IncorrectState, ConcurrentMutationLimitExceeded) is
	// tried again; zero means [DefaultMaxRetries]. Throttling and
	// transient errors are retried by the SDK's retryer, not here.
	MaxRetries int
	// Progress, when not nil, is called as each operation starts and ends,
	// from the goroutine that called Apply.
	Progress func(Progress)
	// Logger receives one Info record per operation done (kind, path, pool
	// ID, CIDR, time taken) and Debug records for starts, retries and
	// waits; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// sleep waits d or until ctx is done; nil means a timer. Tests replace
	// it so that no test sleeps.
	sleep func(ctx context.Context, d time.Duration) error
}

// Progress is an operation of [Apply] starting (Done false) or ending (Done
// true, with Took and, when it failed, Err). Op is the operation as run:
// PoolID is filled in once known, and CIDR once AWS has chosen it.
type Progress struct {
	Index int // the operation's index in the change set, from 0
	Total int // the number of operations in the change set
	Op    Op
	Done  bool
	Took  time.Duration
	Err   error
}

// Result is what [Apply] did: the operations it completed, in order. It is
// returned with the error too, so a caller can say how far an apply got.
type Result struct {
	Total int        `json:"total"` // the number of operations in the change set
	Done  []OpResult `json:"done"`  // the completed operations, in order
}

// OpResult is one completed operation: the [Op] as run (with the pool ID
// of a new pool and the CIDR AWS chose filled in) and how long it took,
// waiting included (in JSON, nanoseconds).
type OpResult struct {
	Op   Op            `json:"op"`
	Took time.Duration `json:"took"`
}

// ApplyError is the error of [Apply] when an operation fails: which
// operation, where it stood in the change set and how many operations were
// done before it. The operations before it stay done; running the plan and
// apply again resumes from what the live tree then is. Err is the cause:
// a [*StateError], an error wrapping [ErrWaitTimeout], [ErrInUse] or
// [ErrConflict], an SDK error, or ctx's error.
type ApplyError struct {
	Op    Op  // the failing operation, with what was resolved of it
	Index int // its index in the change set, from 0
	Done  int // operations completed before it
	Total int // operations in the change set
	Err   error
}

// Error returns "failed at + pool /top/us-east-1/prod (create-pool): CAUSE;
// 3 of 9 operations done; run apply again to resume".
func (e *ApplyError) Error() string {
	return fmt.Sprintf("failed at %s: %v; %d of %d operations done; run apply again to resume", describeOp(e.Op), e.Err, e.Done, e.Total)
}

// Unwrap returns Err.
func (e *ApplyError) Unwrap() error { return e.Err }

// describeOp names an operation as the plan draws it, with its kind and
// pool ID: "+ pool /a/b (create-pool)", "+ cidr /a/b 10.0.0.0/16
// (provision-cidr, ipam-pool-…)". It is [Op.String].
func describeOp(op Op) string {
	var b strings.Builder
	b.WriteString(op.Action.Symbol())
	switch op.Kind {
	case KindProvisionCIDR, KindDeprovisionCIDR:
		b.WriteString(" cidr " + cmp.Or(op.Path, "(unmanaged pool)") + " " + op.cidrLabel())
	default:
		b.WriteString(" pool " + op.Path)
	}
	b.WriteString(" (" + string(op.Kind))
	if op.PoolID != "" {
		b.WriteString(", " + op.PoolID)
	}
	b.WriteString(")")
	return b.String()
}

// Apply runs the operations of a change set from [Plan], in order, against
// the IPAM that client reaches (the IPAM's account and home region).
//
// It creates each pool in the scope [ChangeSet.ScopeID], under its parent's
// ID (a parent created earlier in the same apply is resolved from its
// path), with its tags (the path tag among them) and the operation's client
// token, then waits until the pool is create-complete. It provisions each
// CIDR with its client token and waits until it is provisioned. A repeated
// or resumed apply therefore converges instead of making duplicates: what
// was done shows in the live tree, so the next plan leaves it out, and an
// operation whose answer was lost is answered again by EC2 from its token.
// Adoptions tag the pool (CreateTags); changes go through ModifyIpamPool and
// CreateTags, then wait until the pool is modify-complete.
//
// Deprovisions and deletions run only when the change set was planned with
// [Options.AllowDelete]; otherwise Apply returns [ErrDeleteNotAllowed] and
// does nothing. Before each, Apply reads the pool again and refuses
// ([ErrInUse]) if it holds allocations other than the pools this apply
// deleted, or ([ErrConflict]) if it no longer carries its path tag; it then
// waits until the CIDR is deprovisioned or the pool deleted.
//
// Calls refused because the pool is busy (IncorrectState,
// ConcurrentMutationLimitExceeded) are retried with backoff, up to
// [ApplyOptions.MaxRetries] times within [ApplyOptions.MaxWait]. ctx is
// checked before every call: when it is cancelled, Apply stops there.
//
// Apply returns the operations it completed, and on failure an
// [*ApplyError] naming the failing operation. It does not modify cs.
func Apply(ctx context.Context, client EC2API, cs ChangeSet, optFns ...func(*ApplyOptions)) (Result, error) {
	var o ApplyOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = DefaultMaxRetries
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	wo := WaiterOptions{MinDelay: o.MinDelay, MaxDelay: o.MaxDelay, Now: o.Now, sleep: o.sleep}.withDefaults()
	o.MinDelay, o.MaxDelay, o.Now, o.sleep = wo.MinDelay, wo.MaxDelay, wo.Now, wo.sleep
	res := Result{Total: len(cs.Ops), Done: []OpResult{}}
	if err := checkChangeSet(cs); err != nil {
		return res, err
	}
	a := &applier{
		client: client, cs: cs, o: o, w: &PoolWaiter{client: client, o: wo},
		tagKey: cmp.Or(cs.PathTagKey, DefaultPathTagKey), ids: map[string]string{}, deleted: map[string]bool{},
		poolReady: map[string]bool{}, cidrsReady: map[string]bool{}, parentOf: map[string]string{},
	}
	for _, p := range cs.Pools {
		if p.PoolID != "" {
			a.ids[p.Path] = p.PoolID
		}
	}
	for _, op := range cs.Ops {
		if op.PoolID != "" && op.Path != "" && op.Kind != KindDeletePool && op.Kind != KindDeprovisionCIDR {
			a.ids[op.Path] = op.PoolID
		}
	}
	for i, op := range cs.Ops {
		if err := ctx.Err(); err != nil {
			return res, &ApplyError{Op: op, Index: i, Done: len(res.Done), Total: len(cs.Ops), Err: err}
		}
		op.Changes = slices.Clone(op.Changes)
		began := o.Now()
		a.deadline = began.Add(o.MaxWait)
		err := a.resolve(&op)
		if o.Progress != nil {
			o.Progress(Progress{Index: i, Total: len(cs.Ops), Op: op})
		}
		o.Logger.LogAttrs(ctx, slog.LevelDebug, "operation started", opAttrs(i, len(cs.Ops), op)...)
		if err == nil {
			err = a.run(ctx, &op)
		}
		took := o.Now().Sub(began)
		if o.Progress != nil {
			o.Progress(Progress{Index: i, Total: len(cs.Ops), Op: op, Done: true, Took: took, Err: err})
		}
		if err != nil {
			return res, &ApplyError{Op: op, Index: i, Done: len(res.Done), Total: len(cs.Ops), Err: err}
		}
		res.Done = append(res.Done, OpResult{Op: op, Took: took})
		o.Logger.LogAttrs(ctx, slog.LevelInfo, "operation done", append(opAttrs(i, len(cs.Ops), op), slog.Duration("took", took))...)
	}
	return res, nil
}

func opAttrs(i, n int, op Op) []slog.Attr {
	attrs := []slog.Attr{slog.Int("op", i+1), slog.Int("ops", n), slog.String("kind", string(op.Kind)), slog.String("path", op.Path)}
	if op.PoolID != "" {
		attrs = append(attrs, slog.String("pool_id", op.PoolID))
	}
	if op.CIDR.IsValid() {
		attrs = append(attrs, slog.String("cidr", op.CIDR.String()))
	}
	return attrs
}

// checkChangeSet refuses a change set Apply cannot run as a whole, before
// anything is done.
func checkChangeSet(cs ChangeSet) error {
	for i, op := range cs.Ops {
		switch op.Kind {
		case KindDeprovisionCIDR, KindDeletePool:
			if !cs.AllowDelete {
				return fmt.Errorf("operation %d of %d, %s: %w: the change set was not planned with AllowDelete; plan again with AllowDelete (ipamctl hierarchy apply --allow-delete)", i+1, len(cs.Ops), describeOp(op), ErrDeleteNotAllowed)
			}
		case KindCreatePool:
			if cs.ScopeID == "" {
				return fmt.Errorf("operation %d of %d, %s: the change set names no scope to create pools in: plan with Options.ScopeID (Live.PlanOptions sets it)", i+1, len(cs.Ops), describeOp(op))
			}
		case KindAdoptPool, KindModifyPool, KindProvisionCIDR:
		default:
			return fmt.Errorf("operation %d of %d: unknown kind %q: plan again with this version of ipamkit", i+1, len(cs.Ops), op.Kind)
		}
	}
	return nil
}

// applier is one run of Apply.
type applier struct {
	client   EC2API
	cs       ChangeSet
	o        ApplyOptions
	w        *PoolWaiter
	tagKey   string
	ids      map[string]string // path -> pool ID, live or created here
	deleted  map[string]bool   // pool IDs deleted by this apply
	deadline time.Time         // of the current operation

	// What this apply knows to be settled: pools in a complete state (with
	// their parents), and pools with no CIDR pending provision. A pool the
	// plan found may still be settling after an apply that was killed.
	poolReady  map[string]bool
	cidrsReady map[string]bool
	parentOf   map[string]string
}

// resolve fills in the pool ID of an operation on a pool created earlier
// in the same apply, and the parent ID of a new pool.
func (a *applier) resolve(op *Op) error {
	if op.Kind == KindCreatePool {
		if op.ParentID == "" && op.ParentPath != "" {
			op.ParentID = a.ids[op.ParentPath]
			if op.ParentID == "" {
				return fmt.Errorf("parent %s has no pool ID: it is not in the live tree and this apply did not create it before; plan again", op.ParentPath)
			}
		}
		return nil
	}
	if op.PoolID == "" {
		op.PoolID = a.ids[op.Path]
		if op.PoolID == "" {
			return fmt.Errorf("pool %s has no pool ID: it is not in the live tree and this apply did not create it before; plan again", op.Path)
		}
	}
	return nil
}

func (a *applier) remaining() time.Duration { return a.deadline.Sub(a.o.Now()) }

func (a *applier) run(ctx context.Context, op *Op) error {
	switch op.Kind {
	case KindCreatePool:
		return a.create(ctx, op)
	case KindAdoptPool:
		return a.tag(ctx, op.PoolID, op.Config.Tags)
	case KindModifyPool:
		return a.modify(ctx, op)
	case KindProvisionCIDR:
		return a.provision(ctx, op)
	case KindDeprovisionCIDR:
		return a.deprovision(ctx, op)
	case KindDeletePool:
		return a.delete(ctx, op)
	}
	return fmt.Errorf("unknown kind %q", op.Kind)
}

// call makes one API call, retrying it while IPAM says the pool is busy,
// with the waiter's backoff, within the operation's time.
func (a *applier) call(ctx context.Context, what string, fn func(context.Context) error) error {
	for attempt := int64(1); ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		remaining := a.remaining()
		if attempt > int64(a.o.MaxRetries) || remaining <= a.o.MinDelay {
			return fmt.Errorf("%s: still refused after %d attempts: %w", what, attempt, err)
		}
		delay, derr := waiter.ComputeDelay(attempt, a.o.MinDelay, a.o.MaxDelay, remaining)
		if derr != nil {
			return fmt.Errorf("%s: %w", what, derr)
		}
		a.o.Logger.LogAttrs(ctx, slog.LevelDebug, "retrying", slog.String("call", what), slog.String("code", errorCode(err)), slog.Int64("attempt", attempt), slog.Duration("delay", delay))
		if err := a.o.sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// staleToken derives the token to use when EC2 answered a token with a
// resource that is gone or failed (an earlier apply's attempt), or refused
// it as used with other parameters: it depends only on the operation and
// that resource or those parameters, so a resumed apply derives it again.
func (a *applier) staleToken(op *Op, token, staleID string) string {
	return ClientToken(a.cs.ScopeID, op.Path, op.Kind, token+"|after "+staleID)
}

// paramsKey is what an operation sends besides its token, for a token of
// its own when EC2 says the plan's token came before with other parameters
// (IdempotentParameterMismatch): the spec changed after an earlier apply
// spent the token on an attempt that left nothing behind, or the pool was
// made again.
func paramsKey(op *Op) string {
	cfg, _ := json.Marshal(op.Config) // plain data: cannot fail
	return fmt.Sprintf("%s|%s|%s|%d|%s", op.ParentID, op.PoolID, op.CIDR, op.Netmask, cfg)
}

func (a *applier) create(ctx context.Context, op *Op) error {
	if op.ParentID != "" {
		if err := a.ensurePool(ctx, op.ParentID); err != nil {
			return err
		}
	}
	c := op.Config
	in := &ec2.CreateIpamPoolInput{
		IpamScopeId:   aws.String(a.cs.ScopeID),
		AddressFamily: types.AddressFamily(cmp.Or(c.Family, IPv4)),
		ClientToken:   aws.String(cmp.Or(op.ClientToken, ClientToken(a.cs.ScopeID, op.Path, op.Kind, ""))),
	}
	if c.Locale != "" {
		in.Locale = aws.String(c.Locale)
	}
	if op.ParentID != "" {
		in.SourceIpamPoolId = aws.String(op.ParentID)
	}
	if c.Description != "" {
		in.Description = aws.String(c.Description)
	}
	if c.AutoImport {
		in.AutoImport = aws.Bool(true)
	}
	if c.PublicIPSource != "" {
		in.PublicIpSource = types.IpamPoolPublicIpSource(c.PublicIPSource)
	}
	if c.PubliclyAdvertisable {
		in.PubliclyAdvertisable = aws.Bool(true)
	}
	al := c.Allocation
	if al.MinNetmask > 0 {
		in.AllocationMinNetmaskLength = aws.Int32(int32(al.MinNetmask))
	}
	if al.MaxNetmask > 0 {
		in.AllocationMaxNetmaskLength = aws.Int32(int32(al.MaxNetmask))
	}
	if al.DefaultNetmask > 0 {
		in.AllocationDefaultNetmaskLength = aws.Int32(int32(al.DefaultNetmask))
	}
	for _, k := range slices.Sorted(maps.Keys(al.Tags)) {
		in.AllocationResourceTags = append(in.AllocationResourceTags, types.RequestIpamResourceTag{Key: aws.String(k), Value: aws.String(al.Tags[k])})
	}
	if tags := ec2Tags(c.Tags); len(tags) > 0 {
		in.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeIpamPool, Tags: tags}}
	}
	var out *ec2.CreateIpamPoolOutput
	for try := 0; ; try++ {
		err := a.call(ctx, "create IPAM pool", func(ctx context.Context) (err error) {
			out, err = a.client.CreateIpamPool(ctx, in)
			return err
		})
		if try == 0 && errorCode(err) == codeIdempotencyMismatched {
			in.ClientToken = aws.String(a.staleToken(op, aws.ToString(in.ClientToken), "params "+paramsKey(op)))
			continue
		}
		if err != nil {
			return err
		}
		if out.IpamPool == nil || aws.ToString(out.IpamPool.IpamPoolId) == "" {
			return errors.New("CreateIpamPool answered no pool ID")
		}
		id := aws.ToString(out.IpamPool.IpamPoolId)
		// A token an earlier apply spent on a pool that failed or was
		// deleted since: ask again with a token of its own.
		if try == 0 && (LivePool{State: string(out.IpamPool.State)}).Gone() {
			in.ClientToken = aws.String(a.staleToken(op, aws.ToString(in.ClientToken), id))
			continue
		}
		op.PoolID = id
		break
	}
	a.ids[op.Path] = op.PoolID
	if _, err := a.w.WaitPool(ctx, op.PoolID, a.remaining()); err != nil {
		return err
	}
	a.poolReady[op.PoolID], a.cidrsReady[op.PoolID], a.parentOf[op.PoolID] = true, true, op.ParentID
	return nil
}

// ensurePool waits, once per apply, until a pool the plan found is in a
// complete state, and learns its parent.
func (a *applier) ensurePool(ctx context.Context, poolID string) error {
	if a.poolReady[poolID] {
		return nil
	}
	lp, err := a.w.WaitPool(ctx, poolID, a.remaining())
	if err != nil {
		return err
	}
	a.poolReady[poolID], a.parentOf[poolID] = true, lp.ParentID
	return nil
}

// ensureCIDRs waits, once per apply, until no CIDR of a pool is pending
// provision: a child's CIDR must lie in space the parent holds.
func (a *applier) ensureCIDRs(ctx context.Context, poolID string) error {
	if a.cidrsReady[poolID] {
		return nil
	}
	err := a.w.wait(ctx, a.remaining(), "CIDRs of pool "+poolID, func(ctx context.Context) (bool, string, error) {
		cidrs, err := poolCIDRs(ctx, a.w.client, poolID)
		if err != nil {
			return false, "", err
		}
		for _, c := range cidrs {
			if c.State == "pending-provision" {
				return false, c.CIDR.String() + " pending-provision", nil
			}
		}
		return true, "", nil
	})
	if err != nil {
		return err
	}
	a.cidrsReady[poolID] = true
	return nil
}

func (a *applier) tag(ctx context.Context, poolID string, tags map[string]string) error {
	t := ec2Tags(tags)
	if len(t) == 0 {
		return nil
	}
	return a.call(ctx, "tag IPAM pool", func(ctx context.Context) error {
		_, err := a.client.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{poolID}, Tags: t})
		return err
	})
}

func (a *applier) modify(ctx context.Context, op *Op) error {
	c := op.Config
	tags := map[string]string{}
	in := &ec2.ModifyIpamPoolInput{IpamPoolId: aws.String(op.PoolID)}
	modified := false
	for _, ch := range op.Changes {
		modified = modified || !strings.HasPrefix(ch.Field, "tags.")
		switch ch.Field {
		case "description":
			in.Description = aws.String(c.Description)
		case "autoImport":
			in.AutoImport = aws.Bool(c.AutoImport)
		case "allocation.minNetmask":
			in.AllocationMinNetmaskLength = aws.Int32(int32(c.Allocation.MinNetmask))
		case "allocation.maxNetmask":
			// IPAM cannot remove a maximum; the family's length is the
			// same as none, and Read reads it back as none.
			in.AllocationMaxNetmaskLength = aws.Int32(int32(cmp.Or(c.Allocation.MaxNetmask, cmp.Or(c.Family, IPv4).Bits())))
		case "allocation.defaultNetmask":
			if c.Allocation.DefaultNetmask > 0 {
				in.AllocationDefaultNetmaskLength = aws.Int32(int32(c.Allocation.DefaultNetmask))
			} else {
				in.ClearAllocationDefaultNetmaskLength = aws.Bool(true)
			}
		case "allocation.tags":
			live, err := a.w.describePool(ctx, op.PoolID)
			if err != nil {
				return err
			}
			want, have := c.Allocation.Tags, live.Allocation.Tags
			for _, k := range slices.Sorted(maps.Keys(want)) {
				if v, ok := have[k]; !ok || v != want[k] {
					in.AddAllocationResourceTags = append(in.AddAllocationResourceTags, types.RequestIpamResourceTag{Key: aws.String(k), Value: aws.String(want[k])})
				}
			}
			for _, k := range slices.Sorted(maps.Keys(have)) {
				if v, ok := want[k]; !ok || v != have[k] {
					in.RemoveAllocationResourceTags = append(in.RemoveAllocationResourceTags, types.RequestIpamResourceTag{Key: aws.String(k), Value: aws.String(have[k])})
				}
			}
		default:
			k, ok := strings.CutPrefix(ch.Field, "tags.")
			if !ok {
				return fmt.Errorf("change of %q: ipamkit does not know how to apply it; plan again with this version", ch.Field)
			}
			tags[k] = c.Tags[k]
		}
	}
	if err := a.tag(ctx, op.PoolID, tags); err != nil {
		return err
	}
	if !modified {
		return nil
	}
	if err := a.ensurePool(ctx, op.PoolID); err != nil {
		return err
	}
	if err := a.call(ctx, "modify IPAM pool", func(ctx context.Context) error {
		_, err := a.client.ModifyIpamPool(ctx, in)
		return err
	}); err != nil {
		return err
	}
	_, err := a.w.WaitPool(ctx, op.PoolID, a.remaining())
	return err
}

func (a *applier) provision(ctx context.Context, op *Op) error {
	if err := a.ensurePool(ctx, op.PoolID); err != nil {
		return err
	}
	if parent := a.parentOf[op.PoolID]; parent != "" {
		if err := a.ensureCIDRs(ctx, parent); err != nil {
			return err
		}
	}
	in := &ec2.ProvisionIpamPoolCidrInput{
		IpamPoolId:  aws.String(op.PoolID),
		ClientToken: aws.String(cmp.Or(op.ClientToken, ClientToken(a.cs.ScopeID, op.Path, op.Kind, fmt.Sprintf("%d|%v", op.Netmask, op.CIDR)))),
	}
	if op.CIDR.IsValid() {
		in.Cidr = aws.String(op.CIDR.String())
	} else {
		in.NetmaskLength = aws.Int32(int32(op.Netmask))
	}
	var ref LiveCIDR
	for try := 0; ; try++ {
		var out *ec2.ProvisionIpamPoolCidrOutput
		err := a.call(ctx, "provision IPAM pool CIDR", func(ctx context.Context) (err error) {
			out, err = a.client.ProvisionIpamPoolCidr(ctx, in)
			return err
		})
		if try == 0 && errorCode(err) == codeIdempotencyMismatched {
			in.ClientToken = aws.String(a.staleToken(op, aws.ToString(in.ClientToken), "params "+paramsKey(op)))
			continue
		}
		if err != nil {
			return err
		}
		if out.IpamPoolCidr == nil {
			return errors.New("ProvisionIpamPoolCidr answered no CIDR")
		}
		ref, _, err = liveCIDR(*out.IpamPoolCidr, op.PoolID)
		if err != nil {
			return err
		}
		switch ref.State {
		case "failed-provision", "pending-deprovision", "deprovisioned", "failed-deprovision":
			// A token an earlier apply spent on a CIDR that failed or
			// was deprovisioned since: ask again with a token of its own.
			if try == 0 {
				in.ClientToken = aws.String(a.staleToken(op, aws.ToString(in.ClientToken), cmp.Or(ref.ID, ref.CIDR.String())))
				continue
			}
		}
		break
	}
	got, err := a.w.WaitProvisioned(ctx, op.PoolID, ref, a.remaining())
	if got.CIDR.IsValid() {
		op.CIDR = got.CIDR
	}
	return err
}

// recheck reads a pool again before a destructive step: it must still
// carry its path tag, and hold no allocation inside cidr (anywhere when
// cidr is zero) but those of pools this apply deleted, whose release it
// waits for.
func (a *applier) recheck(ctx context.Context, op *Op, cidr netip.Prefix) error {
	lp, err := a.w.describePool(ctx, op.PoolID)
	if err != nil {
		return err
	}
	if v, ok := lp.Tags[a.tagKey]; op.Path != "" && (!ok || v != op.Path) {
		return fmt.Errorf("pool %s no longer carries %s=%s (it has %q): %w; plan again", op.PoolID, a.tagKey, op.Path, v, ErrConflict)
	}
	return a.w.wait(ctx, a.remaining(), "allocations of pool "+op.PoolID+" to be released", func(ctx context.Context) (bool, string, error) {
		allocs, err := allocationsOf(ctx, a.client, op.PoolID)
		if err != nil {
			return false, "", err
		}
		var other []string
		lingering := 0
		for _, al := range allocs {
			if cidr.IsValid() && !al.CIDR.Overlaps(cidr) {
				continue
			}
			if al.ResourceType == ResourceTypePool && a.deleted[al.ResourceID] {
				lingering++
				continue
			}
			other = append(other, strings.TrimSpace(cmp.Or(al.ResourceType, "allocation")+" "+cmp.Or(al.ResourceID, al.ID)+" "+al.CIDR.String()))
		}
		if len(other) > 0 {
			return false, "", fmt.Errorf("pool %s now holds allocations the plan did not know of (%s): %w; ipamkit never takes space in use: release them, or plan again", op.PoolID, strings.Join(other, ", "), ErrInUse)
		}
		return lingering == 0, fmt.Sprintf("holding %d allocations of deleted pools", lingering), nil
	})
}

func (a *applier) deprovision(ctx context.Context, op *Op) error {
	if err := a.recheck(ctx, op, op.CIDR); err != nil {
		return err
	}
	var out *ec2.DeprovisionIpamPoolCidrOutput
	if err := a.call(ctx, "deprovision IPAM pool CIDR", func(ctx context.Context) (err error) {
		out, err = a.client.DeprovisionIpamPoolCidr(ctx, &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: aws.String(op.PoolID), Cidr: aws.String(op.CIDR.String())})
		return err
	}); err != nil {
		return err
	}
	ref := LiveCIDR{CIDR: op.CIDR}
	if out.IpamPoolCidr != nil {
		ref.ID = aws.ToString(out.IpamPoolCidr.IpamPoolCidrId)
	}
	_, err := a.w.WaitDeprovisioned(ctx, op.PoolID, ref, a.remaining())
	return err
}

func (a *applier) delete(ctx context.Context, op *Op) error {
	if err := a.recheck(ctx, op, netip.Prefix{}); err != nil {
		return err
	}
	if err := a.call(ctx, "delete IPAM pool", func(ctx context.Context) error {
		_, err := a.client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: aws.String(op.PoolID)})
		return err
	}); err != nil {
		return err
	}
	a.deleted[op.PoolID] = true
	return a.w.WaitPoolDeleted(ctx, op.PoolID, a.remaining())
}

// describePool reads one pool, which must exist.
func (w *PoolWaiter) describePool(ctx context.Context, poolID string) (LivePool, error) {
	lp, found, err := w.describe(ctx, poolID)
	switch {
	case err != nil:
		return LivePool{}, err
	case !found:
		return LivePool{}, fmt.Errorf("pool %s not found: %w; plan again", poolID, ErrConflict)
	}
	return lp.LivePool, nil
}

// allocationsOf reads every allocation of a pool.
func allocationsOf(ctx context.Context, client ec2.GetIpamPoolAllocationsAPIClient, poolID string) ([]LiveAllocation, error) {
	var out []LiveAllocation
	p := ec2.NewGetIpamPoolAllocationsPaginator(client, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: aws.String(poolID), MaxResults: aws.Int32(maxAllocationsPage)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get the allocations of IPAM pool %s: %w", poolID, err)
		}
		for _, al := range page.IpamPoolAllocations {
			c, err := parseAWSCIDR(aws.ToString(al.Cidr), poolID)
			if err != nil {
				return nil, err
			}
			out = append(out, LiveAllocation{ID: aws.ToString(al.IpamPoolAllocationId), CIDR: c, ResourceType: string(al.ResourceType), ResourceID: aws.ToString(al.ResourceId)})
		}
	}
	return out, nil
}

// ec2Tags returns tags as EC2 takes them, sorted by key.
func ec2Tags(m map[string]string) []types.Tag {
	var out []types.Tag
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}
