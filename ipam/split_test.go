package ipam

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubnets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		bits   int
		want   []string
	}{
		{"10.0.0.0/24", 24, []string{"10.0.0.0/24"}},
		{"10.0.0.0/24", 26, []string{"10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"}},
		{"255.255.255.252/30", 32, []string{"255.255.255.252/32", "255.255.255.253/32", "255.255.255.254/32", "255.255.255.255/32"}},
		{"0.0.0.0/0", 1, []string{"0.0.0.0/1", "128.0.0.0/1"}},
		{"::/0", 1, []string{"::/1", "8000::/1"}},
		{"::/0", 0, []string{"::/0"}},
		{"2001:db8::/62", 64, []string{"2001:db8::/64", "2001:db8:0:1::/64", "2001:db8:0:2::/64", "2001:db8:0:3::/64"}},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", 128, []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}},
	}
	for _, tt := range tests {
		seq, err := Subnets(MustParseCIDR(tt.prefix), tt.bits)
		require.NoError(t, err)
		assert.Equal(t, prefixes(tt.want...), slices.Collect(seq), "Subnets(%s, %d)", tt.prefix, tt.bits)
		assert.Equal(t, prefixes(tt.want...), slices.Collect(seq), "Subnets(%s, %d) used twice", tt.prefix, tt.bits)
	}
}

func TestSubnetsHugeIsLazy(t *testing.T) {
	t.Parallel()
	// 2^128 /128s: only a lazy sequence can start, and it must stop when told.
	seq, err := Subnets(MustParseCIDR("::/0"), 128)
	require.NoError(t, err)
	var got []string
	for p := range seq {
		got = append(got, p.String())
		if len(got) == 3 {
			break
		}
	}
	assert.Equal(t, []string{"::/128", "::1/128", "::2/128"}, got)

	seq, err = Subnets(MustParseCIDR("10.0.0.0/8"), 28)
	require.NoError(t, err)
	n, last := 0, netip.Prefix{}
	for p := range seq {
		n, last = n+1, p
	}
	assert.Equal(t, 1<<20, n, "a /8 holds 2^20 /28s")
	assert.Equal(t, "10.255.255.240/28", last.String())
}

func TestSubnetsAllocs(t *testing.T) {
	// The range statement itself may allocate its loop closure; the
	// elements must not: 16 and 65,536 of them cost the same.
	allocsFor := func(bits int) float64 {
		seq, err := Subnets(MustParseCIDR("10.0.0.0/16"), bits)
		require.NoError(t, err)
		return testing.AllocsPerRun(10, func() {
			for range seq {
			}
		})
	}
	few, many := allocsFor(20), allocsFor(32)
	assert.Equal(t, few, many, "allocations grow with the number of subnets")
	assert.LessOrEqual(t, many, 2.0)
}

func TestSubnetsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p       netip.Prefix
		bits    int
		wantErr error
		msg     string
	}{
		{MustParseCIDR("10.0.0.0/16"), 8, ErrBadBits, "split 10.0.0.0/16 into /8: want a length from 16 to 32"},
		{MustParseCIDR("10.0.0.0/16"), 33, ErrBadBits, "into /33"},
		{MustParseCIDR("2001:db8::/32"), 129, ErrBadBits, "from 32 to 128"},
		{netip.Prefix{}, 24, ErrInvalidPrefix, "split"},
	}
	for _, tt := range tests {
		seq, err := Subnets(tt.p, tt.bits)
		require.ErrorIs(t, err, tt.wantErr)
		assert.ErrorContains(t, err, tt.msg)
		assert.Nil(t, seq)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []netip.Prefix
		want []netip.Prefix
	}{
		{"empty", nil, nil},
		{"halves merge", prefixes("10.0.0.128/25", "10.0.0.0/25"), prefixes("10.0.0.0/24")},
		{"nested and duplicate", prefixes("10.0.0.0/16", "10.0.1.0/24", "10.0.0.0/16"), prefixes("10.0.0.0/16")},
		{"not mergeable across alignment", prefixes("10.0.1.0/24", "10.0.2.0/24"), prefixes("10.0.1.0/24", "10.0.2.0/24")},
		{"IPv4 first", prefixes("2001:db8::/33", "10.0.0.0/8", "2001:db8:8000::/33"), prefixes("10.0.0.0/8", "2001:db8::/32")},
		{"invalid ignored", []netip.Prefix{{}, MustParseCIDR("10.0.0.0/8")}, prefixes("10.0.0.0/8")},
		{"whole spaces", prefixes("::/1", "8000::/1", "0.0.0.0/1", "128.0.0.0/1"), prefixes("0.0.0.0/0", "::/0")},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Summarize(tt.in), "%s: Summarize(%v)", tt.name, tt.in)
	}
}
