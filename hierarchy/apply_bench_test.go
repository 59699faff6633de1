package hierarchy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/ipamkit/ipamkit/internal/awsfake"
)

// fakeRegions are the fake's enabled regions. bigSpec's 30 regional pools
// take them in turn (two pools per region), as the fake knows no
// "region-NN".
var fakeRegions = []string{
	"ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// bigSpecInFake is bigSpec with real regions as locales.
func bigSpecInFake() Spec {
	s := bigSpec()
	regs := s.Pools[0].Pools
	for i := range regs {
		regs[i].Locale = fakeRegions[i%len(fakeRegions)]
	}
	return s
}

func benchIPAM(b *testing.B, stateReads int) wireIPAM {
	b.Helper()
	bld := awsfake.NewBuilder(awsfake.DefaultAccountID)
	id := bld.IPAM(awsfake.DefaultAccountID, "us-east-1", fakeRegions...)
	world, err := bld.Build()
	if err != nil {
		b.Fatal(err)
	}
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World, o.StateReads = world, stateReads })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	scope := bld.Scope(id, "private")
	return wireIPAM{srv: srv, client: ec2.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")), scope: scope}
}

// callCounts reports the calls the fake served, in all and per operation.
func callCounts(b *testing.B, calls []awsfake.Call, runs int) {
	b.Helper()
	by := map[string]int{}
	for _, c := range calls {
		by[c.Operation]++
	}
	b.ReportMetric(float64(len(calls))/float64(runs), "calls/op")
	var parts []string
	for op, n := range by {
		parts = append(parts, fmt.Sprintf("%s=%d", op, n/runs))
	}
	sort.Strings(parts)
	b.Logf("calls per run: %s", strings.Join(parts, " "))
}

// BenchmarkApply applies bigSpec's 2,011 pools to an empty scope of the
// fake, through the real SDK client: 2,011 creations and 2,011 provisions,
// each waited on. StateReads is how many reads see a pool or CIDR in its
// transitional state. The fake's states advance with reads, not time, so
// the wall time is the client's and the fake's work, not AWS's delays.
func BenchmarkApply(b *testing.B) {
	spec := bigSpecInFake()
	for _, reads := range []int{1, 3} {
		b.Run(fmt.Sprintf("pools=2011/stateReads=%d", reads), func(b *testing.B) {
			var calls []awsfake.Call
			runs := 0
			for b.Loop() {
				b.StopTimer()
				w := benchIPAM(b, reads)
				live, err := Read(b.Context(), w.client, w.scope)
				if err != nil {
					b.Fatal(err)
				}
				cs, err := Plan(spec, live, live.PlanOptions)
				if err != nil {
					b.Fatal(err)
				}
				w.srv.ResetCalls()
				b.StartTimer()
				res, err := Apply(b.Context(), w.client, cs, func(o *ApplyOptions) {
					o.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
				})
				if err != nil || len(res.Done) != 2*2011 {
					b.Fatalf("%v, %d ops done", err, len(res.Done))
				}
				b.StopTimer()
				calls = append(calls, w.srv.Calls()...)
				runs++
				b.StartTimer()
			}
			callCounts(b, calls, runs)
		})
	}
}

// BenchmarkRead reads the scope after bigSpec is applied: one page of the
// scope, one of the IPAM, three pages of pools (1,000 a page), and one
// page of CIDRs and one of allocations per pool, 8 pools at a time.
func BenchmarkRead(b *testing.B) {
	w := benchIPAM(b, 1)
	cs, err := Plan(bigSpecInFake(), Live{}, func(o *Options) { o.ScopeID = w.scope })
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Apply(b.Context(), w.client, cs, func(o *ApplyOptions) {
		o.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("pools=2011", func(b *testing.B) {
		w.srv.ResetCalls()
		runs := 0
		for b.Loop() {
			live, err := Read(b.Context(), w.client, w.scope)
			if err != nil || len(live.Pools) != 2011 {
				b.Fatalf("%v, %d pools", err, len(live.Pools))
			}
			runs++
		}
		callCounts(b, w.srv.Calls(), runs)
	})
}

// BenchmarkApplyRealistic applies bigSpec's 2,011 pools against a fake
// whose states settle with AWS-like delays (awsfake.RealisticDelays: 3 s to
// create a pool, 5 s to provision a CIDR), on a fake clock that Apply's
// waits advance. It reports the calls and the time AWS would have taken
// ("aws-hours/op"), which for a sequential apply is the sum of every wait.
// The pools-per-scope quota is lifted: 2,011 pools need a quota increase
// from AWS's default of 50.
func BenchmarkApplyRealistic(b *testing.B) {
	spec := bigSpecInFake()
	b.Run("pools=2011", func(b *testing.B) {
		var calls []awsfake.Call
		var simulated time.Duration
		runs := 0
		for b.Loop() {
			b.StopTimer()
			var clock awsfake.Clock
			bld := awsfake.NewBuilder(awsfake.DefaultAccountID)
			id := bld.IPAM(awsfake.DefaultAccountID, "us-east-1", fakeRegions...)
			world, err := bld.Build()
			if err != nil {
				b.Fatal(err)
			}
			srv, err := awsfake.New(awsfake.Realistic, func(o *awsfake.Options) {
				o.World, o.Now, o.PoolsPerScope = world, clock.Now, 0
			})
			if err != nil {
				b.Fatal(err)
			}
			client := ec2.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"))
			cs, err := Plan(spec, Live{}, func(o *Options) { o.ScopeID = bld.Scope(id, "private") })
			if err != nil {
				b.Fatal(err)
			}
			start := clock.Now()
			b.StartTimer()
			res, err := Apply(b.Context(), client, cs, onClock(&clock))
			if err != nil || len(res.Done) != 2*2011 {
				b.Fatalf("%v, %d ops done", err, len(res.Done))
			}
			b.StopTimer()
			simulated += clock.Now().Sub(start)
			calls = append(calls, srv.Calls()...)
			srv.Close()
			runs++
			b.StartTimer()
		}
		b.ReportMetric(simulated.Hours()/float64(runs), "aws-hours/op")
		callCounts(b, calls, runs)
	})
}
