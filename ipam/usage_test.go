package ipam

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUtilization(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		pools, used []string
		want        string // JSON
	}{
		{"quarter", []string{"10.0.0.0/24"}, []string{"10.0.0.0/26"}, `{"total":"256","used":"64","free":"192","percent":25}`},
		{"overlaps counted once, outside ignored", []string{"10.0.0.0/24"}, []string{"10.0.0.0/25", "10.0.0.0/26", "10.0.0.0/16"}, `{"total":"256","used":"256","free":"0","percent":100}`},
		{"empty", nil, nil, `{"total":"0","used":"0","free":"0","percent":0}`},
		{"all of IPv6, half used", []string{"::/0"}, []string{"8000::/1"}, `{"total":"340282366920938463463374607431768211456","used":"170141183460469231731687303715884105728","free":"170141183460469231731687303715884105728","percent":50}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := Utilization(prefixes(tt.pools...), prefixes(tt.used...))
			require.NoError(t, err)
			b, err := json.Marshal(u)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))
			var back Usage
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, u, back, "JSON round trip")
		})
	}
	require.Error(t, json.Unmarshal([]byte(`{"total":12}`), new(Usage)), "counts are strings")
}

func TestAWSUsable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		subnet string
		want   string
	}{
		{"10.0.0.0/24", "251"},
		{"10.0.0.0/28", "11"},
		{"10.0.0.0/29", "3"},
		{"10.0.0.0/30", "0"},
		{"10.0.0.0/32", "0"},
		{"2001:db8::/64", "18446744073709551611"},
		{"::/0", "340282366920938463463374607431768211451"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, AWSUsable(MustParseCIDR(tt.subnet)).String(), "AWSUsable(%s)", tt.subnet)
	}
	assert.True(t, AWSUsable(netip.Prefix{}).IsZero())
}
