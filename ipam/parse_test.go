package ipam

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCIDR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string // canonical form; empty when an error is expected
		wantErr error
		msg     string // the error text must contain this
	}{
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: "0.0.0.0/0", want: "0.0.0.0/0"},
		{in: "192.168.1.7/32", want: "192.168.1.7/32"},
		{in: "2001:db8::/32", want: "2001:db8::/32"},
		{in: "::/0", want: "::/0"},
		{in: "2001:db8::1/128", want: "2001:db8::1/128"},
		{in: "::ffff:10.0.0.0/104", want: "::ffff:10.0.0.0/104"},
		{in: "10.0.0.1/8", wantErr: ErrHostBitsSet, msg: `"10.0.0.1/8": host bits set (did you mean 10.0.0.0/8?)`},
		{in: "2001:db8::1/64", wantErr: ErrHostBitsSet, msg: "did you mean 2001:db8::/64?"},
		{in: "10.0.0.0", wantErr: ErrSyntax, msg: `"10.0.0.0": missing prefix length (did you mean 10.0.0.0/32?)`},
		{in: "2001:db8::", wantErr: ErrSyntax, msg: "did you mean 2001:db8::/128?"},
		{in: "10.0.0.0/33", wantErr: ErrSyntax, msg: `"10.0.0.0/33"`},
		{in: "10.0.0.0/-1", wantErr: ErrSyntax},
		{in: "10.0.0/8", wantErr: ErrSyntax},
		{in: "010.0.0.0/8", wantErr: ErrSyntax},
		{in: " 10.0.0.0/8", wantErr: ErrSyntax},
		{in: "fe80::1%eth0/64", wantErr: ErrSyntax},
		{in: "", wantErr: ErrSyntax},
		{in: "/8", wantErr: ErrSyntax},
		{in: "vpc-0abc", wantErr: ErrSyntax, msg: "want address/length"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCIDR(tt.in)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr, "ParseCIDR(%q)", tt.in)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.in, pe.Input)
				assert.Zero(t, pe.Line)
				assert.ErrorContains(t, err, tt.msg)
				assert.Equal(t, netip.Prefix{}, got)
				return
			}
			require.NoError(t, err, "ParseCIDR(%q)", tt.in)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestParseCIDRMasked(t *testing.T) {
	t.Parallel()
	got, err := ParseCIDRMasked("10.1.2.3/16")
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("10.1.0.0/16"), got)
	got, err = ParseCIDRMasked("2001:db8::ff/120")
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("2001:db8::/120"), got)
	_, err = ParseCIDRMasked("10.1.2.3")
	require.ErrorIs(t, err, ErrSyntax)

	assert.Equal(t, netip.MustParsePrefix("10.0.0.0/8"), MustParseCIDR("10.0.0.0/8"))
	assert.Panics(t, func() { MustParseCIDR("10.0.0.1/8") })
}

func TestParseCIDRList(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		"# used by team A",
		"10.0.0.0/24",
		"",
		"  10.0.1.0/24   # trailing comment",
		"10.0.2.1/24",
		"bogus",
		"\t2001:db8::/64",
		"10.0.3.0/24",
	}, "\n")
	got, err := ParseCIDRList(strings.NewReader(in))
	assert.Equal(t, []netip.Prefix{
		MustParseCIDR("10.0.0.0/24"),
		MustParseCIDR("10.0.1.0/24"),
		MustParseCIDR("2001:db8::/64"),
		MustParseCIDR("10.0.3.0/24"),
	}, got, "the good lines are kept")
	require.Error(t, err)
	assert.Equal(t, `line 5: "10.0.2.1/24": host bits set (did you mean 10.0.2.0/24?)`+"\n"+
		`line 6: "bogus": no '/': not a CIDR (want address/length, e.g. 10.0.0.0/16 or 2001:db8::/56)`,
		err.Error(), "every bad line, numbered")

	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 5, pe.Line, "the first bad line")
	assert.ErrorIs(t, err, ErrHostBitsSet)
	assert.ErrorIs(t, err, ErrSyntax)

	got, err = ParseCIDRList(strings.NewReader("# nothing\n\n"))
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = ParseCIDRList(iotest.ErrReader(errors.New("disk on fire")))
	require.ErrorContains(t, err, "disk on fire")

	_, err = ParseCIDRList(strings.NewReader("10.0.0.0/8\n" + strings.Repeat("1", maxLine+1)))
	require.ErrorContains(t, err, "line 2")
}
