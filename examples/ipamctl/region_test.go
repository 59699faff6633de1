package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsageRegionNotEnabled scans a region of the right shape that the
// account has not enabled, beside one it has, as AWS answers for it: EC2
// AuthFailure in the caller's account, STS RegionDisabledException where a
// role is assumed. The other region's report is written; each target of
// the bad region is one line that says the region is unknown or not
// enabled.
func TestUsageRegionNotEnabled(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, key, args string
		lines           int
	}{
		{"caller's account", awsfake.DefaultAccessKeyID, "usage --source ec2 --regions us-east-1,us-east-9 -o json", 1},
		{"organization", awsfake.DefaultAccessKeyID, "usage --org --source ec2 --regions us-east-1,us-east-9 -o json", 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stdout, stderr, srv := fakeEnv(t, tt.key, "us-east-1")
			srv.InjectFault(awsfake.Fault{Region: "us-east-9", Kind: awsfake.FaultRegionDisabled})
			require.Equal(t, 1, e.run(t.Context(), strings.Fields(tt.args)))
			var rep usage.Report
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep))
			assert.Equal(t, 2*tt.lines, rep.Scan.Targets, "both regions of each account")
			assert.Len(t, rep.Errors, tt.lines, "us-east-1 is measured")
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			assert.Len(t, lines, tt.lines, stderr.String())
			for _, l := range lines {
				assert.Contains(t, l, " region us-east-9: the region is unknown or not enabled for the account: enable it in the account's settings (AWS Regions) or leave it out of the regions scanned: ")
				assert.True(t, strings.HasSuffix(l, " (--regions)"), l)
			}
		})
	}
}
