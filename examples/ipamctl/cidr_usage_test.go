package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/ipam"
)

func TestCIDRUsage(t *testing.T) {
	t.Parallel()
	runCases(t, []cliCase{
		{name: "usage-v4-text", args: args("cidr usage --pool 10.0.0.0/16 --used-file testdata/used-v4.txt")},
		{name: "usage-v4-json", args: args("cidr usage --pool 10.0.0.0/16 --used-file testdata/used-v4.txt -o json")},
		{name: "usage-v4-json-double-dash", args: args("cidr usage --pool 10.0.0.0/16 --used 10.0.0.0/17 --o json")},
		{name: "usage-v4-empty", args: args("cidr usage --pool 10.0.0.0/8")},
		{name: "usage-v4-full", args: args("cidr usage --pool 10.0.0.0/24 --used 10.0.0.0/24")},
		{name: "usage-v4-tiny", args: args("cidr usage --pool 10.0.0.0/8 --used 10.0.0.1/32")},
		{name: "usage-v4-one-address", args: args("cidr usage --pool 192.0.2.1/32")},
		{name: "usage-v4-stdin", args: args("cidr usage --pool 10.0.0.0/24,10.0.1.0/24 --used-file - -o json"), stdin: "10.0.0.0/25\n"},
		{name: "usage-v6-text", args: args("cidr usage --pool 2001:db8::/48 --used-file testdata/used-v6.txt")},
		{name: "usage-v6-json", args: args("cidr usage --pool 2001:db8::/48 --used-file testdata/used-v6.txt -o json")},
		{name: "usage-v6-whole-space-json", args: args("cidr usage --pool ::/0 --used ::/1 -o json")},

		{name: "usage-bad-output", args: args("cidr usage --pool 10.0.0.0/16 -o yaml"), code: 1, names: []string{`-o "yaml"`, "json"}},
		{name: "usage-missing-pool", args: args("cidr usage -o json"), code: 1, names: []string{"--pool"}},
		{name: "usage-family-mismatch", args: args("cidr usage --pool 2001:db8::/32 --used 10.0.0.0/8"), code: 1, names: []string{"10.0.0.0/8"}},
	})
}

// TestCIDRUsageJSON checks that the JSON decodes to the exact counts.
func TestCIDRUsageJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pools []string
		used  []string
	}{
		{"v4", []string{"10.0.0.0/16"}, []string{"10.0.0.0/24", "10.0.4.0/22"}},
		{"v6", []string{"2001:db8::/32"}, []string{"2001:db8::/48"}},
		{"v6 whole space", []string{"::/0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			argv := []string{"cidr", "usage", "-o", "json", "--pool", strings.Join(tt.pools, ",")}
			var pools, used []netip.Prefix
			for _, p := range tt.pools {
				pools = append(pools, ipam.MustParseCIDR(p))
			}
			for _, u := range tt.used {
				used = append(used, ipam.MustParseCIDR(u))
				argv = append(argv, "--used", u)
			}
			want, err := ipam.Utilization(pools, used)
			require.NoError(t, err)

			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run(t.Context(), argv, strings.NewReader(""), &stdout, &stderr), stderr.String())
			var got ipam.Usage
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &got), stdout.String())
			assert.Equal(t, want, got, "ipamctl %s", strings.Join(argv, " "))
			assert.True(t, strings.HasSuffix(stdout.String(), "}\n"), "one line of JSON: %q", stdout.String())
		})
	}
}
