package ipam

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOverlaps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []netip.Prefix
		want []Overlap
	}{
		{"none", prefixes("10.0.0.0/24", "10.0.1.0/24", "2001:db8::/64"), nil},
		{"empty", nil, nil},
		{"nested, later contains earlier", prefixes("10.0.1.0/24", "10.0.0.0/16"),
			[]Overlap{{A: MustParseCIDR("10.0.1.0/24"), B: MustParseCIDR("10.0.0.0/16"), I: 0, J: 1}}},
		{"duplicate", prefixes("10.0.0.0/24", "192.168.0.0/16", "10.0.0.0/24"),
			[]Overlap{{A: MustParseCIDR("10.0.0.0/24"), B: MustParseCIDR("10.0.0.0/24"), I: 0, J: 2}}},
		{"chain of three, ordered by I then J", prefixes("10.0.0.0/26", "10.0.0.0/8", "172.16.0.0/12", "10.0.0.0/16"),
			[]Overlap{
				{A: MustParseCIDR("10.0.0.0/26"), B: MustParseCIDR("10.0.0.0/8"), I: 0, J: 1},
				{A: MustParseCIDR("10.0.0.0/26"), B: MustParseCIDR("10.0.0.0/16"), I: 0, J: 3},
				{A: MustParseCIDR("10.0.0.0/8"), B: MustParseCIDR("10.0.0.0/16"), I: 1, J: 3},
			}},
		{"families never overlap", prefixes("0.0.0.0/0", "::/0", "::ffff:0.0.0.0/96"),
			[]Overlap{{A: MustParseCIDR("::/0"), B: MustParseCIDR("::ffff:0.0.0.0/96"), I: 1, J: 2}}},
		{"invalid overlaps nothing", []netip.Prefix{{}, MustParseCIDR("10.0.0.0/8"), {}}, nil},
		{"host bits ignored", []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24"), netip.MustParsePrefix("10.0.0.200/25")},
			[]Overlap{{A: netip.MustParsePrefix("10.0.0.1/24"), B: netip.MustParsePrefix("10.0.0.200/25"), I: 0, J: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Overlaps(tt.in), "Overlaps(%v)", tt.in)
		})
	}
}
