package usage

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// htmlVPC returns a known VPC resource of the EC2 source.
func htmlVPCResource(account, region, id, name string, used uint64, cidrs ...string) Resource {
	r := Resource{ID: id, Type: TypeVPC, Name: name, Source: SourceEC2, AccountID: account, Region: region, VPCID: id, Known: true}
	for _, c := range cidrs {
		r.CIDRs = append(r.CIDRs, ipam.MustParseCIDR(c))
	}
	r.CIDR = r.CIDRs[0]
	if len(r.CIDRs) == 1 {
		r.CIDRs = nil
	}
	for _, c := range resourceCIDRs(r) {
		r.Total = r.Total.Add(ipam.Size(c))
	}
	r.Used = ipam.NewCount(used)
	r.Available = r.Total.Sub(r.Used)
	return r
}

func htmlPoolResource(id, name, cidr string, used uint64) Resource {
	p := ipam.MustParseCIDR(cidr)
	u := ipam.NewCount(used)
	return Resource{
		ID: id, Type: TypeIPAMPool, Name: name, Source: SourcePools, AccountID: "222222222222", Region: "us-east-1", PoolID: id,
		CIDR: p, Known: true, Total: ipam.Size(p), Used: u, Available: ipam.Size(p).Sub(u),
	}
}

// smallHTMLReport is a report with a bit of everything: a pool tree with
// a VPC allocated from it, a VPC with subnets and gaps, a dual-stack VPC
// whose IPv6 /56 sits in a /32-sized view, a subnet of unknown usage, an
// EIP, and a failed target.
func smallHTMLReport(t *testing.T) Report {
	t.Helper()
	top := htmlPoolResource("ipam-pool-top", "top", "10.0.0.0/8", 1<<16)
	regional := htmlPoolResource("ipam-pool-east", "us-east-1", "10.0.0.0/16", 256)
	regional.LargestFree = ipam.MustParseCIDR("10.0.128.0/17")
	top.LargestFree = ipam.MustParseCIDR("10.128.0.0/9")
	app := htmlVPCResource("111111111111", "us-east-1", "vpc-app", "app", 192, "10.0.0.0/24")
	app.PoolID, app.LargestFree = "ipam-pool-east", ipam.MustParseCIDR("10.0.0.192/26")
	sn := []Resource{
		subnet("111111111111", "us-east-1", "subnet-a", "10.0.0.0/26", 57),
		subnet("111111111111", "us-east-1", "subnet-b", "10.0.0.64/26", 20),
		subnet("111111111111", "us-east-1", "subnet-c", "10.0.0.128/27", 0),
	}
	for i := range sn {
		sn[i].VPCID, sn[i].Name = "vpc-app", fmt.Sprintf("app-%c", 'a'+i)
	}
	sn[0].Tags = map[string]string{"Name": "app-a", "Env": "prod"}
	legacy4 := htmlVPCResource("111111111111", "us-west-2", "vpc-legacy", "legacy", 24, "172.16.0.0/16")
	legacy4.LargestFree = ipam.MustParseCIDR("172.16.128.0/17")
	legacy6 := htmlVPCResource("111111111111", "us-west-2", "vpc-legacy", "legacy", 0, "2600:1f14:abc:100::/56")
	legacy6.Known, legacy6.Used, legacy6.Available = false, ipam.Count{}, ipam.Count{}
	v6 := ipam.MustParseCIDR("2600:1f14:abc:100::/64")
	sub6 := Resource{ID: "subnet-v6", Type: TypeSubnet, Source: SourceEC2, AccountID: "111111111111", Region: "us-west-2", VPCID: "vpc-legacy", CIDR: v6, Total: ipam.Size(v6)}
	sub4 := subnet("111111111111", "us-west-2", "subnet-legacy", "172.16.0.0/27", 24)
	sub4.VPCID = "vpc-legacy"
	eip := Resource{ID: "eipalloc-1", Type: TypeEIP, Source: SourceIPAM, AccountID: "111111111111", Region: "us-east-1", CIDR: ipam.MustParseCIDR("203.0.113.7/32"), Known: true, Total: ipam.NewCount(1), Used: ipam.NewCount(1)}
	errs := []*TargetError{{Target: Target{AccountID: "333333333333", Region: "eu-west-1", RoleARN: "arn:aws:iam::333333333333:role/Scan"}, Err: codedError{"AccessDenied"}}}
	resources := append([]Resource{top, regional, app, legacy4, legacy6, sub6, sub4, eip}, sn...)
	rep, err := NewReport(resources, errs, ScanInfo{Started: t0, Finished: t0.Add(1500 * time.Millisecond), Targets: 4, APICalls: 17}, Policy{Thresholds: Thresholds{Warning: 70, Critical: 90}})
	require.NoError(t, err)
	return rep
}

func TestWriteHTMLGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  Report
		opts HTMLOptions
	}{
		{"html_empty", Report{}, HTMLOptions{}},
		{"html_small", smallHTMLReport(t), HTMLOptions{Title: "Demo & test"}},
		{"html_small_capped", smallHTMLReport(t), HTMLOptions{MaxFindings: 1, MaxMaps: 2, MaxBlocks: 2, MaxRows: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, tt.rep.WriteHTML(&b, tt.opts))
			file := "testdata/" + tt.name + ".golden.html"
			if *update {
				require.NoError(t, os.WriteFile(file, b.Bytes(), 0o644))
			}
			want, err := os.ReadFile(file)
			require.NoError(t, err, "run go test -update to create it")
			assert.Equal(t, string(want), b.String(), "WriteHTML of %s", tt.name)
			assertOwnMarkup(t, b.String())
		})
	}
}

// TestWriteHTMLHostile puts markup, quotes, control characters and
// bidirectional overrides in every text that comes from AWS: IDs, names,
// tag keys and values, account, region, error messages. None may become
// markup, leave its attribute, or reach the page unescaped.
func TestWriteHTMLHostile(t *testing.T) {
	t.Parallel()
	const (
		script = `<script>alert(1)</script>`
		attr   = `"><img src=x onerror=alert(2)>`
		single = `' onmouseover='alert(3)`
		rtl    = "evil\u202etxt.exe\u2067"
		nl     = "line\nbreak\x1b[31m"
	)
	hostile := []string{script, attr, single, rtl, nl}
	var resources []Resource
	for i, h := range hostile {
		vpcID := "vpc-" + h
		v := htmlVPCResource("11111111111"+fmt.Sprint(i), "us-east-1"+h, vpcID, h, 250, fmt.Sprintf("10.%d.0.0/24", i))
		v.Tags = map[string]string{h: h, "Name": h}
		v.PoolID = "ipam-pool-" + h
		s := subnet(v.AccountID, v.Region, "subnet-"+h, fmt.Sprintf("10.%d.0.0/25", i), 120)
		s.VPCID, s.Name, s.Tags = vpcID, h, map[string]string{"Env": h}
		p := htmlPoolResource("ipam-pool-"+h, h, fmt.Sprintf("10.%d.0.0/16", i), 256)
		p.Tags = map[string]string{h: h}
		resources = append(resources, v, s, p)
	}
	errs := []*TargetError{{Target: Target{AccountID: script, Region: attr}, Err: codedError{rtl + script}}}
	rep, err := NewReport(resources, errs, ScanInfo{Started: t0, Finished: t0.Add(time.Second)}, Policy{Thresholds: Thresholds{Warning: 50}})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Findings)
	var b bytes.Buffer
	require.NoError(t, rep.WriteHTML(&b, HTMLOptions{Title: script + attr}))
	page := b.String()

	assert.Equal(t, 1, strings.Count(page, "<script"), "only the page's own script")
	assert.NotContains(t, page, "<img", "an attribute value must not close its tag")
	assert.NotContains(t, page, "alert(1)</script>")
	assertOwnMarkup(t, page)
	for _, r := range []rune{'\u202e', '\u2067', 0x1b} {
		assert.NotContains(t, page, string(r), "control or bidi character %U", r)
	}
	assert.Contains(t, page, `evil\u202etxt.exe\u2067`, "bidi overrides shown as escapes")
	assert.Contains(t, page, `line\nbreak\x1b[31m`, "control characters shown as escapes")
	assert.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;", "markup shown as text")
	assert.Contains(t, page, "<bdi>&#39; onmouseover=&#39;alert(3)</bdi>", "names isolated in <bdi>")
	assert.Contains(t, page, `title="&#34;&gt;&lt;img src=x onerror=alert(2)&gt;=`, "tags escaped in attributes")
}

// Every tag of the page, and the attributes it may carry: anything else
// came from the data.
var (
	htmlTag     = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	htmlAttr    = regexp.MustCompile(`^\s+([a-z-]+)(="[^"<>]*")?`)
	ownTags     = strings.Fields("html head meta title style body header h1 h2 p b nav a div input button main section table thead tbody tr th td span i small figure figcaption details summary bdi footer script")
	ownAttrs    = strings.Fields("lang charset http-equiv content name placeholder aria-label type id class style title href data-v data-kind data-open role open")
	scriptOrCSS = regexp.MustCompile(`(?s)<(script|style)>.*?</(script|style)>`)
)

// assertOwnMarkup checks that every tag and attribute of page is one the
// template writes.
func assertOwnMarkup(t *testing.T, page string) {
	t.Helper()
	page = scriptOrCSS.ReplaceAllString(page, "")
	for _, m := range htmlTag.FindAllStringSubmatch(page, -1) {
		assert.Contains(t, ownTags, strings.ToLower(m[2]), "tag in %q", m[0])
		rest := strings.TrimSuffix(m[3], "/")
		for strings.TrimSpace(rest) != "" {
			a := htmlAttr.FindStringSubmatch(rest)
			if !assert.NotNil(t, a, "attributes %q of %q", rest, m[0]) {
				break
			}
			assert.Contains(t, ownAttrs, a[1], "attribute of %q", m[0])
			rest = rest[len(a[0]):]
		}
	}
}

// TestWriteHTMLBounded checks that the limits bound the page and that
// it says what it leaves out.
func TestWriteHTMLBounded(t *testing.T) {
	t.Parallel()
	rep := syntheticHTMLReport(t, 4, 30, 40) // 2 regions × 4 accounts × 30 VPCs × 40 subnets
	var b bytes.Buffer
	opts := HTMLOptions{MaxFindings: 10, MaxMaps: 5, MaxBlocks: 8, MaxRows: 100}
	require.NoError(t, rep.WriteHTML(&b, opts))
	page := b.String()
	assert.Equal(t, 10, strings.Count(page, `<tr class="sev-critical"><td data-v="3">`)+strings.Count(page, `<tr class="sev-warning"><td data-v="2">`)-countTreeFindings(page), "findings rows")
	assert.Equal(t, 5, strings.Count(page, `<figure class="map"`), "maps")
	assert.LessOrEqual(t, maxBlocksPerStrip(page), 8, "blocks per strip")
	assert.Contains(t, page, fmt.Sprintf("%d more findings not listed", len(rep.Findings)-10))
	assert.Contains(t, page, fmt.Sprintf("5 of %d pools and VPCs are drawn", 2*4*30))
	assert.Contains(t, page, "resources counted above but not listed")
	assert.Less(t, b.Len(), 200<<10, "page size")
}

// countTreeFindings counts the finding rows of the trees, which share
// the findings table's row markup but follow the findings section.
func countTreeFindings(page string) int {
	_, tree, _ := strings.Cut(page, `<section id="maps">`)
	return strings.Count(tree, `<tr class="sev-critical"><td data-v="3">`) + strings.Count(tree, `<tr class="sev-warning"><td data-v="2">`)
}

func maxBlocksPerStrip(page string) int {
	most := 0
	for _, strip := range regexp.MustCompile(`<div class="strip"[^>]*>(.*?)</div>`).FindAllStringSubmatch(page, -1) {
		most = max(most, strings.Count(strip[1], `<span class="b `))
	}
	return most
}

// syntheticHTMLReport returns a report of accounts×2 regions, each with
// vpcs VPCs (at most 256) of subnets /26 subnets (at most 256) each; one
// subnet in 20 is nearly full.
func syntheticHTMLReport(t testing.TB, accounts, vpcs, subnets int) Report {
	t.Helper()
	var resources []Resource
	n := 0
	for a := range accounts {
		account := fmt.Sprintf("%012d", 100000000000+a)
		for ri, region := range []string{"us-east-1", "us-west-2"} {
			for v := range vpcs {
				vpcID := fmt.Sprintf("vpc-%04d%02d%04d", a, ri, v)
				vpcCIDR := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(v), 0, 0}), 18) // room for 256 /26s
				var used uint64
				for s := range subnets {
					n++
					u := uint64(n % 50)
					if n%20 == 0 {
						u = 58
					}
					used += u + 5
					first := vpcCIDR.Addr().As4()
					off := s * 64
					first[2] += byte(off / 256)
					first[3] = byte(off % 256)
					sn := subnet(account, region, fmt.Sprintf("subnet-%08d", n), netip.PrefixFrom(netip.AddrFrom4(first), 26).String(), u)
					sn.VPCID, sn.Name = vpcID, fmt.Sprintf("app-%d", s)
					resources = append(resources, sn)
				}
				vr := htmlVPCResource(account, region, vpcID, "vpc", used, vpcCIDR.String())
				resources = append(resources, vr)
			}
		}
	}
	rep, err := NewReport(resources, nil, ScanInfo{Started: t0, Finished: t0.Add(time.Minute), Targets: accounts * 2}, Policy{Thresholds: Thresholds{Warning: 80, Critical: 90}})
	require.NoError(t, err)
	return rep
}

func TestHTMLStrip(t *testing.T) {
	t.Parallel()
	res := func(cidr string) mapItem {
		p := ipam.MustParseCIDR(cidr)
		return mapItem{p, &Resource{ID: "r-" + cidr, CIDR: p, Known: true, Total: ipam.Size(p), Used: ipam.Size(p)}}
	}
	type block struct{ width, class, title string }
	tests := []struct {
		name      string
		cidr      string
		items     []mapItem
		maxBlocks int
		want      []block
	}{
		{
			name: "gaps between subnets, merged into ranges",
			cidr: "10.0.0.0/24", items: []mapItem{res("10.0.0.64/26"), res("10.0.0.0/27")}, maxBlocks: 64,
			want: []block{
				{"12.50", "u10", "r-10.0.0.0/27 10.0.0.0/27: 32 of 32 used (100.0%)"},
				{"12.50", "free", "free, no subnet: 10.0.0.32/27 (32 addresses)"},
				{"25.00", "u10", "r-10.0.0.64/26 10.0.0.64/26: 64 of 64 used (100.0%)"},
				{"50.00", "free", "free, no subnet: 10.0.0.128/25 (128 addresses)"},
			},
		},
		{
			name: "a /28 in a /16 is drawn 0.3% wide",
			cidr: "10.0.0.0/16", items: []mapItem{res("10.0.0.0/28")}, maxBlocks: 64,
			want: []block{
				{"0.30", "u10", "r-10.0.0.0/28 10.0.0.0/28: 16 of 16 used (100.0%)"},
				{"99.70", "free", "free, no subnet: 10.0.0.16/28 10.0.0.32/27 10.0.0.64/26 10.0.0.128/25 10.0.1.0/24 10.0.2.0/23 10.0.4.0/22 10.0.8.0/21 10.0.16.0/20 10.0.32.0/19 10.0.64.0/18 10.0.128.0/17 (65520 addresses)"},
			},
		},
		{
			name: "IPv6 on a log scale: a /56 shows inside a /32",
			cidr: "2001:db8::/32", items: []mapItem{res("2001:db8:0:100::/56")}, maxBlocks: 64,
			want: []block{
				{"30.04", "free", "free, no subnet: 2001:db8::/56 (4722366482869645213696 addresses)"},
				{"30.04", "u10", "r-2001:db8:0:100::/56 2001:db8:0:100::/56: 4722366482869645213696 of 4722366482869645213696 used (100.0%)"},
				{"39.92", "free", "free, no subnet: 2001:db8:0:200::/55 2001:db8:0:400::/54 2001:db8:0:800::/53 2001:db8:0:1000::/52 2001:db8:0:2000::/51 2001:db8:0:4000::/50 2001:db8:0:8000::/49 2001:db8:1::/48 2001:db8:2::/47 2001:db8:4::/46 2001:db8:8::/45 2001:db8:10::/44 2001:db8:20::/43 2001:db8:40::/42 2001:db8:80::/41 2001:db8:100::/40 2001:db8:200::/39 2001:db8:400::/38 2001:db8:800::/37 2001:db8:1000::/36 2001:db8:2000::/35 2001:db8:4000::/34 2001:db8:8000::/33 (79228153069531371854253522944 addresses)"},
			},
		},
		{
			name: "overlapping and outside items are left out",
			cidr: "10.0.0.0/25", items: []mapItem{res("10.0.0.0/25"), res("10.0.0.0/26"), res("10.0.1.0/26"), res("2001:db8::/64")}, maxBlocks: 64,
			want: []block{{"100.00", "u10", "r-10.0.0.0/25 10.0.0.0/25: 128 of 128 used (100.0%)"}},
		},
		{
			name: "past maxBlocks, neighbours are grouped",
			cidr: "10.0.0.0/24", items: []mapItem{res("10.0.0.0/26"), res("10.0.0.128/26")}, maxBlocks: 2,
			want: []block{
				{"50.00", "group u10", "1 subnets and 1 free ranges from 10.0.0.0 to 10.0.0.127, drawn as one block; 64 of 64 addresses used (100.0%); 64 addresses free"},
				{"50.00", "group u10", "1 subnets and 1 free ranges from 10.0.0.128 to 10.0.0.255, drawn as one block; 64 of 64 addresses used (100.0%); 64 addresses free"},
			},
		},
		{
			name: "nothing inside: one free block",
			cidr: "10.0.0.0/24", maxBlocks: 64,
			want: []block{{"100.00", "free", "free, no subnet: 10.0.0.0/24 (256 addresses)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newHTMLStrip(ipam.MustParseCIDR(tt.cidr), tt.items, false, tt.maxBlocks)
			var got []block
			for _, b := range st.Blocks {
				got = append(got, block{b.Width, b.Class, b.Title})
			}
			assert.Equal(t, tt.want, got, "newHTMLStrip(%s, %d items)", tt.cidr, len(tt.items))
		})
	}
}

// TestWriteHTMLForecast checks that a finding's forecast shows in the
// findings table, date first as the alert says it, and that a finding
// without one shows nothing there.
func TestWriteHTMLForecast(t *testing.T) {
	t.Parallel()
	rep := smallHTMLReport(t)
	require.NotEmpty(t, rep.Findings)
	at := t0
	rep.Findings[0].Forecast = &Forecast{Status: ForecastExhausts, At: at, Exhaustion: at.Add(9 * 24 * time.Hour), Earliest: at.Add(7 * 24 * time.Hour)}
	var b strings.Builder
	require.NoError(t, rep.WriteHTML(&b, HTMLOptions{}))
	want := forecastPhrase(rep.Findings[0].Forecast)
	require.NotEmpty(t, want)
	assert.Equal(t, 1, strings.Count(b.String(), want), "the forecast of the one finding that has one: %q", want)
}
