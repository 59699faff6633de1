package hierarchy

import (
	"bytes"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// htmlLive is a small scope: a managed top pool with two regional pools,
// one holding a VPC and a custom allocation, an unmanaged IPv6 pool with a
// /56 in its /52, and a pool being deleted whose description is hostile.
func htmlLive() Live {
	p := netip.MustParsePrefix
	return Live{
		Scope: LiveScope{ID: "ipam-scope-1", Type: Private, IPAMID: "ipam-1", AccountID: "222222222222", Region: "us-east-1"},
		Pools: []LivePool{
			{ID: "ipam-pool-east", ParentID: "ipam-pool-top", Locale: "us-east-1", Tags: map[string]string{DefaultPathTagKey: "/top/us-east-1"},
				CIDRs: []LiveCIDR{{CIDR: p("10.0.16.0/20"), State: "provisioned"}},
				Allocations: []LiveAllocation{
					{ID: "ipam-pool-alloc-1", CIDR: p("10.0.16.0/24"), ResourceType: "vpc", ResourceID: "vpc-1"},
					{ID: "ipam-pool-alloc-2", CIDR: p("10.0.20.0/22"), ResourceType: "custom"},
				}},
			{ID: "ipam-pool-top", Tags: map[string]string{DefaultPathTagKey: "/top"},
				CIDRs: []LiveCIDR{{CIDR: p("10.0.0.0/16"), State: "provisioned"}},
				Allocations: []LiveAllocation{
					{ID: "ipam-pool-alloc-3", CIDR: p("10.0.0.0/20"), ResourceType: ResourceTypePool, ResourceID: "ipam-pool-west"},
					{ID: "ipam-pool-alloc-4", CIDR: p("10.0.16.0/20"), ResourceType: ResourceTypePool, ResourceID: "ipam-pool-east"},
				}},
			{ID: "ipam-pool-west", ParentID: "ipam-pool-top", Locale: "us-west-2", Tags: map[string]string{DefaultPathTagKey: "/top/us-west-2"},
				CIDRs: []LiveCIDR{{CIDR: p("10.0.0.0/20"), State: "provisioned"}}},
			{ID: "ipam-pool-v6", Family: IPv6, Description: "ipv6",
				CIDRs:       []LiveCIDR{{CIDR: p("2001:db8::/52"), State: "provisioned"}},
				Allocations: []LiveAllocation{{ID: "ipam-pool-alloc-5", CIDR: p("2001:db8:0:100::/56"), ResourceType: "vpc", ResourceID: "vpc-6"}}},
			{ID: "ipam-pool-gone", Description: `<script>alert(1)</script>"' ` + "\u202e", State: "delete-in-progress"},
		},
	}
}

func TestLiveWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, htmlLive().WriteHTML(&b))
	const file = "testdata/live.golden.html"
	if *update {
		require.NoError(t, os.WriteFile(file, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), b.String(), "Live.WriteHTML")

	page := b.String()
	assert.Equal(t, 1, strings.Count(page, "<script"), "only the page's own script")
	assert.Contains(t, page, "(unmanaged) &lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39; \\u202e", "the description escaped")
	assert.NotContains(t, page, "\u202e")
	assert.Equal(t, 5, strings.Count(page, `<details class="pool"`), "a section per pool")
	assert.Equal(t, 4, strings.Count(page, `<div class="strip"`), "a strip per provisioned CIDR")
	assert.Contains(t, page, `title="ipam-pool ipam-pool-west 10.0.0.0/20: 0 of 4096 allocated (0.0%)"`, "a child pool by its utilization")
	assert.Contains(t, page, `title="vpc vpc-1 10.0.16.0/24"`, "a VPC allocation")
}

func TestLiveWriteHTMLEmpty(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, Live{}.WriteHTML(&b))
	assert.Contains(t, b.String(), "<p>No pool in this scope.</p>")
	assert.Contains(t, b.String(), `Scope <span class="c">unknown</span> (private): <b>0</b> pools`)
}
