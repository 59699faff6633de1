package usage

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/ipamkit/ipamkit/ipam"
)

var histEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func histDay(d int) time.Time { return histEnd.AddDate(0, 0, d) }

func subnets(n int) []Resource {
	rs := make([]Resource, n)
	for i := range rs {
		rs[i] = Resource{ID: fmt.Sprintf("subnet-%04d", i), Type: TypeSubnet, Known: true, Total: ipam.NewCount(251)}
	}
	return rs
}

// metricResult answers query id with one value a day on the given days.
func metricResult(id string, value float64, days ...int) cwtypes.MetricDataResult {
	r := cwtypes.MetricDataResult{Id: aws.String(id)}
	for _, d := range days {
		r.Timestamps = append(r.Timestamps, histDay(d))
		r.Values = append(r.Values, value)
	}
	return r
}

func TestCloudWatchHistoryBatchesAndPages(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	client := NewMockMetricDataAPI(ctrl)
	rs := subnets(600)
	var batches []int
	answer := func(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
		assert.Equal(t, histDay(-30), aws.ToTime(in.StartTime))
		assert.Equal(t, histEnd, aws.ToTime(in.EndTime))
		assert.Equal(t, "Custom/Net", aws.ToString(in.MetricDataQueries[0].MetricStat.Metric.Namespace))
		assert.Equal(t, int32(86400), aws.ToInt32(in.MetricDataQueries[0].MetricStat.Period))
		if in.NextToken == nil {
			batches = append(batches, len(in.MetricDataQueries))
			// Every total on the first page; the first resource's
			// available values on two pages.
			out := &cloudwatch.GetMetricDataOutput{NextToken: aws.String("page-2")}
			for i := range len(in.MetricDataQueries) / 2 {
				out.MetricDataResults = append(out.MetricDataResults, metricResult(fmt.Sprintf("t%d", i), 251, -2, -1))
			}
			out.MetricDataResults = append(out.MetricDataResults, metricResult("a0", 151, -2))
			return out, nil
		}
		assert.Equal(t, "page-2", aws.ToString(in.NextToken), "the token flows to the next page")
		out := &cloudwatch.GetMetricDataOutput{}
		for i := range len(in.MetricDataQueries) / 2 {
			days := []int{-2, -1}
			if i == 0 {
				days = []int{-1}
			}
			out.MetricDataResults = append(out.MetricDataResults, metricResult(fmt.Sprintf("a%d", i), 141, days...))
		}
		return out, nil
	}
	client.EXPECT().GetMetricData(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(answer).Times(6)
	got, err := CloudWatchHistory(t.Context(), client, rs, func(o *CloudWatchHistoryOptions) {
		o.End, o.Window, o.Namespace = histEnd, 30*24*time.Hour, "Custom/Net"
	})
	require.NoError(t, err)
	assert.Equal(t, []int{500, 500, 200}, batches, "500 queries a call")
	require.Len(t, got, 600)
	assert.Equal(t, []Sample{
		{Time: histDay(-2), Used: ipam.NewCount(100), Total: ipam.NewCount(251)},
		{Time: histDay(-1), Used: ipam.NewCount(110), Total: ipam.NewCount(251)},
	}, got[0], "first resource, its values on two pages")
	assert.Equal(t, got[0], got[500], "first of the third batch")
	for _, i := range []int{1, 251, 599} {
		assert.Equal(t, []Sample{
			{Time: histDay(-2), Used: ipam.NewCount(110), Total: ipam.NewCount(251)},
			{Time: histDay(-1), Used: ipam.NewCount(110), Total: ipam.NewCount(251)},
		}, got[i], "resource %d", i)
	}
}

func TestCloudWatchHistoryError(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	client := NewMockMetricDataAPI(ctrl)
	denied := errors.New("AccessDenied")
	gomock.InOrder(
		client.EXPECT().GetMetricData(gomock.Any(), gomock.Any(), gomock.Any()).Return(&cloudwatch.GetMetricDataOutput{}, nil),
		client.EXPECT().GetMetricData(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, denied),
	)
	_, err := CloudWatchHistory(t.Context(), client, subnets(300), func(o *CloudWatchHistoryOptions) { o.End = histEnd })
	require.ErrorIs(t, err, denied)
	assert.ErrorContains(t, err, "resources 251 to 300 (subnet-0250 first)")
}

func TestCloudWatchHistoryNone(t *testing.T) {
	t.Parallel()
	got, err := CloudWatchHistory(t.Context(), NewMockMetricDataAPI(gomock.NewController(t)), nil)
	require.NoError(t, err)
	assert.Empty(t, got, "no resource, no call")
}

func TestIPAMHistoryPages(t *testing.T) {
	t.Parallel()
	ctrl := gomock.NewController(t)
	client := NewMockAddressHistoryAPI(ctrl)
	vpc := Resource{ID: "vpc-1", Type: TypeVPC, AccountID: "111111111111", Region: "eu-west-1", CIDR: netip.MustParsePrefix("10.0.0.0/24"), Known: true, Total: ipam.NewCount(256)}
	sub := func(id, cidr string) Resource {
		return Resource{ID: id, Type: TypeSubnet, VPCID: "vpc-1", AccountID: "111111111111", Region: "eu-west-1", CIDR: netip.MustParsePrefix(cidr), Known: true}
	}
	rs := []Resource{vpc, sub("subnet-a", "10.0.0.0/26"), sub("subnet-b", "10.0.0.64/26"), {ID: "eipalloc-1", Type: TypeEIP}}
	record := func(typ, id string, from int, to *int) ec2types.IpamAddressHistoryRecord {
		r := ec2types.IpamAddressHistoryRecord{ResourceType: ec2types.IpamAddressHistoryResourceType(typ), ResourceId: aws.String(id), SampledStartTime: aws.Time(histDay(from))}
		if to != nil {
			r.SampledEndTime = aws.Time(histDay(*to))
		}
		return r
	}
	minus5 := -5
	client.EXPECT().GetIpamAddressHistory(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, in *ec2.GetIpamAddressHistoryInput, _ ...func(*ec2.Options)) (*ec2.GetIpamAddressHistoryOutput, error) {
			assert.Equal(t, "ipam-scope-1", aws.ToString(in.IpamScopeId))
			assert.Equal(t, "vpc-1", aws.ToString(in.VpcId))
			assert.Equal(t, int32(1000), aws.ToInt32(in.MaxResults))
			assert.Equal(t, histDay(-10), aws.ToTime(in.StartTime))
			switch cidr, tok := aws.ToString(in.Cidr), aws.ToString(in.NextToken); {
			case cidr == "10.0.0.0/26" && tok == "":
				// A subnet held the CIDR until day -5; the one of today took
				// it again from day -3, on the next page.
				return &ec2.GetIpamAddressHistoryOutput{HistoryRecords: []ec2types.IpamAddressHistoryRecord{record("subnet", "subnet-old", -20, &minus5)}, NextToken: aws.String("next")}, nil
			case cidr == "10.0.0.0/26" && tok == "next":
				return &ec2.GetIpamAddressHistoryOutput{HistoryRecords: []ec2types.IpamAddressHistoryRecord{record("subnet", "subnet-a", -3, nil), record("network-interface", "eni-1", -10, nil)}}, nil
			case cidr == "10.0.0.64/26" && tok == "":
				return &ec2.GetIpamAddressHistoryOutput{HistoryRecords: []ec2types.IpamAddressHistoryRecord{record("subnet", "subnet-b", -1, nil)}}, nil
			}
			t.Errorf("unexpected request %+v", in)
			return nil, errors.New("unexpected")
		}).Times(3)
	got, err := IPAMHistory(t.Context(), client, "ipam-scope-1", rs, func(o *IPAMHistoryOptions) {
		o.End, o.Window, o.Concurrency = histEnd, 10*24*time.Hour, 1
	})
	require.NoError(t, err)
	var want []Sample
	for d := -10; d <= 0; d++ {
		used := uint64(0)
		if d <= -5 || d >= -3 {
			used += 64
		}
		if d >= -1 {
			used += 64
		}
		want = append(want, Sample{Time: histDay(d), Used: ipam.NewCount(used), Total: ipam.NewCount(256)})
	}
	assert.Equal(t, [][]Sample{want, nil, nil, nil}, got)
}
