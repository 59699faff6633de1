package awsfake

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribeVpcsPages(t *testing.T) {
	w := newTestWorld(t)
	tests := []struct {
		name       string
		maxResults *int32
		filters    []types.Filter
		wantPages  []int // items per page
		wantIDs    []string
	}{
		{name: "no MaxResults: one page", wantPages: []int{12}, wantIDs: w.prodVPCs},
		{name: "MaxResults 5", maxResults: aws.Int32(5), wantPages: []int{5, 5, 2}, wantIDs: w.prodVPCs},
		{name: "MaxResults 1000", maxResults: aws.Int32(1000), wantPages: []int{12}, wantIDs: w.prodVPCs},
		{
			name: "filter before paging", maxResults: aws.Int32(5),
			filters:   []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"prod-0*"}}},
			wantPages: []int{5, 5}, wantIDs: w.prodVPCs[:10],
		},
		{
			name:      "wildcard ? and several values",
			filters:   []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"prod-1?", "nothing"}}},
			wantPages: []int{2}, wantIDs: w.prodVPCs[10:],
		},
		{
			name:      "two filters must both match",
			filters:   []types.Filter{{Name: aws.String("owner-id"), Values: []string{prodAccount}}, {Name: aws.String("cidr"), Values: []string{"10.0.16.0/20"}}},
			wantPages: []int{1}, wantIDs: w.prodVPCs[1:2],
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, w.world)
			p := ec2.NewDescribeVpcsPaginator(ec2Client(srv, prodKey, "us-east-1"), &ec2.DescribeVpcsInput{MaxResults: tt.maxResults, Filters: tt.filters})
			var pages []int
			var ids []string
			for p.HasMorePages() {
				out, err := p.NextPage(t.Context())
				require.NoError(t, err)
				pages = append(pages, len(out.Vpcs))
				for _, v := range out.Vpcs {
					ids = append(ids, *v.VpcId)
				}
			}
			want := slices.Clone(tt.wantIDs)
			slices.Sort(want)
			assert.Equal(t, tt.wantPages, pages, "page sizes")
			assert.Equal(t, want, ids, "VPC IDs in order")
			assert.Len(t, callsTo(srv, "DescribeVpcs"), len(tt.wantPages), "one call per page")
		})
	}
}

func TestDescribeVpcsShape(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	out, err := ec2Client(srv, prodKey, "us-west-2").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{VpcIds: []string{w.dualVPC}})
	require.NoError(t, err)
	require.Len(t, out.Vpcs, 1)
	v := out.Vpcs[0]
	assert.Equal(t, w.dualVPC, aws.ToString(v.VpcId))
	assert.Equal(t, prodAccount, aws.ToString(v.OwnerId))
	assert.Equal(t, types.VpcStateAvailable, v.State)
	assert.Equal(t, "192.168.0.0/24", aws.ToString(v.CidrBlock))
	var v4, v6 []string
	for _, a := range v.CidrBlockAssociationSet {
		v4 = append(v4, aws.ToString(a.CidrBlock))
		assert.Equal(t, types.VpcCidrBlockStateCodeAssociated, a.CidrBlockState.State)
		assert.NotEmpty(t, aws.ToString(a.AssociationId))
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		v6 = append(v6, aws.ToString(a.Ipv6CidrBlock))
	}
	assert.Equal(t, []string{"192.168.0.0/24", "192.168.1.0/24"}, v4)
	assert.Equal(t, []string{"fd00:1::/56"}, v6)
	assert.False(t, aws.ToBool(v.IsDefault))
	assert.Empty(t, aws.ToString(out.NextToken))
}

func TestDescribeVpcsErrors(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	tests := []struct {
		name     string
		key      string
		in       ec2.DescribeVpcsInput
		wantCode string
	}{
		{name: "MaxResults below 5", key: prodKey, in: ec2.DescribeVpcsInput{MaxResults: aws.Int32(4)}, wantCode: "InvalidParameterValue"},
		{name: "MaxResults above 1000", key: prodKey, in: ec2.DescribeVpcsInput{MaxResults: aws.Int32(1001)}, wantCode: "InvalidParameterValue"},
		{name: "IDs with MaxResults", key: prodKey, in: ec2.DescribeVpcsInput{VpcIds: w.prodVPCs[:1], MaxResults: aws.Int32(5)}, wantCode: "InvalidParameterCombination"},
		{name: "unknown ID", key: prodKey, in: ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0123456789abcdef0"}}, wantCode: "InvalidVpcID.NotFound"},
		{name: "malformed ID", key: prodKey, in: ec2.DescribeVpcsInput{VpcIds: []string{"vpc-xyz"}}, wantCode: "InvalidVpcID.Malformed"},
		{name: "another account's VPC", key: DefaultAccessKeyID, in: ec2.DescribeVpcsInput{VpcIds: w.prodVPCs[:1]}, wantCode: "InvalidVpcID.NotFound"},
		{name: "unknown filter", key: prodKey, in: ec2.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"blue"}}}}, wantCode: "InvalidParameterValue"},
		{name: "foreign token", key: prodKey, in: ec2.DescribeVpcsInput{NextToken: aws.String("bm90LWEtdG9rZW4")}, wantCode: "InvalidParameterValue"},
		{name: "empty token", key: prodKey, in: ec2.DescribeVpcsInput{NextToken: aws.String("")}, wantCode: "InvalidParameterValue"},
		{name: "dry run", key: prodKey, in: ec2.DescribeVpcsInput{DryRun: aws.Bool(true)}, wantCode: "DryRunOperation"},
		{name: "unknown access key", key: "AKIAUNKNOWNEXAMPLE00", in: ec2.DescribeVpcsInput{}, wantCode: "AuthFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ec2Client(srv, tt.key, "us-east-1").DescribeVpcs(t.Context(), &tt.in)
			require.Error(t, err)
			assert.Equal(t, tt.wantCode, errorCode(err), "DescribeVpcs(%+v): %v", tt.in, err)
		})
	}
	t.Run("token of another operation", func(t *testing.T) {
		out, err := ec2Client(srv, prodKey, "us-east-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5)})
		require.NoError(t, err)
		require.NotEmpty(t, aws.ToString(out.NextToken))
		_, err = ec2Client(srv, prodKey, "us-east-1").DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{NextToken: out.NextToken})
		assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
	})
	t.Run("region not enabled", func(t *testing.T) {
		_, err := ec2Client(srv, prodKey, "af-south-1").DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
		assert.Equal(t, "AuthFailure", errorCode(err), "%v", err)
	})
}

func TestDescribeSubnets(t *testing.T) {
	w := newTestWorld(t)
	srv := startServer(t, w.world)
	client := ec2Client(srv, prodKey, "us-west-2")
	out, err := client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{w.dualVPC}}},
	})
	require.NoError(t, err)
	type row struct {
		cidr, ipv6 string
		available  int32
		ipv6Native bool
		az, azID   string
	}
	var got []row
	for _, s := range out.Subnets {
		r := row{cidr: aws.ToString(s.CidrBlock), available: aws.ToInt32(s.AvailableIpAddressCount), ipv6Native: aws.ToBool(s.Ipv6Native),
			az: aws.ToString(s.AvailabilityZone), azID: aws.ToString(s.AvailabilityZoneId)}
		for _, a := range s.Ipv6CidrBlockAssociationSet {
			r.ipv6 = aws.ToString(a.Ipv6CidrBlock)
		}
		assert.Equal(t, w.dualVPC, aws.ToString(s.VpcId))
		assert.Equal(t, "arn:aws:ec2:us-west-2:"+prodAccount+":subnet/"+aws.ToString(s.SubnetId), aws.ToString(s.SubnetArn))
		got = append(got, r)
	}
	slices.SortFunc(got, func(a, b row) int { return int(a.available - b.available) })
	assert.ElementsMatch(t, []row{
		{cidr: "192.168.0.0/28", available: 0, az: "us-west-2a", azID: "usw2-az1"},
		{cidr: "192.168.1.0/25", available: 120, az: "us-west-2a", azID: "usw2-az1"},
		{ipv6: "fd00:1::/64", ipv6Native: true, az: "us-west-2a", azID: "usw2-az1"},
	}, got)

	t.Run("by ID and available count filter", func(t *testing.T) {
		out, err := client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{
			SubnetIds: []string{w.fullSubnet},
			Filters:   []types.Filter{{Name: aws.String("available-ip-address-count"), Values: []string{"0"}}},
		})
		require.NoError(t, err)
		require.Len(t, out.Subnets, 1)
		assert.Equal(t, w.fullSubnet, aws.ToString(out.Subnets[0].SubnetId))
	})
	t.Run("unknown ID", func(t *testing.T) {
		_, err := client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}})
		assert.Equal(t, "InvalidSubnetID.NotFound", errorCode(err), "%v", err)
	})
	t.Run("MaxResults out of range", func(t *testing.T) {
		_, err := client.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(2)})
		assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
	})
}

func TestDescribeRegions(t *testing.T) {
	srv := startServer(t, nil)
	client := ec2Client(srv, DefaultAccessKeyID, "us-east-1")
	names := func(in *ec2.DescribeRegionsInput) []string {
		out, err := client.DescribeRegions(t.Context(), in)
		require.NoError(t, err)
		var got []string
		for _, r := range out.Regions {
			got = append(got, aws.ToString(r.RegionName))
			assert.Equal(t, "ec2."+aws.ToString(r.RegionName)+".amazonaws.com", aws.ToString(r.Endpoint))
		}
		return got
	}
	enabled := names(&ec2.DescribeRegionsInput{})
	assert.Contains(t, enabled, "us-east-1")
	assert.NotContains(t, enabled, "af-south-1")
	all := names(&ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	assert.Contains(t, all, "af-south-1")
	assert.Len(t, all, len(defaultRegions))
	assert.Equal(t, []string{"eu-west-1", "us-west-2"}, names(&ec2.DescribeRegionsInput{RegionNames: []string{"us-west-2", "eu-west-1"}}))
	assert.Equal(t, []string{"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"}, names(&ec2.DescribeRegionsInput{
		AllRegions: aws.Bool(true),
		Filters:    []types.Filter{{Name: aws.String("opt-in-status"), Values: []string{"not-opted-in"}}},
	}))
	_, err := client.DescribeRegions(t.Context(), &ec2.DescribeRegionsInput{RegionNames: []string{"moon-1"}})
	assert.Equal(t, "InvalidParameterValue", errorCode(err), "%v", err)
}
