package awsfake

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shareWithProd shares the prod pool with the prod account and lets the
// associations settle.
func shareWithProd(t *testing.T, srv *Server, w testWorld) {
	t.Helper()
	client := ramClient(srv, networkKey)
	_, err := client.CreateResourceShare(t.Context(), &ram.CreateResourceShareInput{
		Name: aws.String("ipamShare-" + prodAccount), Principals: []string{prodAccount},
		ResourceArns: []string{"arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPool},
	})
	require.NoError(t, err)
	for _, kind := range []ramtypes.ResourceShareAssociationType{"PRINCIPAL", "RESOURCE"} {
		_, err := client.GetResourceShareAssociations(t.Context(), &ram.GetResourceShareAssociationsInput{AssociationType: kind})
		require.NoError(t, err)
	}
}

func prodVPCTags(env string) []types.TagSpecification {
	return []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{
		{Key: aws.String("Env"), Value: aws.String(env)}, {Key: aws.String("Name"), Value: aws.String("new")},
	}}}
}

func TestCreateVpcFromSharedPool(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	prod := ec2Client(srv, prodKey, "us-east-1")
	ctx := t.Context()
	in := ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, Ipv4NetmaskLength: aws.Int32(20), TagSpecifications: prodVPCTags("Prod OU")}

	_, err := prod.CreateVpc(ctx, &in)
	assert.Equal(t, "InvalidIpamPoolId.NotFound", errorCode(err), "not shared yet: %v", err)
	shareWithProd(t, srv, w)

	created, err := prod.CreateVpc(ctx, &in)
	require.NoError(t, err)
	vpcID := aws.ToString(created.Vpc.VpcId)
	assert.Equal(t, "10.0.192.0/20", aws.ToString(created.Vpc.CidrBlock), "the lowest free /20 after the twelve allocated")
	assert.Equal(t, types.VpcStatePending, created.Vpc.State)

	described, err := prod.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	require.NoError(t, err)
	assert.Equal(t, types.VpcStateAvailable, described.Vpcs[0].State)

	network := ec2Client(srv, networkKey, "us-east-1")
	allocs, err := network.GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.prodPool,
		Filters: []types.Filter{{Name: aws.String("resource-id"), Values: []string{vpcID}}}})
	require.NoError(t, err)
	require.Len(t, allocs.IpamPoolAllocations, 1)
	assert.Equal(t, prodAccount, aws.ToString(allocs.IpamPoolAllocations[0].ResourceOwner))
	cidrs, err := network.GetIpamResourceCidrs(ctx, &ec2.GetIpamResourceCidrsInput{IpamScopeId: &w.privateScope, ResourceId: &vpcID})
	require.NoError(t, err)
	require.Len(t, cidrs.IpamResourceCidrs, 1)
	assert.Equal(t, types.IpamManagementStateManaged, cidrs.IpamResourceCidrs[0].ManagementState)
	assert.Equal(t, types.IpamComplianceStatusCompliant, cidrs.IpamResourceCidrs[0].ComplianceStatus)

	subnet, err := prod.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &vpcID, CidrBlock: aws.String("10.0.192.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	require.NoError(t, err)
	assert.Equal(t, int32(251), aws.ToInt32(subnet.Subnet.AvailableIpAddressCount))
	assert.Equal(t, "use1-az2", aws.ToString(subnet.Subnet.AvailabilityZoneId))
	_, err = prod.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &vpcID})
	assert.Equal(t, "DependencyViolation", errorCode(err), "%v", err)
	_, err = prod.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: subnet.Subnet.SubnetId})
	require.NoError(t, err)
	_, err = prod.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: &vpcID})
	require.NoError(t, err)

	allocs, err = network.GetIpamPoolAllocations(ctx, &ec2.GetIpamPoolAllocationsInput{IpamPoolId: &w.prodPool})
	require.NoError(t, err)
	assert.Len(t, allocs.IpamPoolAllocations, 12, "deleting the VPC released its allocation")
	_, err = prod.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	assert.Equal(t, "InvalidVpcID.NotFound", errorCode(err))
}

func TestCreateVpcErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	shareWithProd(t, srv, w)
	ctx := t.Context()
	tests := []struct {
		name     string
		region   string
		in       ec2.CreateVpcInput
		wantCode string
	}{
		{"missing allocation tag", "us-east-1", ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, Ipv4NetmaskLength: aws.Int32(20), TagSpecifications: prodVPCTags("SDLC OU")}, "InvalidParameterValue"},
		{"pool of another region", "us-west-2", ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, Ipv4NetmaskLength: aws.Int32(20), TagSpecifications: prodVPCTags("Prod OU")}, "InvalidParameterCombination"},
		{"netmask against the rules", "us-east-1", ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, Ipv4NetmaskLength: aws.Int32(26), TagSpecifications: prodVPCTags("Prod OU")}, "InvalidParameterValue"},
		{"CIDR already allocated", "us-east-1", ec2.CreateVpcInput{Ipv4IpamPoolId: &w.prodPool, CidrBlock: aws.String("10.0.0.0/20"), TagSpecifications: prodVPCTags("Prod OU")}, "InvalidParameterValue"},
		{"neither CIDR nor pool", "us-east-1", ec2.CreateVpcInput{}, "MissingParameter"},
		{"CIDR too big", "us-east-1", ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")}, "InvalidVpc.Range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ec2Client(srv, prodKey, tt.region).CreateVpc(ctx, &tt.in)
			assert.Equal(t, tt.wantCode, errorCode(err), "%v", err)
		})
	}
	plain, err := ec2Client(srv, prodKey, "us-east-1").CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("172.31.0.0/16")})
	require.NoError(t, err, "a VPC without IPAM")
	assert.Equal(t, "172.31.0.0/16", aws.ToString(plain.Vpc.CidrBlock))
	_, err = ec2Client(srv, prodKey, "us-east-1").CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: plain.Vpc.VpcId, CidrBlock: aws.String("172.31.0.0/24"), AvailabilityZone: aws.String("us-west-2a")})
	assert.Equal(t, "InvalidParameterValue", errorCode(err), "a zone of another region: %v", err)
}
