package hierarchy

// Wire tests: Read and Apply through the real aws-sdk-go-v2 EC2 client
// against internal/awsfake, whose pools and CIDRs pass through their
// transitional states as reads observe them.

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireIPAM is a fake endpoint with one IPAM in the management account,
// home us-east-1, operating in us-east-1, us-west-2 and eu-west-1.
type wireIPAM struct {
	srv    *awsfake.Server
	client *ec2.Client
	scope  string
	public string
}

func newWireIPAM(t testing.TB, optFns ...func(*awsfake.Options)) wireIPAM {
	t.Helper()
	b := awsfake.NewBuilder(awsfake.DefaultAccountID)
	id := b.IPAM(awsfake.DefaultAccountID, "us-east-1", "us-east-1", "us-west-2", "eu-west-1")
	scope, public := b.Scope(id, "private"), b.Scope(id, "public")
	world, err := b.Build()
	require.NoError(t, err)
	srv, err := awsfake.New(append([]func(*awsfake.Options){func(o *awsfake.Options) { o.World = world }}, optFns...)...)
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return wireIPAM{srv: srv, client: ec2.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")), scope: scope, public: public}
}

// noSleep makes waits and retries immediate: the fake's states advance
// with reads, not time.
func noSleep(o *ApplyOptions) {
	o.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
}

// plan reads the scope and plans spec against it.
func (w wireIPAM) plan(t testing.TB, spec Spec, optFns ...func(*Options)) ChangeSet {
	t.Helper()
	live, err := Read(t.Context(), w.client, w.scope)
	require.NoError(t, err)
	cs, err := Plan(spec, live, append([]func(*Options){live.PlanOptions}, optFns...)...)
	require.NoError(t, err)
	return cs
}

// converge plans, applies and requires the next plan to be empty.
func (w wireIPAM) converge(t testing.TB, spec Spec) (ChangeSet, Result) {
	t.Helper()
	cs := w.plan(t, spec)
	res, err := Apply(t.Context(), w.client, cs, noSleep)
	require.NoError(t, err)
	require.Len(t, res.Done, len(cs.Ops))
	again := w.plan(t, spec)
	require.Empty(t, again.Ops, "re-plan after apply must be empty")
	return cs, res
}

// paths reads the scope and returns each pool's path tag ("" for none)
// with the number of pools carrying it, and the CIDRs by path.
func (w wireIPAM) paths(t testing.TB) (map[string]int, map[string][]netip.Prefix) {
	t.Helper()
	live, err := Read(t.Context(), w.client, w.scope)
	require.NoError(t, err)
	n, cidrs := map[string]int{}, map[string][]netip.Prefix{}
	for _, p := range live.Pools {
		path := p.Tags[DefaultPathTagKey]
		n[path]++
		cidrs[path] = append(cidrs[path], p.Provisioned()...)
	}
	return n, cidrs
}

var ctPaths = map[string]int{
	"/top": 1, "/top/us-west-2": 1, "/top/us-west-2/Prod OU": 1, "/top/us-west-2/SDLC OU": 1,
	"/top/us-east-1": 1, "/top/us-east-1/Prod OU": 1, "/top/us-east-1/SDLC OU": 1,
}

var ctCIDRs = map[string][]netip.Prefix{
	"/top":                   {netip.MustParsePrefix("192.168.0.0/16")},
	"/top/us-west-2":         {netip.MustParsePrefix("192.168.0.0/20")},
	"/top/us-west-2/Prod OU": {netip.MustParsePrefix("192.168.0.0/21")},
	"/top/us-west-2/SDLC OU": {netip.MustParsePrefix("192.168.8.0/21")},
	"/top/us-east-1":         {netip.MustParsePrefix("192.168.16.0/20")},
	"/top/us-east-1/Prod OU": {netip.MustParsePrefix("192.168.16.0/21")},
	"/top/us-east-1/SDLC OU": {netip.MustParsePrefix("192.168.24.0/21")},
}

func TestWireReadEmptyScope(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	live, err := Read(t.Context(), w.client, w.scope)
	require.NoError(t, err)
	assert.Equal(t, Live{Pools: []LivePool{}, Scope: LiveScope{
		ID: w.scope, Type: Private, IPAMID: live.Scope.IPAMID, AccountID: awsfake.DefaultAccountID, Region: "us-east-1",
		Regions: []string{"eu-west-1", "us-east-1", "us-west-2"},
	}}, live)
	assert.Regexp(t, `^ipam-[0-9a-f]+$`, live.Scope.IPAMID)

	var o Options
	live.PlanOptions(&o)
	assert.Equal(t, Options{ScopeID: w.scope, Regions: []string{"eu-west-1", "us-east-1", "us-west-2"}}, o)

	got, err := DefaultScope(t.Context(), w.client, "")
	require.NoError(t, err)
	assert.Equal(t, w.scope, got)
	got, err = DefaultScope(t.Context(), w.client, Public)
	require.NoError(t, err)
	assert.Equal(t, w.public, got)
}

func TestWireReadScopeNotFound(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	_, err := Read(t.Context(), w.client, "ipam-scope-0123456789abcdef0")
	var nf *ScopeNotFoundError
	require.ErrorAs(t, err, &nf)
	require.ErrorIs(t, err, ErrScopeNotFound)
	assert.Equal(t, "InvalidIpamScopeId.NotFound", errorCode(err))
	assert.ErrorContains(t, err, "scope ipam-scope-0123456789abcdef0 not found in "+awsfake.DefaultAccountID+" us-east-1: pass a scope of your IPAM: "+w.scope+" (private), "+w.public+" (public)")

	// In a region where the caller has no IPAM.
	west := ec2.NewFromConfig(w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-west-2"))
	_, err = Read(t.Context(), west, w.scope)
	require.ErrorIs(t, err, ErrScopeNotFound)
	assert.ErrorContains(t, err, "scope "+w.scope+" not found in us-west-2: the caller has no IPAM here")
	_, err = DefaultScope(t.Context(), west, Private)
	require.ErrorIs(t, err, ErrScopeNotFound)
	assert.ErrorContains(t, err, "the caller has no IPAM in us-west-2")
}

func TestWireApplyControlTower(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t, func(o *awsfake.Options) { o.StateReads = 3 })
	cs, res := w.converge(t, ControlTowerSpec())
	assert.Equal(t, Summary{Create: 14}, cs.Summary())
	n, cidrs := w.paths(t)
	assert.Equal(t, ctPaths, n)
	assert.Equal(t, ctCIDRs, cidrs)
	for _, d := range res.Done {
		assert.NotEmpty(t, d.Op.PoolID, "%s %s", d.Op.Kind, d.Op.Path)
	}

	// Re-applying: the new plan is empty and calls nothing.
	w.srv.ResetCalls()
	res, err := Apply(t.Context(), w.client, w.plan(t, ControlTowerSpec()), noSleep)
	require.NoError(t, err)
	assert.Empty(t, res.Done)
	assert.Len(t, w.srv.Calls(), 0+1+1+1+2*7, "only the re-plan's reads: scope, IPAM, pools, CIDRs and allocations of each pool")

	// Applying the old change set again: every create and provision is
	// answered from its client token, nothing is duplicated.
	_, err = Apply(t.Context(), w.client, cs, noSleep)
	require.NoError(t, err)
	n, cidrs = w.paths(t)
	assert.Equal(t, ctPaths, n)
	assert.Equal(t, ctCIDRs, cidrs)
}

func TestWireApplyAddRegion(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	w.converge(t, ControlTowerSpec())
	spec := ControlTowerSpec(func(p *ControlTowerParams) { p.Regions = []string{"us-west-2", "us-east-1", "eu-west-1"} })
	cs, _ := w.converge(t, spec)
	assert.Equal(t, Summary{Create: 6}, cs.Summary())
	_, cidrs := w.paths(t)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("192.168.32.0/20")}, cidrs["/top/eu-west-1"])
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("192.168.40.0/21")}, cidrs["/top/eu-west-1/SDLC OU"])
}

// buildSampleTree makes the Control Tower sample's pools the way the
// sample does, with raw calls and no tags (it waits where the sample
// sleeps).
func buildSampleTree(t testing.TB, w wireIPAM) {
	t.Helper()
	ctx := t.Context()
	wt := NewPoolWaiter(w.client, func(o *WaiterOptions) { o.sleep = func(context.Context, time.Duration) error { return nil } })
	pool := func(parent, locale, env string) string {
		in := &ec2.CreateIpamPoolInput{IpamScopeId: aws.String(w.scope), AddressFamily: types.AddressFamilyIpv4}
		if parent != "" {
			in.SourceIpamPoolId = aws.String(parent)
		}
		if locale != "" {
			in.Locale = aws.String(locale)
		}
		if env != "" {
			in.AllocationResourceTags = []types.RequestIpamResourceTag{{Key: aws.String("Env"), Value: aws.String(env)}}
		}
		out, err := w.client.CreateIpamPool(ctx, in)
		require.NoError(t, err)
		id := aws.ToString(out.IpamPool.IpamPoolId)
		_, err = wt.WaitPool(ctx, id, time.Minute)
		require.NoError(t, err)
		return id
	}
	provision := func(id, cidr string) {
		out, err := w.client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: aws.String(id), Cidr: aws.String(cidr)})
		require.NoError(t, err)
		_, err = wt.WaitProvisioned(ctx, id, LiveCIDR{ID: aws.ToString(out.IpamPoolCidr.IpamPoolCidrId)}, time.Minute)
		require.NoError(t, err)
	}
	top := pool("", "", "")
	provision(top, "192.168.0.0/16")
	for i, region := range []string{"us-west-2", "us-east-1"} {
		reg := pool(top, region, "")
		provision(reg, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(16 * i), 0}), 20).String())
		for j, env := range []string{"Prod OU", "SDLC OU"} {
			p := pool(reg, region, env)
			provision(p, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(16*i + 8*j), 0}), 21).String())
		}
	}
}

func TestWireAdoptSampleTree(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	buildSampleTree(t, w)
	n, _ := w.paths(t)
	require.Equal(t, map[string]int{"": 7}, n)

	cs, _ := w.converge(t, ControlTowerSpec())
	assert.Equal(t, Summary{Adopt: 7}, cs.Summary(), "a tree the sample built is only adopted")
	n, cidrs := w.paths(t)
	assert.Equal(t, ctPaths, n)
	assert.Equal(t, ctCIDRs, cidrs)
}

// killer is an HTTP transport that lets n requests through, then sends the
// next one, cancels the apply and answers nothing: the apply is killed
// after the server acted, before its answer arrived.
type killer struct {
	next   http.RoundTripper
	n      int64
	seen   atomic.Int64
	cancel context.CancelFunc
}

func (k *killer) RoundTrip(r *http.Request) (*http.Response, error) {
	if k.seen.Add(1) <= k.n {
		return k.next.RoundTrip(r)
	}
	resp, err := k.next.RoundTrip(r)
	if err == nil {
		_ = resp.Body.Close()
	}
	k.cancel()
	return nil, context.Canceled
}

func TestWireApplyKilledAndResumed(t *testing.T) {
	t.Parallel()
	// Count the calls of an apply that is not killed.
	w := newWireIPAM(t, func(o *awsfake.Options) { o.StateReads = 2 })
	cs := w.plan(t, ControlTowerSpec())
	w.srv.ResetCalls()
	_, err := Apply(t.Context(), w.client, cs, noSleep)
	require.NoError(t, err)
	total := len(w.srv.Calls())
	require.Greater(t, total, 2*len(cs.Ops))

	for n := range total {
		t.Run("after call "+strconv.Itoa(n), func(t *testing.T) {
			t.Parallel()
			w := newWireIPAM(t, func(o *awsfake.Options) { o.StateReads = 2 })
			cs := w.plan(t, ControlTowerSpec())
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			cfg := w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
			cfg.HTTPClient = &http.Client{Transport: &killer{next: w.srv.HTTPClient().Transport, n: int64(n), cancel: cancel}}
			res, err := Apply(ctx, ec2.NewFromConfig(cfg), cs, noSleep)
			var ae *ApplyError
			require.ErrorAs(t, err, &ae)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, len(res.Done), ae.Done)
			assert.Equal(t, len(cs.Ops), ae.Total)
			assert.Less(t, ae.Done, len(cs.Ops))

			w.converge(t, ControlTowerSpec())
			got, cidrs := w.paths(t)
			assert.Equal(t, ctPaths, got, "no pool is duplicated")
			assert.Equal(t, ctCIDRs, cidrs)
		})
	}
}

func TestWireApplyCancelledBetweenOps(t *testing.T) {
	t.Parallel()
	for stop := 1; stop < 14; stop++ {
		t.Run("after op "+strconv.Itoa(stop), func(t *testing.T) {
			t.Parallel()
			w := newWireIPAM(t)
			cs := w.plan(t, ControlTowerSpec())
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			res, err := Apply(ctx, w.client, cs, noSleep, func(o *ApplyOptions) {
				o.Progress = func(p Progress) {
					if p.Done && p.Index+1 == stop {
						cancel()
					}
				}
			})
			var ae *ApplyError
			require.ErrorAs(t, err, &ae)
			require.ErrorIs(t, err, context.Canceled)
			assert.Len(t, res.Done, stop)
			assert.Equal(t, stop, ae.Done)
			assert.Equal(t, cs.Ops[stop].Path, ae.Op.Path)
			assert.ErrorContains(t, err, "; "+strconv.Itoa(stop)+" of 14 operations done; run apply again to resume")

			again := w.plan(t, ControlTowerSpec())
			assert.Len(t, again.Ops, 14-stop, "the next plan holds what is left")
			w.converge(t, ControlTowerSpec())
			got, cidrs := w.paths(t)
			assert.Equal(t, ctPaths, got)
			assert.Equal(t, ctCIDRs, cidrs)
		})
	}
}

func TestWireProvisionDoesNotFit(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	w.converge(t, ControlTowerSpec(func(p *ControlTowerParams) { p.Regions = []string{"us-west-2"} }))
	cs := w.plan(t, ControlTowerSpec())
	require.Equal(t, Summary{Create: 6}, cs.Summary())

	// Someone takes us-east-1's future block before the apply.
	live, err := Read(t.Context(), w.client, w.scope)
	require.NoError(t, err)
	var top string
	for _, p := range live.Pools {
		if p.Tags[DefaultPathTagKey] == "/top" {
			top = p.ID
		}
	}
	out, err := w.client.CreateIpamPool(t.Context(), &ec2.CreateIpamPoolInput{IpamScopeId: aws.String(w.scope), AddressFamily: types.AddressFamilyIpv4, SourceIpamPoolId: aws.String(top)})
	require.NoError(t, err)
	squatter := aws.ToString(out.IpamPool.IpamPoolId)
	_, err = NewPoolWaiter(w.client, func(o *WaiterOptions) { o.sleep = func(context.Context, time.Duration) error { return nil } }).WaitPool(t.Context(), squatter, time.Minute)
	require.NoError(t, err)
	_, err = w.client.ProvisionIpamPoolCidr(t.Context(), &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: aws.String(squatter), Cidr: aws.String("192.168.16.0/20")})
	require.NoError(t, err)

	res, err := Apply(t.Context(), w.client, cs, noSleep)
	var ae *ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, KindProvisionCIDR, ae.Op.Kind)
	assert.Equal(t, "/top/us-east-1", ae.Op.Path)
	assert.Equal(t, 1, ae.Done, "the pool was created")
	assert.Len(t, res.Done, 1)
	// EC2 accepts the CIDR, then reports failed-provision with its
	// reason, which the waiter surfaces.
	var se *StateError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "failed-provision", se.State)
	assert.Equal(t, netip.MustParsePrefix("192.168.16.0/20"), se.CIDR)
	assert.ErrorContains(t, err, "failed at + cidr /top/us-east-1 192.168.16.0/20 (provision-cidr, "+ae.Op.PoolID+"): CIDR 192.168.16.0/20 of pool "+ae.Op.PoolID+" is failed-provision: ")
	assert.ErrorContains(t, err, "overlaps allocation")
	assert.ErrorContains(t, err, "; 1 of 6 operations done; run apply again to resume")
}

func TestWireThrottlingAbsorbed(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	cs := w.plan(t, ControlTowerSpec())
	// Two throttles in a row on each kind of call: the SDK's retryer makes
	// three attempts.
	ops := []string{"CreateIpamPool", "ProvisionIpamPoolCidr", "DescribeIpamPools", "GetIpamPoolCidrs"}
	for _, op := range ops {
		w.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: op, Kind: awsfake.FaultThrottle, Count: 2})
	}
	w.srv.ResetCalls()
	_, err := Apply(t.Context(), w.client, cs, noSleep)
	require.NoError(t, err)
	throttled := 0
	for _, c := range w.srv.Calls() {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
		}
	}
	assert.Equal(t, 2*len(ops), throttled)
	w.srv.ClearFaults()
	again := w.plan(t, ControlTowerSpec())
	assert.Empty(t, again.Ops)
	n, _ := w.paths(t)
	assert.Equal(t, ctPaths, n)
}

func TestWireDeleteWithAllowDelete(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	w.converge(t, ControlTowerSpec())
	prodOnly := ControlTowerSpec(func(p *ControlTowerParams) { p.Environments = []string{"Prod OU"} })

	// Planned without AllowDelete: nothing to delete, the deletions refused.
	cs := w.plan(t, prodOnly)
	assert.Empty(t, cs.Ops)
	assert.Len(t, cs.Refused, 2)

	cs = w.plan(t, prodOnly, func(o *Options) { o.AllowDelete = true })
	assert.Equal(t, Summary{Delete: 4}, cs.Summary())

	// The same change set, as read back from JSON, deletes nothing.
	noDelete := cs
	noDelete.AllowDelete = false
	_, err := Apply(t.Context(), w.client, noDelete, noSleep)
	require.ErrorIs(t, err, ErrDeleteNotAllowed)

	_, err = Apply(t.Context(), w.client, cs, noSleep)
	require.NoError(t, err)
	assert.Empty(t, w.plan(t, prodOnly, func(o *Options) { o.AllowDelete = true }).Ops)
	n, _ := w.paths(t)
	assert.Equal(t, map[string]int{"/top": 1, "/top/us-west-2": 1, "/top/us-west-2/Prod OU": 1, "/top/us-east-1": 1, "/top/us-east-1/Prod OU": 1}, n)
}

func TestWireChangesAndDrift(t *testing.T) {
	t.Parallel()
	w := newWireIPAM(t)
	withRules := func(desc string, rules Allocation, tags map[string]string) Spec {
		s := ControlTowerSpec()
		for i := range s.Pools[0].Pools {
			for j := range s.Pools[0].Pools[i].Pools {
				env := &s.Pools[0].Pools[i].Pools[j]
				env.Description = desc
				a := rules
				a.Tags = map[string]string{"Env": env.Name, "Tier": "1"}
				env.Allocation = a
				env.Tags = tags
			}
		}
		return s
	}
	w.converge(t, withRules("first", Allocation{MinNetmask: 22, MaxNetmask: 26, DefaultNetmask: 24}, nil))

	// Rules removed, description changed, a tag added: one change per pool.
	second := withRules("second", Allocation{}, map[string]string{"Owner": "netops"})
	cs, _ := w.converge(t, second)
	assert.Equal(t, Summary{Update: 4}, cs.Summary())

	// A pool changed by hand shows as drift and is put back.
	live, err := Read(t.Context(), w.client, w.scope)
	require.NoError(t, err)
	var id string
	for _, p := range live.Pools {
		if p.Tags[DefaultPathTagKey] == "/top/us-east-1/SDLC OU" {
			id = p.ID
		}
	}
	_, err = w.client.ModifyIpamPool(t.Context(), &ec2.ModifyIpamPoolInput{
		IpamPoolId: aws.String(id), Description: aws.String("by hand"), AllocationMaxNetmaskLength: aws.Int32(28),
		RemoveAllocationResourceTags: []types.RequestIpamResourceTag{{Key: aws.String("Tier"), Value: aws.String("1")}},
		AddAllocationResourceTags:    []types.RequestIpamResourceTag{{Key: aws.String("Tier"), Value: aws.String("2")}},
	})
	require.NoError(t, err)
	_, err = w.client.CreateTags(t.Context(), &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("Owner"), Value: aws.String("someone")}}})
	require.NoError(t, err)
	cs, _ = w.converge(t, second)
	require.Len(t, cs.Ops, 1)
	assert.Equal(t, []Change{
		{"tags.Owner", "someone", "netops"}, {"description", "by hand", "second"},
		{"allocation.maxNetmask", "/28", "(none)"}, {"allocation.tags", "Env=SDLC OU, Tier=2", "Env=SDLC OU, Tier=1"},
	}, cs.Ops[0].Changes)
}
