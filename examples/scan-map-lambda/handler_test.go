package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/monitorenv"
	"github.com/ipamkit/ipamkit/usage"
)

// Accounts, keys and names of the test world.
const (
	mgmtAccount    = "111111111111" // the organization's management account: no member role
	networkAccount = "222222222222" // runs the functions, owns the IPAM and the topic
	memberRole     = "ipamkit-read"
	externalID     = "ext-id-5e1c"
	bucket         = "ipamkit-scan-map-test"

	listKey  = "AKIATESTLIST00000001"
	scanKey  = "AKIATESTSCAN00000001"
	mergeKey = "AKIATESTMERGE0000001"
	refKey   = "AKIATESTREF000000001" // the single-process scan that the map must equal
	prodKey  = "AKIATESTPROD00000001" // a member account's: it cannot list the organization
)

// memberAccounts are the organization's accounts that trust the network
// account's functions with memberRole.
var memberAccounts = []string{"333333333333", "444444444444", "555555555555"}

// regions are the regions scanned.
var regions = []string{"us-east-1", "us-west-2"}

// testWorld is a running fake AWS with an organization of five accounts
// in two regions, and the bucket of the state machine.
type testWorld struct {
	srv   *awsfake.Server
	s3    *memS3
	topic string
	hooks *receiver // Slack, Teams and the webhook (notify_test.go)
}

func newTestWorld(t *testing.T) *testWorld {
	t.Helper()
	b := awsfake.NewBuilder(mgmtAccount)
	b.Account(b.Root(), networkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(networkAccount)
	for _, k := range []string{listKey, scanKey, mergeKey, refKey} {
		b.AccessKey(k, networkAccount, "scan-map")
	}
	for i, a := range memberAccounts {
		b.Account(b.Root(), a, "member", "member"+a+"@example.com")
		b.Role(a, memberRole, externalID, networkAccount)
		for j, r := range regions {
			n := 10*(i+1) + j
			vpc := b.VPC(a, r, fmt.Sprintf("10.%d.0.0/16", n))
			b.Subnet(vpc, fmt.Sprintf("10.%d.0.0/24", n), 60*(i+1)+10*j)
			b.Subnet(vpc, fmt.Sprintf("10.%d.1.0/24", n), 240)
		}
	}
	b.AccessKey(prodKey, memberAccounts[0], "prod")
	ipam := b.IPAM(networkAccount, "us-east-1", regions...)
	pool := b.Pool(awsfake.PoolSpec{Scope: b.Scope(ipam, "private"), Locale: "us-east-1", Description: "appliances"})
	b.ProvisionCIDR(pool, "172.16.0.0/22")
	b.Allocate(pool, "172.16.0.0/23", "")
	b.Allocate(pool, "172.16.2.0/24", "")
	vpc := b.VPC(networkAccount, "us-east-1", "10.0.0.0/16")
	b.Subnet(vpc, "10.0.1.0/24", 250)
	w := &testWorld{s3: newMemS3(), topic: b.Topic(networkAccount, "us-east-1", "ipam-alerts"), hooks: newReceiver(t)}
	w.credentials(b) // notify_test.go
	world, err := b.Build()
	require.NoError(t, err)
	w.srv, err = awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(w.srv.Close)
	return w
}

// env is the environment every function of the deployment gets, without
// the step: every source, the whole organization, every notifier, with
// the credentials of Slack, Teams and the webhook named in both stores.
func (w *testWorld) env() map[string]string {
	return map[string]string{
		envBucket:                         bucket,
		monitorenv.EnvThreshold:           "80",
		monitorenv.EnvWarning:             "70",
		monitorenv.EnvSNSTopic:            w.topic,
		monitorenv.EnvCloudWatchEnabled:   "true",
		monitorenv.EnvCloudWatchNamespace: "CUSTOM/IPAM",
		monitorenv.EnvSources:             "all",
		monitorenv.EnvAccounts:            organizationKeyword,
		monitorenv.EnvRegions:             strings.Join(regions, ","),
		monitorenv.EnvRoleName:            memberRole,
		monitorenv.EnvExternalID:          externalID,
		monitorenv.EnvAllClear:            "true",

		"IPAMKIT_SLACK_URL_PARAM":     slackParam,
		"IPAMKIT_TEAMS_URL_SECRET_ID": teamsSecret,
		"IPAMKIT_WEBHOOK_URL_PARAM":   webhookParam,
		"IPAMKIT_WEBHOOK_SECRET_ID":   webhookKeySecret,
	}
}

// function is one deployed function of a test: its handler and output.
type function struct {
	h      *handler
	stdout *bytes.Buffer
	logs   *bytes.Buffer
}

// newFunction builds the handler of step as main does, from env, with the
// credentials of key and the bucket as principal.
func (w *testWorld) newFunction(t *testing.T, env map[string]string, step step, key string, optFns ...func(*handlerOptions)) (*function, error) {
	t.Helper()
	env = maps(env, map[string]string{envStep: string(step)})
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	f := &function{stdout: &bytes.Buffer{}, logs: &bytes.Buffer{}}
	f.h, err = newHandler(t.Context(), w.srv.ClientConfig(key, "us-east-1"), cfg, append([]func(*handlerOptions){func(o *handlerOptions) {
		o.S3, o.Stdout = w.s3.as(string(step)), f.stdout
		o.Logger = slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}}, optFns...)...)
	return f, err
}

// maps returns a copy of a with the entries of b.
func maps(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// deployment is the three functions and the state machine of a test.
type deployment struct {
	list, scan, merge *function
	runner            *runner
}

// Settings of the test's state machine.
const (
	testBatchSize      = 3
	testMaxConcurrency = 2
)

// deploy builds the functions from env and a runner of the template's
// definition over them.
func (w *testWorld) deploy(t *testing.T, env map[string]string, scanOpts ...func(*handlerOptions)) *deployment {
	t.Helper()
	var d deployment
	var err error
	d.list, err = w.newFunction(t, env, stepList, listKey)
	require.NoError(t, err)
	d.scan, err = w.newFunction(t, env, stepScan, scanKey, scanOpts...)
	require.NoError(t, err)
	d.merge, err = w.newFunction(t, env, stepMerge, mergeKey)
	require.NoError(t, err)
	d.runner = &runner{
		def: loadDefinition(t, scanMapTemplate, map[string]string{
			"AWS::Partition": "aws", "ListFunction.Arn": "list", "ScanFunction.Arn": "scan", "MergeFunction.Arn": "merge",
			"ScanBucket": bucket, "BatchSize": "3", "MaxConcurrency": "2",
		}),
		functions: map[string]lambdaFunc{"list": typed(d.list.h.List), "scan": typed(d.scan.h.Scan), "merge": typed(d.merge.h.Merge)},
		s3:        w.s3.as("states"),
	}
	return &d
}

// execute runs the state machine once and returns its output and the
// merged report (the merge step's, rebuilt from its event).
func (d *deployment) execute(t *testing.T, name string) (Response, usage.Report) {
	t.Helper()
	out, err := d.runner.run(t.Context(), name, map[string]string{"id": "scheduled-event"})
	require.NoError(t, err, "execution %s", name)
	var resp Response
	require.NoError(t, json.Unmarshal(out, &resp))
	events := d.runner.events["merge"]
	require.Len(t, events, 1, "the merge step runs once")
	var in mergeInput
	require.NoError(t, json.Unmarshal(events[0], &in))
	rep, _, err := d.merge.h.merge(t.Context(), in)
	require.NoError(t, err)
	return resp, rep
}

// reportJSON returns r as JSON without the scan's times and API calls,
// which differ from one scan to the next, and its errors as their JSON
// (a report read back from JSON holds their messages and codes).
func reportJSON(t *testing.T, r usage.Report) string {
	t.Helper()
	r.Scan = usage.ScanInfo{Targets: r.Scan.Targets}
	b, err := json.MarshalIndent(r, "", " ")
	require.NoError(t, err)
	return requestID.ReplaceAllString(string(b), "RequestID: ID")
}

// singleScan scans the world as monitor-lambda does, in one process, with
// the library call the map splits, evaluated as the merge step does.
func (w *testWorld) singleScan(t *testing.T, items func([]usage.ScanItem) []usage.ScanItem, failed []usage.ScanItem, failure error) usage.Report {
	t.Helper()
	f, err := w.newFunction(t, w.env(), stepList, refKey)
	require.NoError(t, err)
	s := f.h.scanner
	var rep usage.Report
	if items == nil {
		rep, err = s.Scan(t.Context())
		require.NoError(t, err)
	} else {
		all, err := s.Items(t.Context())
		require.NoError(t, err)
		rep, err = s.ScanItems(t.Context(), items(all))
		require.NoError(t, err)
		rep = usage.Merge(rep, usage.FailedReport(failed, failure))
	}
	rep, err = usage.NewReport(rep.Resources, rep.Errors, rep.Scan, f.h.cfg.Policy())
	require.NoError(t, err)
	return rep
}

const scanMapTemplate = "../deploy/scan-map.yaml"

// requestID is the request ID in an AWS error's message.
var requestID = regexp.MustCompile(`RequestID: [0-9a-f-]+`)

// TestStateMachineEqualsSingleScan runs the template's state machine over
// the handlers and checks that the merged report is the report of one
// scan of the same world in one process, whether the batches' reports
// come back inline or through S3, and that a failed child's batch is
// reported as failed targets, in the report and in the alert.
func TestStateMachineEqualsSingleScan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		inlineLimit int
		failBatch   int // -1: none
	}{
		{"inline reports", 0, -1},
		{"reports through S3", 1, -1},
		{"a failed child", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			d := w.deploy(t, w.env(), func(o *handlerOptions) { o.InlineLimit = tt.inlineLimit })
			d.runner.failChild = func(i int) bool { return i == tt.failBatch }
			resp, merged := d.execute(t, "run-1")

			// The map batched the targets as the definition says.
			items := 1 + (2+len(memberAccounts))*len(regions) // the IPAM, then every account and region
			require.Equal(t, (items+testBatchSize-1)/testBatchSize, len(d.runner.batches), "batches of %d items", testBatchSize)
			for _, b := range d.runner.batches {
				assert.LessOrEqual(t, len(b), testBatchSize)
			}
			assert.Equal(t, int32(testMaxConcurrency), d.runner.maxSeen.Load(), "children at once, at most MaxConcurrency")

			var want usage.Report
			if tt.failBatch < 0 {
				want = w.singleScan(t, nil, nil, nil)
			} else {
				var failed []usage.ScanItem
				for _, raw := range d.runner.batches[tt.failBatch] {
					var it usage.ScanItem
					require.NoError(t, json.Unmarshal(raw, &it))
					failed = append(failed, it)
				}
				failure := &batchError{errBatchFailed, "Runtime.ExitError: RequestId: 0: Error: Runtime exited with error: signal: killed"}
				cause := failure.Error()
				want = w.singleScan(t, func(all []usage.ScanItem) []usage.ScanItem {
					return slices.DeleteFunc(all, func(it usage.ScanItem) bool {
						return slices.ContainsFunc(failed, func(f usage.ScanItem) bool { return f.String() == it.String() })
					})
				}, failed, failure)
				for _, it := range failed {
					assert.True(t, slices.ContainsFunc(merged.Errors, func(te *usage.TargetError) bool {
						return te.Target.AccountID == it.AccountID && te.Target.Region == it.Region && te.Err.Error() == cause
					}), "target %s of the failed batch is a failed target", it)
				}
				assert.Equal(t, 1, resp.FailedBatches)
			}
			require.NotEmpty(t, want.Findings)
			assert.Equal(t, reportJSON(t, want), reportJSON(t, merged), "the merged report is the single scan's")
			assert.Equal(t, len(want.Errors), resp.FailedTargets)
			assert.Equal(t, items, resp.Targets)

			// One alert, which says which targets failed, and the metrics once.
			msgs := w.srv.Messages()
			require.Len(t, msgs, 1, "one alert")
			assert.Contains(t, msgs[0].Message, "targets failed")
			assert.Contains(t, msgs[0].Message, mgmtAccount+"/us-east-1 (AccessDenied)", "the management account, which has no member role, failed")
			if tt.failBatch >= 0 {
				assert.Contains(t, msgs[0].Message, "(BatchFailed)")
			}
			assert.NotEmpty(t, w.srv.Metrics())

			partials := w.s3.keys(bucket, partialPrefix)
			if tt.inlineLimit == 1 {
				assert.Len(t, partials, len(d.runner.batches)-max(0, min(1, tt.failBatch+1)), "every report through S3")
			} else {
				assert.Empty(t, partials, "every report inline")
			}
			assert.Equal(t, []string{targetsPrefix + "run-1.json"}, w.s3.keys(bucket, targetsPrefix))
		})
	}
}

// TestListFailureAlerts checks that a list step that cannot list the
// organization (credentials of a member account) still ends in an alert:
// the state machine's Catch takes the error to the merge step.
func TestListFailureAlerts(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	d := w.deploy(t, w.env())
	list, err := w.newFunction(t, w.env(), stepList, prodKey)
	require.NoError(t, err)
	d.runner.functions["list"] = typed(list.h.List)

	out, err := d.runner.run(t.Context(), "run-2", map[string]string{})
	require.NoError(t, err)
	var resp Response
	require.NoError(t, json.Unmarshal(out, &resp))
	assert.Equal(t, "critical", resp.Severity)
	assert.Contains(t, resp.Message, "list targets: Error: list: targets of the organization")
	assert.Empty(t, d.runner.events["scan"], "no batch scanned")
	msgs := w.srv.Messages()
	require.Len(t, msgs, 1, "the scan-failed alert")
	assert.Contains(t, msgs[0].Message, "AccessDenied")
}

// TestMergeBadResults checks that results the merge step cannot read
// still end in an alert that says why, and never read another bucket or
// prefix.
func TestMergeBadResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		objects map[string]string
		in      string
		want    string
	}{
		{"no targets", nil,
			`{"bucket":"` + bucket + `","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"` + bucket + `","Key":"results/m/manifest.json"}}}`,
			`merge: targets: read "targets/x.json" in bucket ` + bucket},
		{"another bucket", nil,
			`{"bucket":"other","key":"targets/x.json"}`,
			`read "targets/x.json" in bucket other: not the bucket of IPAMKIT_SCAN_MAP_BUCKET`},
		{"another prefix", nil,
			`{"bucket":"` + bucket + `","key":"secrets/x.json"}`,
			`targets key "secrets/x.json": want the list step's key, under targets/`},
		{"no map result", map[string]string{"targets/x.json": `[]`},
			`{"bucket":"` + bucket + `","key":"targets/x.json"}`,
			"the event has no map result"},
		{"the map failed", map[string]string{"targets/x.json": `[]`},
			`{"bucket":"` + bucket + `","key":"targets/x.json","map":{"Error":"States.ItemReaderFailed","Cause":"no such key"}}`,
			"scan batches: States.ItemReaderFailed: no such key"},
		{"a bad manifest", map[string]string{"targets/x.json": `[]`, "results/m/manifest.json": `{"ResultFiles":`},
			`{"bucket":"` + bucket + `","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"` + bucket + `","Key":"results/m/manifest.json"}}}`,
			`merge: manifest "results/m/manifest.json" in bucket ` + bucket + ": unexpected EOF"},
		{"a result file elsewhere", map[string]string{"targets/x.json": `[]`, "results/m/manifest.json": `{"ResultFiles":{"SUCCEEDED":[{"Key":"partial/x.json"}]}}`},
			`{"bucket":"` + bucket + `","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"` + bucket + `","Key":"results/m/manifest.json"}}}`,
			`result file "partial/x.json": want a key under results/`},
		{"a result file not an array", map[string]string{"targets/x.json": `[]`, "results/m/manifest.json": `{"ResultFiles":{"SUCCEEDED":[{"Key":"results/m/SUCCEEDED_0.json"}]}}`,
			"results/m/SUCCEEDED_0.json": `{}`},
			`{"bucket":"` + bucket + `","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"` + bucket + `","Key":"results/m/manifest.json"}}}`,
			"want a JSON array of child executions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			for k, v := range tt.objects {
				w.s3.put("test", bucket, k, []byte(v))
			}
			f, err := w.newFunction(t, w.env(), stepMerge, mergeKey)
			require.NoError(t, err)
			var in mergeInput
			require.NoError(t, json.Unmarshal([]byte(tt.in), &in))
			resp, err := f.h.Merge(t.Context(), in)
			require.NoError(t, err, "the failure was said")
			assert.Equal(t, "critical", resp.Severity)
			assert.Contains(t, resp.Message, tt.want)
			require.Len(t, w.srv.Messages(), 1)
			assert.Contains(t, w.srv.Messages()[0].Message, tt.want)
		})
	}
}

// TestMergeUnreadableReport checks that a child that succeeded but whose
// report cannot be read counts as a failed batch: its targets are failed
// targets, and the other batches' reports still count.
func TestMergeUnreadableReport(t *testing.T) {
	t.Parallel()
	item := `{\"accountId\":\"333333333333\",\"region\":\"us-east-1\",\"sources\":[\"ec2\"]}`
	tests := []struct {
		name   string
		output string
		want   string
	}{
		{"no report", `{\"targets\":1}`, "output of child execution c1: neither a report nor a report key"},
		{"a report key elsewhere", `{\"reportKey\":\"targets/x.json\"}`, `report key "targets/x.json": want a key under partial/`},
		{"a missing report", `{\"reportKey\":\"partial/x.json\"}`, `report of child execution c1: read "partial/x.json" in bucket ` + bucket},
		{"not JSON", `{`, "output of child execution c1: unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			w.s3.put("test", bucket, "targets/x.json", []byte(`[`+strings.ReplaceAll(item, `\"`, `"`)+`]`))
			w.s3.put("test", bucket, "results/m/manifest.json", []byte(`{"ResultFiles":{"SUCCEEDED":[{"Key":"results/m/SUCCEEDED_0.json"}]}}`))
			w.s3.put("test", bucket, "results/m/SUCCEEDED_0.json",
				[]byte(`[{"Name":"c1","Status":"SUCCEEDED","Input":"{\"Items\":[`+item+`]}","Output":"`+tt.output+`"}]`))
			f, err := w.newFunction(t, w.env(), stepMerge, mergeKey)
			require.NoError(t, err)
			var in mergeInput
			require.NoError(t, json.Unmarshal([]byte(`{"bucket":"`+bucket+`","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"`+bucket+`","Key":"results/m/manifest.json"}}}`), &in))
			rep, failed, err := f.h.merge(t.Context(), in)
			require.NoError(t, err)
			assert.Equal(t, 1, failed)
			require.Len(t, rep.Errors, 1)
			assert.Equal(t, "BatchFailed", rep.Errors[0].Code())
			assert.ErrorContains(t, rep.Errors[0], tt.want)
		})
	}
}

// TestMergeUnrunBatches checks that targets no child execution accounted
// for (the map stopped first) are failed targets of the merged report.
func TestMergeUnrunBatches(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	items := `[{"accountId":"333333333333","region":"us-east-1","sources":["ec2"]},{"accountId":"444444444444","region":"us-west-2","sources":["ec2"]}]`
	w.s3.put("test", bucket, "targets/x.json", []byte(items))
	w.s3.put("test", bucket, "results/m/manifest.json", []byte(`{"ResultFiles":{"SUCCEEDED":[],"FAILED":[],"PENDING":[]}}`))
	f, err := w.newFunction(t, w.env(), stepMerge, mergeKey)
	require.NoError(t, err)
	var in mergeInput
	require.NoError(t, json.Unmarshal([]byte(`{"bucket":"`+bucket+`","key":"targets/x.json","map":{"ResultWriterDetails":{"Bucket":"`+bucket+`","Key":"results/m/manifest.json"}}}`), &in))
	rep, failed, err := f.h.merge(t.Context(), in)
	require.NoError(t, err)
	assert.Equal(t, 0, failed)
	assert.Equal(t, 2, rep.Scan.Targets)
	require.Len(t, rep.Errors, 2)
	for _, te := range rep.Errors {
		require.ErrorIs(t, te, errNotRun)
	}
	assert.Equal(t, []usage.Target{{AccountID: "333333333333", Region: "us-east-1"}, {AccountID: "444444444444", Region: "us-west-2"}},
		[]usage.Target{rep.Errors[0].Target, rep.Errors[1].Target})
}

// TestScanBadBatch checks that a batch the scan step cannot scan fails the
// child, which the merge step then reports as failed targets.
func TestScanBadBatch(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	f, err := w.newFunction(t, w.env(), stepScan, scanKey)
	require.NoError(t, err)
	_, err = f.h.Scan(t.Context(), batchInput{Items: []usage.ScanItem{{AccountID: "42", Region: "us-east-1", Sources: []usage.Source{usage.SourceEC2}}}})
	require.ErrorIs(t, err, usage.ErrBadItem)
}

// TestListBadExecution checks that the list step refuses a key it would
// not write under targets/.
func TestListBadExecution(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	f, err := w.newFunction(t, w.env(), stepList, listKey)
	require.NoError(t, err)
	for _, name := range []string{"", "../x", "a/b", strings.Repeat("x", 81)} {
		_, err := f.h.List(t.Context(), listInput{Execution: name})
		assert.ErrorContains(t, err, "want the execution's name", "execution %q", name)
	}
	assert.Empty(t, w.s3.keys(bucket, ""))
}
