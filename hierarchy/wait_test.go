package hierarchy

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

// fakeClock is a clock that moves only when sleep is called. The zero
// fakeClock starts at the zero time. Not safe for concurrent use.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func (c *fakeClock) waiter(o *WaiterOptions) {
	o.MinDelay, o.MaxDelay, o.Now, o.sleep = time.Second, 8*time.Second, c.Now, c.sleep
}

func poolOut(id string, state types.IpamPoolState, msg string) *ec2.DescribeIpamPoolsOutput {
	p := types.IpamPool{IpamPoolId: aws.String(id), State: state, AddressFamily: types.AddressFamilyIpv4, Locale: aws.String("None")}
	if msg != "" {
		p.StateMessage = aws.String(msg)
	}
	return &ec2.DescribeIpamPoolsOutput{IpamPools: []types.IpamPool{p}}
}

func cidrsOut(cs ...types.IpamPoolCidr) *ec2.GetIpamPoolCidrsOutput {
	return &ec2.GetIpamPoolCidrsOutput{IpamPoolCidrs: cs}
}

func cidr(c, id string, state types.IpamPoolCidrState, reason string) types.IpamPoolCidr {
	out := types.IpamPoolCidr{Cidr: aws.String(c), IpamPoolCidrId: aws.String(id), State: state}
	if reason != "" {
		out.FailureReason = &types.IpamPoolCidrFailureReason{Code: types.IpamPoolCidrFailureCodeCidrNotAvailable, Message: aws.String(reason)}
	}
	return out
}

func TestWaitPool(t *testing.T) {
	t.Parallel()
	in := &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{"ipam-pool-1"}}
	tests := []struct {
		name    string
		answers []any // *ec2.DescribeIpamPoolsOutput or error
		wantErr string
		sleeps  int
	}{
		{"complete at once", []any{poolOut("ipam-pool-1", "create-complete", "")}, "", 0},
		{"after two reads", []any{poolOut("ipam-pool-1", "create-in-progress", ""), poolOut("ipam-pool-1", "create-in-progress", ""), poolOut("ipam-pool-1", "create-complete", "")}, "", 2},
		{"not found yet, then modified", []any{apiErr(codePoolNotFound), poolOut("ipam-pool-1", "modify-complete", "")}, "", 1},
		{"create failed", []any{poolOut("ipam-pool-1", "create-in-progress", ""), poolOut("ipam-pool-1", "create-failed", "the locale eu-west-9 is not an operating region")}, "pool ipam-pool-1 is create-failed: the locale eu-west-9 is not an operating region", 1},
		{"being deleted", []any{poolOut("ipam-pool-1", "delete-in-progress", "")}, "pool ipam-pool-1 is delete-in-progress", 0},
		{"read fails", []any{apiErr("UnauthorizedOperation")}, "describe IPAM pool ipam-pool-1: operation error EC2: Op, api error UnauthorizedOperation: UnauthorizedOperation says so", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockEC2API(gomock.NewController(t))
			var calls []any
			for _, a := range tt.answers {
				c := m.EXPECT().DescribeIpamPools(gomock.Any(), in)
				if err, ok := a.(error); ok {
					c.Return(nil, err)
				} else {
					c.Return(a.(*ec2.DescribeIpamPoolsOutput), nil)
				}
				calls = append(calls, c)
			}
			gomock.InOrder(calls...)
			var clock fakeClock
			lp, err := NewPoolWaiter(m, clock.waiter).WaitPool(t.Context(), "ipam-pool-1", time.Minute)
			assert.Len(t, clock.slept, tt.sleeps)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "ipam-pool-1", lp.ID)
		})
	}
}

func TestWaitTimeout(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-1", "create-in-progress", ""), nil).MinTimes(3)
	var clock fakeClock
	_, err := NewPoolWaiter(m, clock.waiter).WaitPool(t.Context(), "ipam-pool-1", 20*time.Second)
	require.ErrorIs(t, err, ErrWaitTimeout)
	assert.EqualError(t, err, "pool ipam-pool-1 still create-in-progress after 20s: exceeded the maximum wait time")
	var total time.Duration
	for i, d := range clock.slept {
		if i < len(clock.slept)-1 {
			assert.GreaterOrEqual(t, d, time.Second, "delay %d is at least MinDelay", i)
		} // the last one is cut to leave MinDelay, as ComputeDelay does
		assert.Positive(t, d, "delay %d", i)
		assert.LessOrEqual(t, d, 8*time.Second, "delay %d is at most MaxDelay", i)
		total += d
	}
	assert.LessOrEqual(t, total, 19*time.Second, "the waits stay within the limit, less MinDelay")
	assert.Equal(t, time.Second, clock.slept[0], "the first delay is MinDelay")

	_, err = NewPoolWaiter(m).WaitPool(t.Context(), "ipam-pool-1", 0)
	assert.EqualError(t, err, "wait for pool ipam-pool-1: the maximum wait time must be greater than zero")
	_, err = NewPoolWaiter(m, func(o *WaiterOptions) { o.MinDelay, o.MaxDelay = time.Minute, time.Second }).WaitPool(t.Context(), "ipam-pool-1", time.Hour)
	assert.EqualError(t, err, "wait for pool ipam-pool-1: MinDelay 1m0s is longer than MaxDelay 1s")
}

func TestWaitCancelled(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	ctx, cancel := context.WithCancel(t.Context())
	m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).DoAndReturn(func(context.Context, *ec2.DescribeIpamPoolsInput, ...func(*ec2.Options)) (*ec2.DescribeIpamPoolsOutput, error) {
		cancel()
		return poolOut("ipam-pool-1", "create-in-progress", ""), nil
	})
	var clock fakeClock
	_, err := NewPoolWaiter(m, clock.waiter).WaitPool(ctx, "ipam-pool-1", time.Hour)
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "wait for pool ipam-pool-1 (still create-in-progress): context canceled")
}

func TestWaitCIDR(t *testing.T) {
	t.Parallel()
	ten := netip.MustParsePrefix("10.0.0.0/16")
	tests := []struct {
		name    string
		deprov  bool
		ref     LiveCIDR
		answers []*ec2.GetIpamPoolCidrsOutput
		want    LiveCIDR
		wantErr string
	}{
		{
			name: "provisioned, by ID", ref: LiveCIDR{ID: "ipam-pool-cidr-1"},
			answers: []*ec2.GetIpamPoolCidrsOutput{
				cidrsOut(),
				cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "pending-provision", "")),
				cidrsOut(cidr("10.1.0.0/16", "ipam-pool-cidr-0", "provisioned", ""), cidr("10.0.0.0/16", "ipam-pool-cidr-1", "provisioned", "")),
			},
			want: LiveCIDR{CIDR: ten, State: "provisioned", ID: "ipam-pool-cidr-1"},
		},
		{
			name: "failed-provision surfaces its reason", ref: LiveCIDR{CIDR: ten},
			answers: []*ec2.GetIpamPoolCidrsOutput{
				cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "pending-provision", "")),
				cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "failed-provision", "The CIDR overlaps a CIDR in the scope")),
			},
			want:    LiveCIDR{CIDR: ten, State: "failed-provision", ID: "ipam-pool-cidr-1", FailureReason: "The CIDR overlaps a CIDR in the scope"},
			wantErr: "CIDR 10.0.0.0/16 of pool ipam-pool-1 is failed-provision: The CIDR overlaps a CIDR in the scope",
		},
		{
			name: "deprovisioned", deprov: true, ref: LiveCIDR{CIDR: ten},
			answers: []*ec2.GetIpamPoolCidrsOutput{
				cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "pending-deprovision", "")),
				cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "deprovisioned", "")),
			},
			want: LiveCIDR{CIDR: ten, State: "deprovisioned", ID: "ipam-pool-cidr-1"},
		},
		{
			name: "deprovisioned and gone", deprov: true, ref: LiveCIDR{CIDR: ten, ID: "ipam-pool-cidr-1"},
			answers: []*ec2.GetIpamPoolCidrsOutput{cidrsOut()},
			want:    LiveCIDR{CIDR: ten, ID: "ipam-pool-cidr-1"},
		},
		{
			name: "failed-deprovision", deprov: true, ref: LiveCIDR{CIDR: ten},
			answers: []*ec2.GetIpamPoolCidrsOutput{cidrsOut(cidr("10.0.0.0/16", "ipam-pool-cidr-1", "failed-deprovision", "The CIDR has one or more allocations."))},
			want:    LiveCIDR{CIDR: ten, State: "failed-deprovision", ID: "ipam-pool-cidr-1", FailureReason: "The CIDR has one or more allocations."},
			wantErr: "CIDR 10.0.0.0/16 of pool ipam-pool-1 is failed-deprovision: The CIDR has one or more allocations.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockEC2API(gomock.NewController(t))
			var calls []any
			for _, a := range tt.answers {
				calls = append(calls, m.EXPECT().GetIpamPoolCidrs(gomock.Any(), gomock.Any(), gomock.Any()).Return(a, nil))
			}
			gomock.InOrder(calls...)
			var clock fakeClock
			w := NewPoolWaiter(m, clock.waiter)
			wait := w.WaitProvisioned
			if tt.deprov {
				wait = w.WaitDeprovisioned
			}
			got, err := wait(t.Context(), "ipam-pool-1", tt.ref, time.Minute)
			assert.Equal(t, tt.want, got)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.wantErr)
			var se *StateError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.want.FailureReason, se.Reason)
		})
	}
}

func TestWaitPoolDeleted(t *testing.T) {
	t.Parallel()
	m := NewMockEC2API(gomock.NewController(t))
	gomock.InOrder(
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-1", "delete-in-progress", ""), nil),
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(nil, apiErr(codePoolNotFound)),
		m.EXPECT().DescribeIpamPools(gomock.Any(), gomock.Any()).Return(poolOut("ipam-pool-2", "delete-failed", "allocations"), nil),
	)
	var clock fakeClock
	w := NewPoolWaiter(m, clock.waiter)
	require.NoError(t, w.WaitPoolDeleted(t.Context(), "ipam-pool-1", time.Minute))
	assert.EqualError(t, w.WaitPoolDeleted(t.Context(), "ipam-pool-2", time.Minute), "pool ipam-pool-2 is delete-failed: allocations")
}
