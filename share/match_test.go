package share

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var (
	prodAcct = Account{ID: "012345678901", ParentID: "ou-ab12-prod0001", ParentName: "Prod OU", Path: "Root/Workloads/Prod OU"}
	payAcct  = Account{ID: "000000000007", ParentID: "ou-ab12-paym0001", ParentName: "Payments", Path: "Root/Workloads/Prod/Payments"}
)

func TestMatch(t *testing.T) {
	t.Parallel()
	east := Pool{ID: "ipam-pool-0a1", ARN: "arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0a1", Locale: "us-east-1", AllocationTags: map[string]string{"Env": "Prod OU"}}
	west := Pool{ID: "ipam-pool-0b2", Locale: "us-west-2", AllocationTags: map[string]string{"Env": "Prod OU", "Team": "ou-ab12-prod0001"}}
	byPath := Pool{ID: "ipam-pool-0c3", Locale: "us-east-1", AllocationTags: map[string]string{"Env": "Prod"}}
	none := Pool{ID: "ipam-pool-0d4"}
	tests := []struct {
		name  string
		rules []Rule
		pool  Pool
		acct  Account
		want  string
		match bool
	}{
		{"sample rule, OU name", nil, east, prodAcct, "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'", true},
		{"sample rule, other OU", nil, east, payAcct, "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) does not match: Env=Prod OU is not the OU name 'Payments'", false},
		{"no tag, no locale", nil, none, prodAcct, "pool ipam-pool-0d4 (no locale) does not match: no allocation tag Env", false},
		{"locale filter", []Rule{{Locales: []string{"us-west-2"}}}, east, prodAcct, "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) does not match: locale us-east-1 is not one of us-west-2", false},
		{"locale filter passes", []Rule{{Locales: []string{"eu-west-1", "us-west-2"}}}, west, prodAcct, "pool ipam-pool-0b2 (us-west-2, Env=Prod OU) matches: OU name 'Prod OU'", true},
		{"OU id on another key", []Rule{{TagKey: "Team", By: ByOUID}}, west, prodAcct, "pool ipam-pool-0b2 (us-west-2, Team=ou-ab12-prod0001) matches: OU id ou-ab12-prod0001", true},
		{"OU id differs", []Rule{{TagKey: "Team", By: ByOUID}}, west, payAcct, "pool ipam-pool-0b2 (us-west-2, Team=ou-ab12-prod0001) does not match: Team=ou-ab12-prod0001 is not the OU id ou-ab12-paym0001", false},
		{"path: an ancestor", []Rule{{By: ByOUPath}}, byPath, payAcct, "pool ipam-pool-0c3 (us-east-1, Env=Prod) matches: OU path 'Root/Workloads/Prod/Payments' matches 'Prod'", true},
		{"path: not a whole name", []Rule{{By: ByOUPath}}, byPath, prodAcct, "pool ipam-pool-0c3 (us-east-1, Env=Prod) does not match: OU path 'Root/Workloads/Prod OU' does not match 'Prod'", false},
		{
			"several rules: the second matches", []Rule{{By: ByOUID}, {TagKey: "Team", By: ByOUID}}, west, prodAcct,
			"pool ipam-pool-0b2 (us-west-2, Team=ou-ab12-prod0001) matches: OU id ou-ab12-prod0001", true,
		},
		{
			"several rules: every reason", []Rule{{By: ByOUID}, {TagKey: "Team"}}, west, payAcct,
			"pool ipam-pool-0b2 (us-west-2, Env=Prod OU) does not match: Env=Prod OU is not the OU id ou-ab12-paym0001; Team=ou-ab12-prod0001 is not the OU name 'Payments'", false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Match(tt.rules, []Pool{tt.pool}, tt.acct)
			want := Decision{PoolID: tt.pool.ID, PoolARN: tt.pool.ARN, AccountID: tt.acct.ID, Matched: tt.match, Reason: tt.want}
			assert.Equal(t, []Decision{want}, got, "Match(%v, %v, %v)", tt.rules, tt.pool, tt.acct)
			assert.Equal(t, tt.want, got[0].String())
		})
	}
}

var pathCases = []struct {
	pattern, path string
	want          bool
}{
	{"Prod", "Root/Workloads/Prod/Payments", true},
	{"Prod", "Root/Workloads/Prod", true},
	{"Prod", "Root/Workloads/Prod OU", false},
	{"Prod*", "Root/Workloads/Prod OU", true},
	{"Workloads/Prod", "Root/Workloads/Prod/Payments", true},
	{"Workloads/Payments", "Root/Workloads/Prod/Payments", false},
	{"Workloads/**/Payments", "Root/Workloads/Prod/Payments", true},
	{"Workloads/**/Payments", "Root/Workloads/Payments", true},
	{"/Root/Workloads/*", "Root/Workloads/Prod/Payments", true},
	{"/Root/Workloads/*", "Root/Workloads", false},
	{"/Workloads", "Root/Workloads/Prod", false},
	{"/Root", "Root", true},
	{"/**", "Root", true},
	{"**", "Root/A", true},
	{"Root/A/B/C", "Root/A/B", false},
	{"Payments/", "Root/Workloads/Prod/Payments", true},
	{"", "Root/Workloads", false},
	{"/", "Root", false},
	{"A//B", "Root/A/B", false},
	{"[", "Root/[", false},
	{"\\*", "Root/*", true},
	{"\\*", "Root/A", false},
	{"Prod", "", false},
}

func TestMatchPath(t *testing.T) {
	t.Parallel()
	for _, tt := range pathCases {
		assert.Equal(t, tt.want, MatchPath(tt.pattern, tt.path), "MatchPath(%q, %q)", tt.pattern, tt.path)
		assert.Equal(t, tt.want, slowMatchPath(tt.pattern, tt.path), "slowMatchPath(%q, %q)", tt.pattern, tt.path)
	}
}

// slowMatchPath is the reference: try every start and every prefix end,
// matching segment lists by plain recursion.
func slowMatchPath(pattern, ouPath string) bool {
	anchored := strings.HasPrefix(pattern, "/")
	pattern = strings.TrimSuffix(strings.TrimPrefix(pattern, "/"), "/")
	if pattern == "" || ouPath == "" {
		return false
	}
	pat, segs := strings.Split(pattern, "/"), strings.Split(ouPath, "/")
	for _, p := range pat {
		if _, err := path.Match(p, ""); p == "" || err != nil {
			return false
		}
	}
	var rec func(p, s []string) bool
	rec = func(p, s []string) bool {
		if len(p) == 0 {
			return len(s) == 0
		}
		if p[0] == "**" {
			for k := 0; k <= len(s); k++ {
				if rec(p[1:], s[k:]) {
					return true
				}
			}
			return false
		}
		if len(s) == 0 {
			return false
		}
		m, _ := path.Match(p[0], s[0])
		return m && rec(p[1:], s[1:])
	}
	for start := range len(segs) {
		if anchored && start > 0 {
			break
		}
		for end := start + 1; end <= len(segs); end++ {
			if rec(pat, segs[start:end]) {
				return true
			}
		}
	}
	return false
}

func FuzzMatchPath(f *testing.F) {
	for _, tt := range pathCases {
		f.Add(tt.pattern, tt.path)
	}
	f.Fuzz(func(t *testing.T, pattern, ouPath string) {
		if strings.Count(pattern, "/") > 12 || strings.Count(ouPath, "/") > 12 {
			t.Skip("the reference is exponential")
		}
		got := MatchPath(pattern, ouPath)
		if want := slowMatchPath(pattern, ouPath); got != want {
			t.Fatalf("MatchPath(%q, %q) = %v, reference says %v", pattern, ouPath, got, want)
		}
		// A path is matched by itself, anchored, when it has no
		// metacharacters and no empty name.
		if !strings.ContainsAny(ouPath, `*?[\`) && ouPath != "" && !strings.Contains(ouPath, "//") &&
			!strings.HasPrefix(ouPath, "/") && !strings.HasSuffix(ouPath, "/") && ouPath != "**" &&
			!strings.Contains("/"+ouPath+"/", "/**/") && !MatchPath("/"+ouPath, ouPath) {
			t.Fatalf("MatchPath(%q, %q) = false", "/"+ouPath, ouPath)
		}
	})
}
