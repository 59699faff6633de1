package usage

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func TestTargetQueue(t *testing.T) {
	t.Parallel()
	targets := []Target{
		{AccountID: "A", Region: "r1"}, {AccountID: "A", Region: "r2"}, {AccountID: "A", Region: "r3"},
		{AccountID: "B", Region: "r1"}, {AccountID: "B", Region: "r2"},
		{AccountID: "C", Region: "r1"},
	}
	q := newTargetQueue(targets, 2, 3)
	var got []int
	for range 4 {
		i, ok := q.next()
		require.True(t, ok)
		got = append(got, i)
	}
	// A/r3 waits for one of A's two; C/r1 waits for one of r1's three.
	assert.Equal(t, []int{0, 1, 3, 4}, got, "a target held back by its account or region is passed over")

	next := make(chan int, 1)
	go func() {
		i, ok := q.next()
		assert.True(t, ok)
		next <- i
	}()
	q.done(4) // B/r2: neither A's count nor r1's changes
	q.done(0) // A/r1: A and r1 have room again; A/r3 comes first
	assert.Equal(t, 2, <-next, "the held-back target starts once it may, in order")
	i, ok := q.next()
	require.True(t, ok)
	assert.Equal(t, 5, i, "then C/r1, r1 having room")
	for _, i := range []int{1, 2, 3, 5} {
		q.done(i)
	}
	_, ok = q.next()
	assert.False(t, ok, "every target handed out once")
}

// TestScanPerAccount scans 5 accounts × 4 regions with 8 workers and at
// most 2 targets of an account at once: the bound holds, and every target
// is scanned once.
func TestScanPerAccount(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	inFlight, peak, scanned := map[string]int{}, map[string]int{}, map[Target]int{}
	clients := ClientFactoryFunc(func(ctx context.Context, tg Target) (EC2API, error) {
		mu.Lock()
		inFlight[tg.AccountID]++
		peak[tg.AccountID] = max(peak[tg.AccountID], inFlight[tg.AccountID])
		scanned[tg]++
		mu.Unlock()
		m := NewMockEC2API(gomock.NewController(t))
		m.EXPECT().DescribeVpcs(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(func(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
			mu.Lock()
			inFlight[tg.AccountID]-- // the target's last use of the bound
			mu.Unlock()
			return nil, codedError{"UnauthorizedOperation"}
		})
		return m, nil
	})
	var targets []Target
	for a := range 5 {
		for _, r := range []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"} {
			targets = append(targets, Target{AccountID: fmt.Sprintf("%012d", a), Region: r})
		}
	}
	rep, err := NewScanner(clients, func(o *ScannerOptions) { o.Concurrency, o.PerAccount = 8, 2 }).Scan(t.Context(), targets)
	require.NoError(t, err)
	require.Len(t, rep.Errors, len(targets), "each target reports its failure")
	for _, tg := range targets {
		assert.Equal(t, 1, scanned[tg], "%v scanned once", tg)
		assert.LessOrEqual(t, peak[tg.AccountID], 2, "account %s", tg.AccountID)
	}
}

func TestOrganizationScannerDuplicateAccounts(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []Target
	s, err := NewOrganizationScanner(aws.Config{Region: "us-east-1"}, func(o *OrganizationScanOptions) {
		o.Accounts, o.Sources = []string{"000000000002", "000000000002", "000000000001"}, []Source{SourceEC2}
		o.Caller = Caller{AccountID: "000000000001", ARN: "arn:aws:iam::000000000001:user/me"}
		o.Clients = ClientFactoryFunc(func(_ context.Context, tg Target) (EC2API, error) {
			mu.Lock()
			seen = append(seen, tg)
			mu.Unlock()
			return oneSubnet(t, tg.AccountID, 10), nil
		})
	})
	require.NoError(t, err)
	rep, err := s.Scan(t.Context())
	require.NoError(t, err)
	assert.Len(t, seen, 2, "an account listed twice is scanned once")
	assert.Equal(t, 2, rep.Scan.Targets)
	assert.Len(t, rep.Resources, 2)
}
