package share

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s (run go test -update to rewrite it)", path)
}

func TestPlanRender(t *testing.T) {
	t.Parallel()
	p := Plan{Mode: ModeOU, Prune: true, Accounts: 4, Shares: 1, Changes: []Change{
		{Kind: KindCreateShare, Share: "ipamShare-ou-ab12-prod0001", Principal: "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-prod0001",
			Reason: "OU ou-ab12-prod0001 (Root/Workloads/Prod OU) and the OUs under it: no share yet, 2 pools to share"},
		{Kind: KindAssociatePool, Share: "ipamShare-ou-ab12-prod0001", PoolID: "ipam-pool-0a1", PoolARN: "arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0a1",
			Reason: "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) matches: OU name 'Prod OU'"},
		{Kind: KindAssociatePool, Share: "ipamShare-ou-ab12-prod0001", PoolID: "ipam-pool-0b2", PoolARN: "arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0b2",
			Reason: "pool ipam-pool-0b2 (us-west-2, Env=Prod OU) matches: OU name 'Prod OU'"},
		{Kind: KindAssociatePrincipal, Share: "ipamShare-ou-ab12-sdlc0001", ShareARN: "arn:aws:ram:us-east-1:222222222222:resource-share/0002",
			Principal: "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-ab12-sdlc0001", Reason: "the share does not name OU ou-ab12-sdlc0001 (Root/Workloads/SDLC OU) and the OUs under it"},
		{Kind: KindDisassociatePool, Share: "ipamShare-ou-ab12-sdlc0001", ShareARN: "arn:aws:ram:us-east-1:222222222222:resource-share/0002",
			PoolID: "ipam-pool-0a1", PoolARN: "arn:aws:ec2::222222222222:ipam-pool/ipam-pool-0a1",
			Reason: "pool ipam-pool-0a1 (us-east-1, Env=Prod OU) does not match: Env=Prod OU is not the OU name 'SDLC OU'"},
	}, Notes: []Note{{AccountID: "666666666666", Msg: "account 666666666666 is SUSPENDED but stays in OU ou-ab12-prod0001, whose share RAM keeps serving it"}}}
	var text, js bytes.Buffer
	require.NoError(t, p.WriteText(&text))
	require.NoError(t, p.WriteJSON(&js))
	golden(t, "plan.golden", text.Bytes())
	golden(t, "plan.json.golden", js.Bytes())

	var empty bytes.Buffer
	require.NoError(t, Plan{Accounts: 5}.WriteText(&empty))
	assert.Equal(t, "No changes. The shares of 5 accounts (mode account) match the rules.\n", empty.String())
	empty.Reset()
	require.NoError(t, Plan{}.WriteJSON(&empty))
	assert.Equal(t, `{
  "summary": {
    "create": 0,
    "associate": 0,
    "disassociate": 0,
    "kept": 0
  },
  "mode": "",
  "prune": false,
  "changes": [],
  "accounts": 0,
  "shares": 0
}
`, empty.String())
	assert.True(t, Plan{}.IsEmpty())
	assert.False(t, p.IsEmpty())
}

func TestResultRender(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:ram:us-east-1:222222222222:resource-share/0001"
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{"nothing", Result{}, "Nothing changed.\n"},
		{"ignored", Result{Ignored: Ignored{Event: EventCreateManagedAccount, State: StateFailed, Reason: "account 012345678901: CreateManagedAccount is FAILED"}},
			"Ignored: account 012345678901: CreateManagedAccount is FAILED\n"},
		{"applied", Result{Applied: []Change{
			{Kind: KindCreateShare, Share: "ipamShare-012345678901", ShareARN: arn, Principal: "012345678901"},
			{Kind: KindAssociatePool, Share: "ipamShare-012345678901", ShareARN: arn, PoolID: "ipam-pool-0a1"},
			{Kind: KindDisassociatePool, Share: "ipamShare-012345678901", ShareARN: arn, PoolID: "ipam-pool-0b2"},
		}}, "share ipamShare-012345678901 (" + arn + ")\n  + created, principal 012345678901\n  + pool ipam-pool-0a1\n  - pool ipam-pool-0b2\nApplied: 1 share created, 1 association added, 1 removed.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			require.NoError(t, tt.res.WriteText(&b))
			assert.Equal(t, tt.want, b.String())
		})
	}
	var b bytes.Buffer
	require.NoError(t, Result{}.WriteJSON(&b))
	assert.Contains(t, b.String(), `"applied": []`)
	assert.NotContains(t, b.String(), `"ignored"`)
}
