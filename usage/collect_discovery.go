package usage

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// DiscoveryError says why IPAM could not discover an account in a region:
// its resources are then missing from IPAM's resource CIDRs, and the
// report must say so rather than show silence.
type DiscoveryError struct {
	Code    string // assume-role-failure, throttling-failure, unauthorized-failure
	Message string // as IPAM reports it
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("IPAM could not discover this account: %s: %s", e.Code, e.Message)
}

// ErrorCode returns e.Code, so that [TargetError.Code] reports it.
func (e *DiscoveryError) ErrorCode() string { return e.Code }

// CollectDiscoveryFailures returns a [TargetError] wrapping a
// [DiscoveryError] for every account and operating region that the
// default resource discovery of each IPAM client sees failed to discover,
// ordered by account and region. Call it where [CollectIPAM] is called.
func CollectDiscoveryFailures(ctx context.Context, client DiscoveryAPI) ([]*TargetError, error) {
	var out []*TargetError
	ip := ec2.NewDescribeIpamsPaginator(client, &ec2.DescribeIpamsInput{MaxResults: aws.Int32(maxPage)})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe IPAMs: %w", err)
		}
		for _, i := range page.Ipams {
			discovery := aws.ToString(i.DefaultResourceDiscoveryId)
			if discovery == "" {
				continue
			}
			for _, r := range i.OperatingRegions {
				region := aws.ToString(r.RegionName)
				ap := ec2.NewGetIpamDiscoveredAccountsPaginator(client, &ec2.GetIpamDiscoveredAccountsInput{
					IpamResourceDiscoveryId: aws.String(discovery), DiscoveryRegion: aws.String(region), MaxResults: aws.Int32(maxPage),
				})
				for ap.HasMorePages() {
					accounts, err := ap.NextPage(ctx)
					if err != nil {
						return nil, fmt.Errorf("get accounts discovered by %s in %s: %w", discovery, region, err)
					}
					for _, a := range accounts.IpamDiscoveredAccounts {
						if a.FailureReason == nil {
							continue
						}
						out = append(out, &TargetError{
							Target: Target{AccountID: aws.ToString(a.AccountId), Region: region},
							Err:    &DiscoveryError{Code: string(a.FailureReason.Code), Message: aws.ToString(a.FailureReason.Message)},
						})
					}
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *TargetError) int { return compareTargets(a.Target, b.Target) })
	return out, nil
}
