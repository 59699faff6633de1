package share

// Wire tests: the real aws-sdk-go-v2 RAM, EC2, Organizations and STS
// clients against internal/awsfake. Associations pass through ASSOCIATING
// as reads observe them, so no test sleeps: the waiter's sleep returns at
// once.

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/ipamkit/ipamkit/internal/account"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Accounts of the wire world besides the demo's.
const (
	zeroAccount      = "012345678901" // in Prod OU; the sample lost its leading zero
	suspendedAccount = "666666666666" // in Prod OU, SUSPENDED
	nestedAccount    = "777777777777" // in Prod OU/Payments
	rootAccount      = "888888888888" // directly under the root
	nestedAccessKey  = "AKIANESTED0000000001"
	prodAccessKey    = "AKIAPROD000000000001"
	devAccessKey     = "AKIADEV0000000000001"
)

// wireWorld is the demo organization's shape, plus a nested OU, an account
// with a leading zero, a suspended one, one under the root, and the
// Control Tower role in the networking account. With moved, the prod
// account is in SDLC OU instead of Prod OU: the fake cannot move an
// account while it runs, so a move is a second server whose world differs
// only there (OU and account IDs are the same in both).
func wireWorld(t testing.TB, moved bool) *awsfake.World {
	t.Helper()
	b := awsfake.NewBuilder(awsfake.DemoManagementAccount)
	infra := b.OU(b.Root(), "Infrastructure")
	workloads := b.OU(b.Root(), "Workloads")
	prodOU := b.OU(workloads, "Prod OU")
	sdlcOU := b.OU(workloads, "SDLC OU")
	payments := b.OU(prodOU, "Payments")
	b.Account(infra, awsfake.DemoNetworkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(awsfake.DemoNetworkAccount)
	b.AccessKey(awsfake.DemoNetworkAccessKey, awsfake.DemoNetworkAccount, "network-admin")
	b.Role(awsfake.DemoNetworkAccount, DefaultRoleName, "ext-id-1", awsfake.DemoManagementAccount)
	prodParent := prodOU
	if moved {
		prodParent = sdlcOU
	}
	b.Account(prodParent, awsfake.DemoProdAccount, "prod", "prod@example.com")
	b.AccessKey(prodAccessKey, awsfake.DemoProdAccount, "prod-admin")
	b.Account(sdlcOU, awsfake.DemoDevAccount, "dev", "dev@example.com")
	b.AccessKey(devAccessKey, awsfake.DemoDevAccount, "dev-admin")
	b.Account(prodOU, zeroAccount, "zero", "zero@example.com")
	b.Account(prodOU, suspendedAccount, "gone", "gone@example.com")
	b.AccountState(suspendedAccount, "SUSPENDED")
	b.Account(payments, nestedAccount, "payments", "payments@example.com")
	b.AccessKey(nestedAccessKey, nestedAccount, "payments-admin")
	b.Account(b.Root(), rootAccount, "sandbox", "sandbox@example.com")

	ipamID := b.IPAM(awsfake.DemoNetworkAccount, "us-east-1", "us-east-1", "us-west-2")
	scope := b.Scope(ipamID, "private")
	top := b.Pool(awsfake.PoolSpec{Scope: scope, Description: "top"})
	b.ProvisionCIDR(top, "192.168.0.0/16")
	for i, region := range []string{"us-west-2", "us-east-1"} {
		reg := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: top, Locale: region, Description: region})
		b.ProvisionCIDR(reg, []string{"192.168.0.0/20", "192.168.16.0/20"}[i])
		for j, env := range []string{"Prod OU", "SDLC OU"} {
			p := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: reg, Locale: region, Description: region + " " + env,
				AllocationResourceTags: map[string]string{"Env": env}})
			b.ProvisionCIDR(p, []string{"192.168.0.0/21", "192.168.8.0/21", "192.168.16.0/21", "192.168.24.0/21"}[2*i+j])
		}
	}
	w, err := b.Build()
	require.NoError(t, err)
	return w
}

// wire is a fake endpoint and the reconciler's clients: RAM and EC2 in the
// networking account, Organizations as the management account.
type wire struct {
	srv *awsfake.Server
	ram *ram.Client
	ec2 *ec2.Client
	org *organizations.Client
}

func newWire(t testing.TB, w *awsfake.World) wire {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = w })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	net := srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1")
	return wire{srv: srv, ram: ram.NewFromConfig(net), ec2: ec2.NewFromConfig(net),
		org: organizations.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))}
}

// noSleep makes the association waiter read again at once.
func noSleep(o *Options) {
	o.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
}

func (w wire) reconciler(optFns ...func(*Options)) *Reconciler {
	return NewReconciler(w.ram, w.ec2, w.org, append([]func(*Options){noSleep}, optFns...)...)
}

// shareState is a share as RAM lists it: its principals and pool IDs.
type shareState struct {
	Principals []string
	Pools      []string
}

// shares lists the networking account's active shares by name, with
// their associated principals and pools; a duplicate name is a failure.
func (w wire) shares(t testing.TB) map[string]shareState {
	t.Helper()
	out := map[string]shareState{}
	for _, s := range w.sharesByARN(t) {
		require.NotContains(t, out, s.name, "duplicate share")
		out[s.name] = s.shareState
	}
	return out
}

type namedShare struct {
	name string
	shareState
}

// sharesByARN lists the networking account's active shares by ARN.
func (w wire) sharesByARN(t testing.TB) map[string]namedShare {
	t.Helper()
	ctx := t.Context()
	out := map[string]namedShare{}
	p := ram.NewGetResourceSharesPaginator(w.ram, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range page.ResourceShares {
			if s.Status == ramtypes.ResourceShareStatusActive {
				out[aws.ToString(s.ResourceShareArn)] = namedShare{name: aws.ToString(s.Name)}
			}
		}
	}
	for _, kind := range []ramtypes.ResourceShareAssociationType{ramtypes.ResourceShareAssociationTypePrincipal, ramtypes.ResourceShareAssociationTypeResource} {
		p := ram.NewGetResourceShareAssociationsPaginator(w.ram, &ram.GetResourceShareAssociationsInput{AssociationType: kind})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, a := range page.ResourceShareAssociations {
				arn := aws.ToString(a.ResourceShareArn)
				st, ok := out[arn]
				if !ok || (a.Status != ramtypes.ResourceShareAssociationStatusAssociated && a.Status != ramtypes.ResourceShareAssociationStatusAssociating) {
					continue
				}
				e := aws.ToString(a.AssociatedEntity)
				if kind == ramtypes.ResourceShareAssociationTypePrincipal {
					st.Principals = append(st.Principals, e)
				} else {
					st.Pools = append(st.Pools, e[strings.LastIndex(e, "/")+1:])
				}
				out[arn] = st
			}
		}
	}
	for k, v := range out {
		slices.Sort(v.Principals)
		slices.Sort(v.Pools)
		out[k] = v
	}
	return out
}

// poolIn returns the pool of ids whose locale is region.
func (w wire) poolIn(t testing.TB, ids []string, region string) string {
	t.Helper()
	for _, id := range ids {
		if w.locale(t, id) == region {
			return id
		}
	}
	t.Fatalf("no pool of %v in %s", ids, region)
	return ""
}

// allocate creates a /24 VPC from a pool as the account of accessKey, in
// the pool's region, with the allocation tag Env=env, and returns its CIDR.
func (w wire) allocate(t testing.TB, accessKey, poolID, env string) (string, error) {
	t.Helper()
	client := ec2.NewFromConfig(w.srv.ClientConfig(accessKey, w.locale(t, poolID)))
	out, err := client.CreateVpc(t.Context(), &ec2.CreateVpcInput{
		Ipv4IpamPoolId: aws.String(poolID), Ipv4NetmaskLength: aws.Int32(24),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Env"), Value: aws.String(env)}}}},
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Vpc.CidrBlock), nil
}

// locale returns a pool's locale.
func (w wire) locale(t testing.TB, id string) string {
	t.Helper()
	out, err := w.ec2.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{id}})
	require.NoError(t, err)
	require.Len(t, out.IpamPools, 1)
	return aws.ToString(out.IpamPools[0].Locale)
}

// envPools returns the IDs of the pools tagged Env=env, by region order
// us-east-1 then us-west-2 sorted by ID.
func (w wire) envPools(t testing.TB, env string) []string {
	t.Helper()
	out, err := w.ec2.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{})
	require.NoError(t, err)
	var ids []string
	for _, p := range out.IpamPools {
		for _, tg := range p.AllocationResourceTags {
			if aws.ToString(tg.Key) == "Env" && aws.ToString(tg.Value) == env {
				ids = append(ids, aws.ToString(p.IpamPoolId))
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func (w wire) writes(op string) int {
	n := 0
	for _, c := range w.srv.Calls() {
		if c.Service == "ram" && c.Operation == op && c.ErrorCode == "" {
			n++
		}
	}
	return n
}

// event reads a testdata event and puts accountID in it.
func event(t testing.TB, file, accountID string) Event {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + file)
	require.NoError(t, err)
	e, err := ParseEvent(bytes.ReplaceAll(b, []byte("111122223333"), []byte(accountID)))
	require.NoError(t, err)
	return e
}

func TestWireSameEventThreeTimes(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	r := w.reconciler()
	e := event(t, "create-succeeded.json", awsfake.DemoProdAccount)
	prod := w.envPools(t, "Prod OU")
	creates := 0
	for i := range 3 {
		w.srv.ResetCalls()
		res, err := r.HandleEvent(t.Context(), e)
		require.NoError(t, err, "delivery %d", i+1)
		creates += w.writes("CreateResourceShare")
		assert.True(t, res.Ignored.IsZero())
		if i == 0 {
			assert.Len(t, res.Applied, 3, "create with the principal, two pools")
		} else {
			assert.Empty(t, res.Applied, "delivery %d changes nothing", i+1)
			assert.True(t, res.Plan.IsEmpty())
		}
	}
	var ops []string
	for _, c := range w.srv.Calls() {
		ops = append(ops, c.Service+":"+c.Operation)
	}
	assert.Equal(t, []string{
		"organizations:DescribeAccount",
		"organizations:ListParents", "organizations:DescribeOrganizationalUnit", // Prod OU
		"organizations:ListParents", "organizations:DescribeOrganizationalUnit", // Workloads
		"organizations:ListParents", "organizations:ListRoots",
		"ec2:DescribeIpamPools", "ram:GetResourceShares", "ram:GetResourceShares",
		"ram:GetResourceShareAssociations", "ram:GetResourceShareAssociations",
	}, ops, "a repeated event reads one account's place, the pools and one share, and writes nothing")
	assert.Equal(t, 1, creates, "one share for three deliveries")
	assert.Equal(t, map[string]shareState{
		"ipamShare-" + awsfake.DemoProdAccount: {Principals: []string{awsfake.DemoProdAccount}, Pools: prod},
	}, w.shares(t))
	w.srv.ResetCalls()
	assert.Equal(t, 0, w.writes("AssociateResourceShare"))

	// The account allocates a VPC CIDR from the shared pool of its region;
	// an account of another OU cannot.
	east := w.poolIn(t, prod, "us-east-1")
	vpc, err := w.allocate(t, prodAccessKey, east, "Prod OU")
	require.NoError(t, err)
	assert.Equal(t, "192.168.16.0/24", vpc, "the lowest free /24 of the us-east-1 Prod OU pool")
	_, err = w.allocate(t, devAccessKey, east, "Prod OU")
	require.ErrorContains(t, err, "InvalidIpamPoolId.NotFound")

	// The leading zero is kept, in the name and the principal.
	res, err := r.HandleEvent(t.Context(), event(t, "create-leading-zero.json", zeroAccount))
	require.NoError(t, err)
	require.NotEmpty(t, res.Applied)
	assert.Equal(t, shareState{Principals: []string{zeroAccount}, Pools: prod}, w.shares(t)["ipamShare-"+zeroAccount])

	// A failed creation is ignored and writes nothing.
	before := len(w.srv.Calls())
	res, err = r.HandleEvent(t.Context(), event(t, "create-failed.json", awsfake.DemoDevAccount))
	require.NoError(t, err)
	assert.Equal(t, Ignored{Event: EventCreateManagedAccount, State: StateFailed,
		Reason: "account 444444444444: CreateManagedAccount is FAILED, not SUCCEEDED: nothing to share (AWS Control Tower failed to create a managed account.)"}, res.Ignored)
	assert.Len(t, w.srv.Calls(), before, "no call at all")

	// A suspended account is never shared with.
	res, err = r.ReconcileAccount(t.Context(), suspendedAccount)
	require.NoError(t, err)
	assert.Empty(t, res.Applied)
	assert.Contains(t, res.Plan.Notes, Note{AccountID: suspendedAccount, Msg: "account 666666666666 (gone, Root/Workloads/Prod OU) is not active: it is never shared with"})
	assert.NotContains(t, w.shares(t), "ipamShare-"+suspendedAccount)
}

func TestWireAdoptSampleShare(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	prod := w.envPools(t, "Prod OU")
	// What the sample does, twice (a retried event): no client token, no
	// tag, external principals allowed, only one of the pools.
	var sample []string
	for range 2 {
		out, err := w.ram.CreateResourceShare(t.Context(), &ram.CreateResourceShareInput{
			Name: aws.String("ipamShare-" + awsfake.DemoProdAccount), Principals: []string{awsfake.DemoProdAccount},
			ResourceArns: []string{"arn:aws:ec2::222222222222:ipam-pool/" + prod[0]},
		})
		require.NoError(t, err)
		sample = append(sample, aws.ToString(out.ResourceShare.ResourceShareArn))
	}
	w.srv.ResetCalls()
	r := w.reconciler()
	plan, err := r.PlanAccount(t.Context(), awsfake.DemoProdAccount)
	require.NoError(t, err)
	name := "ipamShare-" + awsfake.DemoProdAccount
	require.Len(t, plan.Changes, 1)
	// The oldest is adopted; with equal creation times, the lower ARN.
	adopted, dup := plan.Changes[0].ShareARN, sample[0]
	if dup == adopted {
		dup = sample[1]
	}
	require.Contains(t, sample, adopted)
	assert.Equal(t, Change{Kind: KindAssociatePool, Share: name, ShareARN: adopted, PoolID: prod[1],
		PoolARN: "arn:aws:ec2::222222222222:ipam-pool/" + prod[1],
		Reason:  "pool " + prod[1] + " (" + w.locale(t, prod[1]) + ", Env=Prod OU) matches: OU name 'Prod OU'"}, plan.Changes[0])
	assert.Equal(t, []Note{
		{AccountID: awsfake.DemoProdAccount, Share: name, ShareARN: dup, Msg: "share " + name + " (" + dup + ") duplicates " + adopted + ": delete it once you have checked it"},
		{AccountID: awsfake.DemoProdAccount, Share: name, ShareARN: adopted, Msg: "share " + name + " (" + adopted + ") allows external principals (the sample's default): turn it off with ram update-resource-share --no-allow-external-principals"},
	}, plan.Notes)
	_, err = r.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, 0, w.writes("CreateResourceShare"), "adopted, never duplicated")
	assert.Equal(t, 1, w.writes("AssociateResourceShare"))
	got := w.sharesByARN(t)
	assert.Equal(t, map[string]namedShare{
		adopted: {name: name, shareState: shareState{Principals: []string{awsfake.DemoProdAccount}, Pools: prod}},
		dup:     {name: name, shareState: shareState{Principals: []string{awsfake.DemoProdAccount}, Pools: prod[:1]}},
	}, got, "the duplicate is left as it is")
	again, err := r.PlanAccount(t.Context(), awsfake.DemoProdAccount)
	require.NoError(t, err)
	assert.Empty(t, again.Changes)
}

func TestWireOUMove(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	prod, sdlc := w.envPools(t, "Prod OU"), w.envPools(t, "SDLC OU")
	_, err := w.reconciler().ReconcileAccount(t.Context(), awsfake.DemoProdAccount)
	require.NoError(t, err)
	name := "ipamShare-" + awsfake.DemoProdAccount
	require.Equal(t, prod, w.shares(t)[name].Pools)

	// The account moves to SDLC OU: Organizations now says so.
	after := newWire(t, wireWorld(t, true))
	moved := func(optFns ...func(*Options)) *Reconciler {
		return NewReconciler(w.ram, w.ec2, after.org, append([]func(*Options){noSleep}, optFns...)...)
	}
	e := event(t, "update-succeeded.json", awsfake.DemoProdAccount)
	res, err := moved().HandleEvent(t.Context(), e)
	require.NoError(t, err)
	var kinds []string
	for _, c := range res.Plan.Changes {
		kinds = append(kinds, string(c.Kind)+" "+c.PoolID)
	}
	assert.Equal(t, []string{
		"associate-pool " + sdlc[0], "associate-pool " + sdlc[1],
		"disassociate-pool " + prod[0], "disassociate-pool " + prod[1],
	}, kinds)
	assert.Equal(t, Summary{Associate: 2, Kept: 2}, res.Plan.Summary())
	assert.Len(t, res.Applied, 2, "without prune the old pools stay")
	assert.Equal(t, slices.Sorted(slices.Values(append(slices.Clone(prod), sdlc...))), w.shares(t)[name].Pools)

	res, err = moved(func(o *Options) { o.Prune = true }).ReconcileAccount(t.Context(), awsfake.DemoProdAccount)
	require.NoError(t, err)
	assert.Equal(t, Summary{Disassociate: 2}, res.Plan.Summary())
	assert.Equal(t, res.Plan.Changes, res.Applied)
	assert.Equal(t, shareState{Principals: []string{awsfake.DemoProdAccount}, Pools: sdlc}, w.shares(t)[name])
	assert.Equal(t, 1, w.writes("DisassociateResourceShare"), "both pools in one call")
}

func TestWireBackfillDemo(t *testing.T) {
	t.Parallel()
	w := newWire(t, awsfake.Demo())
	r := w.reconciler()
	plan, err := r.PlanAll(t.Context())
	require.NoError(t, err)
	assert.Equal(t, Summary{Create: 3, Associate: 6}, plan.Summary())
	assert.Equal(t, []Note{{AccountID: awsfake.DemoNetworkAccount, Msg: "account 222222222222 owns the pools: it needs no share"}}, plan.Notes)
	w.srv.ResetCalls()
	res, err := r.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Len(t, res.Applied, 9)
	assert.Equal(t, 3, w.writes("CreateResourceShare"), "one write per share: principal and pools in the creation")
	prod, sdlc := w.envPools(t, "Prod OU"), w.envPools(t, "SDLC OU")
	assert.Equal(t, map[string]shareState{
		"ipamShare-333333333333": {Principals: []string{awsfake.DemoProdAccount}, Pools: prod},
		"ipamShare-444444444444": {Principals: []string{awsfake.DemoDevAccount}, Pools: sdlc},
		"ipamShare-555555555555": {Principals: []string{awsfake.DemoTestAccount}, Pools: sdlc},
	}, w.shares(t))

	w.srv.ResetCalls()
	again, err := r.PlanAll(t.Context())
	require.NoError(t, err)
	assert.True(t, again.IsEmpty())
	var ops []string
	for _, c := range w.srv.Calls() {
		ops = append(ops, c.Service+":"+c.Operation)
	}
	assert.Equal(t, []string{
		"organizations:ListRoots",
		"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", // Root
		"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", // Infrastructure
		"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", // Workloads
		"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", // Prod OU
		"organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent", // SDLC OU
		"ec2:DescribeIpamPools", "ram:GetResourceShares",
		"ram:GetResourceShareAssociations", "ram:GetResourceShareAssociations",
	}, ops, "a re-plan is the minimum pages and no write")
}

func TestWireOUMode(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	r := w.reconciler(func(o *Options) { o.Mode = ModeOU })
	res, err := r.ReconcileAll(t.Context())
	require.NoError(t, err)
	tree, err := account.ListTree(t.Context(), w.org)
	require.NoError(t, err)
	ouID := map[string]string{}
	for _, u := range tree.Units {
		ouID[u.Name] = u.ID
	}
	arn := func(name string) string {
		return "arn:aws:organizations::111111111111:ou/" + tree.Units[0].ARN[len("arn:aws:organizations::111111111111:root/"):len("arn:aws:organizations::111111111111:root/")+len("o-")+10] + "/" + ouID[name]
	}
	prod, sdlc := w.envPools(t, "Prod OU"), w.envPools(t, "SDLC OU")
	got := w.shares(t)
	assert.Equal(t, map[string]shareState{
		"ipamShare-" + ouID["Prod OU"]: {Principals: []string{arn("Prod OU")}, Pools: prod},
		"ipamShare-" + ouID["SDLC OU"]: {Principals: []string{arn("SDLC OU")}, Pools: sdlc},
	}, got, "Payments, Workloads, Infrastructure and the root account match no pool")
	assert.Contains(t, res.Plan.Notes, Note{AccountID: suspendedAccount, Msg: "account 666666666666 is SUSPENDED but stays in OU " + ouID["Prod OU"] + ", whose share RAM keeps serving it"})

	// The OU's ARN reaches the account in the nested OU Payments.
	nested := ram.NewFromConfig(w.srv.ClientConfig(nestedAccessKey, "us-east-1"))
	out, err := nested.GetResourceShares(t.Context(), &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerOtherAccounts})
	require.NoError(t, err)
	require.Len(t, out.ResourceShares, 1)
	assert.Equal(t, "ipamShare-"+ouID["Prod OU"], aws.ToString(out.ResourceShares[0].Name))

	// And it allocates from the Prod OU pool, as RAM would let it.
	_, err = w.allocate(t, nestedAccessKey, w.poolIn(t, prod, "us-west-2"), "Prod OU")
	require.NoError(t, err)

	// One account's event reconciles its OU's share: nothing to do.
	again, err := r.PlanAccount(t.Context(), nestedAccount)
	require.NoError(t, err)
	assert.Empty(t, again.Changes)
	again, err = r.PlanAll(t.Context())
	require.NoError(t, err)
	assert.Empty(t, again.Changes)
}

func TestWireNetworkRole(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	base := w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	caller, err := account.Identify(t.Context(), sts.NewFromConfig(base))
	require.NoError(t, err)
	configs := account.New(base)
	for _, tc := range []struct {
		name, externalID string
		terminal         bool
	}{
		{"right external ID", "ext-id-1", false},
		{"wrong external ID", "wrong", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := NetworkTarget(caller.ARN, awsfake.DemoNetworkAccount, "us-east-1", "", tc.externalID)
			assert.Equal(t, "arn:aws:iam::222222222222:role/AWSControlTowerExecution", target.RoleARN)
			cfg, err := configs.Config(t.Context(), target)
			require.NoError(t, err)
			r := NewFromConfig(cfg, base, noSleep)
			res, err := r.ReconcileAccount(t.Context(), awsfake.DemoDevAccount)
			if tc.terminal {
				require.Error(t, err)
				assert.True(t, IsTerminal(err), "%v", err)
				assert.NotContains(t, err.Error(), "wrong")
				return
			}
			require.NoError(t, err)
			assert.Len(t, res.Applied, 3)
		})
	}
}

func TestWireErrors(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	// Organizations read by an account that is not allowed to.
	denied := NewReconciler(w.ram, w.ec2, organizations.NewFromConfig(w.srv.ClientConfig(prodAccessKey, "us-east-1")), noSleep)
	_, err := denied.ReconcileAccount(t.Context(), awsfake.DemoDevAccount)
	require.Error(t, err)
	assert.True(t, IsTerminal(err), "%v", err)

	// RAM throttling beyond the SDK's retries is worth retrying.
	w.srv.InjectFault(awsfake.Fault{Service: "ram", Operation: "CreateResourceShare", Kind: awsfake.FaultThrottle})
	_, err = w.reconciler().ReconcileAccount(t.Context(), awsfake.DemoDevAccount)
	require.Error(t, err)
	assert.False(t, IsTerminal(err), "%v", err)
	assert.ErrorAs(t, err, new(*ramtypes.ThrottlingException))
	w.srv.ClearFaults()
	res, err := w.reconciler().ReconcileAccount(t.Context(), awsfake.DemoDevAccount)
	require.NoError(t, err)
	assert.Len(t, res.Applied, 3)

	_, err = w.reconciler().ReconcileAccount(t.Context(), "999999999999")
	assert.True(t, IsTerminal(err), "%v", err)
	_, err = w.reconciler().ReconcileAccount(t.Context(), "12345678901")
	assert.ErrorIs(t, err, ErrInvalidAccountID)
}

func TestWireExplain(t *testing.T) {
	t.Parallel()
	w := newWire(t, wireWorld(t, false))
	r := w.reconciler(func(o *Options) { o.Rules = []Rule{{}, {By: ByOUPath, Locales: []string{"us-west-2"}}} })
	acct, ds, err := r.Explain(t.Context(), nestedAccount)
	require.NoError(t, err)
	assert.Equal(t, "Root/Workloads/Prod OU/Payments", acct.Path)
	var got []string
	for _, d := range ds {
		got = append(got, d.Reason)
	}
	prod, sdlc := w.envPools(t, "Prod OU"), w.envPools(t, "SDLC OU")
	var want []string
	for _, id := range append(slices.Clone(prod), sdlc...) {
		env := "Prod OU"
		if slices.Contains(sdlc, id) {
			env = "SDLC OU"
		}
		loc := w.locale(t, id)
		label := "pool " + id + " (" + loc + ", Env=" + env + ")"
		switch {
		case env == "Prod OU" && loc == "us-west-2":
			want = append(want, label+" matches: OU path 'Root/Workloads/Prod OU/Payments' matches 'Prod OU'")
		case loc == "us-west-2":
			want = append(want, label+" does not match: Env="+env+" is not the OU name 'Payments'; OU path 'Root/Workloads/Prod OU/Payments' does not match '"+env+"'")
		default:
			want = append(want, label+" does not match: Env="+env+" is not the OU name 'Payments'; locale us-east-1 is not one of us-west-2")
		}
	}
	// Pools come sorted by ID, without the top and regional pools'
	// reasons, which have no tag.
	var tagged []string
	for _, g := range got {
		if !strings.Contains(g, "no allocation tag") {
			tagged = append(tagged, g)
		}
	}
	slices.Sort(tagged)
	slices.Sort(want)
	assert.Equal(t, want, tagged)
	assert.Len(t, ds, 7, "every pool of the IPAM is explained")
}
