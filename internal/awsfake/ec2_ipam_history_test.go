package awsfake

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var historyNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestGetIpamAddressHistory(t *testing.T) {
	t.Parallel()
	const acct = "111111111111"
	b := NewBuilder(acct)
	ipamID := b.IPAM(acct, "us-east-1", "us-east-1")
	vpc := b.VPC(acct, "us-east-1", "10.0.0.0/24")
	sn := b.Subnet(vpc, "10.0.0.0/26", 10)
	b.Age(sn, 48*time.Hour)
	b.Age(vpc, 100*24*time.Hour)
	scope := b.Scope(ipamID, "private")
	w, err := b.Build()
	require.NoError(t, err)
	srv := startServer(t, w, func(o *Options) { o.Now = func() time.Time { return historyNow } })
	client := ec2Client(srv, DefaultAccessKeyID, "us-east-1")

	get := func(in *ec2.GetIpamAddressHistoryInput) (*ec2.GetIpamAddressHistoryOutput, error) {
		in.IpamScopeId = aws.String(scope)
		return client.GetIpamAddressHistory(t.Context(), in)
	}
	out, err := get(&ec2.GetIpamAddressHistoryInput{Cidr: aws.String("10.0.0.0/26"), StartTime: aws.Time(historyNow.AddDate(0, 0, -30))})
	require.NoError(t, err)
	require.Len(t, out.HistoryRecords, 1, "the subnet, not the VPC: exact CIDR only")
	r := out.HistoryRecords[0]
	assert.Equal(t, sn, aws.ToString(r.ResourceId))
	assert.Equal(t, "subnet", string(r.ResourceType))
	assert.True(t, historyNow.Add(-48*time.Hour).Equal(aws.ToTime(r.SampledStartTime)), "start %v", r.SampledStartTime)
	assert.True(t, historyNow.Equal(aws.ToTime(r.SampledEndTime)), "end %v", r.SampledEndTime)
	assert.Equal(t, vpc, aws.ToString(r.VpcId))

	out, err = get(&ec2.GetIpamAddressHistoryInput{Cidr: aws.String("10.0.0.0/24"), StartTime: aws.Time(historyNow.AddDate(0, 0, -30))})
	require.NoError(t, err)
	require.Len(t, out.HistoryRecords, 1)
	assert.Equal(t, "vpc", string(out.HistoryRecords[0].ResourceType))

	// Before the subnet was made; another VPC.
	out, err = get(&ec2.GetIpamAddressHistoryInput{Cidr: aws.String("10.0.0.0/26"), StartTime: aws.Time(historyNow.AddDate(0, 0, -30)), EndTime: aws.Time(historyNow.AddDate(0, 0, -3))})
	require.NoError(t, err)
	assert.Empty(t, out.HistoryRecords)
	out, err = get(&ec2.GetIpamAddressHistoryInput{Cidr: aws.String("10.0.0.0/26"), VpcId: aws.String("vpc-0123456789abcdef0")})
	require.NoError(t, err)
	assert.Empty(t, out.HistoryRecords)

	for _, in := range []*ec2.GetIpamAddressHistoryInput{
		{Cidr: aws.String("10.0.0.0/26"), MaxResults: aws.Int32(1001)},
		{Cidr: aws.String("ten")},
		{Cidr: aws.String("10.0.0.0/26"), StartTime: aws.Time(historyNow), EndTime: aws.Time(historyNow.Add(-time.Hour))},
	} {
		_, err := get(in)
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr, "%+v", in)
		assert.Contains(t, []string{"InvalidParameterValue", "InvalidParameterValueException"}, apiErr.ErrorCode(), "%+v", in)
	}
}

func TestGenerateGrowthMetrics(t *testing.T) {
	t.Parallel()
	w, err := Generate(GenerateOptions{Subnets: 4, NearExhaustion: 1, Growth: 2, Seed: 1})
	require.NoError(t, err)
	srv := startServer(t, w, func(o *Options) { o.Now = func() time.Time { return historyNow } })
	subnets, err := ec2Client(srv, GeneratedAccessKeyID(GeneratedAccountID(0)), "us-east-1").DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
	require.NoError(t, err)
	require.Len(t, subnets.Subnets, 4)
	sn := subnets.Subnets[0]
	cw := cloudwatch.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1"))
	out, err := cw.GetMetricData(t.Context(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(historyNow.AddDate(0, 0, -3)), EndTime: aws.Time(historyNow), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("a"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("CUSTOM/IPAM"), MetricName: aws.String("IpAddressAvailable"),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("ResourceId"), Value: sn.SubnetId}}},
			Period: aws.Int32(86400), Stat: aws.String("Average"),
		}}},
	})
	require.NoError(t, err)
	require.Len(t, out.MetricDataResults, 1)
	res := out.MetricDataResults[0]
	avail := float64(aws.ToInt32(sn.AvailableIpAddressCount))
	day := historyNow.Truncate(24 * time.Hour)
	var at []time.Time
	for _, ts := range res.Timestamps {
		at = append(at, ts.UTC())
	}
	assert.Equal(t, []time.Time{day.AddDate(0, 0, -2), day.AddDate(0, 0, -1), day}, at)
	assert.Equal(t, []float64{avail + 2*3, avail + 2*2, avail + 2*1}, res.Values, "2 a day, counted back from today's start, and a day more")
}
