package ipam

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prefixes parses CIDRs for table tests.
func prefixes(ss ...string) []netip.Prefix {
	if len(ss) == 0 {
		return nil
	}
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = MustParseCIDR(s)
	}
	return out
}

func TestFree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pools []string
		used  []string
		want  []string
	}{
		{"nothing used", []string{"10.0.0.0/16"}, nil, []string{"10.0.0.0/16"}},
		{"all used", []string{"10.0.0.0/16"}, []string{"10.0.0.0/16"}, nil},
		{"used covers pool", []string{"10.0.0.0/16"}, []string{"10.0.0.0/8"}, nil},
		{"first quarter used", []string{"10.0.0.0/16"}, []string{"10.0.0.0/18"}, []string{"10.0.64.0/18", "10.0.128.0/17"}},
		{"hole in the middle", []string{"10.0.0.0/24"}, []string{"10.0.0.64/26"}, []string{"10.0.0.0/26", "10.0.0.128/25"}},
		{"unaligned gap", []string{"10.0.0.0/24"}, []string{"10.0.0.0/30", "10.0.0.128/25"}, []string{"10.0.0.4/30", "10.0.0.8/29", "10.0.0.16/28", "10.0.0.32/27", "10.0.0.64/26"}},
		{"duplicates and nesting", []string{"10.0.0.0/24"}, []string{"10.0.0.0/25", "10.0.0.0/25", "10.0.0.0/26", "10.0.0.64/27"}, []string{"10.0.0.128/25"}},
		{"used outside pools ignored", []string{"10.0.0.0/24"}, []string{"192.168.0.0/16", "10.0.1.0/24"}, []string{"10.0.0.0/24"}},
		{"overlapping and adjacent pools merge", []string{"10.0.0.0/25", "10.0.0.128/25", "10.0.0.0/26"}, nil, []string{"10.0.0.0/24"}},
		{"several pools, sorted", []string{"10.2.0.0/16", "10.0.0.0/16"}, []string{"10.0.0.0/17", "10.2.128.0/17"}, []string{"10.0.128.0/17", "10.2.0.0/17"}},
		{"top of IPv4", []string{"255.255.255.0/24"}, []string{"255.255.255.255/32"}, []string{"255.255.255.0/25", "255.255.255.128/26", "255.255.255.192/27", "255.255.255.224/28", "255.255.255.240/29", "255.255.255.248/30", "255.255.255.252/31", "255.255.255.254/32"}},
		{"all of IPv4", []string{"0.0.0.0/0"}, nil, []string{"0.0.0.0/0"}},
		{"IPv4 minus one half", []string{"0.0.0.0/0"}, []string{"128.0.0.0/1"}, []string{"0.0.0.0/1"}},
		{"IPv6", []string{"2001:db8::/56"}, []string{"2001:db8::/64", "2001:db8:0:2::/63"}, []string{"2001:db8:0:1::/64", "2001:db8:0:4::/62", "2001:db8:0:8::/61", "2001:db8:0:10::/60", "2001:db8:0:20::/59", "2001:db8:0:40::/58", "2001:db8:0:80::/57"}},
		{"all of IPv6", []string{"::/0"}, nil, []string{"::/0"}},
		{"IPv6 minus the top address", []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/126"}, []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}, []string{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffc/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128"}},
		{"IPv6 minus the bottom address", []string{"::/0"}, []string{"::/128"}, nil /* checked by count below */},
		{"no pools", nil, []string{"10.0.0.0/8"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Free(prefixes(tt.pools...), prefixes(tt.used...))
			require.NoError(t, err)
			if tt.name == "IPv6 minus the bottom address" {
				assert.Len(t, got, 128, "one CIDR per bit: ::1/128, ::2/127, … 8000::/1")
				assert.Equal(t, "::1/128", got[0].String())
				assert.Equal(t, "8000::/1", got[127].String())
				return
			}
			assert.Equal(t, prefixes(tt.want...), got, "Free(%v, %v)", tt.pools, tt.used)
		})
	}
}

func TestNewSpaceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pools   []netip.Prefix
		used    []netip.Prefix
		wantErr error
		msg     string
	}{
		{"mixed pools", prefixes("10.0.0.0/8", "2001:db8::/32"), nil, ErrFamilyMismatch, "pool 2001:db8::/32 is IPv6 but pool 10.0.0.0/8 is IPv4"},
		{"used of the other family", prefixes("10.0.0.0/8"), prefixes("10.0.0.0/16", "2001:db8::/64"), ErrFamilyMismatch, "used prefix 2001:db8::/64 is IPv6 but the pools are IPv4"},
		{"invalid pool", []netip.Prefix{{}}, nil, ErrInvalidPrefix, "pool 1"},
		{"invalid used", prefixes("10.0.0.0/8"), []netip.Prefix{MustParseCIDR("10.0.0.0/9"), {}}, ErrInvalidPrefix, "used prefix 2"},
		{"invalid used without pools", nil, []netip.Prefix{{}}, ErrInvalidPrefix, "used prefix 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewSpace(tt.pools, tt.used)
			require.ErrorIs(t, err, tt.wantErr)
			assert.ErrorContains(t, err, tt.msg)
			_, err = Free(tt.pools, tt.used)
			require.ErrorIs(t, err, tt.wantErr, "Free")
			_, err = Utilization(tt.pools, tt.used)
			require.ErrorIs(t, err, tt.wantErr, "Utilization")
		})
	}
}

func TestSpaceHostBitsIgnored(t *testing.T) {
	t.Parallel()
	s, err := NewSpace([]netip.Prefix{netip.MustParsePrefix("10.0.0.9/24")}, []netip.Prefix{netip.MustParsePrefix("10.0.0.200/25")})
	require.NoError(t, err)
	assert.Equal(t, prefixes("10.0.0.0/25"), s.Free())
}

func TestZeroSpace(t *testing.T) {
	t.Parallel()
	var s Space
	assert.Empty(t, s.Free())
	assert.Empty(t, s.Pools())
	assert.Equal(t, Usage{}, s.Usage())
	_, ok := s.Largest()
	assert.False(t, ok)
	assert.False(t, s.Fits(32))
	assert.False(t, s.IsFree(MustParseCIDR("10.0.0.0/8")))
	assert.False(t, s.Is4())
	assert.False(t, s.Is6())
	_, err := s.Next(24, 1)
	require.ErrorIs(t, err, ErrInsufficientSpace)
	_, err = s.Next(129, 1)
	require.ErrorIs(t, err, ErrBadBits)
	require.ErrorContains(t, err, "want a length from 0 to 128")
}

func TestLargestAndFits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pools, used []string
		largest     string // empty: nothing free
		fits        []int
		doesNotFit  []int
	}{
		{"30% free but no /24", []string{"10.0.0.0/22"},
			[]string{"10.0.0.0/24", "10.0.1.0/25", "10.0.1.192/26", "10.0.2.0/24", "10.0.3.64/26", "10.0.3.192/26"},
			"10.0.1.128/26", []int{26, 27, 32}, []int{24, 25, 8, 33, -1}},
		{"lowest of equals", []string{"10.0.0.0/24"}, []string{"10.0.0.64/26", "10.0.0.192/26"}, "10.0.0.0/26", []int{26}, []int{25}},
		{"unaligned range", []string{"10.0.0.0/24"}, []string{"10.0.0.0/32", "10.0.0.255/32"}, "10.0.0.64/26", []int{26}, []int{25}},
		{"full", []string{"10.0.0.0/24"}, []string{"10.0.0.0/24"}, "", nil, []int{32}},
		{"whole IPv6", []string{"::/0"}, nil, "::/0", []int{0, 64, 128}, []int{129}},
		{"IPv6 minus one address", []string{"::/0"}, []string{"::/128"}, "8000::/1", []int{1}, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewSpace(prefixes(tt.pools...), prefixes(tt.used...))
			require.NoError(t, err)
			got, ok := s.Largest()
			if tt.largest == "" {
				assert.False(t, ok)
			} else {
				assert.True(t, ok)
				assert.Equal(t, tt.largest, got.String())
			}
			for _, b := range tt.fits {
				assert.True(t, s.Fits(b), "Fits(%d)", b)
			}
			for _, b := range tt.doesNotFit {
				assert.False(t, s.Fits(b), "Fits(%d)", b)
			}
		})
	}
}

func TestIsFree(t *testing.T) {
	t.Parallel()
	s, err := NewSpace(prefixes("10.0.0.0/16", "10.2.0.0/16"), prefixes("10.0.1.0/24"))
	require.NoError(t, err)
	tests := []struct {
		p    string
		want bool
	}{
		{"10.0.0.0/24", true},
		{"10.0.0.0/23", false},
		{"10.0.1.0/24", false},
		{"10.0.2.0/23", true},
		{"10.0.128.0/17", true},
		{"10.0.0.0/16", false},
		{"10.1.0.0/24", false},
		{"10.2.0.0/16", true},
		{"10.0.0.0/8", false},
		{"9.0.0.0/8", false},
		{"2001:db8::/64", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, s.IsFree(MustParseCIDR(tt.p)), "IsFree(%s)", tt.p)
	}
	assert.False(t, s.IsFree(netip.Prefix{}))
}
