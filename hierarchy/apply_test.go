package hierarchy

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func (c *fakeClock) apply(o *ApplyOptions) {
	o.MinDelay, o.MaxDelay, o.Now, o.sleep = time.Second, 8*time.Second, c.Now, c.sleep
}

func poolIs(id string) gomock.Matcher { return forPool(id) }

func describeIs(id string) *ec2.DescribeIpamPoolsInput {
	return &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{id}}
}

func created(id string, state types.IpamPoolState) *ec2.CreateIpamPoolOutput {
	return &ec2.CreateIpamPoolOutput{IpamPool: &types.IpamPool{IpamPoolId: aws.String(id), State: state}}
}

func provisioned(c, id string, state types.IpamPoolCidrState) *ec2.ProvisionIpamPoolCidrOutput {
	out := &ec2.ProvisionIpamPoolCidrOutput{IpamPoolCidr: &types.IpamPoolCidr{IpamPoolCidrId: aws.String(id), State: state}}
	if c != "" {
		out.IpamPoolCidr.Cidr = aws.String(c)
	}
	return out
}

// smallSpec is a top /16 with one child /17 in us-east-1.
func smallSpec() Spec {
	return Spec{Pools: []Pool{{Name: "top", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}, Pools: []Pool{
		{Name: "a", Locale: "us-east-1", Netmask: 17, Description: "team a", Tags: map[string]string{"Team": "a"},
			Allocation: Allocation{MinNetmask: 20, Tags: map[string]string{"Env": "Prod OU"}}},
	}}}}
}

func TestApplyCreatesInOrder(t *testing.T) {
	t.Parallel()
	cs, err := Plan(smallSpec(), Live{}, func(o *Options) { o.ScopeID = testScope })
	require.NoError(t, err)
	require.Len(t, cs.Ops, 4)
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		m.EXPECT().CreateIpamPool(gomock.Any(), &ec2.CreateIpamPoolInput{
			IpamScopeId: aws.String(testScope), AddressFamily: types.AddressFamilyIpv4, ClientToken: aws.String(cs.Ops[0].ClientToken),
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeIpamPool, Tags: []types.Tag{{Key: aws.String(DefaultPathTagKey), Value: aws.String("/top")}}}},
		}).Return(created("ipam-pool-top", types.IpamPoolStateCreateInProgress), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-top")).Return(poolOut("ipam-pool-top", "create-in-progress", ""), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-top")).Return(poolOut("ipam-pool-top", "create-complete", ""), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), &ec2.ProvisionIpamPoolCidrInput{
			IpamPoolId: aws.String("ipam-pool-top"), Cidr: aws.String("10.0.0.0/16"), ClientToken: aws.String(cs.Ops[1].ClientToken),
		}).Return(provisioned("10.0.0.0/16", "ipam-pool-cidr-1", types.IpamPoolCidrStatePendingProvision), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-top"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "provisioned", "")), nil),
		// The child's parent is the pool created above, resolved from its path.
		m.EXPECT().CreateIpamPool(gomock.Any(), &ec2.CreateIpamPoolInput{
			IpamScopeId: aws.String(testScope), AddressFamily: types.AddressFamilyIpv4, ClientToken: aws.String(cs.Ops[2].ClientToken),
			SourceIpamPoolId: aws.String("ipam-pool-top"), Locale: aws.String("us-east-1"), Description: aws.String("team a"),
			AllocationMinNetmaskLength: aws.Int32(20),
			AllocationResourceTags:     []types.RequestIpamResourceTag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}},
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeIpamPool, Tags: []types.Tag{
				{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String(DefaultPathTagKey), Value: aws.String("/top/a")},
			}}},
		}).Return(created("ipam-pool-a", types.IpamPoolStateCreateInProgress), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(poolOut("ipam-pool-a", "create-complete", ""), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), &ec2.ProvisionIpamPoolCidrInput{
			IpamPoolId: aws.String("ipam-pool-a"), Cidr: aws.String("10.0.0.0/17"), ClientToken: aws.String(cs.Ops[3].ClientToken),
		}).Return(provisioned("10.0.0.0/17", "ipam-pool-cidr-2", types.IpamPoolCidrStatePendingProvision), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/17", "ipam-pool-cidr-2", "pending-provision", "")), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/17", "ipam-pool-cidr-2", "provisioned", "")), nil),
	)
	var clock fakeClock
	var events []string
	var logs bytes.Buffer
	res, err := Apply(t.Context(), m, cs, clock.apply, func(o *ApplyOptions) {
		o.Progress = func(p Progress) {
			s := "start"
			if p.Done {
				s = "done " + p.Took.String()
			}
			events = append(events, strings.Join([]string{string(p.Op.Kind), p.Op.Path, p.Op.PoolID, s}, " "))
		}
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"create-pool /top  start", "create-pool /top ipam-pool-top done 1s",
		"provision-cidr /top ipam-pool-top start", "provision-cidr /top ipam-pool-top done 0s",
		"create-pool /top/a  start", "create-pool /top/a ipam-pool-a done 0s",
		"provision-cidr /top/a ipam-pool-a start", "provision-cidr /top/a ipam-pool-a done 1s",
	}, events)
	assert.Equal(t, `level=INFO msg="operation done" op=1 ops=4 kind=create-pool path=/top pool_id=ipam-pool-top took=1s
level=INFO msg="operation done" op=2 ops=4 kind=provision-cidr path=/top pool_id=ipam-pool-top cidr=10.0.0.0/16 took=0s
level=INFO msg="operation done" op=3 ops=4 kind=create-pool path=/top/a pool_id=ipam-pool-a took=0s
level=INFO msg="operation done" op=4 ops=4 kind=provision-cidr path=/top/a pool_id=ipam-pool-a cidr=10.0.0.0/17 took=1s
`, logs.String())
	require.Len(t, res.Done, 4)
	assert.Equal(t, 4, res.Total)
	assert.Equal(t, "ipam-pool-top", res.Done[2].Op.ParentID)
	assert.Equal(t, "ipam-pool-a", res.Done[3].Op.PoolID)
}

func TestApplyNetmaskProvision(t *testing.T) {
	t.Parallel()
	cs := ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindProvisionCIDR, Action: Create, Path: "/v6/r", PoolID: "ipam-pool-r", Netmask: 56, ClientToken: "tok"}}}
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-r")).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{
			{IpamPoolId: aws.String("ipam-pool-r"), SourceIpamPoolId: aws.String("ipam-pool-v6"), State: "create-complete"},
		}}, nil),
		// The parent's CIDR, left pending by an earlier apply, settles first.
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-v6"), gomock.Any()).Return(cidrsOut(cidr("2600:1f00::/52", "c0", "pending-provision", "")), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-v6"), gomock.Any()).Return(cidrsOut(cidr("2600:1f00::/52", "c0", "provisioned", "")), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: aws.String("ipam-pool-r"), NetmaskLength: aws.Int32(56), ClientToken: aws.String("tok")}).
			Return(provisioned("", "c1", types.IpamPoolCidrStatePendingProvision), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-r"), gomock.Any()).Return(cidrsOut(cidr("2600:1f00::/56", "c1", "provisioned", "")), nil),
	)
	var clock fakeClock
	res, err := Apply(t.Context(), m, cs, clock.apply)
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("2600:1f00::/56"), res.Done[0].Op.CIDR, "the CIDR AWS chose")
}

func TestApplyRetriesBusyPool(t *testing.T) {
	t.Parallel()
	cs := ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindProvisionCIDR, Action: Create, Path: "/top", PoolID: "ipam-pool-1", CIDR: netip.MustParsePrefix("10.0.0.0/16"), ClientToken: "tok"}}}
	in := &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: aws.String("ipam-pool-1"), Cidr: aws.String("10.0.0.0/16"), ClientToken: aws.String("tok")}
	t.Run("then succeeds", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		gomock.InOrder(
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-1")).Return(poolOut("ipam-pool-1", "create-complete", ""), nil),
			m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), in).Return(nil, apiErr(codeIncorrectState)),
			m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), in).Return(nil, apiErr(codeConcurrentMutation)),
			m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), in).Return(provisioned("10.0.0.0/16", "c1", "pending-provision"), nil),
			m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-1"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/16", "c1", "provisioned", "")), nil),
		)
		var clock fakeClock
		res, err := Apply(t.Context(), m, cs, clock.apply)
		require.NoError(t, err)
		assert.Len(t, res.Done, 1)
		require.Len(t, clock.slept, 2, "one backoff per retry")
		assert.Equal(t, time.Second, clock.slept[0])
	})
	t.Run("up to MaxRetries", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-1")).Return(poolOut("ipam-pool-1", "create-complete", ""), nil)
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), in).Return(nil, apiErr(codeIncorrectState)).Times(3)
		var clock fakeClock
		res, err := Apply(t.Context(), m, cs, clock.apply, func(o *ApplyOptions) { o.MaxRetries = 2 })
		assert.Empty(t, res.Done)
		var ae *ApplyError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, codeIncorrectState, errorCode(err))
		assert.EqualError(t, err, "failed at + cidr /top 10.0.0.0/16 (provision-cidr, ipam-pool-1): provision IPAM pool CIDR: still refused after 3 attempts: operation error EC2: Op, api error IncorrectState: IncorrectState says so; 0 of 1 operations done; run apply again to resume")
	})
	t.Run("other errors are not retried", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-1")).Return(poolOut("ipam-pool-1", "create-complete", ""), nil)
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), in).Return(nil, apiErr("InvalidParameterValue"))
		var clock fakeClock
		_, err := Apply(t.Context(), m, cs, clock.apply)
		assert.Equal(t, "InvalidParameterValue", errorCode(err))
		assert.Empty(t, clock.slept)
	})
}

func TestApplyFailedStates(t *testing.T) {
	t.Parallel()
	t.Run("failed-provision", func(t *testing.T) {
		t.Parallel()
		cs := ChangeSet{ScopeID: testScope, Ops: []Op{
			{Kind: KindAdoptPool, Action: Adopt, Path: "/top", PoolID: "ipam-pool-1", Config: PoolConfig{Tags: map[string]string{DefaultPathTagKey: "/top"}}},
			{Kind: KindProvisionCIDR, Action: Create, Path: "/top", PoolID: "ipam-pool-1", CIDR: netip.MustParsePrefix("10.0.0.0/16"), ClientToken: "tok"},
		}}
		m := NewMockEC2API(gomock.NewController(t))
		gomock.InOrder(
			m.EXPECT().CreateTags(gomock.Any(), &ec2.CreateTagsInput{Resources: []string{"ipam-pool-1"}, Tags: []types.Tag{{Key: aws.String(DefaultPathTagKey), Value: aws.String("/top")}}}).Return(&ec2.CreateTagsOutput{}, nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-1")).Return(poolOut("ipam-pool-1", "create-complete", ""), nil),
			m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), gomock.Any()).Return(provisioned("10.0.0.0/16", "c1", "pending-provision"), nil),
			m.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/16", "c1", "failed-provision", "The CIDR 10.0.0.0/16 overlaps a CIDR in scope ipam-scope-0aaa")), nil),
		)
		var clock fakeClock
		res, err := Apply(t.Context(), m, cs, clock.apply)
		assert.Len(t, res.Done, 1)
		var se *StateError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, StateError{PoolID: "ipam-pool-1", CIDR: netip.MustParsePrefix("10.0.0.0/16"), State: "failed-provision", Reason: "The CIDR 10.0.0.0/16 overlaps a CIDR in scope ipam-scope-0aaa"}, *se)
		assert.EqualError(t, err, "failed at + cidr /top 10.0.0.0/16 (provision-cidr, ipam-pool-1): CIDR 10.0.0.0/16 of pool ipam-pool-1 is failed-provision: The CIDR 10.0.0.0/16 overlaps a CIDR in scope ipam-scope-0aaa; 1 of 2 operations done; run apply again to resume")
	})
	t.Run("create-failed", func(t *testing.T) {
		t.Parallel()
		cs := ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindCreatePool, Action: Create, Path: "/top", ClientToken: "tok", Config: PoolConfig{Family: IPv4}}}}
		m := NewMockEC2API(gomock.NewController(t))
		gomock.InOrder(
			m.EXPECT().CreateIpamPool(gomock.Any(), gomock.Any()).Return(created("ipam-pool-1", "create-in-progress"), nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-1", "create-failed", "Pools per scope limit exceeded"), nil),
		)
		var clock fakeClock
		_, err := Apply(t.Context(), m, cs, clock.apply)
		assert.EqualError(t, err, "failed at + pool /top (create-pool, ipam-pool-1): pool ipam-pool-1 is create-failed: Pools per scope limit exceeded; 0 of 1 operations done; run apply again to resume")
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		cs := ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindCreatePool, Action: Create, Path: "/top", ClientToken: "tok", Config: PoolConfig{Family: IPv4}}}}
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().CreateIpamPool(gomock.Any(), gomock.Any()).Return(created("ipam-pool-1", "create-in-progress"), nil)
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-1", "create-in-progress", ""), nil).MinTimes(2)
		var clock fakeClock
		_, err := Apply(t.Context(), m, cs, clock.apply, func(o *ApplyOptions) { o.MaxWait = 10 * time.Second })
		require.ErrorIs(t, err, ErrWaitTimeout)
		assert.EqualError(t, err, "failed at + pool /top (create-pool, ipam-pool-1): pool ipam-pool-1 still create-in-progress after 10s: exceeded the maximum wait time; 0 of 1 operations done; run apply again to resume")
	})
}

func TestApplyStaleTokens(t *testing.T) {
	t.Parallel()
	cs := ChangeSet{ScopeID: testScope, Ops: []Op{
		{Kind: KindCreatePool, Action: Create, Path: "/top", ClientToken: "tok-create", Config: PoolConfig{Family: IPv4}},
		{Kind: KindProvisionCIDR, Action: Create, Path: "/top", CIDR: netip.MustParsePrefix("10.0.0.0/16"), ClientToken: "tok-cidr"},
	}}
	createToken := ClientToken(testScope, "/top", KindCreatePool, "tok-create|after ipam-pool-old")
	cidrToken := ClientToken(testScope, "/top", KindProvisionCIDR, "tok-cidr|after c-old")
	tokenIs := func(tok string) gomock.Matcher {
		return gomock.Cond(func(x any) bool {
			switch in := x.(type) {
			case *ec2.CreateIpamPoolInput:
				return aws.ToString(in.ClientToken) == tok
			case *ec2.ProvisionIpamPoolCidrInput:
				return aws.ToString(in.ClientToken) == tok
			}
			return false
		})
	}
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		// EC2 answers the plan's token with the pool an earlier apply
		// made, which failed since: a token of its own asks again.
		m.EXPECT().CreateIpamPool(gomock.Any(), tokenIs("tok-create")).Return(created("ipam-pool-old", "create-failed"), nil),
		m.EXPECT().CreateIpamPool(gomock.Any(), tokenIs(createToken)).Return(created("ipam-pool-new", "create-in-progress"), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-new")).Return(poolOut("ipam-pool-new", "create-complete", ""), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), tokenIs("tok-cidr")).Return(provisioned("10.0.0.0/16", "c-old", "deprovisioned"), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), tokenIs(cidrToken)).Return(provisioned("10.0.0.0/16", "c-new", "pending-provision"), nil),
		m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-new"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/16", "c-new", "provisioned", "")), nil),
	)
	var clock fakeClock
	res, err := Apply(t.Context(), m, cs, clock.apply)
	require.NoError(t, err)
	assert.Equal(t, "ipam-pool-new", res.Done[1].Op.PoolID)
	assert.NotEqual(t, createToken, ClientToken(testScope, "/top", KindCreatePool, "tok-create|after ipam-pool-other"), "the derived token depends on the stale resource")
}

func TestApplyCancelled(t *testing.T) {
	t.Parallel()
	cs, err := Plan(smallSpec(), Live{}, func(o *Options) { o.ScopeID = testScope })
	require.NoError(t, err)
	m := NewMockEC2API(gomock.NewController(t))
	ctx, cancel := context.WithCancel(t.Context())
	gomock.InOrder(
		m.EXPECT().CreateIpamPool(gomock.Any(), gomock.Any()).Return(created("ipam-pool-top", "create-in-progress"), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-top", "create-complete", ""), nil),
		m.EXPECT().ProvisionIpamPoolCidr(gomock.Any(), gomock.Any()).DoAndReturn(func(context.Context, *ec2.ProvisionIpamPoolCidrInput, ...func(*ec2.Options)) (*ec2.ProvisionIpamPoolCidrOutput, error) {
			cancel() // Ctrl-C while the call is on its way: it is done, nothing after it is
			return provisioned("10.0.0.0/16", "c1", "pending-provision"), nil
		}),
	)
	var clock fakeClock
	res, err := Apply(ctx, m, cs, clock.apply)
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, res.Done, 1)
	assert.Equal(t, "ipam-pool-top", res.Done[0].Op.PoolID)
	var ae *ApplyError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, ApplyError{Op: ae.Op, Index: 1, Done: 1, Total: 4, Err: ae.Err}, *ae)
	assert.Equal(t, KindProvisionCIDR, ae.Op.Kind)

	// Cancelled before the first operation: no call at all.
	_, err = Apply(ctx, NewMockEC2API(gomock.NewController(t)), cs)
	assert.EqualError(t, err, "failed at + pool /top (create-pool): context canceled; 0 of 4 operations done; run apply again to resume")
}

func TestApplyModify(t *testing.T) {
	t.Parallel()
	cfg := PoolConfig{Family: IPv4, Locale: "us-east-1", Description: "new", AutoImport: true,
		Tags:       map[string]string{DefaultPathTagKey: "/top/a", "Team": "b"},
		Allocation: Allocation{MinNetmask: 18, Tags: map[string]string{"Env": "Prod OU", "Tier": "1"}}}
	cs := ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindModifyPool, Action: Update, Path: "/top/a", PoolID: "ipam-pool-a", Config: cfg, Changes: []Change{
		{"tags.Team", "a", "b"}, {"description", "old", "new"}, {"allocation.minNetmask", "/16", "/18"}, {"allocation.maxNetmask", "/24", "(none)"},
		{"allocation.defaultNetmask", "/20", "(none)"}, {"allocation.tags", "Env=SDLC OU,Tier=1", "Env=Prod OU,Tier=1"}, {"autoImport", "false", "true"},
	}}}}
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(&ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{{
			IpamPoolId: aws.String("ipam-pool-a"), State: "create-complete",
			AllocationResourceTags: []types.IpamResourceTag{{Key: aws.String("Env"), Value: aws.String("SDLC OU")}, {Key: aws.String("Tier"), Value: aws.String("1")}},
		}}}, nil),
		m.EXPECT().CreateTags(gomock.Any(), &ec2.CreateTagsInput{Resources: []string{"ipam-pool-a"}, Tags: []types.Tag{{Key: aws.String("Team"), Value: aws.String("b")}}}).Return(&ec2.CreateTagsOutput{}, nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(poolOut("ipam-pool-a", "create-complete", ""), nil),
		m.EXPECT().ModifyIpamPool(gomock.Any(), &ec2.ModifyIpamPoolInput{
			IpamPoolId: aws.String("ipam-pool-a"), Description: aws.String("new"), AutoImport: aws.Bool(true),
			AllocationMinNetmaskLength: aws.Int32(18), AllocationMaxNetmaskLength: aws.Int32(32), ClearAllocationDefaultNetmaskLength: aws.Bool(true),
			AddAllocationResourceTags:    []types.RequestIpamResourceTag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}},
			RemoveAllocationResourceTags: []types.RequestIpamResourceTag{{Key: aws.String("Env"), Value: aws.String("SDLC OU")}},
		}).Return(&ec2.ModifyIpamPoolOutput{}, nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(poolOut("ipam-pool-a", "modify-in-progress", ""), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(poolOut("ipam-pool-a", "modify-complete", ""), nil),
	)
	var clock fakeClock
	_, err := Apply(t.Context(), m, cs, clock.apply)
	require.NoError(t, err)

	// Tags alone: CreateTags, no ModifyIpamPool and no wait.
	m = NewMockEC2API(gomock.NewController(t))
	m.EXPECT().CreateTags(gomock.Any(), gomock.Any()).Return(&ec2.CreateTagsOutput{}, nil)
	cs.Ops[0].Changes = cs.Ops[0].Changes[:1]
	_, err = Apply(t.Context(), m, cs, clock.apply)
	require.NoError(t, err)

	cs.Ops[0].Changes = []Change{{"color", "red", "blue"}}
	_, err = Apply(t.Context(), NewMockEC2API(gomock.NewController(t)), cs, clock.apply)
	assert.ErrorContains(t, err, `change of "color": ipamkit does not know how to apply it`)
}

func allocsOut(as ...types.IpamPoolAllocation) *ec2.GetIpamPoolAllocationsOutput {
	return &ec2.GetIpamPoolAllocationsOutput{IpamPoolAllocations: as}
}

func alloc(c string, typ types.IpamPoolAllocationResourceType, id string) types.IpamPoolAllocation {
	return types.IpamPoolAllocation{Cidr: aws.String(c), ResourceType: typ, ResourceId: aws.String(id), IpamPoolAllocationId: aws.String("ipam-pool-alloc-" + id)}
}

func taggedPool(id, path string) *ec2.DescribeIpamPoolsOutput {
	out := poolOut(id, "create-complete", "")
	out.IpamPools[0].Tags = []types.Tag{{Key: aws.String(DefaultPathTagKey), Value: aws.String(path)}}
	return out
}

func TestApplyDeletes(t *testing.T) {
	t.Parallel()
	ten, sub := netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("10.0.0.0/20")
	cs := ChangeSet{ScopeID: testScope, AllowDelete: true, Ops: []Op{
		{Kind: KindDeprovisionCIDR, Action: Delete, Path: "/top/a", PoolID: "ipam-pool-a", CIDR: sub},
		{Kind: KindDeletePool, Action: Delete, Path: "/top/a", PoolID: "ipam-pool-a"},
		{Kind: KindDeprovisionCIDR, Action: Delete, Path: "/top", PoolID: "ipam-pool-top", CIDR: ten},
		{Kind: KindDeletePool, Action: Delete, Path: "/top", PoolID: "ipam-pool-top"},
	}}
	t.Run("children first, waiting for allocations to be released", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		gomock.InOrder(
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(taggedPool("ipam-pool-a", "/top/a"), nil),
			m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(allocsOut(), nil),
			m.EXPECT().DeprovisionIpamPoolCidr(gomock.Any(), &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: aws.String("ipam-pool-a"), Cidr: aws.String("10.0.0.0/20")}).
				Return(&ec2.DeprovisionIpamPoolCidrOutput{IpamPoolCidr: &types.IpamPoolCidr{IpamPoolCidrId: aws.String("c-a"), State: "pending-deprovision"}}, nil),
			m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(cidrsOut(cidr("10.0.0.0/20", "c-a", "deprovisioned", "")), nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(taggedPool("ipam-pool-a", "/top/a"), nil),
			m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(allocsOut(), nil),
			m.EXPECT().DeleteIpamPool(gomock.Any(), &ec2.DeleteIpamPoolInput{IpamPoolId: aws.String("ipam-pool-a")}).Return(&ec2.DeleteIpamPoolOutput{}, nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(poolOut("ipam-pool-a", "delete-in-progress", ""), nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(nil, apiErr(codePoolNotFound)),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-top")).Return(taggedPool("ipam-pool-top", "/top"), nil),
			// The deleted child's allocation lingers for a read: wait, do not refuse.
			m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-top"), gomock.Any()).Return(allocsOut(alloc("10.0.0.0/20", "ipam-pool", "ipam-pool-a")), nil),
			m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-top"), gomock.Any()).Return(allocsOut(), nil),
			m.EXPECT().DeprovisionIpamPoolCidr(gomock.Any(), gomock.Any()).Return(&ec2.DeprovisionIpamPoolCidrOutput{}, nil),
			m.EXPECT().GetIpamPoolCidrs(gomock.Any(), poolIs("ipam-pool-top"), gomock.Any()).Return(cidrsOut(), nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-top")).Return(taggedPool("ipam-pool-top", "/top"), nil),
			m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-top"), gomock.Any()).Return(allocsOut(), nil),
			m.EXPECT().DeleteIpamPool(gomock.Any(), gomock.Any()).Return(&ec2.DeleteIpamPoolOutput{}, nil),
			m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-top")).Return(poolOut("ipam-pool-top", "delete-complete", ""), nil),
		)
		var clock fakeClock
		res, err := Apply(t.Context(), m, cs, clock.apply)
		require.NoError(t, err)
		assert.Len(t, res.Done, 4)
	})
	t.Run("allocations appeared", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(taggedPool("ipam-pool-a", "/top/a"), nil)
		m.EXPECT().GetIpamPoolAllocations(gomock.Any(), poolIs("ipam-pool-a"), gomock.Any()).Return(allocsOut(alloc("10.0.1.0/24", "vpc", "vpc-1"), alloc("10.9.0.0/24", "vpc", "vpc-2")), nil)
		var clock fakeClock
		res, err := Apply(t.Context(), m, cs, clock.apply)
		assert.Empty(t, res.Done)
		require.ErrorIs(t, err, ErrInUse)
		assert.EqualError(t, err, "failed at - cidr /top/a 10.0.0.0/20 (deprovision-cidr, ipam-pool-a): pool ipam-pool-a now holds allocations the plan did not know of (vpc vpc-1 10.0.1.0/24): space in use; ipamkit never takes space in use: release them, or plan again; 0 of 4 operations done; run apply again to resume")
	})
	t.Run("path tag gone", func(t *testing.T) {
		t.Parallel()
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeIpamPools(gomock.Any(), describeIs("ipam-pool-a")).Return(taggedPool("ipam-pool-a", "/elsewhere"), nil)
		var clock fakeClock
		_, err := Apply(t.Context(), m, cs, clock.apply)
		require.ErrorIs(t, err, ErrConflict)
		assert.ErrorContains(t, err, "pool ipam-pool-a no longer carries ipamkit:path=/top/a (it has \"/elsewhere\"): live state conflicts with the spec; plan again")
	})
	t.Run("not allowed", func(t *testing.T) {
		t.Parallel()
		noDelete := cs
		noDelete.AllowDelete = false
		res, err := Apply(t.Context(), NewMockEC2API(gomock.NewController(t)), noDelete)
		require.ErrorIs(t, err, ErrDeleteNotAllowed)
		assert.Equal(t, Result{Total: 4, Done: []OpResult{}}, res)
		assert.EqualError(t, err, "operation 1 of 4, - cidr /top/a 10.0.0.0/20 (deprovision-cidr, ipam-pool-a): deletion not allowed: the change set was not planned with AllowDelete; plan again with AllowDelete (ipamctl hierarchy apply --allow-delete)")
	})
}

func TestApplyRefusesBadChangeSets(t *testing.T) {
	t.Parallel()
	create := Op{Kind: KindCreatePool, Action: Create, Path: "/top/a", ParentPath: "/top", Config: PoolConfig{Family: IPv4}}
	tests := []struct {
		name string
		cs   ChangeSet
		want string
	}{
		{"no scope", ChangeSet{Ops: []Op{create}}, "operation 1 of 1, + pool /top/a (create-pool): the change set names no scope to create pools in: plan with Options.ScopeID (Live.PlanOptions sets it)"},
		{"unknown kind", ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: "rename-pool"}}}, `operation 1 of 1: unknown kind "rename-pool": plan again with this version of ipamkit`},
		{"parent unknown", ChangeSet{ScopeID: testScope, Ops: []Op{create}}, "failed at + pool /top/a (create-pool): parent /top has no pool ID: it is not in the live tree and this apply did not create it before; plan again; 0 of 1 operations done; run apply again to resume"},
		{"pool unknown", ChangeSet{ScopeID: testScope, Ops: []Op{{Kind: KindProvisionCIDR, Action: Create, Path: "/x", Netmask: 20}}}, "failed at + cidr /x /20 (provision-cidr): pool /x has no pool ID: it is not in the live tree and this apply did not create it before; plan again; 0 of 1 operations done; run apply again to resume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Apply(t.Context(), NewMockEC2API(gomock.NewController(t)), tt.cs)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestApplyTokenUsedWithOtherParameters(t *testing.T) {
	t.Parallel()
	op := Op{Kind: KindCreatePool, Action: Create, Path: "/top", ClientToken: "tok", Config: PoolConfig{Family: IPv4, Description: "now"}}
	cs := ChangeSet{ScopeID: testScope, Ops: []Op{op}}
	derived := ClientToken(testScope, "/top", KindCreatePool, "tok|after params "+paramsKey(&op))
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		m.EXPECT().CreateIpamPool(gomock.Any(), gomock.Cond(func(in *ec2.CreateIpamPoolInput) bool { return aws.ToString(in.ClientToken) == "tok" })).
			Return(nil, apiErr(codeIdempotencyMismatched)),
		m.EXPECT().CreateIpamPool(gomock.Any(), gomock.Cond(func(in *ec2.CreateIpamPoolInput) bool { return aws.ToString(in.ClientToken) == derived })).
			Return(created("ipam-pool-1", "create-in-progress"), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-1", "create-complete", ""), nil),
	)
	var clock fakeClock
	_, err := Apply(t.Context(), m, cs, clock.apply)
	require.NoError(t, err)

	other := op
	other.Config.Description = "then"
	assert.NotEqual(t, paramsKey(&op), paramsKey(&other))
}
