package usage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// oneSubnet returns a mock client whose region has one subnet in account.
func oneSubnet(t *testing.T, account string, usedOf251 int32) EC2API {
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeVpcsOutput{}, nil).AnyTimes()
	m.EXPECT().DescribeSubnets(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeSubnetsOutput{Subnets: []types.Subnet{{
		SubnetId: aws.String("subnet-" + account), VpcId: aws.String("vpc-1"), OwnerId: aws.String(account),
		CidrBlock: aws.String("10.0.0.0/24"), AvailableIpAddressCount: aws.Int32(251 - usedOf251),
	}}}, nil).AnyTimes()
	return m
}

func TestScanPartialFailure(t *testing.T) {
	t.Parallel()
	denied := codedError{"AccessDenied"}
	throttled := codedError{"RequestLimitExceeded"}
	clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		switch tg.AccountID {
		case "000000000002":
			return nil, fmt.Errorf("assume role %s: %w", tg.RoleARN, denied)
		case "000000000003":
			m := NewMockEC2API(gomock.NewController(t))
			m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, throttled)
			return m, nil
		}
		return oneSubnet(t, tg.AccountID, 230), nil
	})
	var targets []Target
	for a := 1; a <= 4; a++ {
		targets = append(targets, Target{AccountID: fmt.Sprintf("%012d", a), Region: "eu-west-1", RoleARN: "arn:aws:iam::x:role/Scan", ExternalID: "s3cret"})
	}
	rep, err := NewScanner(clients, func(o *ScannerOptions) { o.Concurrency = 2 }).Scan(t.Context(), targets)
	require.NoError(t, err)

	require.Len(t, rep.Resources, 2)
	assert.Equal(t, "000000000001", rep.Resources[0].AccountID)
	assert.Equal(t, "000000000004", rep.Resources[1].AccountID)
	require.Len(t, rep.Findings, 2, "230 of 251 is over 80%")
	require.Len(t, rep.Errors, 2, "a failed target is reported, never dropped")
	assert.Equal(t, "AccessDenied", rep.Errors[0].Code())
	assert.Equal(t, "000000000002", rep.Errors[0].Target.AccountID)
	assert.Equal(t, "RequestLimitExceeded", rep.Errors[1].Code())
	assert.ErrorContains(t, rep.Errors[1], "describe VPCs")
	for _, e := range rep.Errors {
		assert.Empty(t, e.Target.ExternalID, "external IDs stay out of reports")
	}
	assert.Equal(t, 4, rep.Scan.Targets)
}

func TestScanConcurrencyLimit(t *testing.T) {
	t.Parallel()
	const limit, n = 3, 12
	var inFlight, peak atomic.Int32
	full := make(chan struct{}) // closed once limit scans run at the same time
	var once sync.Once
	clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		now := inFlight.Add(1)
		for {
			p := peak.Load()
			if now <= p || peak.CompareAndSwap(p, now) {
				break
			}
		}
		if now == limit {
			once.Do(func() { close(full) })
		}
		<-full // the first ones wait until the limit is reached: proof it can be
		defer inFlight.Add(-1)
		return oneSubnet(t, tg.AccountID, 1), nil
	})
	targets := make([]Target, n)
	for i := range targets {
		targets[i] = Target{AccountID: fmt.Sprintf("%012d", i), Region: "us-east-1"}
	}
	rep, err := NewScanner(clients, func(o *ScannerOptions) { o.Concurrency = limit }).Scan(t.Context(), targets)
	require.NoError(t, err)
	assert.Equal(t, int32(limit), peak.Load(), "at most Concurrency targets at once, and that many")
	assert.Len(t, rep.Resources, n)
	assert.Empty(t, rep.Errors)
}

func TestScanNotScanned(t *testing.T) {
	t.Parallel()
	clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		return oneSubnet(t, tg.AccountID, 1), nil
	})
	targets := []Target{{AccountID: "000000000001", Region: "r"}, {AccountID: "000000000002", Region: "r"}}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rep, err := NewScanner(clients).Scan(ctx, targets)
		require.NoError(t, err)
		require.Len(t, rep.Errors, 2)
		for _, e := range rep.Errors {
			assert.ErrorIs(t, e, ErrNotScanned)
			assert.ErrorIs(t, e, context.Canceled)
		}
	})
	t.Run("near the deadline", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(5*time.Second))
		defer cancel()
		rep, err := NewScanner(clients, func(o *ScannerOptions) { o.DeadlineMargin = 10 * time.Second }).Scan(ctx, targets)
		require.NoError(t, err)
		require.Len(t, rep.Errors, 2, "a Lambda near its deadline reports what it did not scan")
		assert.ErrorContains(t, rep.Errors[0], "not scanned: within 10s of the deadline")
		assert.Empty(t, rep.Resources)
	})
	t.Run("running at the margin", func(t *testing.T) {
		// A target whose calls never answer is stopped at the deadline
		// minus the margin, not at the deadline: the margin is left for
		// the alert. The scanner's clock is pinned early, so the target
		// always starts.
		started := make(chan struct{}, 1)
		hang := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
			started <- struct{}{}
			<-ctx.Done() // a target that never answers
			return nil, ctx.Err()
		})
		const margin = time.Minute // without the margin's stop, the test would wait for it
		ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(margin+50*time.Millisecond))
		defer cancel()
		sc := NewScanner(hang, func(o *ScannerOptions) { o.DeadlineMargin = margin })
		sc.now = func() time.Time { return time.Now().Add(-time.Hour) }
		rep, err := sc.Scan(ctx, targets[:1])
		require.NoError(t, err)
		require.Len(t, started, 1, "the target started")
		require.NoError(t, ctx.Err(), "the scan ended with the margin left")
		require.Len(t, rep.Errors, 1)
		assert.ErrorIs(t, rep.Errors[0], ErrNotScanned)
		assert.ErrorContains(t, rep.Errors[0], "not scanned: not finished 1m0s before the deadline: client: context deadline exceeded")
	})
	t.Run("target timeout", func(t *testing.T) {
		slow := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
			<-ctx.Done() // a target that never answers
			return nil, ctx.Err()
		})
		rep, err := NewScanner(slow, func(o *ScannerOptions) { o.TargetTimeout = time.Millisecond }).Scan(t.Context(), targets[:1])
		require.NoError(t, err)
		require.Len(t, rep.Errors, 1)
		assert.ErrorIs(t, rep.Errors[0], context.DeadlineExceeded)
	})
}

func TestScanSourcesAndPolicy(t *testing.T) {
	t.Parallel()
	calls := 0
	clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		calls++
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeIpamScopes(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamScopesOutput{IpamScopes: []types.IpamScope{
			{IpamScopeId: aws.String("ipam-scope-1"), IpamScopeType: types.IpamScopeTypePrivate},
		}}, nil).Times(2) // the second to tell an IPAM without pools from no IPAM
		m.EXPECT().GetIpamResourceCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.GetIpamResourceCidrsOutput{}, nil)
		m.EXPECT().DescribeIpams(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamsOutput{}, nil)
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{}, nil)
		return m, nil
	})
	tg := []Target{{AccountID: "999988887777", Region: "us-east-1"}}
	rep, err := NewScanner(clients, func(o *ScannerOptions) { o.Sources = []Source{SourceIPAM, SourcePools} }).Scan(t.Context(), tg)
	require.NoError(t, err)
	assert.Empty(t, rep.Errors)

	_, err = NewScanner(clients, func(o *ScannerOptions) { o.Policy.Critical = 150 }).Scan(t.Context(), tg)
	require.ErrorIs(t, err, ErrBadPolicy)
	assert.Equal(t, 1, calls, "a bad policy fails before any call")

	silent := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		return NewMockEC2API(gomock.NewController(t)), nil // no call expected
	})
	rep, err = NewScanner(silent, func(o *ScannerOptions) { o.Sources = []Source{"dns"} }).Scan(t.Context(), tg)
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.ErrorContains(t, rep.Errors[0], `unknown source "dns"`)
	assert.True(t, errors.Is(rep.Errors[0], rep.Errors[0].Err))
}

// TestScanNoIPAM checks that a target without an IPAM, or without a scope
// of the requested type, fails and says where: a scan that measured
// nothing is not a success.
func TestScanNoIPAM(t *testing.T) {
	t.Parallel()
	private := types.IpamScope{IpamScopeId: aws.String("ipam-scope-1"), IpamScopeType: types.IpamScopeTypePrivate}
	tests := []struct {
		name    string
		sources []Source
		scope   ScopeType
		scopes  []types.IpamScope
		code    string // of the TargetError; empty for none
	}{
		{"ipam, no IPAM", []Source{SourceIPAM}, "", nil, "NoIPAM"},
		{"pools, no IPAM", []Source{SourcePools}, "", nil, "NoIPAM"},
		{"ipam, no public scope", []Source{SourceIPAM}, ScopePublic, []types.IpamScope{private}, "NoIPAMScope"},
		{"pools, no public scope", []Source{SourcePools}, ScopePublic, []types.IpamScope{private}, "NoIPAMScope"},
		{"pools, an IPAM without pools", []Source{SourcePools}, "", []types.IpamScope{private}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
				m := NewMockEC2API(gomock.NewController(t))
				m.EXPECT().DescribeIpamScopes(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamScopesOutput{IpamScopes: tt.scopes}, nil)
				m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any(), gomock.Any()).Return(&ec2.DescribeIpamPoolsOutput{}, nil).AnyTimes()
				return m, nil
			})
			tg := []Target{{AccountID: "111111111111", Region: "us-west-2"}}
			rep, err := NewScanner(clients, func(o *ScannerOptions) { o.Sources, o.IPAM.ScopeType = tt.sources, tt.scope }).Scan(t.Context(), tg)
			require.NoError(t, err)
			assert.Empty(t, rep.Resources)
			if tt.code == "" {
				assert.Empty(t, rep.Errors)
				return
			}
			require.Len(t, rep.Errors, 1)
			te := rep.Errors[0]
			assert.Equal(t, tt.code, te.Code())
			assert.ErrorIs(t, te, ErrNoIPAM)
			assert.Contains(t, te.Error(), "account 111111111111 region us-west-2: ", "the error names where")
			if tt.code == "NoIPAM" {
				assert.Contains(t, te.Error(), "run as the IPAM's delegated administrator")
			}
		})
	}
}
