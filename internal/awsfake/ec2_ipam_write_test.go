package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poolStates reads a pool n times and returns the states seen.
func poolStates(t *testing.T, client *ec2.Client, id string, n int) []types.IpamPoolState {
	t.Helper()
	var got []types.IpamPoolState
	for range n {
		out, err := client.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{id}})
		if errorCode(err) == "InvalidIpamPoolId.NotFound" {
			got = append(got, "gone")
			continue
		}
		require.NoError(t, err)
		require.Len(t, out.IpamPools, 1)
		got = append(got, out.IpamPools[0].State)
	}
	return got
}

// cidrStates reads a pool's CIDRs n times and returns, per read, cidr=state pairs.
func cidrStates(t *testing.T, client *ec2.Client, pool string, n int) [][]string {
	t.Helper()
	var got [][]string
	for range n {
		out, err := client.GetIpamPoolCidrs(t.Context(), &ec2.GetIpamPoolCidrsInput{IpamPoolId: &pool})
		require.NoError(t, err)
		var read []string
		for _, c := range out.IpamPoolCidrs {
			s := aws.ToString(c.Cidr) + "=" + string(c.State)
			if c.FailureReason != nil {
				s += " (" + aws.ToString(c.FailureReason.Message) + ")"
			}
			read = append(read, s)
		}
		got = append(got, read)
	}
	return got
}

func TestPoolLifecycle(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()

	created, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{
		IpamScopeId: &w.privateScope, AddressFamily: types.AddressFamilyIpv4, Description: aws.String("lab"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeIpamPool, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("lab")}}}},
	})
	require.NoError(t, err)
	top := aws.ToString(created.IpamPool.IpamPoolId)
	assert.Equal(t, types.IpamPoolStateCreateInProgress, created.IpamPool.State)
	assert.Equal(t, "None", aws.ToString(created.IpamPool.Locale))
	assert.Equal(t, "lab", aws.ToString(created.IpamPool.Tags[0].Value))

	_, err = client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &top, Cidr: aws.String("172.16.0.0/16")})
	assert.Equal(t, "IncorrectState", errorCode(err), "provisioning before the pool is complete: %v", err)
	assert.Equal(t, []types.IpamPoolState{"create-in-progress", "create-complete", "create-complete"}, poolStates(t, client, top, 3))

	prov, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &top, Cidr: aws.String("172.16.0.0/16")})
	require.NoError(t, err)
	assert.Equal(t, types.IpamPoolCidrStatePendingProvision, prov.IpamPoolCidr.State)
	assert.Equal(t, [][]string{{"172.16.0.0/16=pending-provision"}, {"172.16.0.0/16=provisioned"}}, cidrStates(t, client, top, 2))

	child, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{
		IpamScopeId: &w.privateScope, AddressFamily: types.AddressFamilyIpv4, SourceIpamPoolId: &top, Locale: aws.String("us-west-2"),
	})
	require.NoError(t, err)
	childID := aws.ToString(child.IpamPool.IpamPoolId)
	poolStates(t, client, childID, 1)
	for _, want := range []string{"172.16.0.0/20", "172.16.16.0/20"} {
		got, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &childID, NetmaskLength: aws.Int32(20)})
		require.NoError(t, err)
		assert.Equal(t, want, aws.ToString(got.IpamPoolCidr.Cidr), "the lowest free /20 of the source pool")
	}
	allocs, err := client.GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &top})
	require.NoError(t, err)
	require.Len(t, allocs.IpamPoolAllocations, 2)
	assert.Equal(t, childID, aws.ToString(allocs.IpamPoolAllocations[1].ResourceId))
	assert.Equal(t, "us-west-2", aws.ToString(allocs.IpamPoolAllocations[1].ResourceRegion))

	t.Run("deprovision a CIDR with allocations fails later", func(t *testing.T) {
		out, err := client.DeprovisionIpamPoolCidr(ctx, &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: &top, Cidr: aws.String("172.16.0.0/16")})
		require.NoError(t, err)
		assert.Equal(t, types.IpamPoolCidrStatePendingDeprovision, out.IpamPoolCidr.State)
		assert.Equal(t, [][]string{
			{"172.16.0.0/16=pending-deprovision"},
			{"172.16.0.0/16=failed-deprovision (The CIDR has one or more allocations.)"},
		}, cidrStates(t, client, top, 2))
	})
	t.Run("deprovision a free CIDR returns it to the source pool", func(t *testing.T) {
		cidrStates(t, client, childID, 1) // settle the provisioning
		_, err := client.DeprovisionIpamPoolCidr(ctx, &ec2.DeprovisionIpamPoolCidrInput{IpamPoolId: &childID, Cidr: aws.String("172.16.16.0/20")})
		require.NoError(t, err)
		assert.Equal(t, [][]string{{"172.16.0.0/20=provisioned", "172.16.16.0/20=pending-deprovision"}, {"172.16.0.0/20=provisioned"}}, cidrStates(t, client, childID, 2))
		allocs, err := client.GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &top})
		require.NoError(t, err)
		assert.Len(t, allocs.IpamPoolAllocations, 1)
	})
	t.Run("delete needs cascade while CIDRs are provisioned", func(t *testing.T) {
		_, err := client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &childID})
		assert.Equal(t, "DependencyViolation", errorCode(err), "%v", err)
		out, err := client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &childID, Cascade: aws.Bool(true)})
		require.NoError(t, err)
		assert.Equal(t, types.IpamPoolStateDeleteInProgress, out.IpamPool.State)
		assert.Equal(t, []types.IpamPoolState{"delete-in-progress", "gone"}, poolStates(t, client, childID, 2))
		allocs, err := client.GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &top})
		require.NoError(t, err)
		assert.Empty(t, allocs.IpamPoolAllocations, "the deleted child's CIDRs return to the source pool")
	})
}

func TestCreateIpamPoolClientToken(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	in := ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: types.AddressFamilyIpv4, ClientToken: aws.String("token-1"), Description: aws.String("a")}
	first, err := client.CreateIpamPool(t.Context(), &in)
	require.NoError(t, err)
	again, err := client.CreateIpamPool(t.Context(), &in)
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(first.IpamPool.IpamPoolId), aws.ToString(again.IpamPool.IpamPoolId), "same token, same pool")

	in.Description = aws.String("b")
	_, err = client.CreateIpamPool(t.Context(), &in)
	assert.Equal(t, "IdempotentParameterMismatch", errorCode(err), "%v", err)

	pools, err := client.DescribeIpamPools(t.Context(), &ec2.DescribeIpamPoolsInput{})
	require.NoError(t, err)
	assert.Len(t, pools.IpamPools, 4, "three from the world and one created")
}

func TestIpamWriteErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, networkKey, "us-east-1")
	ctx := t.Context()
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"locale outside the operating regions", func() error {
			_, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", Locale: aws.String("eu-west-1")})
			return err
		}, "InvalidParameterValue"},
		{"unknown scope", func() error {
			_, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: aws.String("ipam-scope-0123456789abcdef0"), AddressFamily: "ipv4"})
			return err
		}, "InvalidIpamScopeId.NotFound"},
		{"source pool of another family", func() error {
			_, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv6", SourceIpamPoolId: &w.topPool})
			return err
		}, "InvalidParameterCombination"},
		{"netmask out of range", func() error {
			_, err := client.CreateIpamPool(ctx, &ec2.CreateIpamPoolInput{IpamScopeId: &w.privateScope, AddressFamily: "ipv4", AllocationMaxNetmaskLength: aws.Int32(33)})
			return err
		}, "InvalidParameterValue"},
		{"CIDR overlapping an allocation of the source pool", func() error {
			_, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.prodPool, Cidr: aws.String("10.0.0.0/12")})
			return err
		}, "InvalidParameterValue"},
		{"CIDR with host bits", func() error {
			_, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.topPool, Cidr: aws.String("11.0.0.1/8")})
			return err
		}, "InvalidParameterValue"},
		{"neither CIDR nor netmask", func() error {
			_, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.prodPool})
			return err
		}, "MissingParameter"},
		{"netmask on a top-level pool", func() error {
			_, err := client.ProvisionIpamPoolCidr(ctx, &ec2.ProvisionIpamPoolCidrInput{IpamPoolId: &w.topPool, NetmaskLength: aws.Int32(16)})
			return err
		}, "InvalidParameterCombination"},
		{"modify without a change", func() error {
			_, err := client.ModifyIpamPool(ctx, &ec2.ModifyIpamPoolInput{IpamPoolId: &w.prodPool})
			return err
		}, "InvalidParameterCombination"},
		{"modify min above max", func() error {
			_, err := client.ModifyIpamPool(ctx, &ec2.ModifyIpamPoolInput{IpamPoolId: &w.prodPool, AllocationMinNetmaskLength: aws.Int32(25)})
			return err
		}, "InvalidParameterValue"},
		{"delete a pool with allocations", func() error {
			_, err := client.DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &w.prodPool})
			return err
		}, "DependencyViolation"},
		{"delete from another account", func() error {
			_, err := ec2Client(srv, prodKey, "us-east-1").DeleteIpamPool(ctx, &ec2.DeleteIpamPoolInput{IpamPoolId: &w.prodPool})
			return err
		}, "InvalidIpamPoolId.NotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
}

func TestModifyIpamPool(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world, func(o *Options) { o.StateReads = 2 })
	client := ec2Client(srv, networkKey, "us-east-1")
	out, err := client.ModifyIpamPool(t.Context(), &ec2.ModifyIpamPoolInput{
		IpamPoolId: &w.prodPool, Description: aws.String("production"), AllocationMaxNetmaskLength: aws.Int32(26),
		ClearAllocationDefaultNetmaskLength: aws.Bool(true),
		AddAllocationResourceTags:           []types.RequestIpamResourceTag{{Key: aws.String("Team"), Value: aws.String("net")}},
		RemoveAllocationResourceTags:        []types.RequestIpamResourceTag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}},
	})
	require.NoError(t, err)
	p := out.IpamPool
	assert.Equal(t, types.IpamPoolStateModifyInProgress, p.State)
	assert.Equal(t, "production", aws.ToString(p.Description))
	assert.Equal(t, int32(26), aws.ToInt32(p.AllocationMaxNetmaskLength))
	assert.Nil(t, p.AllocationDefaultNetmaskLength)
	require.Len(t, p.AllocationResourceTags, 1)
	assert.Equal(t, "Team", aws.ToString(p.AllocationResourceTags[0].Key))
	assert.Equal(t, []types.IpamPoolState{"modify-in-progress", "modify-in-progress", "modify-complete"}, poolStates(t, client, w.prodPool, 3),
		"StateReads 2 keeps the transitional state for two reads")
}

func TestCreateTags(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, prodKey, "us-west-2")
	ctx := t.Context()
	_, err := client.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{w.dualVPC, w.fullSubnet},
		Tags:      []types.Tag{{Key: aws.String("Env"), Value: aws.String("Prod OU")}},
	})
	require.NoError(t, err)
	vpcs, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("tag:Env"), Values: []string{"Prod OU"}}}})
	require.NoError(t, err)
	require.Len(t, vpcs.Vpcs, 1)
	assert.Equal(t, w.dualVPC, aws.ToString(vpcs.Vpcs[0].VpcId))
	subnets, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{{Name: aws.String("tag-key"), Values: []string{"Env"}}}})
	require.NoError(t, err)
	require.Len(t, subnets.Subnets, 1)

	tests := []struct {
		name     string
		in       ec2.CreateTagsInput
		wantCode string
	}{
		{"unknown VPC", ec2.CreateTagsInput{Resources: []string{"vpc-0123456789abcdef0"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidVpcID.NotFound"},
		{"VPC of another region", ec2.CreateTagsInput{Resources: []string{w.prodVPCs[0]}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidVpcID.NotFound"},
		{"reserved key", ec2.CreateTagsInput{Resources: []string{w.dualVPC}, Tags: []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("v")}}}, "InvalidParameterValue"},
		{"not an ID", ec2.CreateTagsInput{Resources: []string{"banana"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}, "InvalidID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.CreateTags(ctx, &tt.in)
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
}
