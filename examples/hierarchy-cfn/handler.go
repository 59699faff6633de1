package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ipamkit/ipamkit/hierarchy"
)

// Limits of the answer to CloudFormation.
const (
	// maxResponseBytes is CloudFormation's limit on a response body.
	maxResponseBytes = 4096
	// maxReasonBytes keeps Reason short enough to leave room for Data.
	maxReasonBytes = 1500
	// maxPhysicalIDBytes is CloudFormation's limit on PhysicalResourceId.
	maxPhysicalIDBytes = 1024
	// sendTimeout bounds the PUT of the answer, retries included.
	sendTimeout = 10 * time.Second
	// sendAttempts is how many times the PUT is tried.
	sendAttempts = 3
)

// Prefixes of the PhysicalResourceId: a tree's is
// "ipamkit-hierarchy:SCOPE:ROOT" ("ipamkit-hierarchy:ipam-scope-0abc:/top"),
// stable for as long as the scope and the root's path stay the same; a
// Create that failed before it knew them answers "ipamkit-hierarchy-none:"
// and its request ID, which names nothing to delete.
const (
	physicalIDPrefix     = "ipamkit-hierarchy:"
	physicalIDNonePrefix = "ipamkit-hierarchy-none:"
)

// Keys of Data besides the pool IDs by path.
const (
	dataScopeID   = "ScopeId"
	dataPoolCount = "PoolCount"
	dataRoot      = "RootPoolId"
	dataTruncated = "Truncated"
)

// handler answers CloudFormation's requests for the Custom::IpamHierarchy
// resource. It is built once per container by [newHandler] and is safe for
// concurrent use.
type handler struct {
	ec2  hierarchy.EC2API
	cfg  Config
	log  *slog.Logger
	http *http.Client
	// apply adds options of tests (short waits) to every apply.
	apply func(*hierarchy.ApplyOptions)
	// hook is called as each stage starts, with its name; tests make it
	// panic. nil does nothing.
	hook func(stage string)
}

// handlerOptions are the dependencies tests replace.
type handlerOptions struct {
	Logger     *slog.Logger // nil discards records
	HTTPClient *http.Client // for the answer's PUT; nil means one with a timeout that follows no redirect
	EC2Options []func(*ec2.Options)
	Apply      func(*hierarchy.ApplyOptions)
	hook       func(stage string)
}

// newHandler builds the handler from the configuration and the AWS
// configuration of the IPAM's account and home region.
func newHandler(awsCfg aws.Config, cfg Config, optFns ...func(*handlerOptions)) *handler {
	var o handlerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: sendTimeout, CheckRedirect: noRedirect}
	}
	return &handler{ec2: ec2.NewFromConfig(awsCfg, o.EC2Options...), cfg: cfg, log: o.Logger, http: o.HTTPClient, apply: o.Apply, hook: o.hook}
}

// outcome is the answer to one request, before it is encoded.
type outcome struct {
	status     cfn.StatusType
	reason     string
	physicalID string
	data       map[string]string
}

// failed returns a FAILED outcome for physicalID.
func failed(physicalID, format string, args ...any) outcome {
	return outcome{status: cfn.StatusFailed, physicalID: physicalID, reason: fmt.Sprintf(format, args...)}
}

// stage is what the request is doing, for "timed out while …" and the
// logs.
type stage struct {
	what       string
	physicalID string // the tree's PhysicalResourceId, once known
	hook       func(string)
}

// enter records the stage and calls the test hook.
func (s *stage) enter(name, format string, args ...any) {
	s.what = fmt.Sprintf(format, args...)
	if s.hook != nil {
		s.hook(name)
	}
}

// HandleJSON decodes a CloudFormation request and answers it with
// [handler.Handle]. A request that does not decode (a property list that
// is not an object, a field of the wrong type) is answered FAILED, and
// nothing is changed, as long as its ResponseURL can be read. main hands
// it to Lambda, so that no request goes unanswered for want of decoding.
func (h *handler) HandleJSON(ctx context.Context, raw json.RawMessage) error {
	var ev cfn.Event
	err := json.Unmarshal(raw, &ev)
	if err == nil {
		return h.Handle(ctx, ev)
	}
	var ids struct {
		RequestType        string
		RequestID          string `json:"RequestId"`
		ResponseURL        string
		StackID            string `json:"StackId"`
		LogicalResourceID  string `json:"LogicalResourceId"`
		PhysicalResourceID string `json:"PhysicalResourceId"`
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		for k, dst := range map[string]*string{"RequestType": &ids.RequestType, "RequestId": &ids.RequestID, "ResponseURL": &ids.ResponseURL,
			"StackId": &ids.StackID, "LogicalResourceId": &ids.LogicalResourceID, "PhysicalResourceId": &ids.PhysicalResourceID} {
			_ = json.Unmarshal(fields[k], dst)
		}
	}
	ev = cfn.Event{RequestType: cfn.RequestType(ids.RequestType), RequestID: ids.RequestID, ResponseURL: ids.ResponseURL,
		StackID: ids.StackID, LogicalResourceID: ids.LogicalResourceID, PhysicalResourceID: ids.PhysicalResourceID}
	h.log.ErrorContext(ctx, "malformed request", slog.String("request_id", ev.RequestID), slog.String("error", err.Error()))
	out := failed(physicalOnFailure(ev, ""), "malformed request: %v; nothing was changed", err)
	out.physicalID = cmp.Or(out.physicalID, physicalIDNonePrefix+ev.RequestID)
	if serr := h.send(ctx, ev, out); serr != nil {
		return fmt.Errorf("malformed request (%w), and %w", err, serr)
	}
	return nil
}

// Handle answers one CloudFormation request: it does what the request
// asks and always sends CloudFormation its answer, SUCCESS or FAILED, on
// success, on error, on panic and before the invocation's deadline. It
// returns an error only when the answer could not be sent, so that Lambda
// retries the invocation.
func (h *handler) Handle(ctx context.Context, ev cfn.Event) error {
	log := h.log.With(
		slog.String("request_type", string(ev.RequestType)), slog.String("request_id", ev.RequestID),
		slog.String("stack_id", ev.StackID), slog.String("logical_resource_id", ev.LogicalResourceID),
		slog.String("physical_resource_id", ev.PhysicalResourceID))
	log.InfoContext(ctx, "request received")
	out := h.run(ctx, ev, log)
	out.physicalID = cmp.Or(out.physicalID, ev.PhysicalResourceID, physicalIDNonePrefix+ev.RequestID)
	if out.status != cfn.StatusSuccess && out.status != cfn.StatusFailed {
		out.status, out.reason = cfn.StatusFailed, cmp.Or(out.reason, "internal error: no outcome")
	}
	level := slog.LevelInfo
	if out.status != cfn.StatusSuccess {
		level = slog.LevelError
	}
	log.LogAttrs(ctx, level, "answering CloudFormation", slog.String("status", string(out.status)),
		slog.String("reason", out.reason), slog.String("answer_physical_resource_id", out.physicalID), slog.Int("pools", len(out.data)))
	if err := h.send(ctx, ev, out); err != nil {
		log.ErrorContext(ctx, "the answer could not be sent", slog.String("error", err.Error()))
		return err
	}
	return nil
}

// run does the request within the deadline margin and turns a panic into
// a FAILED outcome.
func (h *handler) run(ctx context.Context, ev cfn.Event, log *slog.Logger) (out outcome) {
	st := &stage{what: "starting", hook: h.hook}
	work, cancel := ctx, context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		work, cancel = context.WithDeadline(ctx, dl.Add(-h.cfg.DeadlineMargin))
	}
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "panic", slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
			out = failed(physicalOnFailure(ev, st.physicalID), "internal error while %s: %v", st.what, r)
		}
	}()
	switch ev.RequestType {
	case cfn.RequestCreate, cfn.RequestUpdate:
		out = h.createOrUpdate(work, ev, st, log)
	case cfn.RequestDelete:
		out = h.delete(work, ev, st, log)
	default:
		return failed(physicalOnFailure(ev, ""), "unknown RequestType %q: want Create, Update or Delete", ev.RequestType)
	}
	if out.status == cfn.StatusFailed && work.Err() != nil && ctx.Err() == nil {
		out.reason = fmt.Sprintf("timed out while %s, %s before the function's deadline (give the function a longer Timeout): %s",
			st.what, h.cfg.DeadlineMargin, out.reason)
	}
	return out
}

// physicalOnFailure is the PhysicalResourceId of a FAILED answer: an
// Update keeps the resource's ID (a new one would read as a replacement),
// a Create gives the tree's ID when known (the Delete that follows a
// failed Create then cleans up what it made).
func physicalOnFailure(ev cfn.Event, known string) string {
	if ev.RequestType != cfn.RequestCreate {
		return ev.PhysicalResourceID
	}
	return cmp.Or(known, physicalIDNonePrefix+ev.RequestID)
}

// physicalID returns the PhysicalResourceId of the tree under root in a
// scope.
func physicalID(scopeID, root string) string { return physicalIDPrefix + scopeID + ":" + root }

// parsePhysicalID returns the scope and root a PhysicalResourceId names,
// and false when it names no tree.
func parsePhysicalID(id string) (scopeID, root string, ok bool) {
	rest, ok := strings.CutPrefix(id, physicalIDPrefix)
	if !ok {
		return "", "", false
	}
	scopeID, root, ok = strings.Cut(rest, ":")
	if !ok || !scopeIDPattern.MatchString(scopeID) || !strings.HasPrefix(root, "/") || len(root) < 2 {
		return "", "", false
	}
	return scopeID, root, true
}

// createOrUpdate plans the tree of the new properties against the live
// scope and applies the plan.
func (h *handler) createOrUpdate(ctx context.Context, ev cfn.Event, st *stage, log *slog.Logger) outcome {
	st.enter("properties", "reading the properties")
	req, err := parseProperties(ev.ResourceProperties)
	if err != nil {
		return failed(physicalOnFailure(ev, ""), "invalid properties: %v", err)
	}
	st.enter("scope", "finding the IPAM scope")
	scopeID, err := h.scope(ctx, req)
	if err != nil {
		return failed(physicalOnFailure(ev, ""), "finding the IPAM scope: %v", err)
	}
	root := req.root()
	id := physicalID(scopeID, root)
	if len(id) > maxPhysicalIDBytes {
		return failed(physicalOnFailure(ev, ""), "the top pool's name is too long for a PhysicalResourceId (%d bytes, at most %d)", len(id), maxPhysicalIDBytes)
	}
	if ev.RequestType == cfn.RequestUpdate && id != ev.PhysicalResourceID {
		log.InfoContext(ctx, "the scope or the top pool changed: CloudFormation replaces the resource and then deletes the old tree",
			slog.String("new_physical_resource_id", id))
	}
	st.physicalID = id
	failID := physicalOnFailure(ev, id)

	st.enter("read", "reading scope %s", scopeID)
	live, err := hierarchy.Read(ctx, h.ec2, scopeID)
	if err != nil {
		return failed(failID, "reading scope %s: %v", scopeID, err)
	}
	st.enter("plan", "planning %s", root)
	spec, live, err := h.prepare(req, live, root)
	if err != nil {
		return failed(failID, "%v", err)
	}
	plan := func(allowDelete bool) (hierarchy.ChangeSet, error) {
		return hierarchy.Plan(spec, live, live.PlanOptions, func(o *hierarchy.Options) {
			o.AllowDelete, o.PathTagKey = allowDelete, h.cfg.PathTagKey
		})
	}
	// Planned with deletions allowed first: what it still refuses holds
	// allocations, and nothing is applied.
	cs, err := plan(true)
	if err != nil {
		return failed(failID, "planning %s: %v", root, err)
	}
	if req.TopLevelPool != "" {
		for _, op := range slices.Concat(cs.Ops, cs.Refused) {
			if op.Path == root || op.PoolID == req.TopLevelPool {
				return failed(failID, "TopLevelPool %s does not match the properties (%s %s: %s): the stack owns it, so this resource never changes it",
					req.TopLevelPool, op.Kind, op.Path, op.Reason)
			}
		}
	}
	if len(cs.Refused) > 0 {
		return failed(failID, "nothing was changed: the plan refuses %s", describeOps(cs.Refused))
	}
	// Without AllowDelete, what the properties no longer have is kept
	// rather than failing the request: the rollback of a failed Update
	// then succeeds, keeping what the Update had made (a Delete, or an
	// Update with AllowDelete, removes it later).
	var kept []hierarchy.Op
	if !req.AllowDelete {
		if cs, err = plan(false); err != nil {
			return failed(failID, "planning %s: %v", root, err)
		}
		kept = cs.Refused
	}
	n := countPools(cs)
	log.InfoContext(ctx, "plan", slog.String("scope_id", scopeID), slog.String("root", root), slog.Int("operations", len(cs.Ops)),
		slog.Int("create", n.created), slog.Int("change", n.changed), slog.Int("delete", n.deleted), slog.Int("adopt", n.adopted),
		slog.Int("kept", len(kept)))

	res, err := h.applyPlan(ctx, cs, st, log)
	if err != nil {
		return failed(failID, "applying the plan for %s: %v", root, err)
	}
	reason := fmt.Sprintf("%d created, %d changed, %d deleted, %d adopted", n.created, n.changed, n.deleted, n.adopted)
	if len(kept) > 0 {
		reason += "; kept, as AllowDelete is false: " + describeKept(kept)
	}
	return outcome{status: cfn.StatusSuccess, physicalID: id, data: poolData(scopeID, root, cs, res), reason: reason}
}

// poolCounts counts a plan's pools by what happens to them.
type poolCounts struct{ created, changed, deleted, adopted int }

// countPools counts the pools a change set creates, changes, deletes and
// adopts; CIDR provisions and deprovisions are part of those.
func countPools(cs hierarchy.ChangeSet) poolCounts {
	var n poolCounts
	for _, op := range cs.Ops {
		switch op.Kind {
		case hierarchy.KindCreatePool:
			n.created++
		case hierarchy.KindModifyPool:
			n.changed++
		case hierarchy.KindDeletePool:
			n.deleted++
		case hierarchy.KindAdoptPool:
			n.adopted++
		}
	}
	return n
}

// scope returns the scope the request names, the scope of the sample's
// top pool, or the IPAM's default scope of the spec's type.
func (h *handler) scope(ctx context.Context, req request) (string, error) {
	switch {
	case req.ScopeID != "":
		return req.ScopeID, nil
	case req.TopLevelPool != "":
		out, err := h.ec2.DescribeIpamPools(ctx, &ec2.DescribeIpamPoolsInput{IpamPoolIds: []string{req.TopLevelPool}})
		if err != nil {
			return "", fmt.Errorf("TopLevelPool %s: %w", req.TopLevelPool, err)
		}
		if len(out.IpamPools) != 1 {
			return "", fmt.Errorf("TopLevelPool %s: no such pool", req.TopLevelPool)
		}
		arn := aws.ToString(out.IpamPools[0].IpamScopeArn)
		if i := strings.LastIndex(arn, "/"); i >= 0 && scopeIDPattern.MatchString(arn[i+1:]) {
			return arn[i+1:], nil
		}
		return "", fmt.Errorf("TopLevelPool %s: its scope ARN %q names no scope: give ScopeId", req.TopLevelPool, arn)
	}
	return hierarchy.DefaultScope(ctx, h.ec2, req.Spec.Scope)
}

// prepare limits the live tree to what this resource may plan with: pools
// without a path tag (adoptable, and holding space) and the pools of its
// own tree; the other trees of the scope are left out, so the plan neither
// adopts nor deletes them, and the spec's pools quota is lowered by their
// number. With the sample's properties, the stack's TopLevelPool is the
// tree's root: it is taken as managed at the root's path, without being
// tagged, and its settings are those of the spec, so that the plan never
// changes it (a CIDR that differs still shows, and is refused).
func (h *handler) prepare(req request, live hierarchy.Live, root string) (hierarchy.Spec, hierarchy.Live, error) {
	spec := req.Spec
	kept := hierarchy.Live{Scope: live.Scope}
	hidden, foundTop := 0, false
	for _, lp := range live.Pools {
		if req.TopLevelPool != "" && lp.ID == req.TopLevelPool {
			if p, ok := lp.Path(h.cfg.PathTagKey); ok && p != root {
				return spec, live, fmt.Errorf("TopLevelPool %s carries %s=%s, another tree's path: this resource's tree is %s", lp.ID, h.cfg.PathTagKey, p, root)
			}
			foundTop = true
			lp.Tags = maps.Clone(lp.Tags)
			if lp.Tags == nil {
				lp.Tags = map[string]string{}
			}
			lp.Tags[h.cfg.PathTagKey] = root
			lp.Description, lp.Allocation, lp.AutoImport = spec.Pools[0].Description, spec.Pools[0].Allocation, spec.Pools[0].AutoImport
			kept.Pools = append(kept.Pools, lp)
			continue
		}
		if p, ok := lp.Path(h.cfg.PathTagKey); ok && !underRoot(p, root) {
			if !lp.Gone() {
				hidden++
			}
			continue
		}
		kept.Pools = append(kept.Pools, lp)
	}
	if req.TopLevelPool != "" && !foundTop {
		return spec, live, fmt.Errorf("TopLevelPool %s is not a pool of scope %s", req.TopLevelPool, live.Scope.ID)
	}
	if hidden > 0 {
		spec.MaxPools = max(cmp.Or(spec.MaxPools, hierarchy.DefaultMaxPools)-hidden, 1)
	}
	return spec, kept, nil
}

// underRoot reports whether path is root or below it.
func underRoot(path, root string) bool { return path == root || strings.HasPrefix(path, root+"/") }

// applyPlan applies a change set, keeping the stage up to date.
func (h *handler) applyPlan(ctx context.Context, cs hierarchy.ChangeSet, st *stage, log *slog.Logger) (hierarchy.Result, error) {
	if cs.IsEmpty() {
		return hierarchy.Result{}, nil
	}
	st.enter("apply", "applying the plan (0 of %d operations done)", len(cs.Ops))
	done := 0
	return hierarchy.Apply(ctx, h.ec2, cs, func(o *hierarchy.ApplyOptions) {
		o.MaxWait, o.Logger = h.cfg.MaxWait, log
		o.Progress = func(p hierarchy.Progress) {
			if p.Done && p.Err == nil {
				done++
			}
			if !p.Done {
				st.what = fmt.Sprintf("applying %s (%d of %d operations done)", p.Op.String(), done, p.Total)
			}
		}
		if h.apply != nil {
			h.apply(o)
		}
	})
}

// delete removes the tree the PhysicalResourceId names: only the pools
// under its root that carry the path tag (never the sample's TopLevelPool,
// which the stack owns), and only when none holds allocations. Retain
// keeps everything.
func (h *handler) delete(ctx context.Context, ev cfn.Event, st *stage, log *slog.Logger) outcome {
	id := ev.PhysicalResourceID
	st.enter("properties", "reading the properties")
	retain := false
	if v, ok := ev.ResourceProperties[propRetain]; ok {
		var err error
		if retain, err = boolValue(v); err != nil {
			return failed(id, "invalid properties: %s: %v; nothing was deleted", propRetain, err)
		}
	}
	if retain {
		return outcome{status: cfn.StatusSuccess, physicalID: id, reason: "Retain is true: every pool is kept"}
	}
	scopeID, root, ok := parsePhysicalID(id)
	if !ok {
		log.InfoContext(ctx, "the PhysicalResourceId names no tree (a Create that failed early): nothing to delete")
		return outcome{status: cfn.StatusSuccess, physicalID: id, reason: "nothing to delete"}
	}
	top, _ := stringValue(ev.ResourceProperties[propTopLevelPool])
	st.enter("read", "reading scope %s", scopeID)
	live, err := hierarchy.Read(ctx, h.ec2, scopeID)
	if errors.Is(err, hierarchy.ErrScopeNotFound) {
		log.WarnContext(ctx, "the scope is gone: nothing to delete", slog.String("error", err.Error()))
		return outcome{status: cfn.StatusSuccess, physicalID: id, reason: "the scope is gone: nothing to delete"}
	}
	if err != nil {
		return failed(id, "reading scope %s: %v; nothing was deleted", scopeID, err)
	}
	st.enter("plan", "planning the deletion of %s", root)
	ours := hierarchy.Live{Scope: live.Scope}
	for _, lp := range live.Pools {
		if p, ok := lp.Path(h.cfg.PathTagKey); ok && underRoot(p, root) && lp.ID != top {
			ours.Pools = append(ours.Pools, lp)
		}
	}
	cs, err := hierarchy.Plan(hierarchy.Spec{}, ours, ours.PlanOptions, func(o *hierarchy.Options) {
		o.AllowDelete, o.PathTagKey = true, h.cfg.PathTagKey
	})
	if err != nil {
		return failed(id, "planning the deletion of %s: %v; nothing was deleted", root, err)
	}
	if len(cs.Refused) > 0 {
		return failed(id, "nothing was deleted: the plan refuses %s (or set Retain to true and update the stack to keep the pools)", describeOps(cs.Refused))
	}
	n := countPools(cs).deleted
	log.InfoContext(ctx, "plan", slog.String("scope_id", scopeID), slog.String("root", root), slog.Int("operations", len(cs.Ops)), slog.Int("delete", n))
	if _, err := h.applyPlan(ctx, cs, st, log); err != nil {
		return failed(id, "deleting %s: %v", root, err)
	}
	return outcome{status: cfn.StatusSuccess, physicalID: id, reason: fmt.Sprintf("%d deleted", n)}
}

// describeKept lists the deletions and deprovisions a plan without
// AllowDelete left out.
func describeKept(ops []hierarchy.Op) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = op.String()
	}
	return strings.Join(parts, ", ")
}

// describeOps lists refused operations with their reasons.
func describeOps(ops []hierarchy.Op) string {
	parts := make([]string, len(ops))
	for i, op := range ops {
		parts[i] = op.String() + ": " + strings.TrimPrefix(op.Reason, "; ")
	}
	return fmt.Sprintf("%d operation(s): %s", len(ops), strings.Join(parts, "; "))
}

// poolData returns the pool IDs by path, with the scope, the root's ID and
// the number of pools.
func poolData(scopeID, root string, cs hierarchy.ChangeSet, res hierarchy.Result) map[string]string {
	data := map[string]string{dataScopeID: scopeID}
	for _, p := range cs.Pools {
		if p.PoolID != "" {
			data[p.Path] = p.PoolID
		}
	}
	for _, d := range res.Done {
		if d.Op.Kind == hierarchy.KindCreatePool && d.Op.PoolID != "" {
			data[d.Op.Path] = d.Op.PoolID
		}
	}
	data[dataPoolCount] = fmt.Sprint(len(cs.Pools))
	if id, ok := data[root]; ok {
		data[dataRoot] = id
	}
	return data
}

// encodeResponse encodes the answer within CloudFormation's 4,096 bytes:
// Reason is cut to maxReasonBytes, then pool IDs are left out, deepest
// paths first, with Truncated saying how many; if that is not enough,
// Data goes and Reason is cut further.
func encodeResponse(ev cfn.Event, out outcome) []byte {
	resp := cfn.Response{
		Status: out.status, RequestID: ev.RequestID, LogicalResourceID: ev.LogicalResourceID, StackID: ev.StackID,
		PhysicalResourceID: out.physicalID, Reason: truncate(out.reason, maxReasonBytes),
	}
	if out.status == cfn.StatusFailed && resp.Reason == "" {
		resp.Reason = "failed"
	}
	data := maps.Clone(out.data)
	paths := slices.SortedFunc(maps.Keys(data), func(a, b string) int {
		return cmp.Or(-cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/")), -strings.Compare(a, b))
	})
	total, dropped := 0, 0
	for k := range data {
		if strings.HasPrefix(k, "/") {
			total++
		}
	}
	for {
		resp.Data = nil
		if len(data) > 0 {
			resp.Data = map[string]any{}
			for k, v := range data {
				resp.Data[k] = v
			}
			if dropped > 0 {
				resp.Data[dataTruncated] = fmt.Sprintf("%d of %d pool IDs left out (CloudFormation's 4,096-byte limit): read them with ipamctl hierarchy show", dropped, total)
			}
		}
		b, err := json.Marshal(resp)
		if err == nil && len(b) <= maxResponseBytes {
			return b
		}
		i := slices.IndexFunc(paths, func(k string) bool { return strings.HasPrefix(k, "/") })
		if i < 0 {
			break
		}
		delete(data, paths[i])
		paths = slices.Delete(paths, i, i+1)
		dropped++
	}
	resp.Data = nil
	resp.Reason = truncate(resp.Reason, 512)
	b, _ := json.Marshal(resp)
	return b
}

// truncate cuts s to at most n bytes, on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const more = " … (truncated)"
	cut := n - len(more)
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + more
}

// utf8RuneStart reports whether b starts a UTF-8 sequence.
func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// send PUTs the answer to the pre-signed ResponseURL, trying a few times.
// Neither the URL nor CloudFormation's reply body ever appear in its
// errors: the URL's query is a credential, and S3's error bodies quote it.
func (h *handler) send(ctx context.Context, ev cfn.Event, out outcome) error {
	u, err := responseURL(ev.ResponseURL)
	if err != nil {
		return err
	}
	body := encodeResponse(ev, out)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	var errs []error
	for range sendAttempts {
		err := h.put(ctx, u, body)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("sending the answer to CloudFormation (%s): %w", u.Host, errors.Join(errs...))
}

// put sends one PUT. It sets no Content-Type: the URL's signature covers
// none.
func (h *handler) put(ctx context.Context, u *url.URL, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(body))
	if err != nil {
		return errors.New("building the request failed")
	}
	req.ContentLength = int64(len(body))
	resp, err := h.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err // the url.Error would quote the URL
		}
		return errors.New("the request failed")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	return nil
}

// noRedirect stops the answer's PUT at a redirect: the answer goes to
// the pre-signed URL CloudFormation gave, or nowhere.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// responseURL checks a ResponseURL: https, or http to a loopback address
// (tests). Its errors never quote it.
func responseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, errors.New("the ResponseURL is not a URL: the answer cannot be sent")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("the ResponseURL's scheme is %q, not https: the answer is not sent", u.Scheme)
	}
	return u, nil
}

// isLoopback reports whether host is a loopback address or localhost.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
