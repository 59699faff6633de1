package notify

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ipamkit/ipamkit/ipam"
)

func TestBar(t *testing.T) {
	t.Parallel()
	tests := []struct {
		percent float64
		want    string
	}{
		{0, "[....................]"},
		{0.01, "[#...................]"},
		{50, "[##########..........]"},
		{81.25, "[################....]"},
		{99.9, "[###################.]"},
		{100, "[####################]"},
		{140, "[####################]"},
		{-3, "[....................]"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, bar(tt.percent), "bar(%v)", tt.percent)
	}
}

// textTests are the alerts of the golden files testdata/text-NAME.golden,
// which both DefaultText and DefaultTextTemplate must render.
var textTests = []struct {
	name  string
	alert func() Alert
}{
	{"full", testAlert},
	{"minimal", func() Alert { return Alert{Title: "All clear"} }},
	{"v6", func() Alert {
		return Alert{Severity: Warning, Title: "IPv6 pool", Time: testTime, Resources: []Resource{
			{ID: "ipam-pool-0v6", CIDR: netip.MustParsePrefix("2001:db8::/32"), Total: ipam.Size(netip.MustParsePrefix("2001:db8::/32")),
				Available: ipam.NewCount(1), Percent: 99.99, Note: "largest free block /128"},
		}}
	}},
}

func TestDefaultText(t *testing.T) {
	t.Parallel()
	for _, tt := range textTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden(t, "text-"+tt.name+".golden", []byte(DefaultText(tt.alert())))
		})
	}
}

func TestDefaultSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		alert Alert
		want  string
	}{
		{Alert{}, "[INFO] "},
		{Alert{Severity: Critical, Title: "3 resources above 80% utilization"}, "[CRITICAL] 3 resources above 80% utilization"},
		{Alert{Severity: Severity(7), Title: "odd"}, "[SEVERITY(7)] odd"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DefaultSubject(tt.alert), "DefaultSubject(%+v)", tt.alert)
	}
}

func TestPadLeft(t *testing.T) {
	t.Parallel()
	assert.Equal(t, " 81.2%", padLeft("81.2%", 6))
	assert.Equal(t, "100.0%", padLeft("100.0%", 6))
	assert.Equal(t, "1234.5%", padLeft("1234.5%", 6), "longer than the width: unchanged")
	assert.Equal(t, "    é%", padLeft("é%", 6), "characters, not bytes, as %%6s counts")
}
