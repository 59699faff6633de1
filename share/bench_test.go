package share

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/stretchr/testify/require"
)

// Size of the benchmark organization.
const (
	benchAccounts = 5000
	benchOUs      = 200 // 20 OUs under the root, each with 9 child OUs
	benchPools    = 500
)

var (
	benchOnce  sync.Once
	benchWorld *awsfake.World
	benchErr   error
)

// benchOrg builds, once, an organization of benchAccounts accounts spread
// over benchOUs OUs (two levels), and a networking account whose IPAM has
// benchPools pools, each tagged Env=<an OU's name> (2 or 3 per OU), in two
// regions.
func benchOrg(b *testing.B) *awsfake.World {
	b.Helper()
	benchOnce.Do(func() {
		bld := awsfake.NewBuilder(awsfake.DemoManagementAccount)
		infra := bld.OU(bld.Root(), "Infrastructure")
		bld.Account(infra, awsfake.DemoNetworkAccount, "network", "network@example.com")
		bld.DelegatedAdministrator(awsfake.DemoNetworkAccount)
		bld.AccessKey(awsfake.DemoNetworkAccessKey, awsfake.DemoNetworkAccount, "network-admin")
		var ous, names []string
		for range benchOUs / 10 {
			top := bld.OU(bld.Root(), fmt.Sprintf("ou-%03d", len(ous)))
			ous, names = append(ous, top), append(names, fmt.Sprintf("ou-%03d", len(names)))
			for range 9 {
				ous = append(ous, bld.OU(top, fmt.Sprintf("ou-%03d", len(ous))))
				names = append(names, fmt.Sprintf("ou-%03d", len(names)))
			}
		}
		for i := range benchAccounts {
			id := fmt.Sprintf("%012d", 100000000000+i)
			bld.Account(ous[i%len(ous)], id, fmt.Sprintf("acct-%d", i), fmt.Sprintf("acct-%d@example.com", i))
		}
		ipamID := bld.IPAM(awsfake.DemoNetworkAccount, "us-east-1", "us-east-1", "us-west-2")
		scope := bld.Scope(ipamID, "private")
		for i := range benchPools {
			bld.Pool(awsfake.PoolSpec{Scope: scope, Locale: []string{"us-east-1", "us-west-2"}[i%2], Description: fmt.Sprintf("pool %d", i),
				AllocationResourceTags: map[string]string{"Env": names[i%len(names)]}})
		}
		benchWorld, benchErr = bld.Build()
	})
	require.NoError(b, benchErr)
	return benchWorld
}

func benchServer(b *testing.B) (*awsfake.Server, *Reconciler) {
	b.Helper()
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = benchOrg(b) })
	require.NoError(b, err)
	net := srv.ClientConfig(awsfake.DemoNetworkAccessKey, "us-east-1")
	r := NewReconciler(ram.NewFromConfig(net), ec2.NewFromConfig(net),
		organizations.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")), noSleep)
	return srv, r
}

// calls counts a server's calls by operation, and the writes.
func calls(srv *awsfake.Server) (total, writes int, byOp map[string]int) {
	byOp = map[string]int{}
	for _, c := range srv.Calls() {
		byOp[c.Operation]++
		total++
		switch c.Operation {
		case "CreateResourceShare", "AssociateResourceShare", "DisassociateResourceShare":
			writes++
		}
	}
	return total, writes, byOp
}

// BenchmarkReconcileAll reconciles an organization of 5,000 accounts in
// 200 OUs against 500 pools, against the fake: "backfill" from no share
// at all (every account gets its share), "steady" the plan of the same
// organization once converged (reads only).
func BenchmarkReconcileAll(b *testing.B) {
	name := fmt.Sprintf("accounts=%d,ous=%d,pools=%d", benchAccounts, benchOUs, benchPools)
	b.Run("backfill/"+name, func(b *testing.B) {
		b.ReportAllocs()
		var total, writes int
		var byOp map[string]int
		for b.Loop() {
			b.StopTimer()
			srv, r := benchServer(b)
			b.StartTimer()
			res, err := r.ReconcileAll(b.Context())
			require.NoError(b, err)
			b.StopTimer()
			require.Len(b, res.Applied, benchAccounts+benchAccounts*benchPools/benchOUs)
			total, writes, byOp = calls(srv)
			srv.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(total), "calls/op")
		b.ReportMetric(float64(writes), "writes/op")
		b.Logf("calls by operation: %v", byOp)
	})
	b.Run("steady/"+name, func(b *testing.B) {
		b.ReportAllocs()
		srv, r := benchServer(b)
		defer srv.Close()
		_, err := r.ReconcileAll(b.Context())
		require.NoError(b, err)
		var byOp map[string]int
		var total int
		var live uint64
		for b.Loop() {
			srv.ResetCalls()
			var before, after runtime.MemStats
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.StartTimer()
			p, err := r.PlanAll(b.Context())
			require.NoError(b, err)
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.StartTimer()
			require.True(b, p.IsEmpty())
			if after.HeapAlloc > before.HeapAlloc {
				live = after.HeapAlloc - before.HeapAlloc
			}
			total, _, byOp = calls(srv)
		}
		b.ReportMetric(float64(total), "calls/op")
		b.ReportMetric(float64(live)/(1<<20), "MiB-plan-live")
		b.Logf("calls by operation: %v", byOp)
	})
}
