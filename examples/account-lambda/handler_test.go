package main

import (
	"bufio"
	"bytes"
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
