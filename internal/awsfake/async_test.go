package awsfake

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timed starts a server whose states settle by a test clock with delays.
func timed(t *testing.T, w *World, d Delays, optFns ...func(*Options)) (*Server, *Clock) {
	t.Helper()
	clock := new(Clock)
	return startServer(t, w, append([]func(*Options){func(o *Options) { o.Now, o.Delays = clock.Now, d }}, optFns...)...), clock
}

// cidrsOf reads a pool's CIDRs once, as cidr=state (code: message).
func cidrsOf(t *testing.T, client *ec2.Client, pool string) []string {
	t.Helper()
	out, err := client.GetIpamPoolCidrs(t.Context(), &ec2.GetIpamPoolCidrsInput{IpamPoolId: &pool})
	require.NoError(t, err)
	var got []string
	for _, c := range out.IpamPoolCidrs {
		s := aws.ToString(c.Cidr) + "=" + string(c.State)
		if f := c.FailureReason; f != nil {
			s += " (" + string(f.Code) + ": " + aws.ToString(f.Message) + ")"
		}
		got = append(got, s)
	}
	return got
}

// allocationsIn returns a pool's allocations as resource=cidr.
func allocationsIn(t *testing.T, client *ec2.Client, pool string) []string {
	t.Helper()
	out, err := client.GetIpamPoolAllocations(t.Context(), &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &pool})
	require.NoError(t, err)
	var got []string
	for _, a := range out.IpamPoolAllocations {
		got = append(got, aws.ToString(a.ResourceId)+"="+aws.ToString(a.Cidr))
	}
	return got
}

func TestStatesSettleWithTime(t *testing.T) {
	w := newTestWorld(t)
	srv, clock := timed(t, w.world, Delays{PoolCreate: 3 * time.Second, Provision: 5 * time.Second})
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()

	out, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", SourceIpamPoolId: &w.topPool})
	require.NoError(t, err)
	id := aws.ToString(out.IpamPool.IpamPoolId)
	assert.Equal(t, []types.IpamPoolState{"create-in-progress", "create-in-progress", "create-in-progress"}, poolStates(t, client, id, 3),
		"reads do not move a timed state")
	_, err = client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("10.16.0.0/16")})
	assert.Equal(t, "IncorrectState", errorCode(err), "%v", err)

	// As the Control Tower sample does: wait, read nothing, provision.
	clock.Advance(3 * time.Second)
	_, err = client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("10.16.0.0/16")})
	require.NoError(t, err, "the pool is create-complete once its delay has passed, unread")
	clock.Advance(4 * time.Second)
	assert.Equal(t, []string{"10.16.0.0/16=pending-provision"}, cidrsOf(t, client, id))
	clock.Advance(time.Second)
	assert.Equal(t, []string{"10.16.0.0/16=provisioned"}, cidrsOf(t, client, id))
	assert.Equal(t, []types.IpamPoolState{"create-complete"}, poolStates(t, client, id, 1))
}

func TestModifyIsBusyUntilSettled(t *testing.T) {
	w := newTestWorld(t)
	srv, clock := timed(t, w.world, Delays{PoolModify: 2 * time.Second})
	client := ec2Client(srv, networkKey, "us-east-1")
	modify := func(desc string) error {
		_, err := client.ModifyIpamPool(t.Context(), &ec2.ModifyIpamPoolInput{IpamPoolId: &w.prodPool, Description: &desc})
		return err
	}
	require.NoError(t, modify("one"))
	assert.Equal(t, "IncorrectState", errorCode(modify("two")), "a second change while the first is in flight")
	_, err := client.DeleteIpamPool(t.Context(), &ec2.DeleteIpamPoolInput{IpamPoolId: &w.prodPool, Cascade: aws.Bool(true)})
	assert.Equal(t, "IncorrectState", errorCode(err), "%v", err)
	clock.Advance(2 * time.Second)
	require.NoError(t, modify("two"), "IncorrectState clears with time")
}

func TestProvisionThatDoesNotFitFailsLater(t *testing.T) {
	w := newTestWorld(t)
	tests := []struct {
		name string
		in   ec2.ProvisionIpamPoolCidrInput
		want []string // the CIDR's two reads
	}{
		{"outside the source pool", ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.prodPool, Cidr: aws.String("10.200.0.0/16")}, []string{
			"10.200.0.0/16=pending-provision (cidr-not-available: The CIDR 10.200.0.0/16 is not within the CIDRs provisioned to pool " + w.regionPool + ")",
			"10.200.0.0/16=failed-provision (cidr-not-available: The CIDR 10.200.0.0/16 is not within the CIDRs provisioned to pool " + w.regionPool + ")",
		}},
		{"no free block of the netmask", ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.prodPool, NetmaskLength: aws.Int32(12)}, []string{
			"=pending-provision (cidr-not-available: There is no free /12 in pool " + w.regionPool + ")",
			"=failed-provision (cidr-not-available: There is no free /12 in pool " + w.regionPool + ")",
		}},
		{"overlapping another top-level pool", ec2.ProvisionIpamPoolCidrInput{IpamPoolId: nil, Cidr: aws.String("10.1.0.0/16")}, []string{
			"10.1.0.0/16=pending-provision (cidr-not-available: The CIDR 10.1.0.0/16 overlaps CIDR 10.0.0.0/8 of pool " + w.topPool + " in the same scope.)",
			"10.1.0.0/16=failed-provision (cidr-not-available: The CIDR 10.1.0.0/16 overlaps CIDR 10.0.0.0/8 of pool " + w.topPool + " in the same scope.)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, ctx := ec2Client(startServer(t, w.world), networkKey, "us-east-1"), t.Context()
			in := tt.in
			if in.IpamPoolId == nil {
				p, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4"})
				require.NoError(t, err)
				in.IpamPoolId = p.IpamPool.IpamPoolId
				poolStates(t, client, aws.ToString(in.IpamPoolId), 1)
			}
			before := allocationsIn(t, client, w.regionPool)
			out, err := client.ProvisionIpamPoolCidr(ctx, &in)
			require.NoError(t, err, "accepted: the failure comes later")
			assert.Equal(t, types.IpamPoolCidrStatePendingProvision, out.IpamPoolCidr.State)
			require.NotNil(t, out.IpamPoolCidr.FailureReason, "the reason shows from the first answer")
			var got []string
			for range 2 {
				for _, c := range cidrsOf(t, client, aws.ToString(in.IpamPoolId)) {
					if c != "10.0.0.0/14=provisioned" {
						got = append(got, c)
					}
				}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, before, allocationsIn(t, client, w.regionPool), "a failed CIDR takes no space")
		})
	}
}

func TestQuotas(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world, func(o *Options) { o.PoolsPerScope, o.CIDRsPerPool = 4, 2 })
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()
	create := func() string {
		out, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4"})
		require.NoError(t, err)
		assert.Equal(t, types.IpamPoolStateCreateInProgress, out.IpamPool.State)
		return aws.ToString(out.IpamPool.IpamPoolId)
	}
	fourth, fifth := create(), create()
	assert.Equal(t, []types.IpamPoolState{"create-in-progress", "create-complete"}, poolStates(t, client, fourth, 2))
	assert.Equal(t, []types.IpamPoolState{"create-in-progress", "create-failed"}, poolStates(t, client, fifth, 2))
	out, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{fifth}})
	require.NoError(t, err)
	assert.Equal(t, "You have reached the maximum number of pools (4) in scope "+w.privateScope+". Delete a pool or request a quota increase.",
		aws.ToString(out.IpamPools[0].StateMessage))
	_, err = client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &fifth})
	require.NoError(t, err, "a create-failed pool can be deleted")

	for _, cidr := range []string{"172.16.0.0/16", "172.17.0.0/16", "172.18.0.0/16"} {
		_, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &fourth, Cidr: aws.String(cidr)})
		require.NoError(t, err)
	}
	cidrsOf(t, client, fourth)
	assert.Equal(t, []string{"172.16.0.0/16=provisioned", "172.17.0.0/16=provisioned",
		"172.18.0.0/16=failed-provision (limit-exceeded: The pool " + fourth + " has reached its quota of 2 CIDRs.)"}, cidrsOf(t, client, fourth))
}

func TestAllocationsReleasedLate(t *testing.T) {
	w := newTestWorld(t)
	srv, clock := timed(t, w.world, Delays{Deprovision: 5 * time.Second, PoolDelete: 5 * time.Second})
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()
	child, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", SourceIpamPoolId: &w.regionPool, Locale: aws.String("us-east-1")})
	require.NoError(t, err)
	id := aws.ToString(child.IpamPool.IpamPoolId)
	poolStates(t, client, id, 1)
	for _, cidr := range []string{"10.4.0.0/16", "10.5.0.0/16"} {
		_, err = client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String(cidr)})
		require.NoError(t, err)
	}
	cidrsOf(t, client, id)
	require.Equal(t, []string{w.prodPool + "=10.0.0.0/14", id + "=10.4.0.0/16", id + "=10.5.0.0/16"}, allocationsIn(t, client, w.regionPool))

	_, err = client.DeprovisionIpamPoolCidr(ctx, &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("10.4.0.0/16")})
	require.NoError(t, err)
	clock.Advance(4 * time.Second)
	assert.Equal(t, []string{w.prodPool + "=10.0.0.0/14", id + "=10.4.0.0/16", id + "=10.5.0.0/16"}, allocationsIn(t, client, w.regionPool),
		"held while the deprovision is pending")
	clock.Advance(time.Second)
	assert.Equal(t, []string{w.prodPool + "=10.0.0.0/14", id + "=10.5.0.0/16"}, allocationsIn(t, client, w.regionPool))

	_, err = client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &id, Cascade: aws.Bool(true)})
	require.NoError(t, err)
	assert.Equal(t, []string{w.prodPool + "=10.0.0.0/14", id + "=10.5.0.0/16"}, allocationsIn(t, client, w.regionPool), "held while the pool is deleting")
	clock.Advance(5 * time.Second)
	assert.Equal(t, []string{w.prodPool + "=10.0.0.0/14"}, allocationsIn(t, client, w.regionPool))
	assert.Equal(t, []types.IpamPoolState{"gone"}, poolStates(t, client, id, 1))
}

func TestConcurrentMutationLimit(t *testing.T) {
	w := newTestWorld(t)
	srv, clock := timed(t, w.world, Delays{PoolCreate: time.Second}, func(o *Options) { o.PoolMutations = 2 })
	client := ec2Client(srv, networkKey, "us-east-1")
	create := func() error {
		_, err := client.CreateIpamPool(t.Context(), &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", SourceIpamPoolId: &w.topPool})
		return err
	}
	require.NoError(t, create())
	require.NoError(t, create())
	err := create()
	assert.Equal(t, "ConcurrentMutationLimitExceeded", errorCode(err), "a third child of the same pool at once: %v", err)
	assert.ErrorContains(t, err, "There are too many concurrent mutations for the requested resource. Try again later.")
	clock.Advance(time.Second)
	require.NoError(t, create(), "accepted once the others settled")
}

func TestClientTokenAfterDelete(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()
	in := ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", SourceIpamPoolId: &w.regionPool, Locale: aws.String("us-east-1"), ClientToken: aws.String("pool-1")}
	first, err := client.CreateIpamPool(ctx, &in)
	require.NoError(t, err)
	id := aws.ToString(first.IpamPool.IpamPoolId)
	poolStates(t, client, id, 1)
	prov := ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("10.4.0.0/16"), ClientToken: aws.String("cidr-1")}
	pc, err := client.ProvisionIpamPoolCidr(ctx, &prov)
	require.NoError(t, err)
	cidrsOf(t, client, id)
	_, err = client.DeprovisionIpamPoolCidr(ctx, &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("10.4.0.0/16")})
	require.NoError(t, err)
	cidrsOf(t, client, id)
	assert.Empty(t, cidrsOf(t, client, id))

	again, err := client.ProvisionIpamPoolCidr(ctx, &prov)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(pc.IpamPoolCidr.IpamPoolCidrId), aws.ToString(again.IpamPoolCidr.IpamPoolCidrId))
	assert.Equal(t, types.IpamPoolCidrStateDeprovisioned, again.IpamPoolCidr.State, "the token answers the CIDR it made, as it is now")
	assert.Empty(t, cidrsOf(t, client, id), "and provisions nothing")

	_, err = client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &id})
	require.NoError(t, err)
	assert.Equal(t, []types.IpamPoolState{"delete-in-progress", "gone"}, poolStates(t, client, id, 2))
	replay, err := client.CreateIpamPool(ctx, &in)
	require.NoError(t, err)
	assert.Equal(t, id, aws.ToString(replay.IpamPool.IpamPoolId))
	assert.Equal(t, types.IpamPoolStateDeleteComplete, replay.IpamPool.State)
	assert.Equal(t, []types.IpamPoolState{"gone"}, poolStates(t, client, id, 1), "nothing was created again")
}

func TestPublicScopeAmazonIPv6(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()
	out, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.publicScope, AddressFamily: "ipv6", Locale: aws.String("us-east-1"),
		PublicIpSource: types.IpamPoolPublicIpSourceAmazon, PubliclyAdvertisable: aws.Bool(true), AwsService: types.IpamPoolAwsServiceEc2})
	require.NoError(t, err)
	p := out.IpamPool
	assert.Equal(t, []any{types.IpamPoolPublicIpSourceAmazon, true, types.IpamPoolAwsServiceEc2},
		[]any{p.PublicIpSource, aws.ToBool(p.PubliclyAdvertisable), p.AwsService})
	id := aws.ToString(p.IpamPoolId)
	poolStates(t, client, id, 1)
	described, err := client.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{id}})
	require.NoError(t, err)
	assert.Equal(t, types.IpamPoolPublicIpSourceAmazon, described.IpamPools[0].PublicIpSource)

	for _, want := range []string{"2600:1f00::/52", "2600:1f00:0:1000::/52"} {
		got, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, NetmaskLength: aws.Int32(52)})
		require.NoError(t, err)
		assert.Equal(t, want, aws.ToString(got.IpamPoolCidr.Cidr), "Amazon assigns the next block")
	}
	assert.Equal(t, []string{"2600:1f00::/52=pending-provision", "2600:1f00:0:1000::/52=pending-provision"}, cidrsOf(t, client, id))
	assert.Equal(t, []string{"2600:1f00::/52=provisioned", "2600:1f00:0:1000::/52=provisioned"}, cidrsOf(t, client, id))

	byoip, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.publicScope, AddressFamily: "ipv4"})
	require.NoError(t, err)
	assert.Equal(t, types.IpamPoolPublicIpSourceByoip, byoip.IpamPool.PublicIpSource, "a public top-level pool is BYOIP unless it says")

	for name, in := range map[string]ec2.CreateIpamPoolInput{
		"PublicIpSource in a private scope": {IpamScopeId: &w.privateScope, AddressFamily: "ipv6", PublicIpSource: types.IpamPoolPublicIpSourceAmazon},
		"advertisable IPv4":                 {IpamScopeId: &w.publicScope, AddressFamily: "ipv4", PubliclyAdvertisable: aws.Bool(true)},
	} {
		_, err := client.CreateIpamPool(ctx, &in)
		assert.Equal(t, "InvalidParameterCombination", errorCode(err), "%s: %v", name, err)
	}
	_, err = client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.publicScope, AddressFamily: "ipv6", AwsService: "lambda"})
	assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
	_, err = client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &id, Cidr: aws.String("2600:1f00:0:2000::/52")})
	assert.Equal(t, "InvalidParameterCombination", errorCode(err), "Amazon chooses the CIDRs: %v", err)
}
