package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/share"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Accounts and names of the test world: the Control Tower sample's
// organization.
const (
	mgmtAccount    = awsfake.DemoManagementAccount // runs the function
	networkAccount = awsfake.DemoNetworkAccount    // owns the IPAM
	prodAccount    = awsfake.DemoProdAccount       // in Prod OU
	devAccount     = awsfake.DemoDevAccount        // in SDLC OU
	zeroAccount    = "012345678901"                // in Prod OU
	externalID     = "ext-id-5c0ffee"
)

// testWorld is a running fake AWS: the management account (which runs
// the function, with DefaultAccessKeyID), a networking account that owns
// an IPAM with the sample's pools (192.168.0.0/16, a /20 per region, a /21
// per environment tagged Env=<OU name>) and Control Tower's
// AWSControlTowerExecution role, which trusts the management account with
// an external ID, and workload accounts in Prod OU and SDLC OU.
type testWorld struct {
	srv            *awsfake.Server
	prodOU, sdlcOU string
	prodPools      []string // sorted
	sdlcPools      []string
}

func newTestWorld(t *testing.T) *testWorld {
	t.Helper()
	w := &testWorld{}
	b := awsfake.NewBuilder(mgmtAccount)
	infra := b.OU(b.Root(), "Infrastructure")
	workloads := b.OU(b.Root(), "Workloads")
	w.prodOU, w.sdlcOU = b.OU(workloads, "Prod OU"), b.OU(workloads, "SDLC OU")
	b.Account(infra, networkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(networkAccount)
	b.AccessKey(awsfake.DemoNetworkAccessKey, networkAccount, "network-admin")
	b.Role(networkAccount, share.DefaultRoleName, externalID, mgmtAccount)
	b.Account(w.prodOU, prodAccount, "prod", "prod@example.com")
	b.Account(w.sdlcOU, devAccount, "dev", "dev@example.com")
	b.Account(w.prodOU, zeroAccount, "zero", "zero@example.com")

	ipam := b.IPAM(networkAccount, "us-east-1", "us-east-1", "us-west-2")
	scope := b.Scope(ipam, "private")
	top := b.Pool(awsfake.PoolSpec{Scope: scope, Description: "top"})
	b.ProvisionCIDR(top, "192.168.0.0/16")
	for i, region := range []string{"us-west-2", "us-east-1"} {
		reg := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: top, Locale: region, Description: region})
		b.ProvisionCIDR(reg, []string{"192.168.0.0/20", "192.168.16.0/20"}[i])
		for j, env := range []string{"Prod OU", "SDLC OU"} {
			p := b.Pool(awsfake.PoolSpec{Scope: scope, Parent: reg, Locale: region, Description: region + " " + env,
				AllocationResourceTags: map[string]string{"Env": env}})
			b.ProvisionCIDR(p, []string{"192.168.0.0/21", "192.168.8.0/21", "192.168.16.0/21", "192.168.24.0/21"}[2*i+j])
			if env == "Prod OU" {
				w.prodPools = append(w.prodPools, p)
			} else {
				w.sdlcPools = append(w.sdlcPools, p)
			}
		}
	}
	slices.Sort(w.prodPools)
	slices.Sort(w.sdlcPools)
	world, err := b.Build()
	require.NoError(t, err)
	w.srv, err = awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(w.srv.Close)
	return w
}

// baseEnv is the environment of most tests: the template's defaults.
func baseEnv() map[string]string {
	return map[string]string{
		envNetworkAccountID: networkAccount,
		envExternalID:       externalID,
		envIPAMRegion:       "us-east-1",
		envRegion:           "eu-west-1",
	}
}

// run is one handler built over the test world, with its log records.
type run struct {
	h    *handler
	logs *bytes.Buffer
}

// newRun builds the handler as main does, from env, against the world,
// as the management account. The association waits read again after a
// nanosecond: the fake settles associations as they are read.
func (w *testWorld) newRun(t *testing.T, env map[string]string) *run {
	t.Helper()
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	r := &run{logs: &bytes.Buffer{}}
	r.h, err = newHandler(t.Context(), w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "eu-west-1"), cfg, func(o *handlerOptions) {
		o.Logger = slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: cfg.LogLevel}))
		o.Reconciler = append(o.Reconciler, func(so *share.Options) { so.MinDelay, so.MaxDelay = time.Nanosecond, time.Nanosecond })
	})
	require.NoError(t, err)
	return r
}

// records decodes the log records written since the last call, failing on
// a line that is not one.
func (r *run) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(r.logs.Bytes()))
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "log line %q", sc.Text())
		out = append(out, rec)
	}
	r.logs.Reset()
	return out
}

// event reads a testdata event.
func event(t *testing.T, file string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/events/" + file)
	require.NoError(t, err)
	return b
}

// shareState is a share as RAM lists it: its principals and pool IDs.
type shareState struct {
	Principals []string
	Pools      []string
}

// shares lists the networking account's active shares by name, with their
// associated principals and pools; a duplicate name is a failure.
func (w *testWorld) shares(t *testing.T) map[string]shareState {
	t.Helper()
	ctx := t.Context()
	client := ram.NewFromConfig(w.srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1"))
	names := map[string]string{} // by ARN
	seen := map[string]bool{}
	p := ram.NewGetResourceSharesPaginator(client, &ram.GetResourceSharesInput{ResourceOwner: ramtypes.ResourceOwnerSelf})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range page.ResourceShares {
			if s.Status == ramtypes.ResourceShareStatusActive {
				require.False(t, seen[aws.ToString(s.Name)], "duplicate share %s", aws.ToString(s.Name))
				seen[aws.ToString(s.Name)] = true
				names[aws.ToString(s.ResourceShareArn)] = aws.ToString(s.Name)
			}
		}
	}
	out := map[string]shareState{}
	for _, kind := range []ramtypes.ResourceShareAssociationType{ramtypes.ResourceShareAssociationTypePrincipal, ramtypes.ResourceShareAssociationTypeResource} {
		p := ram.NewGetResourceShareAssociationsPaginator(client, &ram.GetResourceShareAssociationsInput{AssociationType: kind})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			for _, a := range page.ResourceShareAssociations {
				name, ok := names[aws.ToString(a.ResourceShareArn)]
				if !ok || (a.Status != ramtypes.ResourceShareAssociationStatusAssociated && a.Status != ramtypes.ResourceShareAssociationStatusAssociating) {
					continue
				}
				st, e := out[name], aws.ToString(a.AssociatedEntity)
				if kind == ramtypes.ResourceShareAssociationTypePrincipal {
					st.Principals = append(st.Principals, e)
				} else {
					st.Pools = append(st.Pools, e[strings.LastIndex(e, "/")+1:])
				}
				out[name] = st
			}
		}
	}
	for k, v := range out {
		slices.Sort(v.Principals)
		slices.Sort(v.Pools)
		out[k] = v
	}
	return out
}

// writes counts the RAM writes the fake served.
func (w *testWorld) writes() map[string]int {
	out := map[string]int{}
	for _, c := range w.srv.Calls() {
		if c.Service == "ram" && c.ErrorCode == "" && !strings.HasPrefix(c.Operation, "Get") {
			out[c.Operation]++
		}
	}
	return out
}

// move moves an account to another OU, as the management account.
func (w *testWorld) move(t *testing.T, accountID, from, to string) {
	t.Helper()
	org := organizations.NewFromConfig(w.srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))
	_, err := org.MoveAccount(t.Context(), &organizations.MoveAccountInput{AccountId: aws.String(accountID),
		SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})
	require.NoError(t, err)
}

func TestHandleSameEventThreeTimes(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	name := share.SharePrefix + prodAccount
	for i := range 3 {
		resp, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
		require.NoError(t, err, "delivery %d", i+1)
		assert.Equal(t, share.EventCreateManagedAccount, resp.Event)
		assert.Equal(t, "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b", resp.EventID)
		assert.Equal(t, prodAccount, resp.AccountID)
		assert.Equal(t, "ou-prod-00000001", resp.OUID, "the event's OU, reported")
		if i == 0 {
			assert.Equal(t, statusChanged, resp.Status)
			assert.Equal(t, share.Summary{Create: 1, Associate: 2}, resp.Summary)
			require.Len(t, resp.Changes, 3, "the share with its principal, and two pools")
			assert.Equal(t, share.KindCreateShare, resp.Changes[0].Kind)
			assert.Equal(t, name, resp.Changes[0].Share)
		} else {
			assert.Equal(t, Response{Event: share.EventCreateManagedAccount, EventID: "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b",
				AccountID: prodAccount, OUID: "ou-prod-00000001", Status: statusUnchanged, Changes: []share.Change{}}, resp, "delivery %d", i+1)
		}
		// One record per invocation, with what changed.
		recs := r.records(t)
		require.Len(t, recs, 1, "delivery %d", i+1)
		assert.Equal(t, "INFO", recs[0]["level"])
		assert.Equal(t, "shares reconciled", recs[0]["msg"])
		assert.Equal(t, prodAccount, recs[0]["account_id"])
		assert.Equal(t, resp.Status, recs[0]["status"])
		assert.Equal(t, float64(len(resp.Changes)), recs[0]["applied"])
		assert.Len(t, recs[0]["changes"], len(resp.Changes))
	}
	assert.Equal(t, map[string]int{"CreateResourceShare": 1}, w.writes(), "one write for three deliveries")
	assert.Equal(t, map[string]shareState{name: {Principals: []string{prodAccount}, Pools: w.prodPools}}, w.shares(t))

	// A leading zero is kept, in the name and the principal.
	resp, err := r.h.Handle(t.Context(), event(t, "create-leading-zero.json"))
	require.NoError(t, err)
	assert.Equal(t, zeroAccount, resp.AccountID)
	assert.Equal(t, shareState{Principals: []string{zeroAccount}, Pools: w.prodPools}, w.shares(t)[share.SharePrefix+zeroAccount])
}

func TestHandleFailedCreation(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	w.srv.ResetCalls()
	resp, err := r.h.Handle(t.Context(), event(t, "create-failed.json"))
	require.NoError(t, err)
	reason := "account 444444444444: CreateManagedAccount is FAILED, not SUCCEEDED: nothing to share (AWS Control Tower failed to create a managed account.)"
	assert.Equal(t, Response{Event: share.EventCreateManagedAccount, EventID: "5b4d0e3a-2f6c-4d9a-9c77-3e4f5a6b7c8d",
		AccountID: devAccount, OUID: "ou-sdlc-00000002", Status: statusIgnored, Changes: []share.Change{}, Ignored: reason}, resp)
	assert.Empty(t, w.srv.Calls(), "no call at all, so no write")
	recs := r.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "INFO", recs[0]["level"])
	assert.Equal(t, "event ignored", recs[0]["msg"])
	assert.Equal(t, reason, recs[0]["reason"])
}

func TestHandleAccountMoved(t *testing.T) {
	t.Parallel()
	for _, prune := range []bool{false, true} {
		t.Run(map[bool]string{false: "kept", true: "pruned"}[prune], func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			env := baseEnv()
			env[envPrune] = map[bool]string{false: "false", true: "true"}[prune]
			r := w.newRun(t, env)
			name := share.SharePrefix + prodAccount
			_, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
			require.NoError(t, err)
			r.records(t)

			// Control Tower moves the account to SDLC OU, then tells.
			w.move(t, prodAccount, w.prodOU, w.sdlcOU)
			resp, err := r.h.Handle(t.Context(), event(t, "update-moved.json"))
			require.NoError(t, err)
			assert.Equal(t, share.EventUpdateManagedAccount, resp.Event)
			assert.Equal(t, statusChanged, resp.Status)
			want := shareState{Principals: []string{prodAccount}, Pools: w.sdlcPools}
			if prune {
				assert.Equal(t, share.Summary{Associate: 2, Disassociate: 2}, resp.Summary)
				require.Len(t, resp.Changes, 4)
				assert.Equal(t, share.KindDisassociatePool, resp.Changes[3].Kind)
			} else {
				assert.Equal(t, share.Summary{Associate: 2, Kept: 2}, resp.Summary)
				assert.Len(t, resp.Changes, 2, "only the SDLC OU pools are added")
				want.Pools = slices.Sorted(slices.Values(append(slices.Clone(w.prodPools), w.sdlcPools...)))
			}
			assert.Equal(t, map[string]shareState{name: want}, w.shares(t))
			recs := r.records(t)
			require.Len(t, recs, 1)
			assert.Equal(t, "ou-sdlc-00000002", recs[0]["ou_id"])
			assert.Equal(t, float64(resp.Summary.Kept), recs[0]["kept"])
			assert.Equal(t, float64(resp.Summary.Disassociate), recs[0]["disassociated"])

			// Delivered again, nothing changes.
			again, err := r.h.Handle(t.Context(), event(t, "update-moved.json"))
			require.NoError(t, err)
			assert.Equal(t, statusUnchanged, again.Status)
		})
	}
}

func TestHandleMalformedEvent(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	created := event(t, "create-succeeded.json")
	tests := []struct {
		name    string
		event   json.RawMessage
		eventID string
		err     string
	}{
		{"account ID a number", event(t, "malformed.json"), "7d6f2a5c-4b8e-4fbc-9e99-5a6b7c8d9e0f",
			"malformed Control Tower event: detail.serviceEventDetails.createManagedAccountStatus.account.accountId: is a JSON number, want a string"},
		{"not JSON", json.RawMessage(`{"id": "x", `), "", "malformed Control Tower event: not a JSON object: unexpected EOF"},
		{"a JSON string", json.RawMessage(`"CreateManagedAccount"`), "", "malformed Control Tower event: not a JSON object: it is a JSON string"},
		{"another source", bytes.Replace(created, []byte(`"aws.controltower"`), []byte(`"aws.ec2"`), 1), "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b",
			`malformed Control Tower event: source: "aws.ec2" is not aws.controltower: route only Control Tower events here`},
		{"eleven digits", bytes.Replace(created, []byte(`"333333333333"`), []byte(`"33333333333"`), 1), "3f2b8c1e-0d4a-4b7e-9a55-1c2d3e4f5a6b",
			`malformed Control Tower event: detail.serviceEventDetails.createManagedAccountStatus.account.accountId: "33333333333" is not 12 digits`},
	}
	w.srv.ResetCalls()
	for _, tt := range tests {
		resp, err := r.h.Handle(t.Context(), tt.event)
		require.NoError(t, err, "%s: a malformed event is not retried", tt.name)
		assert.Equal(t, Response{EventID: tt.eventID, Status: statusFailed, Changes: []share.Change{}, Error: tt.err, Terminal: true}, resp, tt.name)
		recs := r.records(t)
		require.Len(t, recs, 1, tt.name)
		assert.Equal(t, "ERROR", recs[0]["level"], tt.name)
		assert.Equal(t, "reconcile failed; not retried: no retry can fix it", recs[0]["msg"], tt.name)
		assert.Equal(t, tt.err, recs[0]["error"], tt.name)
		assert.Equal(t, true, recs[0]["terminal"], tt.name)
	}
	assert.Empty(t, w.srv.Calls(), "no call for a malformed event")
}

func TestHandleScheduledEvent(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	// The prod account's share exists already, from its creation event.
	_, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
	require.NoError(t, err)
	r.records(t)

	resp, err := r.h.Handle(t.Context(), event(t, "scheduled.json"))
	require.NoError(t, err)
	assert.Equal(t, "Scheduled Event", resp.Event)
	assert.Equal(t, "89d1a02d-5ec7-412e-82f5-13505f849b41", resp.EventID)
	assert.Empty(t, resp.AccountID)
	assert.Equal(t, statusChanged, resp.Status)
	assert.Equal(t, share.Summary{Create: 2, Associate: 4}, resp.Summary, "the backfill: the dev and zero accounts")
	assert.Equal(t, []share.Note{{AccountID: networkAccount, Msg: "account 222222222222 owns the pools: it needs no share"}}, resp.Notes)
	assert.Equal(t, map[string]shareState{
		share.SharePrefix + prodAccount: {Principals: []string{prodAccount}, Pools: w.prodPools},
		share.SharePrefix + devAccount:  {Principals: []string{devAccount}, Pools: w.sdlcPools},
		share.SharePrefix + zeroAccount: {Principals: []string{zeroAccount}, Pools: w.prodPools},
	}, w.shares(t))
	recs := r.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "Scheduled Event", recs[0]["event"])
	assert.NotContains(t, recs[0], "account_id")
	assert.Len(t, recs[0]["notes"], 1)
	assert.NotContains(t, r.logs.String(), "rule/ipamkit-account-nightly", "the event is not logged whole")

	again, err := r.h.Handle(t.Context(), event(t, "scheduled.json"))
	require.NoError(t, err)
	assert.Equal(t, statusUnchanged, again.Status)
}

func TestHandleOUMode(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := baseEnv()
	env[envShareMode] = "ou"
	r := w.newRun(t, env)
	for range 3 {
		_, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
		require.NoError(t, err)
	}
	resp, err := r.h.Handle(t.Context(), event(t, "create-leading-zero.json"))
	require.NoError(t, err)
	assert.Equal(t, statusUnchanged, resp.Status, "the zero account is in the same OU: its share is made")
	got := w.shares(t)
	require.Len(t, got, 1)
	st := got[share.SharePrefix+w.prodOU]
	assert.Equal(t, w.prodPools, st.Pools)
	require.Len(t, st.Principals, 1)
	assert.True(t, strings.HasSuffix(st.Principals[0], "/"+w.prodOU), "the OU's ARN: %s", st.Principals[0])
}

func TestHandleAccessDenied(t *testing.T) {
	t.Parallel()
	for _, f := range []awsfake.Fault{
		{Service: "ram", Operation: "CreateResourceShare"},
		{Service: "organizations", Operation: "DescribeAccount"},
		{Service: "sts", Operation: "AssumeRole"},
	} {
		t.Run(f.Service+":"+f.Operation, func(t *testing.T) {
			t.Parallel()
			w := newTestWorld(t)
			r := w.newRun(t, baseEnv())
			f.Kind = awsfake.FaultAccessDenied
			w.srv.InjectFault(f)
			resp, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
			require.NoError(t, err, "access denied is not retried")
			assert.Equal(t, statusFailed, resp.Status)
			assert.True(t, resp.Terminal)
			assert.Contains(t, resp.Error, f.Operation)
			recs := r.records(t)
			require.Len(t, recs, 1, "reported once")
			assert.Equal(t, "ERROR", recs[0]["level"])
			assert.Equal(t, true, recs[0]["terminal"])
			assert.Empty(t, w.shares(t))
		})
	}
}

func TestHandleThrottled(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	// Throttled on every try of the SDK's retryer.
	w.srv.InjectFault(awsfake.Fault{Service: "ram", Operation: "GetResourceShares", Kind: awsfake.FaultThrottle})
	resp, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
	require.Error(t, err, "the invocation fails, so EventBridge retries it")
	assert.False(t, share.IsTerminal(err), "%v", err)
	assert.ErrorAs(t, err, new(*ramtypes.ThrottlingException))
	assert.Equal(t, statusFailed, resp.Status)
	assert.False(t, resp.Terminal)
	recs := r.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "reconcile failed; EventBridge retries the event", recs[0]["msg"])
	assert.Equal(t, false, recs[0]["terminal"])

	// The retry, once the throttling is over, makes the share.
	w.srv.ClearFaults()
	resp, err = r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
	require.NoError(t, err)
	assert.Equal(t, statusChanged, resp.Status)
	assert.Len(t, w.shares(t), 1)
}

func TestHandleDeadline(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	r := w.newRun(t, baseEnv())
	// An invocation with less time left than the margin stops at once, and
	// still answers.
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(deadlineMargin/2))
	defer cancel()
	resp, err := r.h.Handle(ctx, event(t, "create-succeeded.json"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, resp.Terminal, "retried")
	assert.Len(t, r.records(t), 1)
}

func TestHandleLogsNoSecret(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := baseEnv()
	env[envLogLevel] = "DEBUG" // the library's records too
	r := w.newRun(t, env)
	for _, file := range []string{"create-succeeded.json", "update-moved.json", "scheduled.json", "malformed.json"} {
		resp, err := r.h.Handle(t.Context(), event(t, file))
		require.NoError(t, err, file)
		body, err := json.Marshal(resp)
		require.NoError(t, err)
		assert.NotContains(t, string(body), externalID, file)
	}
	logs := r.logs.String()
	assert.Greater(t, len(r.records(t)), 4, "DEBUG adds the library's records")
	// Nothing of the event but its ID, name, account and OU.
	for _, s := range []string{externalID, awsfake.DefaultSecretAccessKey, "AWS Internal", "requestedTimestamp",
		"successfully created", "6d1e2f3a-4b5c-6d7e-8f90"} {
		assert.NotContains(t, logs, s)
	}
}

func TestHandlePartialFailure(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := baseEnv()
	env[envPrune] = "true"
	r := w.newRun(t, env)
	_, err := r.h.Handle(t.Context(), event(t, "create-succeeded.json"))
	require.NoError(t, err)
	r.records(t)
	w.move(t, prodAccount, w.prodOU, w.sdlcOU)
	w.srv.InjectFault(awsfake.Fault{Service: "ram", Operation: "DisassociateResourceShare", Kind: awsfake.FaultInternalError})
	resp, err := r.h.Handle(t.Context(), event(t, "update-moved.json"))
	require.Error(t, err, "retried")
	assert.Equal(t, statusFailed, resp.Status)
	assert.False(t, resp.Terminal)
	assert.Equal(t, share.Summary{Associate: 2, Disassociate: 2}, resp.Summary, "what the plan wanted")
	require.Len(t, resp.Changes, 2, "what was done before the failure")
	for _, c := range resp.Changes {
		assert.Equal(t, share.KindAssociatePool, c.Kind)
	}
	recs := r.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, 2.0, recs[0]["applied"])

	// The retry finishes the job.
	w.srv.ClearFaults()
	resp, err = r.h.Handle(t.Context(), event(t, "update-moved.json"))
	require.NoError(t, err)
	assert.Equal(t, share.Summary{Disassociate: 2}, resp.Summary)
	assert.Equal(t, map[string]shareState{share.SharePrefix + prodAccount: {Principals: []string{prodAccount}, Pools: w.sdlcPools}}, w.shares(t))
}

func TestHandleAdoptsSampleShares(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	// What the sample's Lambda did on a retried event: two shares of the
	// same name, no client token, no tag, external principals allowed, and
	// only the pool it found on the first page.
	client := ram.NewFromConfig(w.srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1"))
	name := share.SharePrefix + prodAccount
	for range 2 {
		_, err := client.CreateResourceShare(t.Context(), &ram.CreateResourceShareInput{
			Name: aws.String(name), Principals: []string{prodAccount},
			ResourceArns: []string{"arn:aws:ec2::" + networkAccount + ":ipam-pool/" + w.prodPools[0]},
		})
		require.NoError(t, err)
	}
	r := w.newRun(t, baseEnv())
	w.srv.ResetCalls()
	resp, err := r.h.Handle(t.Context(), event(t, "scheduled.json"))
	require.NoError(t, err)
	assert.Equal(t, share.Summary{Create: 2, Associate: 5}, resp.Summary, "the prod share gains its second pool; dev and zero get theirs")
	assert.Equal(t, map[string]int{"CreateResourceShare": 2, "AssociateResourceShare": 1}, w.writes(), "the sample's share is adopted, not duplicated")
	var msgs []string
	for _, n := range resp.Notes {
		if n.AccountID == prodAccount {
			msgs = append(msgs, n.Msg)
		}
	}
	require.Len(t, msgs, 2)
	assert.Contains(t, msgs[0], "duplicates")
	assert.Contains(t, msgs[1], "allows external principals")
}
