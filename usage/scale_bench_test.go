package usage_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/middleware"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
	"github.com/ipamkit/ipamkit/usage"
)

// Sizes of BenchmarkScanScale: member accounts, each in two regions, each
// account-region with one VPC of 20 subnets.
const (
	scaleRegionCount     = 2
	scaleSubnetsPerVPC   = 20
	scaleVPCsPerAccount  = 1
	scaleSubnetsPerPage  = 1000 // DescribeSubnets' largest page
	scaleAccountsPerPage = 20   // ListAccounts' largest page
)

// BenchmarkScanScale scans a generated organization the way a scheduled
// monitor does, through the real SDK over loopback: organizations:
// ListAccounts, sts:AssumeRole into every member account, and EC2 in every
// account-region, with the SDK's default configuration (its standard
// retryer, back-off and retry quota included) and the fake answering each
// call after 50 ms, under AWS's request rate limits
// ([awsfake.AWSRateLimits]).
//
// It reports the API calls against the minimum, the throttles the fake
// answered, the mean time of an EC2 call as the client saw it, the heap
// the scan added at its peak (garbage not yet collected included), the
// heap still in use once it is done, while its report is held (kept-MiB:
// the report, and the fake's encoded items, about 0.7 KB a subnet), and
// the process's peak resident memory (VmHWM: the fake's world included). The sizes are 5,000 and 20,000
// account-regions; they take minutes, so they run only when -bench names
// the benchmark (as in -bench ScanScale), never under -bench . alone.
// IPAMKIT_SCALE_LATENCY (a duration, or MEDIAN/P99) and
// IPAMKIT_SCALE_LIMITS=none change the fake's latency and limits, to
// profile the scan's own costs; IPAMKIT_SCALE_CONCURRENCY sets the scan's
// concurrency, and IPAMKIT_SCALE_ACCOUNTS replaces the two sizes with one
// of that many member accounts.
func BenchmarkScanScale(b *testing.B) {
	sizes := []int{2500, 10000}
	if n, err := strconv.Atoi(os.Getenv("IPAMKIT_SCALE_ACCOUNTS")); err == nil && n > 0 {
		sizes = []int{n}
	}
	for _, accounts := range sizes {
		b.Run(fmt.Sprintf("targets=%d", accounts*scaleRegionCount), func(b *testing.B) {
			if !benchNamed("ScanScale") {
				b.Skip("minutes long: run it with -bench ScanScale")
			}
			benchScanScale(b, accounts)
		})
	}
}

// benchNamed reports whether the -test.bench pattern names name itself.
func benchNamed(name string) bool {
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), name)
}

func benchScanScale(b *testing.B, accounts int) {
	regions := []string{"us-east-1", "us-west-2"}
	latency := awsfake.Latency{Median: 50 * time.Millisecond}
	if v := os.Getenv("IPAMKIT_SCALE_LATENCY"); v != "" {
		l, err := awsfake.ParseLatency(v)
		if err != nil {
			b.Fatal(err)
		}
		latency = l
	}
	concurrency, _ := strconv.Atoi(os.Getenv("IPAMKIT_SCALE_CONCURRENCY")) // zero: the default
	limits := awsfake.AWSRateLimits()
	if os.Getenv("IPAMKIT_SCALE_LIMITS") == "none" {
		limits = nil
	}
	start := time.Now()
	world, err := awsfake.Generate(awsfake.GenerateOptions{Accounts: accounts, Regions: regions, VPCs: scaleVPCsPerAccount,
		Subnets: scaleSubnetsPerVPC, NearExhaustion: 0.05, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World, o.Latency, o.RateLimits = world, latency, limits })
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	world = nil
	runtime.GC()
	b.Logf("world of %d account-regions generated and served in %v; heap %.0f MiB", accounts*len(regions), time.Since(start), float64(heapBytes())/(1<<20))

	// The minimum: every page of accounts, one AssumeRole per member
	// account (the management account reads itself), and per
	// account-region one page of VPCs and the pages of its subnets.
	targets := accounts * len(regions)
	subnetPages := (scaleVPCsPerAccount*scaleSubnetsPerVPC + scaleSubnetsPerPage - 1) / scaleSubnetsPerPage
	minCalls := 1 + (accounts+1+scaleAccountsPerPage-1)/scaleAccountsPerPage + accounts + (targets+len(regions))*(1+subnetPages)

	var ec2Calls, ec2Nanos atomic.Int64
	timeEC2 := func(o *ec2.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("benchTimeCall",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					t := time.Now()
					out, md, err := next.HandleInitialize(ctx, in)
					ec2Calls.Add(1)
					ec2Nanos.Add(int64(time.Since(t)))
					return out, md, err
				}), middleware.Before)
		})
	}

	b.ReportAllocs()
	var calls, throttles, resources, failed int
	var peak, kept uint64
	for b.Loop() {
		cfg, err := config.LoadDefaultConfig(b.Context(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(srv.URL()),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, "")))
		if err != nil {
			b.Fatal(err)
		}
		sdkhttp.Configure(&cfg, 0)
		clients := usage.NewAWSClients(cfg, func(o *usage.AWSClientsOptions) { o.EC2Options = append(o.EC2Options, timeEC2) })
		ec2Calls.Store(0)
		ec2Nanos.Store(0)
		srv.ResetCalls()
		runtime.GC()
		base := heapBytes()
		stop := samplePeak(&peak)
		rep, err := usage.ScanOrganization(b.Context(), cfg, func(o *usage.OrganizationScanOptions) {
			o.Organization, o.Regions, o.Sources, o.Clients = true, regions, []usage.Source{usage.SourceEC2}, clients
			o.Concurrency = concurrency
		})
		stop()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		kept = heapBytes() - base // the report, and the fake's encoded items (about 0.7 KB a subnet)
		resources, failed = len(rep.Resources), len(rep.Errors)
		if failed > 0 {
			b.Logf("%d targets failed, the first: %v", failed, rep.Errors[0])
		}
		runtime.KeepAlive(rep)
		all := srv.Calls()
		calls, throttles = len(all), 0
		for _, c := range all {
			if c.ErrorCode == "RequestLimitExceeded" || c.ErrorCode == "Throttling" || c.ErrorCode == "TooManyRequestsException" {
				throttles++
			}
		}
	}
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(float64(minCalls), "min-calls")
	b.ReportMetric(float64(throttles), "throttles")
	b.ReportMetric(float64(failed), "failed-targets")
	b.ReportMetric(float64(resources), "resources")
	if n := ec2Calls.Load(); n > 0 {
		b.ReportMetric(float64(ec2Nanos.Load())/float64(n)/1e6, "ms/ec2-call")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(kept)/(1<<20), "kept-MiB")
	if hwm, ok := vmHWM(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "VmHWM-MiB")
	}
}

// vmHWM returns the process's peak resident set size, from
// /proc/self/status, where the kernel keeps it.
func vmHWM() (uint64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
