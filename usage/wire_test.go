package usage_test

// Wire tests: the real aws-sdk-go-v2 clients, through AWSClients and the
// Scanner, against internal/awsfake serving the demo organization over the
// real EC2, STS and Organizations protocols.

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func demoServer(t *testing.T) *awsfake.Server {
	t.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = awsfake.Demo() })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv
}

func TestWireScanOrganization(t *testing.T) {
	t.Parallel()
	srv := demoServer(t)
	mgmt := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	targets, err := usage.OrganizationTargets(t.Context(), organizations.NewFromConfig(mgmt), []string{"us-east-1", "us-west-2"}, "OrganizationAccountAccessRole", "")
	require.NoError(t, err)
	require.Len(t, targets, 2*5, "five active accounts, two regions")

	// The management account has no OrganizationAccountAccessRole: its two
	// targets must fail, visibly, while the other eight are scanned.
	clients := usage.NewAWSClients(mgmt)
	srv.ResetCalls()
	rep, err := usage.NewScanner(clients, func(o *usage.ScannerOptions) { o.Concurrency = 4 }).Scan(t.Context(), targets)
	require.NoError(t, err)

	served := srv.Calls() // before countDemo adds its own

	failed := map[string]string{}
	for _, e := range rep.Errors {
		failed[e.Target.String()] = e.Code()
	}
	assert.Equal(t, map[string]string{
		awsfake.DemoManagementAccount + "/us-east-1": "AccessDenied",
		awsfake.DemoManagementAccount + "/us-west-2": "AccessDenied",
	}, failed)

	// What the demo world implies: every VPC and subnet of the member
	// accounts, measured from EC2, with its account and region.
	var subnets, vpcs, unknown int
	for _, r := range rep.Resources {
		assert.NotEqual(t, awsfake.DemoManagementAccount, r.AccountID)
		assert.Contains(t, []string{"us-east-1", "us-west-2"}, r.Region)
		switch r.Type {
		case usage.TypeSubnet:
			subnets++
			if !r.Known {
				unknown++
			}
		case usage.TypeVPC:
			vpcs++
			assert.True(t, r.Known)
		}
	}
	wantVPCs, wantSubnets := countDemo(t, srv)
	assert.Equal(t, wantVPCs, vpcs, "VPC resources (one per VPC and family)")
	assert.Equal(t, wantSubnets, subnets, "subnet CIDR resources")
	assert.NotEmpty(t, rep.Findings, "the demo has subnets near exhaustion")

	// API calls: what the factory counted is what the server served, and
	// that is the minimum: one AssumeRole per account, one page of VPCs and
	// one of subnets per target.
	assert.Equal(t, len(served), rep.Scan.APICalls)
	ops := map[string]int{}
	deniedRoles := 0
	for _, c := range served {
		if c.ErrorCode == "" {
			ops[c.Operation]++
		} else if c.Operation == "AssumeRole" {
			deniedRoles++
		}
	}
	assert.Equal(t, map[string]int{"AssumeRole": 4, "DescribeVpcs": 8, "DescribeSubnets": 8}, ops,
		"one AssumeRole per member account (cached across its regions), one page of each listing per target")
	// A failed AssumeRole is not cached; the management account's two
	// targets ask once each, or once together when they run at the same time.
	assert.Contains(t, []int{1, 2}, deniedRoles)
}

// countDemo counts, straight from EC2 in each member account, the VPC
// resources (one per VPC and address family) and subnet CIDR resources the
// scan should report.
func countDemo(t *testing.T, srv *awsfake.Server) (vpcs, subnets int) {
	t.Helper()
	mgmt := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	clients := usage.NewAWSClients(mgmt)
	for _, acct := range []string{awsfake.DemoNetworkAccount, awsfake.DemoProdAccount, awsfake.DemoDevAccount, awsfake.DemoTestAccount} {
		for _, region := range []string{"us-east-1", "us-west-2"} {
			c, err := clients.EC2(t.Context(), usage.Target{AccountID: acct, Region: region, RoleARN: "arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"})
			require.NoError(t, err)
			vo, err := c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{})
			require.NoError(t, err)
			for _, v := range vo.Vpcs {
				if len(v.CidrBlockAssociationSet) > 0 {
					vpcs++
				}
				if len(v.Ipv6CidrBlockAssociationSet) > 0 {
					vpcs++
				}
			}
			so, err := c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{})
			require.NoError(t, err)
			for _, s := range so.Subnets {
				if s.CidrBlock != nil {
					subnets++
				}
				subnets += len(s.Ipv6CidrBlockAssociationSet)
			}
		}
	}
	return vpcs, subnets
}

func TestWireScanIPAM(t *testing.T) {
	t.Parallel()
	srv := demoServer(t)
	network := srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1")
	target := []usage.Target{{AccountID: awsfake.DemoNetworkAccount, Region: "us-east-1"}}
	rep, err := usage.NewScanner(usage.NewAWSClients(network), func(o *usage.ScannerOptions) {
		o.Sources = []usage.Source{usage.SourceIPAM, usage.SourcePools}
	}).Scan(t.Context(), target)
	require.NoError(t, err)
	require.Empty(t, rep.Errors)

	bySource := map[usage.Source]int{}
	accounts := map[string]bool{}
	for _, r := range rep.Resources {
		bySource[r.Source]++
		if r.Source == usage.SourceIPAM {
			accounts[r.AccountID] = true
		}
	}
	assert.Positive(t, bySource[usage.SourceIPAM], "resource CIDRs from IPAM")
	assert.Positive(t, bySource[usage.SourcePools], "IPAM pools")
	assert.Greater(t, len(accounts), 1, "IPAM's resource CIDRs cover the organization, not just its own account")

	var top *usage.Resource
	for i, r := range rep.Resources {
		if r.Source == usage.SourcePools && r.CIDR.String() == "192.168.0.0/16" {
			top = &rep.Resources[i]
		}
	}
	require.NotNil(t, top, "the top-level pool")
	assert.Equal(t, "65536", top.Total.String())
	assert.Equal(t, "8192", top.Used.String(), "two regional /20s allocated from it")
	assert.Equal(t, "192.168.128.0/17", top.LargestFree.String(), "the /16 minus two /20s at its start")
}

func TestWireScanThrottledPastRetries(t *testing.T) {
	t.Parallel()
	srv := demoServer(t)
	network := srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1")
	// Throttle every DescribeSubnets in us-west-2: the SDK retries, gives
	// up, and the scan reports that target while us-east-1 succeeds.
	srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "DescribeSubnets", Region: "us-west-2", Kind: awsfake.FaultThrottle})
	targets := []usage.Target{{AccountID: awsfake.DemoNetworkAccount, Region: "us-east-1"}, {AccountID: awsfake.DemoNetworkAccount, Region: "us-west-2"}}
	rep, err := usage.NewScanner(usage.NewAWSClients(network)).Scan(t.Context(), targets)
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "us-west-2", rep.Errors[0].Target.Region)
	assert.Equal(t, "RequestLimitExceeded", rep.Errors[0].Code())
	assert.False(t, errors.Is(rep.Errors[0], usage.ErrNotScanned))

	throttled := 0
	for _, c := range srv.Calls() {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
		}
	}
	assert.Equal(t, 3, throttled, "the SDK's standard retryer makes three attempts")
	assert.Equal(t, rep.Scan.APICalls, len(srv.Calls()), "retries count as calls")
}

// TestWireDiscoveryFailures: an account IPAM cannot discover appears in the
// report as that account and region's problem, not as silence.
func TestWireDiscoveryFailures(t *testing.T) {
	t.Parallel()
	b := awsfake.NewBuilder("111111111111")
	b.Account(b.Root(), "222222222222", "network", "n@example.com")
	b.AccessKey("AKIANETWORK000000001", "222222222222", "admin")
	b.Account(b.Root(), "333333333333", "app", "a@example.com")
	ipam := b.IPAM("222222222222", "us-east-1", "us-east-1", "us-west-2")
	pool := b.Pool(awsfake.PoolSpec{Scope: b.Scope(ipam, "private"), Description: "top"})
	b.ProvisionCIDR(pool, "10.0.0.0/8")
	b.DiscoveryFailure("333333333333", "us-west-2", "unauthorized-failure", "Access denied to the IPAM service role")
	world, err := b.Build()
	require.NoError(t, err)
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	defer srv.Close()

	cfg := srv.ClientConfig("AKIANETWORK000000001", "us-east-1")
	rep, err := usage.NewScanner(usage.NewAWSClients(cfg), func(o *usage.ScannerOptions) {
		o.Sources = []usage.Source{usage.SourceIPAM}
	}).Scan(t.Context(), []usage.Target{{AccountID: "222222222222", Region: "us-east-1"}})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	e := rep.Errors[0]
	assert.Equal(t, usage.Target{AccountID: "333333333333", Region: "us-west-2"}, e.Target)
	assert.Equal(t, "unauthorized-failure", e.Code())
	var de *usage.DiscoveryError
	require.ErrorAs(t, e, &de)
	assert.Equal(t, "Access denied to the IPAM service role", de.Message)
	a, ok := rep.Alert("ipamkit/usage")
	require.True(t, ok, "an undiscovered account raises an alert")
	assert.Contains(t, a.Summary, "333333333333/us-west-2 (unauthorized-failure)")
}

// TestWireScanOrganizationCall runs the library's organization scan as the
// management account over the demo organization: the IPAM read in the
// networking account through its role, EC2 in every account and region,
// the management account with its own credentials.
func TestWireScanOrganizationCall(t *testing.T) {
	t.Parallel()
	srv := demoServer(t)
	mgmt := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	srv.ResetCalls()
	rep, err := usage.ScanOrganization(t.Context(), mgmt, func(o *usage.OrganizationScanOptions) {
		o.Organization = true
		o.Regions = []string{"us-east-1", "us-west-2"}
		o.IPAMAccount = awsfake.DemoNetworkAccount
		o.Concurrency = 4
	})
	require.NoError(t, err)
	calls := srv.Calls() // before countDemo adds its own
	assert.Empty(t, rep.Errors, "the caller's own account needs no role")
	assert.Equal(t, 1+5*2, rep.Scan.Targets, "the IPAM, then five accounts in two regions")

	bySource := map[usage.Source]int{}
	type where struct{ account, region, id, cidr string }
	seen := map[where]usage.Source{}
	withIPAMStatus := 0
	for _, r := range rep.Resources {
		bySource[r.Source]++
		if r.Source == usage.SourceEC2 && r.ComplianceStatus != "" {
			withIPAMStatus++
		}
		if r.Type == usage.TypeVPC || r.Type == usage.TypeSubnet {
			k := where{r.AccountID, r.Region, r.ID, r.CIDR.String()}
			if src, dup := seen[k]; dup {
				t.Errorf("%v measured twice, by %s and %s", k, src, r.Source)
			}
			seen[k] = r.Source
		}
	}
	assert.Positive(t, withIPAMStatus, "IPAM's records merged into EC2's figures, with their compliance")
	assert.Positive(t, bySource[usage.SourcePools])
	wantVPCs, wantSubnets := countDemo(t, srv)
	assert.Equal(t, wantVPCs+wantSubnets, bySource[usage.SourceEC2], "every VPC and subnet of the member accounts (the management account has none)")

	ops := map[string]int{}
	for _, c := range calls {
		ops[c.Operation]++
		assert.Empty(t, c.ErrorCode, "%+v", c)
	}
	assert.Equal(t, 1, ops["GetCallerIdentity"])
	assert.Equal(t, 1, ops["ListAccounts"])
	assert.Equal(t, 4, ops["AssumeRole"], "one AssumeRole per member account, the networking one shared by IPAM and EC2")
	assert.Equal(t, 10, ops["DescribeVpcs"])
	assert.Equal(t, len(calls)-2, rep.Scan.APICalls, "every call but GetCallerIdentity and ListAccounts is the scan's")
}

func TestWireScanOrganizationUnreadable(t *testing.T) {
	t.Parallel()
	srv := demoServer(t)
	srv.InjectFault(awsfake.Fault{Service: "organizations", Operation: "ListAccounts", Kind: awsfake.FaultAccessDenied})
	_, err := usage.ScanOrganization(t.Context(), srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1"), func(o *usage.OrganizationScanOptions) {
		o.Organization = true
	})
	var se *usage.ScanError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, awsfake.DemoNetworkAccount, se.AccountID)
	assert.Equal(t, "us-east-1", se.Region)
	assert.ErrorContains(t, err, "AccessDeniedException")
	assert.ErrorContains(t, err, "delegated administrator")
}
