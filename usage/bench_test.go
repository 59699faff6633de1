package usage_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/usage"
)

// BenchmarkScanWire scans the organization through the real SDK
// over loopback: 100,000 subnets in 2,000 VPCs across 20 targets (10
// accounts × 2 regions, 100 VPCs of 50 subnets each). It reports the API
// calls made against the minimum (per target one page of VPCs and 5 pages
// of 1,000 subnets) and the heap the scan adds at its peak and keeps in its
// report. The fake runs in the same process, so the figures include its
// share of the two cores, not its memory (measured after a warm-up scan).
func BenchmarkScanWire(b *testing.B) {
	regions := []string{"us-east-1", "us-west-2"}
	world, err := awsfake.Generate(awsfake.GenerateOptions{Accounts: 10, Regions: regions, VPCs: 100, Subnets: 50, NearExhaustion: 0.05, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var targets []usage.Target
	for i := range 10 {
		for _, r := range regions {
			targets = append(targets, usage.Target{AccountID: awsfake.GeneratedAccountID(i), Region: r})
		}
	}
	clients := usage.ClientFactoryFunc(func(_ context.Context, t usage.Target) (usage.EC2API, error) {
		return ec2.NewFromConfig(srv.ClientConfig(awsfake.GeneratedAccessKeyID(t.AccountID), t.Region)), nil
	})
	scanner := usage.NewScanner(clients, func(o *usage.ScannerOptions) { o.Concurrency = 8 })
	scan := func() usage.Report {
		rep, err := scanner.Scan(b.Context(), targets)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Errors) > 0 {
			b.Fatal(rep.Errors[0])
		}
		return rep
	}
	warm := scan() // the fake encodes each subnet once, on first serve
	if n := countType(warm, usage.TypeSubnet); n != 100_000 {
		b.Fatalf("scanned %d subnets, want 100000", n)
	}
	const minCalls = 20 * (1 + 5)

	b.ReportAllocs()
	var calls int
	var peak, kept uint64
	for b.Loop() {
		warm = usage.Report{}
		runtime.GC()
		base := heapBytes()
		stop := samplePeak(&peak)
		srv.ResetCalls()
		rep := scan()
		stop()
		calls = len(srv.Calls())
		runtime.GC()
		kept = heapBytes() - base
		runtime.KeepAlive(rep)
	}
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(minCalls, "min-calls")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(kept)/(1<<20), "report-MiB")
}

func countType(rep usage.Report, t usage.ResourceType) int {
	n := 0
	for _, r := range rep.Resources {
		if r.Type == t {
			n++
		}
	}
	return n
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeak records the largest heap growth over the current heap until
// the returned function is called. It samples every millisecond: an
// estimate of the peak, good to the size of a page or two.
func samplePeak(peak *uint64) (stop func()) {
	base := heapBytes()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var max uint64
		for {
			select {
			case <-done:
				*peak = max
				return
			case <-t.C:
				if h := heapBytes(); h > base && h-base > max {
					max = h - base
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
