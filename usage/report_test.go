package usage

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// codedError stands in for smithy.APIError.
type codedError struct{ code string }

func (e codedError) Error() string     { return "api error " + e.code + ": no" }
func (e codedError) ErrorCode() string { return e.code }

var t0 = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// randomScan returns the resources and errors of a scan over targets, as
// one target's worth each.
func randomScan(r *rand.Rand, targets []Target) ([]Resource, []*TargetError) {
	var res []Resource
	var errs []*TargetError
	for _, tg := range targets {
		if r.IntN(5) == 0 {
			errs = append(errs, &TargetError{Target: tg, Err: codedError{"AccessDenied"}})
			continue
		}
		for i := range r.IntN(6) {
			used := uint64(r.IntN(252))
			s := subnet(tg.AccountID, tg.Region, fmt.Sprintf("subnet-%d", i), fmt.Sprintf("10.%d.%d.0/24", r.IntN(256), i), used)
			if r.IntN(8) == 0 {
				s.Known, s.Used, s.Available = false, ipam.Count{}, ipam.Count{}
			}
			res = append(res, s)
		}
	}
	return res, errs
}

func TestMergeEqualsOneScan(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 7))
	policy := Policy{Thresholds: Thresholds{Warning: 50, Critical: 80}}
	for range 200 {
		var targets []Target
		for a := range 1 + r.IntN(6) {
			for _, region := range []string{"eu-west-1", "us-east-1"} {
				targets = append(targets, Target{AccountID: fmt.Sprintf("%012d", a), Region: region})
			}
		}
		r.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
		resources, errs := randomScan(r, targets)
		whole, err := NewReport(resources, errs, ScanInfo{Started: t0, Finished: t0.Add(time.Minute), Targets: len(targets), APICalls: 3 * len(targets)}, policy)
		require.NoError(t, err)

		// The same targets in random batches, each batch a separate scan.
		var parts []Report
		for len(targets) > 0 {
			n := 1 + r.IntN(len(targets))
			batch := targets[:n]
			targets = targets[n:]
			var res []Resource
			var errs2 []*TargetError
			for _, x := range resources {
				if slices.Contains(batch, Target{AccountID: x.AccountID, Region: x.Region}) {
					res = append(res, x)
				}
			}
			for _, e := range errs {
				if slices.Contains(batch, e.Target) {
					errs2 = append(errs2, e)
				}
			}
			start := t0.Add(time.Duration(len(parts)) * time.Second)
			part, err := NewReport(res, errs2, ScanInfo{Started: start, Finished: start.Add(time.Second), Targets: len(batch), APICalls: 3 * len(batch)}, policy)
			require.NoError(t, err)
			parts = append(parts, part)
		}
		r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
		merged := Merge(parts...)
		assert.Equal(t, whole.Resources, merged.Resources)
		assert.Equal(t, whole.Findings, merged.Findings)
		assert.Equal(t, whole.Errors, merged.Errors)
		assert.Equal(t, whole.Scan.Targets, merged.Scan.Targets)
		assert.Equal(t, whole.Scan.APICalls, merged.Scan.APICalls)
		assert.Equal(t, t0, merged.Scan.Started)
		if t.Failed() {
			return
		}
	}
}

func TestMergeKeepsTheLastDuplicate(t *testing.T) {
	t.Parallel()
	old := subnet("111111111111", "us-east-1", "subnet-1", "10.0.0.0/24", 240)
	updated := subnet("111111111111", "us-east-1", "subnet-1", "10.0.0.0/24", 10)
	a, err := NewReport([]Resource{old}, nil, ScanInfo{Started: t0, Finished: t0.Add(time.Hour)}, Policy{})
	require.NoError(t, err)
	b, err := NewReport([]Resource{updated}, nil, ScanInfo{Started: t0.Add(time.Minute), Finished: t0.Add(2 * time.Minute)}, Policy{})
	require.NoError(t, err)
	require.Len(t, a.Findings, 1)

	m := Merge(a, b)
	assert.Equal(t, []Resource{updated}, m.Resources)
	assert.Equal(t, []Finding{{Resource: old, Severity: notify.Critical, Threshold: 80}}, m.Findings,
		"findings merge as reported: only a re-evaluation would drop the old one")
	assert.Equal(t, time.Hour, m.Scan.Duration())
	assert.Len(t, a.Resources, 1, "arguments untouched")
	assert.Equal(t, Report{}, Merge(), "nothing to merge")
}

func TestReportJSONRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 3))
	targets := []Target{{AccountID: "000000000001", Region: "eu-west-1", RoleARN: "arn:aws:iam::000000000001:role/Scan", ExternalID: "s3cret"}}
	for a := range 6 {
		targets = append(targets, Target{AccountID: fmt.Sprintf("%012d", a+2), Region: "us-east-1"})
	}
	resources, errs := randomScan(r, targets)
	errs = append(errs, &TargetError{Target: targets[0], Err: errors.New("plain failure")})
	rep, err := NewReport(resources, errs, ScanInfo{Started: t0, Finished: t0.Add(1500 * time.Millisecond), Targets: 7, APICalls: 20}, Policy{})
	require.NoError(t, err)
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "s3cret", "the external ID is never written")
	assert.Contains(t, string(b), `"durationMs":1500`)

	var back Report
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, rep.Resources, back.Resources)
	assert.Equal(t, rep.Findings, back.Findings)
	assert.Equal(t, rep.Scan, back.Scan)
	require.Len(t, back.Errors, len(rep.Errors))
	for i, e := range back.Errors {
		assert.Equal(t, rep.Errors[i].Error(), e.Error())
		assert.Equal(t, rep.Errors[i].Code(), e.Code())
		want := rep.Errors[i].Target
		want.ExternalID = ""
		assert.Equal(t, want, e.Target)
	}
	b2, err := json.Marshal(back)
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2), "stable through a second round trip")
}

func TestTargetError(t *testing.T) {
	t.Parallel()
	cause := codedError{"RequestLimitExceeded"}
	e := &TargetError{Target: Target{AccountID: "012345678901", Region: "ap-south-2"}, Err: fmt.Errorf("describe subnets: %w", cause)}
	assert.Equal(t, "account 012345678901 region ap-south-2: describe subnets: api error RequestLimitExceeded: no", e.Error())
	assert.Equal(t, "RequestLimitExceeded", e.Code())
	assert.ErrorIs(t, e, cause)
	assert.Equal(t, "", (&TargetError{Err: errors.New("x")}).Code())
	assert.Equal(t, "012345678901/ap-south-2", e.Target.String())
}

func TestReportWorst(t *testing.T) {
	t.Parallel()
	rep, err := NewReport([]Resource{pct("a", TypeSubnet, 700, nil), pct("b", TypeSubnet, 900, nil)}, nil, ScanInfo{}, Policy{Thresholds: Thresholds{Warning: 60}})
	require.NoError(t, err)
	assert.Equal(t, notify.Critical, rep.Worst())
	assert.Equal(t, notify.Info, Report{}.Worst())
	_, err = NewReport(nil, nil, ScanInfo{}, Policy{Thresholds: Thresholds{Warning: 200}})
	require.ErrorIs(t, err, ErrBadPolicy)
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// TestReportJSONGolden pins the JSON contract with downstream workflows:
// every member of a report, a resource (known, unknown, IPv6, several
// CIDRs, a pool), a finding and a failed target. A change to this file is a
// change of the contract: it may only add members, unless FormatVersion
// changes too.
func TestReportJSONGolden(t *testing.T) {
	t.Parallel()
	known := subnet("012345678901", "eu-west-1", "subnet-1", "10.0.0.0/24", 240)
	known.Name, known.LargestFree, known.Tags = "app", ipam.MustParseCIDR("10.0.0.248/29"), map[string]string{"Name": "app", "Env": "Prod"}
	v6 := ipam.MustParseCIDR("2001:db8::/64")
	unknown := Resource{
		ID: "subnet-6", Type: TypeSubnet, Source: SourceIPAM, AccountID: "012345678901", Region: "eu-west-1", VPCID: "vpc-1",
		CIDR: v6, Total: ipam.Size(v6), ComplianceStatus: "compliant", OverlapStatus: "nonoverlapping", ManagementState: "managed",
	}
	poolCIDRs := []netip.Prefix{ipam.MustParseCIDR("10.0.0.0/16"), ipam.MustParseCIDR("10.1.0.0/16")}
	pool := Resource{
		ID: "ipam-pool-0a", Type: TypeIPAMPool, Source: SourcePools, AccountID: "000000000002", Region: "us-east-1", PoolID: "ipam-pool-0a",
		CIDR: poolCIDRs[0], CIDRs: poolCIDRs, Known: true, Total: ipam.NewCount(131072), Used: ipam.NewCount(65536), Available: ipam.NewCount(65536),
		LargestFree: poolCIDRs[1],
	}
	errs := []*TargetError{
		{Target: Target{AccountID: "000000000003", Region: "us-east-1", RoleARN: "arn:aws:iam::000000000003:role/Scan", ExternalID: "s3cret"}, Err: codedError{"AccessDenied"}},
	}
	rep, err := NewReport([]Resource{known, unknown, pool}, errs, ScanInfo{Started: t0, Finished: t0.Add(2 * time.Second), Targets: 3, APICalls: 9}, Policy{Thresholds: Thresholds{Warning: 50}})
	require.NoError(t, err)
	got, err := json.MarshalIndent(rep, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	const file = "testdata/report.golden.json"
	if *update {
		require.NoError(t, os.WriteFile(file, got, 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), string(got), "the report's JSON contract")
}

func TestReportJSONVersion(t *testing.T) {
	t.Parallel()
	var r Report
	require.NoError(t, json.Unmarshal([]byte(`{"formatVersion":1,"resources":[],"scan":{"targets":2}}`), &r))
	assert.Equal(t, 2, r.Scan.Targets)
	require.NoError(t, json.Unmarshal([]byte(`{"resources":[]}`), &r), "a report from before formatVersion")
	err := json.Unmarshal([]byte(`{"formatVersion":2}`), &r)
	assert.ErrorContains(t, err, "report formatVersion 2 is newer than this release reads (1)")
}

// TestReportJSONEmptyLists checks that the lists of a report are [] when
// empty, never null: a pipeline such as jq '.findings[]' must work when
// all is well.
func TestReportJSONEmptyLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  Report
	}{
		{"zero", Report{}},
		{"empty slices", Report{Resources: []Resource{}, Findings: []Finding{}, Errors: []*TargetError{}}},
		{"merged nothing", Merge()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.rep)
			require.NoError(t, err)
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &raw))
			for _, k := range []string{"resources", "findings", "errors"} {
				assert.Equal(t, "[]", string(raw[k]), "member %s of %s", k, b)
			}
			assert.Equal(t, "1", string(raw["formatVersion"]))
		})
	}
}
