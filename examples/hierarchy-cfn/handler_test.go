package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/internal/awsfake"
)

// The IDs the events of testdata use, replaced by the test world's.
const (
	eventScopeID = "ipam-scope-0123456789abcdef0"
	eventTopPool = "ipam-pool-0123456789abcdef0"
	// signature is the pre-signed ResponseURL's signature, which must
	// never be logged nor returned.
	signature = "5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7"
)

// The sample's tree with its defaults, as the sample carves it.
var samplePaths = []string{"/top", "/top/us-west-2", "/top/us-west-2/Prod OU", "/top/us-west-2/SDLC OU",
	"/top/us-east-1", "/top/us-east-1/Prod OU", "/top/us-east-1/SDLC OU"}

// answer is one PUT that the ResponseURL server received.
type answer struct {
	Method      string
	Query       string
	ContentType []string
	Resp        cfn.Response
	Size        int
}

// responseServer is a loopback stand-in for CloudFormation's pre-signed
// S3 URL: it records every answer.
type responseServer struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	status  int
}

// newResponseServer starts the server, closed when the test ends.
func newResponseServer(t *testing.T) *responseServer {
	t.Helper()
	s := &responseServer{status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		var resp cfn.Response
		assert.NoError(t, json.Unmarshal(b, &resp), "answer %s", b)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.answers = append(s.answers, answer{Method: r.Method, Query: r.URL.RawQuery, ContentType: r.Header.Values("Content-Type"), Resp: resp, Size: len(b)})
		w.WriteHeader(s.status)
	}))
	t.Cleanup(s.Close)
	return s
}

// testWorld is a fake IPAM with three operating regions and the stack's
// top-level pool, as the sample's stack creates it: untagged, with
// 192.168.0.0/16.
type testWorld struct {
	srv   *awsfake.Server
	resp  *responseServer
	scope string
	top   string
	logs  *bytes.Buffer
	h     *handler
}

// newTestWorld builds the world; more adds to it before it is built.
func newTestWorld(t *testing.T, more ...func(b *awsfake.Builder, scope, top string)) *testWorld {
	t.Helper()
	b := awsfake.NewBuilder(awsfake.DefaultAccountID)
	ipamID := b.IPAM(awsfake.DefaultAccountID, "us-east-1", "us-east-1", "us-west-2", "eu-west-1")
	w := &testWorld{scope: b.Scope(ipamID, "private"), logs: &bytes.Buffer{}}
	w.top = b.Pool(awsfake.PoolSpec{Scope: w.scope})
	b.ProvisionCIDR(w.top, "192.168.0.0/16")
	for _, fn := range more {
		fn(b, w.scope, w.top)
	}
	world, err := b.Build()
	require.NoError(t, err)
	w.srv, err = awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(w.srv.Close)
	w.resp = newResponseServer(t)
	w.h = w.newHandler(defaultTestConfig())
	return w
}

// defaultTestConfig is the configuration of most tests: the defaults,
// with shorter waits and every log record.
func defaultTestConfig() Config {
	return Config{DeadlineMargin: defaultDeadlineMargin, MaxWait: time.Minute, PathTagKey: hierarchy.DefaultPathTagKey, LogLevel: slog.LevelDebug}
}

// newHandler builds a handler as main does, against the fake, with short
// waits between reads of a state: the fake's states advance with reads.
func (w *testWorld) newHandler(cfg Config, optFns ...func(*handlerOptions)) *handler {
	return newHandler(w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), cfg, append([]func(*handlerOptions){func(o *handlerOptions) {
		o.Logger = slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.Apply = func(o *hierarchy.ApplyOptions) { o.MinDelay, o.MaxDelay = time.Microsecond, time.Microsecond }
	}}, optFns...)...)
}

// event reads an event of testdata/events, pointed at the world: its
// ResponseURL at the loopback server (same path and query), its scope and
// top-level pool IDs at the world's.
func (w *testWorld) event(t *testing.T, name string) cfn.Event {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + name)
	require.NoError(t, err)
	b = bytes.ReplaceAll(b, []byte(eventScopeID), []byte(w.scope))
	b = bytes.ReplaceAll(b, []byte(eventTopPool), []byte(w.top))
	var ev cfn.Event
	require.NoError(t, json.Unmarshal(b, &ev), name)
	u, err := url.Parse(ev.ResponseURL)
	require.NoError(t, err)
	local, err := url.Parse(w.resp.URL)
	require.NoError(t, err)
	u.Scheme, u.Host = local.Scheme, local.Host
	ev.ResponseURL = u.String()
	return ev
}

// handle runs the handler on ev and returns the one answer it sent,
// checking what every answer must be: one PUT, no Content-Type, the
// request's IDs copied, within 4,096 bytes, with a reason when FAILED; and
// that nothing logged quotes the ResponseURL's query.
func (w *testWorld) handle(t *testing.T, ctx context.Context, ev cfn.Event) cfn.Response {
	t.Helper()
	w.resp.mu.Lock()
	before := len(w.resp.answers)
	w.resp.mu.Unlock()
	require.NoError(t, w.h.Handle(ctx, ev))
	w.resp.mu.Lock()
	got := slices.Clone(w.resp.answers[before:])
	w.resp.mu.Unlock()
	require.Len(t, got, 1, "answers to %s", ev.RequestType)
	a := got[0]
	assert.Equal(t, http.MethodPut, a.Method)
	assert.Empty(t, a.ContentType, "the pre-signed URL's signature covers no Content-Type")
	assert.Contains(t, a.Query, "X-Amz-Signature="+signature, "the answer goes to the pre-signed URL, query and all")
	assert.LessOrEqual(t, a.Size, maxResponseBytes)
	assert.Equal(t, ev.RequestID, a.Resp.RequestID)
	assert.Equal(t, ev.StackID, a.Resp.StackID)
	assert.Equal(t, ev.LogicalResourceID, a.Resp.LogicalResourceID)
	assert.NotEmpty(t, a.Resp.PhysicalResourceID)
	if a.Resp.Status == cfn.StatusFailed {
		assert.NotEmpty(t, a.Resp.Reason)
	}
	w.checkLogs(t)
	return a.Resp
}

// checkLogs checks that the logs are JSON records and never quote the
// ResponseURL's query or path.
func (w *testWorld) checkLogs(t *testing.T) {
	t.Helper()
	logs := w.logs.String()
	for _, secret := range []string{signature, "X-Amz-Signature", "X-Amz-Credential", "AKIAEXAMPLEFAKEKEY00", "%7CHierarchy%7C"} {
		assert.NotContains(t, logs, secret, "the logs quote the ResponseURL")
	}
	for line := range strings.Lines(logs) {
		assert.True(t, json.Valid([]byte(line)), "not a JSON record: %s", line)
	}
}

// pools returns the world's live pools of the scope by path (untagged
// ones by ID).
func (w *testWorld) pools(t *testing.T) map[string]hierarchy.LivePool {
	t.Helper()
	live, err := hierarchy.Read(t.Context(), ec2.NewFromConfig(w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")), w.scope)
	require.NoError(t, err)
	out := map[string]hierarchy.LivePool{}
	for _, lp := range live.Pools {
		if lp.Gone() {
			continue
		}
		key := lp.ID
		if p, ok := lp.Path(hierarchy.DefaultPathTagKey); ok {
			key = p
		}
		out[key] = lp
	}
	return out
}

// writes returns the EC2 writes the fake served, by operation.
func (w *testWorld) writes() map[string]int {
	out := map[string]int{}
	for _, c := range w.srv.Calls() {
		if c.ErrorCode == "" && !strings.HasPrefix(c.Operation, "Describe") && !strings.HasPrefix(c.Operation, "Get") {
			out[c.Operation]++
		}
	}
	return out
}

// paths returns the pool paths of Data.
func paths(data map[string]any) []string {
	var out []string
	for k := range data {
		if strings.HasPrefix(k, "/") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestCreateSampleProperties(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	resp := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "ipamkit-hierarchy:"+w.scope+":/top", resp.PhysicalResourceID)
	assert.Equal(t, "6 created, 0 changed, 0 deleted, 0 adopted", resp.Reason)
	assert.Equal(t, slices.Sorted(slices.Values(samplePaths)), paths(resp.Data))
	assert.Equal(t, w.top, resp.Data["/top"])
	assert.Equal(t, w.top, resp.Data[dataRoot])
	assert.Equal(t, w.scope, resp.Data[dataScopeID])
	assert.Equal(t, "7", resp.Data[dataPoolCount])

	live := w.pools(t)
	want := map[string]string{
		"/top/us-west-2": "192.168.0.0/20", "/top/us-west-2/Prod OU": "192.168.0.0/21", "/top/us-west-2/SDLC OU": "192.168.8.0/21",
		"/top/us-east-1": "192.168.16.0/20", "/top/us-east-1/Prod OU": "192.168.16.0/21", "/top/us-east-1/SDLC OU": "192.168.24.0/21",
	}
	for p, cidr := range want {
		lp, ok := live[p]
		if assert.True(t, ok, "pool %s", p) {
			assert.Equal(t, []string{cidr}, prefixStrings(lp.Provisioned()), p)
			assert.Equal(t, resp.Data[p], lp.ID, p)
		}
	}
	assert.Equal(t, map[string]string{"Env": "Prod OU"}, live["/top/us-east-1/Prod OU"].Allocation.Tags)
	top := live[w.top]
	assert.NotContains(t, top.Tags, hierarchy.DefaultPathTagKey, "the stack's TopLevelPool is never tagged")
	assert.Equal(t, map[string]int{"CreateIpamPool": 6, "ProvisionIpamPoolCidr": 6}, w.writes())
}

// prefixStrings returns the strings of ps.
func prefixStrings[P interface{ String() string }](ps []P) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// TestCreateIsIdempotent sends the same Create again, as Lambda's retry of
// an asynchronous invocation does: nothing more is created.
func TestCreateIsIdempotent(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ev := w.event(t, "create-sample.json")
	first := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, first.Status, first.Reason)
	w.srv.ResetCalls()
	second := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, second.Status, second.Reason)
	assert.Equal(t, "0 created, 0 changed, 0 deleted, 0 adopted", second.Reason)
	assert.Equal(t, first.PhysicalResourceID, second.PhysicalResourceID)
	assert.Equal(t, first.Data, second.Data)
	assert.Empty(t, w.writes())
}

// TestUpdateSampleProperties adds a region: its pools are created, nothing
// else changes, and the PhysicalResourceId stays.
func TestUpdateSampleProperties(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	created := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	w.srv.ResetCalls()
	ev := w.event(t, "update-sample.json")
	require.Equal(t, created.PhysicalResourceID, ev.PhysicalResourceID)
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, created.PhysicalResourceID, resp.PhysicalResourceID, "an Update never replaces the resource")
	assert.Equal(t, "3 created, 0 changed, 0 deleted, 0 adopted", resp.Reason)
	live := w.pools(t)
	assert.Equal(t, []string{"192.168.32.0/20"}, prefixStrings(live["/top/eu-west-1"].Provisioned()))
	assert.Equal(t, []string{"192.168.40.0/21"}, prefixStrings(live["/top/eu-west-1/SDLC OU"].Provisioned()))
	assert.Equal(t, "eu-west-1", live["/top/eu-west-1/SDLC OU"].Locale)
	for k, v := range created.Data {
		if strings.HasPrefix(k, "/") {
			assert.Equal(t, v, resp.Data[k], k)
		}
	}
}

// buildSampleTree adds the tree the sample builds under top: untagged
// pools with its CIDRs and allocation tags.
func buildSampleTree(b *awsfake.Builder, scope, top string) map[string]string {
	ids := map[string]string{}
	for i, region := range []string{"us-west-2", "us-east-1"} {
		r := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: top, Locale: region})
		b.ProvisionCIDR(r, []string{"192.168.0.0/20", "192.168.16.0/20"}[i])
		ids["/top/"+region] = r
		for j, env := range []string{"Prod OU", "SDLC OU"} {
			e := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: r, Locale: region, AllocationResourceTags: map[string]string{"Env": env}})
			b.ProvisionCIDR(e, []string{"192.168.0.0/21", "192.168.8.0/21", "192.168.16.0/21", "192.168.24.0/21"}[2*i+j])
			ids["/top/"+region+"/"+env] = e
		}
	}
	return ids
}

// TestMigrateFromSample runs the Create over a tree the sample built: the
// plan only adopts its pools (tags them with their paths), and creates
// nothing.
func TestMigrateFromSample(t *testing.T) {
	t.Parallel()
	var ids map[string]string
	w := newTestWorld(t, func(b *awsfake.Builder, scope, top string) { ids = buildSampleTree(b, scope, top) })
	resp := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "0 created, 0 changed, 0 deleted, 6 adopted", resp.Reason)
	assert.Equal(t, map[string]int{"CreateTags": 6}, w.writes())
	for p, id := range ids {
		assert.Equal(t, id, resp.Data[p], p)
	}
}

// sampleTreeWithVPC is the sample's tree, created by this resource (its
// pools tagged with their paths), with a VPC's allocation in
// /top/us-east-1/Prod OU.
func sampleTreeWithVPC(b *awsfake.Builder, scope, top string) {
	ids := buildSampleTree(b, scope, top)
	for p, id := range ids {
		b.Tag(id, hierarchy.DefaultPathTagKey, p)
	}
	vpc := b.VPC(awsfake.DefaultAccountID, "us-east-1", "192.168.16.0/24")
	b.Allocate(ids["/top/us-east-1/Prod OU"], "192.168.16.0/24", vpc)
}

func TestDeleteSampleProperties(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	created := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	resp := w.handle(t, t.Context(), w.event(t, "delete-sample.json"))
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "6 deleted", resp.Reason)
	assert.Equal(t, created.PhysicalResourceID, resp.PhysicalResourceID)
	live := w.pools(t)
	assert.Equal(t, []string{w.top}, slices.Collect(maps.Keys(live)), "only the stack's TopLevelPool is left, for the stack to delete")
	assert.Equal(t, []string{"192.168.0.0/16"}, prefixStrings(live[w.top].Provisioned()))
}

// TestDeleteRefusedWithAllocations deletes a tree one of whose pools holds
// a VPC: the answer is FAILED, names the VPC, and nothing is deleted.
func TestDeleteRefusedWithAllocations(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t, sampleTreeWithVPC)
	resp := w.handle(t, t.Context(), w.event(t, "delete-sample.json"))
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Contains(t, resp.Reason, "nothing was deleted")
	assert.Regexp(t, `- pool /top/us-east-1/Prod OU \(delete-pool, ipam-pool-[0-9a-f]+\)`, resp.Reason)
	assert.Contains(t, resp.Reason, "vpc-")
	assert.Contains(t, resp.Reason, "Retain")
	assert.Empty(t, w.writes())
	assert.Len(t, w.pools(t), 7)
}

// TestDeleteRetain keeps every pool.
func TestDeleteRetain(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t, sampleTreeWithVPC)
	ev := w.event(t, "delete-sample.json")
	ev.ResourceProperties[propRetain] = "true"
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "Retain is true: every pool is kept", resp.Reason)
	assert.Empty(t, w.srv.Calls(), "no AWS call")
}

// TestDeleteOfNothing answers SUCCESS without a call for the Delete that
// follows a Create which failed before it knew its tree, and for a scope
// that is gone.
func TestDeleteOfNothing(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ev := w.event(t, "delete-sample.json")
	ev.PhysicalResourceID = physicalIDNonePrefix + "5a1c2b3d-0000-4000-8000-000000000001"
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, ev.PhysicalResourceID, resp.PhysicalResourceID)
	assert.Empty(t, w.srv.Calls())

	ev.PhysicalResourceID = physicalID("ipam-scope-0000000000000000f", "/top")
	resp = w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "the scope is gone: nothing to delete", resp.Reason)
	assert.Empty(t, w.writes())
}

// TestSpecLifecycle creates a tree from a Spec, updates it to drop a pool
// (AllowDelete), and deletes it; another tree of the scope, and the
// stack's TopLevelPool, are never touched.
func TestSpecLifecycle(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t, func(b *awsfake.Builder, scope, top string) {
		other := b.Pool(awsfake.PoolSpec{Scope: scope, Tags: map[string]string{hierarchy.DefaultPathTagKey: "/other"}})
		b.ProvisionCIDR(other, "172.16.0.0/12")
	})
	created := w.handle(t, t.Context(), w.event(t, "create-spec.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	assert.Equal(t, "ipamkit-hierarchy:"+w.scope+":/corp", created.PhysicalResourceID)
	assert.Equal(t, "4 created, 0 changed, 0 deleted, 0 adopted", created.Reason)
	assert.Equal(t, []string{"/corp", "/corp/us-east-1", "/corp/us-east-1/dev", "/corp/us-east-1/prod"}, paths(created.Data))
	live := w.pools(t)
	assert.Equal(t, "corporate space", live["/corp"].Description)
	assert.Equal(t, []string{"10.1.0.0/16"}, prefixStrings(live["/corp/us-east-1/dev"].Provisioned()))

	updated := w.handle(t, t.Context(), w.event(t, "update-spec.json"))
	require.Equal(t, cfn.StatusSuccess, updated.Status, updated.Reason)
	assert.Equal(t, created.PhysicalResourceID, updated.PhysicalResourceID)
	assert.Equal(t, "0 created, 0 changed, 1 deleted, 0 adopted", updated.Reason)
	live = w.pools(t)
	assert.NotContains(t, live, "/corp/us-east-1/dev")
	assert.Contains(t, live, "/other")

	deleted := w.handle(t, t.Context(), w.event(t, "delete-spec.json"))
	require.Equal(t, cfn.StatusSuccess, deleted.Status, deleted.Reason)
	live = w.pools(t)
	assert.ElementsMatch(t, []string{"/other", w.top}, slices.Collect(maps.Keys(live)))
}

// TestUpdateWithoutAllowDelete drops a pool without AllowDelete: the pool
// is kept, and the answer says so.
func TestUpdateWithoutAllowDelete(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	created := w.handle(t, t.Context(), w.event(t, "create-spec.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	w.srv.ResetCalls()
	ev := w.event(t, "update-spec.json")
	delete(ev.ResourceProperties, propAllowDelete)
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Regexp(t, `^0 created, 0 changed, 0 deleted, 0 adopted; kept, as AllowDelete is false: - pool /corp/us-east-1/dev \(delete-pool, ipam-pool-[0-9a-f]+\)$`, resp.Reason)
	assert.Equal(t, ev.PhysicalResourceID, resp.PhysicalResourceID)
	assert.NotContains(t, resp.Data, "/corp/us-east-1/dev")
	assert.Empty(t, w.writes())
	assert.Contains(t, w.pools(t), "/corp/us-east-1/dev")
}

// corpTreeWithAllocation is the tree of create-spec.json, made by this
// resource, with a custom allocation in /corp/us-east-1/dev.
func corpTreeWithAllocation(b *awsfake.Builder, scope, _ string) {
	path := map[string]string{hierarchy.DefaultPathTagKey: "/corp"}
	corp := b.Pool(awsfake.PoolSpec{Scope: scope, Description: "corporate space", Tags: path})
	b.ProvisionCIDR(corp, "10.0.0.0/8")
	region := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: corp, Locale: "us-east-1", Tags: map[string]string{hierarchy.DefaultPathTagKey: "/corp/us-east-1"}})
	b.ProvisionCIDR(region, "10.0.0.0/12")
	prod := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: region, Locale: "us-east-1", AllocationDefaultNetmask: 24,
		AllocationResourceTags: map[string]string{"Env": "prod"}, Tags: map[string]string{hierarchy.DefaultPathTagKey: "/corp/us-east-1/prod"}})
	b.ProvisionCIDR(prod, "10.0.0.0/16")
	dev := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: region, Locale: "us-east-1", Tags: map[string]string{hierarchy.DefaultPathTagKey: "/corp/us-east-1/dev"}})
	b.ProvisionCIDR(dev, "10.1.0.0/16")
	b.Allocate(dev, "10.1.0.0/24", "")
}

// TestUpdateRefusedWithAllocations drops a pool that holds an allocation,
// with AllowDelete: FAILED, naming it, and nothing is changed.
func TestUpdateRefusedWithAllocations(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t, corpTreeWithAllocation)
	ev := w.event(t, "update-spec.json")
	ev.ResourceProperties[propSpec] = strings.Replace(ev.ResourceProperties[propSpec].(string), "corporate space", "corporate", 1)
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Equal(t, ev.PhysicalResourceID, resp.PhysicalResourceID, "a failed Update keeps the resource's ID")
	assert.Regexp(t, `nothing was changed: the plan refuses 1 operation\(s\): - pool /corp/us-east-1/dev \(delete-pool, ipam-pool-[0-9a-f]+\)`, resp.Reason)
	assert.Contains(t, resp.Reason, "the pool holds allocations (custom ipam-pool-alloc-")
	assert.Empty(t, w.writes(), "not even the description")
}

// TestUpdateRollback fails an Update half way, then runs CloudFormation's
// rollback (an Update back to the old properties): it succeeds, keeping
// what the failed Update made.
func TestUpdateRollback(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	created := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	w.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "ProvisionIpamPoolCidr", Kind: awsfake.FaultInternalError})
	update := w.event(t, "update-sample.json")
	resp := w.handle(t, t.Context(), update)
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Contains(t, resp.Reason, "failed at + cidr /top/eu-west-1 192.168.32.0/20 (provision-cidr")
	w.srv.ClearFaults()

	rollback := update
	rollback.RequestID = "5a1c2b3d-0000-4000-8000-000000000004"
	rollback.ResourceProperties, rollback.OldResourceProperties = update.OldResourceProperties, update.ResourceProperties
	resp = w.handle(t, t.Context(), rollback)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Regexp(t, `^0 created, 0 changed, 0 deleted, 0 adopted; kept, as AllowDelete is false: - pool /top/eu-west-1 \(delete-pool, ipam-pool-[0-9a-f]+\)$`, resp.Reason)
	assert.Equal(t, created.Data, resp.Data)
}

// TestDeleteOldTreeAfterReplacement deletes the tree of an old
// PhysicalResourceId, as CloudFormation does after a replacement: only the
// pools under the old root go; the new tree stays.
func TestDeleteOldTreeAfterReplacement(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t, func(b *awsfake.Builder, scope, top string) {
		old := b.Pool(awsfake.PoolSpec{Scope: scope, Tags: map[string]string{hierarchy.DefaultPathTagKey: "/old"}})
		b.ProvisionCIDR(old, "172.16.0.0/12")
		child := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: old, Locale: "us-east-1", Tags: map[string]string{hierarchy.DefaultPathTagKey: "/old/us-east-1"}})
		b.ProvisionCIDR(child, "172.16.0.0/16")
	})
	created := w.handle(t, t.Context(), w.event(t, "create-spec.json"))
	require.Equal(t, cfn.StatusSuccess, created.Status, created.Reason)
	ev := w.event(t, "delete-spec.json")
	ev.PhysicalResourceID = physicalID(w.scope, "/old")
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "2 deleted", resp.Reason, "/old and /old/us-east-1")
	live := w.pools(t)
	assert.ElementsMatch(t, []string{"/corp", "/corp/us-east-1", "/corp/us-east-1/prod", "/corp/us-east-1/dev", w.top}, slices.Collect(maps.Keys(live)))
}

// TestValidationFailure answers FAILED, naming every problem, for
// properties that cannot be right, and makes no AWS call.
func TestValidationFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		event  string
		change func(props map[string]any)
		want   []string
	}{
		{name: "malformed event", event: "malformed.json", want: []string{
			`TopLevelPool: "pool-1" is not an IPAM pool ID`,
			`TopLevelPoolCidr: "192.168.0.1/16" has host bits set (did you mean 192.168.0.0/16?)`,
			`IpamPoolPrefixLength: "40" is not a prefix length from 1 to 32`,
			`Retain: "maybe" is not true or false`,
		}},
		{name: "no space", event: "create-sample.json", change: func(p map[string]any) {
			p[propAccEnvName] = []any{"Prod OU", "SDLC OU", "Sandbox OU"}
		}, want: []string{"invalid properties", "/top/us-west-2/Sandbox OU", "no room for a /21"}},
		{name: "bad CIDR", event: "create-sample.json", change: func(p map[string]any) {
			p[propTopLevelPoolCIDR] = "192.168.0.0/33"
		}, want: []string{`TopLevelPoolCidr: "192.168.0.0/33" is not a CIDR`}},
		{name: "both modes", event: "create-spec.json", change: func(p map[string]any) {
			p[propTopLevelPoolCIDR] = "10.0.0.0/8"
		}, want: []string{"give either Spec or the sample's properties (TopLevelPoolCidr), not both"}},
		{name: "spec syntax", event: "create-spec.json", change: func(p map[string]any) {
			p[propSpec] = "pools:\n  - name: a\n    cidr: 10.0.0.0/8\n"
		}, want: []string{"Spec: ", "line 3", "cidr"}},
		{name: "spec as an object", event: "create-spec.json", change: func(p map[string]any) {
			p[propSpec] = map[string]any{"pools": []any{}}
		}, want: []string{"Spec: a string holding the spec's YAML or JSON, not a object"}},
		{name: "two trees", event: "create-spec.json", change: func(p map[string]any) {
			p[propSpec] = "pools:\n  - {name: a, cidrs: [10.0.0.0/8]}\n  - {name: b, cidrs: [172.16.0.0/12]}\n"
		}, want: []string{"the spec has 2 top pools"}},
		{name: "nothing", event: "create-spec.json", change: func(p map[string]any) {
			delete(p, propSpec)
			p["Regions"] = "us-east-1"
		}, want: []string{"Regions: unknown property", "Spec: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			ev := w.event(t, tt.event)
			if tt.change != nil {
				tt.change(ev.ResourceProperties)
			}
			resp := w.handle(t, t.Context(), ev)
			require.Equal(t, cfn.StatusFailed, resp.Status)
			for _, want := range tt.want {
				assert.Contains(t, resp.Reason, want)
			}
			assert.Equal(t, physicalIDNonePrefix+ev.RequestID, resp.PhysicalResourceID)
			assert.Empty(t, w.srv.Calls())
		})
	}
}

// TestUnknownRequestType answers an event that is not a custom resource
// request, as long as it has a ResponseURL.
func TestUnknownRequestType(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ev := w.event(t, "create-sample.json")
	ev.RequestType = "Replace"
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Equal(t, `unknown RequestType "Replace": want Create, Update or Delete`, resp.Reason)
}

// TestAWSFailure answers FAILED with the AWS error when IPAM refuses a
// call half way, and the next Create resumes.
func TestAWSFailure(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "ProvisionIpamPoolCidr", Kind: awsfake.FaultAccessDenied, Count: 1})
	ev := w.event(t, "create-sample.json")
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Equal(t, "ipamkit-hierarchy:"+w.scope+":/top", resp.PhysicalResourceID, "the Delete after a failed Create cleans up")
	assert.Contains(t, resp.Reason, "applying the plan for /top: failed at + cidr /top/us-west-2 192.168.0.0/20 (provision-cidr")
	assert.Contains(t, resp.Reason, "UnauthorizedOperation")
	assert.Contains(t, resp.Reason, "1 of 12 operations done")

	resp = w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "5 created, 0 changed, 0 deleted, 0 adopted", resp.Reason)
	assert.Len(t, w.pools(t), 7)
}

// TestScopeFailure answers FAILED when the scope cannot be found.
func TestScopeFailure(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	ev := w.event(t, "create-spec.json")
	ev.ResourceProperties[propScopeID] = "ipam-scope-0000000000000000f"
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.Contains(t, resp.Reason, "reading scope ipam-scope-0000000000000000f: scope ipam-scope-0000000000000000f not found")
}

// TestPanic answers FAILED when the handler panics, wherever it does.
func TestPanic(t *testing.T) {
	t.Parallel()
	for _, stage := range []struct{ name, want string }{
		{"properties", "internal error while reading the properties: boom"},
		{"plan", "internal error while planning /top: boom"},
		{"apply", "internal error while applying the plan (0 of 12 operations done): boom"},
	} {
		t.Run(stage.name, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			w.h = w.newHandler(defaultTestConfig(), func(o *handlerOptions) {
				o.hook = func(s string) {
					if s == stage.name {
						panic("boom")
					}
				}
			})
			resp := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
			require.Equal(t, cfn.StatusFailed, resp.Status)
			assert.Equal(t, stage.want, resp.Reason)
			if stage.name == "properties" {
				assert.Equal(t, physicalIDNonePrefix+"5a1c2b3d-0000-4000-8000-000000000001", resp.PhysicalResourceID)
			} else {
				assert.Equal(t, physicalID(w.scope, "/top"), resp.PhysicalResourceID, "the Delete that follows cleans up")
			}
			assert.Contains(t, w.logs.String(), `"msg":"panic"`)
		})
	}
}

// TestTimeout answers FAILED "timed out while …" the margin before the
// deadline, when IPAM answers too slowly: the apply stops there.
func TestTimeout(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "CreateIpamPool", Kind: awsfake.FaultLatency, Latency: time.Hour})
	cfg := defaultTestConfig()
	cfg.DeadlineMargin = 2 * time.Second
	w.h = w.newHandler(cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	resp := w.handle(t, ctx, w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusFailed, resp.Status)
	assert.True(t, strings.HasPrefix(resp.Reason, "timed out while applying + pool /top/us-west-2 (create-pool) (0 of 12 operations done), 2s before the function's deadline"), resp.Reason)
	assert.NoError(t, ctx.Err(), "answered before the deadline")
}

// TestSendFailure returns an error, quoting neither the URL's query nor
// CloudFormation's reply, when the answer cannot be delivered.
func TestSendFailure(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.resp.status = http.StatusForbidden
	err := w.h.Handle(t.Context(), w.event(t, "delete-spec.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP status 403")
	assert.NotContains(t, err.Error(), signature)
	assert.Len(t, w.resp.answers, sendAttempts)

	ev := w.event(t, "delete-spec.json")
	ev.ResponseURL = strings.Replace(ev.ResponseURL, w.resp.Listener.Addr().String(), "127.0.0.1:1", 1)
	err = w.h.Handle(t.Context(), ev)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), signature)
	assert.NotContains(t, err.Error(), "X-Amz")

	elsewhere := newResponseServer(t)
	redirect := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	ev.ResponseURL = redirect.URL + "/x?X-Amz-Signature=" + signature
	err = w.h.Handle(t.Context(), ev)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HTTP status 307")
	assert.Empty(t, elsewhere.answers, "a redirect is not followed")

	ev.ResponseURL = "http://example.com/x?X-Amz-Signature=" + signature
	err = w.h.Handle(t.Context(), ev)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), signature)
	w.checkLogs(t)
}

// TestEncodeResponse keeps the body within 4,096 bytes: the reason is
// cut, and pool IDs are left out, deepest first, saying how many.
func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	ev := cfn.Event{RequestID: "r", StackID: "s", LogicalResourceID: "l"}
	data := map[string]string{dataScopeID: "ipam-scope-0abc", dataPoolCount: "201", "/t": "ipam-pool-0"}
	for i := range 200 {
		data["/t/"+strings.Repeat("x", 10)+string(rune('a'+i%26))+strings.Repeat("y", i/26)] = "ipam-pool-0123456789abcdef0"
	}
	b := encodeResponse(ev, outcome{status: cfn.StatusSuccess, physicalID: "p", data: data, reason: strings.Repeat("é", 3000)})
	require.LessOrEqual(t, len(b), maxResponseBytes)
	var resp cfn.Response
	require.NoError(t, json.Unmarshal(b, &resp))
	assert.Equal(t, "ipam-pool-0", resp.Data["/t"], "shallow paths are kept")
	assert.Equal(t, "ipam-scope-0abc", resp.Data[dataScopeID])
	assert.Regexp(t, `^\d+ of 201 pool IDs left out`, resp.Data[dataTruncated])
	assert.True(t, strings.HasSuffix(resp.Reason, "… (truncated)"))
	assert.LessOrEqual(t, len(resp.Reason), maxReasonBytes)

	small := encodeResponse(ev, outcome{status: cfn.StatusFailed, physicalID: "p"})
	require.NoError(t, json.Unmarshal(small, &resp))
	assert.Equal(t, "failed", resp.Reason, "a FAILED answer always has a reason")
}

func TestParsePhysicalID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id          string
		scope, root string
		ok          bool
	}{
		{"ipamkit-hierarchy:ipam-scope-0abc:/top", "ipam-scope-0abc", "/top", true},
		{"ipamkit-hierarchy:ipam-scope-0abc:/a:b", "ipam-scope-0abc", "/a:b", true},
		{"ipamkit-hierarchy-none:5a1c", "", "", false},
		{"ipamkit-hierarchy:ipam-scope-0abc:/", "", "", false},
		{"ipamkit-hierarchy:scope:/top", "", "", false},
		{"2026/12/02/[$LATEST]0123456789abcdef", "", "", false},
	}
	for _, tt := range tests {
		scope, root, ok := parsePhysicalID(tt.id)
		assert.Equal(t, []any{tt.scope, tt.root, tt.ok}, []any{scope, root, ok}, "parsePhysicalID(%q)", tt.id)
	}
}

// TestMalformedRequest answers FAILED, changing nothing, a request that
// does not decode into a custom resource request.
func TestMalformedRequest(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	b, err := os.ReadFile("testdata/events/malformed-properties.json")
	require.NoError(t, err)
	b = bytes.ReplaceAll(b, []byte("https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com"), []byte(w.resp.URL))
	require.NoError(t, w.h.HandleJSON(t.Context(), b))
	require.Len(t, w.resp.answers, 1)
	a := w.resp.answers[0]
	assert.Equal(t, cfn.StatusFailed, a.Resp.Status)
	assert.Equal(t, "malformed request: json: cannot unmarshal string into Go struct field Event.ResourceProperties of type map[string]interface {}; nothing was changed", a.Resp.Reason)
	assert.Equal(t, "ipamkit-hierarchy:"+eventScopeID+":/top", a.Resp.PhysicalResourceID, "a Delete keeps its ID")
	assert.Equal(t, "5a1c2b3d-0000-4000-8000-00000000000a", a.Resp.RequestID)
	assert.Empty(t, w.srv.Calls())
	w.checkLogs(t)

	require.NoError(t, w.h.HandleJSON(t.Context(), []byte(`{"RequestType": "Create", "RequestId": "r1", "ResponseURL": "`+w.resp.URL+`/x", "ResourceProperties": []}`)))
	require.Len(t, w.resp.answers, 2)
	assert.Equal(t, cfn.StatusFailed, w.resp.answers[1].Resp.Status)
	assert.Equal(t, physicalIDNonePrefix+"r1", w.resp.answers[1].Resp.PhysicalResourceID)

	assert.Error(t, w.h.HandleJSON(t.Context(), []byte(`{"RequestType": 1}`)), "no ResponseURL: no answer can be sent")
}

// TestLargeTree answers the Create of a tree whose pool IDs do not fit in
// 4,096 bytes: the deepest are left out, and Truncated says so.
func TestLargeTree(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	var spec strings.Builder
	spec.WriteString("maxPools: 100\npools:\n  - name: corp\n    cidrs: [10.0.0.0/8]\n    pools:\n")
	for i := range 60 {
		fmt.Fprintf(&spec, "      - {name: team-with-a-rather-long-name-%02d, locale: us-east-1, netmask: 16}\n", i)
	}
	ev := w.event(t, "create-spec.json")
	ev.ResourceProperties[propSpec] = spec.String()
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "61 created, 0 changed, 0 deleted, 0 adopted", resp.Reason)
	assert.Equal(t, "61", resp.Data[dataPoolCount])
	assert.Contains(t, resp.Data, "/corp", "the root is kept")
	kept := len(paths(resp.Data))
	assert.Less(t, kept, 61)
	assert.Equal(t, fmt.Sprintf("%d of 61 pool IDs left out (CloudFormation's 4,096-byte limit): read them with ipamctl hierarchy show", 61-kept), resp.Data[dataTruncated])
}

// TestCreateRollback fails a Create half way; the Delete CloudFormation
// then sends for the PhysicalResourceId it was given removes what the
// Create made.
func TestCreateRollback(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	w.srv.InjectFault(awsfake.Fault{Service: "ec2", Operation: "ProvisionIpamPoolCidr", Kind: awsfake.FaultAccessDenied})
	created := w.handle(t, t.Context(), w.event(t, "create-sample.json"))
	require.Equal(t, cfn.StatusFailed, created.Status)
	require.Len(t, w.pools(t), 2, "the top pool and /top/us-west-2, whose CIDR failed")
	w.srv.ClearFaults()

	ev := w.event(t, "delete-sample.json")
	ev.PhysicalResourceID = created.PhysicalResourceID
	resp := w.handle(t, t.Context(), ev)
	require.Equal(t, cfn.StatusSuccess, resp.Status, resp.Reason)
	assert.Equal(t, "1 deleted", resp.Reason)
	assert.Equal(t, []string{w.top}, slices.Collect(maps.Keys(w.pools(t))))
}
