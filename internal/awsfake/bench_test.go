package awsfake

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerate(t *testing.T) {
	w, err := Generate(GenerateOptions{Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, VPCs: 3, Subnets: 10, NearExhaustion: 0.5, Seed: 7})
	require.NoError(t, err)
	srv := startServer(t, w)
	account := GeneratedAccountID(1)
	p := ec2.NewDescribeSubnetsPaginator(ec2Client(srv, GeneratedAccessKeyID(account), "eu-west-1"), &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(7)})
	n, near := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		for _, s := range out.Subnets {
			n++
			assert.Equal(t, account, aws.ToString(s.OwnerId))
			if aws.ToInt32(s.AvailableIpAddressCount) <= 12 {
				near++
			}
		}
	}
	assert.Equal(t, 30, n)
	assert.InDelta(t, 15, near, 8, "about half the subnets near exhaustion")

	again, err := Generate(GenerateOptions{Accounts: 2, Regions: []string{"us-east-1", "eu-west-1"}, VPCs: 3, Subnets: 10, NearExhaustion: 0.5, Seed: 7})
	require.NoError(t, err)
	a, err := w.load()
	require.NoError(t, err)
	b, err := again.load()
	require.NoError(t, err)
	for id, s := range a.subnets {
		require.Contains(t, b.subnets, id)
		assert.Equal(t, s.used, b.subnets[id].used, "same seed, same world")
	}

	_, err = Generate(GenerateOptions{Subnets: 257})
	assert.Error(t, err)
}

// benchWorld is the benchmark world: 100,000 subnets in 2,000 VPCs over 20
// account-regions (10 accounts in us-east-1 and us-west-2), 5 % of the
// subnets nearly full.
func benchWorld(b *testing.B) *Server {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	w, err := Generate(GenerateOptions{Accounts: 10, Regions: []string{"us-east-1", "us-west-2"}, VPCs: 100, Subnets: 50, NearExhaustion: 0.05, Seed: 1})
	require.NoError(b, err)
	srv, err := New(func(o *Options) { o.World = w })
	require.NoError(b, err)
	b.Cleanup(srv.Close)
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.Logf("generated and loaded 100,000 subnets in %v; heap %.0f MiB (world and server)", elapsed, float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	return srv
}

// BenchmarkServeSubnetPages measures the fake alone: raw DescribeSubnets
// requests over loopback for pages of 1,000 subnets, bodies read and
// discarded, no SDK decoding.
func BenchmarkServeSubnetPages(b *testing.B) {
	srv := benchWorld(b)
	ctx := b.Context()
	key := GeneratedAccessKeyID(GeneratedAccountID(3))
	form := url.Values{"Action": {"DescribeSubnets"}, "Version": {"2016-11-15"}, "MaxResults": {"1000"}}
	pages, bytes := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL(), strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", signedBy(key, "us-west-2", "ec2"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		pages++
		bytes += int(n)
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(bytes)/float64(pages), "bytes/page")
}

// BenchmarkDescribeSubnets pages through every subnet of one account-region
// of a world of 100,000 subnets in 2,000 VPCs over 20 account-regions, with
// the real SDK over loopback, 1,000 subnets a page.
func BenchmarkDescribeSubnets(b *testing.B) {
	srv := benchWorld(b)
	// The outer benchmark's context outlives every run of the sub-benchmark;
	// a sub-benchmark's own context is cancelled between its runs.
	ctx := b.Context()
	client := ec2Client(srv, GeneratedAccessKeyID(GeneratedAccountID(3)), "us-west-2")
	for _, size := range []int32{1000} {
		b.Run(fmt.Sprintf("page=%d", size), func(b *testing.B) {
			pages := 0
			b.ReportAllocs()
			for b.Loop() {
				p := ec2.NewDescribeSubnetsPaginator(client, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(size)})
				n := 0
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						b.Fatal(err)
					}
					n += len(out.Subnets)
					pages++
				}
				if n != 5000 {
					b.Fatalf("got %d subnets, want 5000", n)
				}
			}
			b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkGetIpamResourceCidrs pages through the private scope of an IPAM
// that sees the 100,000 subnets and 2,000 VPCs of the benchmark world, with
// the real SDK, 1,000 resource CIDRs a page.
func BenchmarkGetIpamResourceCidrs(b *testing.B) {
	w, err := Generate(GenerateOptions{Accounts: 10, Regions: []string{"us-east-1", "us-west-2"}, VPCs: 100, Subnets: 50, NearExhaustion: 0.05, Seed: 1, IPAM: true})
	require.NoError(b, err)
	srv, err := New(func(o *Options) { o.World = w })
	require.NoError(b, err)
	b.Cleanup(srv.Close)
	ctx := b.Context()
	client := ec2Client(srv, DefaultAccessKeyID, "us-east-1")
	ipams, err := client.DescribeIpams(ctx, &ec2.DescribeIpamsInput{})
	require.NoError(b, err)
	scope := ipams.Ipams[0].PrivateDefaultScopeId
	pages := 0
	b.ReportAllocs()
	for b.Loop() {
		p := ec2.NewGetIpamResourceCidrsPaginator(client, &ec2.GetIpamResourceCidrsInput{IpamScopeId: scope, MaxResults: aws.Int32(1000)})
		n := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			n += len(out.IpamResourceCidrs)
			pages++
		}
		if n != 102000 {
			b.Fatalf("got %d resource CIDRs, want 102000", n)
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
