package s3state_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
	"github.com/ipamkit/ipamkit/ipam"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/ipamkit/ipamkit/usage/s3state"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bucket, key = "ipamkit-state", "monitor/state.json"

// fakeS3 starts the fake and returns an S3 client of it: path-style, or
// virtual-hosted style through the host name localhost, whose subdomains
// the client's transport dials at the fake. The client's requests' hosts
// are recorded in hosts, when not nil.
func fakeS3(t *testing.T, pathStyle bool, hosts ...*[]string) (*s3.Client, *awsfake.Server) {
	t.Helper()
	srv, err := awsfake.New()
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	cfg := srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1")
	addr := strings.TrimPrefix(srv.URL(), "http://")
	if !pathStyle {
		_, port, _ := net.SplitHostPort(addr)
		cfg.BaseEndpoint = aws.String("http://localhost:" + port)
		cfg.HTTPClient = dialingTo(addr, hosts...)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }), srv
}

// dialingTo is an HTTP client that connects to addr whatever the host,
// and records each request's host and path in hosts.
func dialingTo(addr string, hosts ...*[]string) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	var mu sync.Mutex
	record := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		for _, h := range hosts {
			mu.Lock()
			*h = append(*h, r.URL.Host+r.URL.Path)
			mu.Unlock()
		}
		return tr.RoundTrip(r)
	})
	return &http.Client{Transport: sdkhttp.Transport(record)}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}

// conditionalWrites runs S3's conditional writes through client and
// returns the outcome of each step: "ok" or the error code.
func conditionalWrites(t *testing.T, client *s3.Client) []string {
	t.Helper()
	ctx := t.Context()
	var got []string
	put := func(body string, ifMatch, ifNoneMatch *string) string {
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
			Body: strings.NewReader(body), IfMatch: ifMatch, IfNoneMatch: ifNoneMatch})
		got = append(got, code(err))
		if err != nil {
			return ""
		}
		return aws.ToString(out.ETag)
	}
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	got = append(got, code(err))
	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	got = append(got, code(err))
	e1 := put("one", nil, aws.String("*"))
	put("two", nil, aws.String("*"))
	e2 := put("three", aws.String(e1), nil)
	put("four", aws.String(e1), nil)
	e3 := put("five", aws.String(strings.Trim(e2, `"`)), nil)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing"),
		Body: strings.NewReader("x"), IfMatch: aws.String(e3)})
	got = append(got, code(err))
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	got = append(got, code(err))
	put("six", nil, aws.String(e3)) // If-None-Match takes only '*'
	if err == nil {
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		assert.Equal(t, "five", string(b))
		assert.Equal(t, e3, aws.ToString(out.ETag))
		assert.True(t, strings.HasPrefix(e3, `"`) && strings.HasSuffix(e3, `"`), "ETag %s is quoted", e3)
	}
	return got
}

// awsOutcomes are the outcomes of conditionalWrites as S3 defines them.
var awsOutcomes = []string{
	"ok",                 // CreateBucket
	"NoSuchKey",          // GetObject of a key never written
	"ok",                 // If-None-Match: * on a new key
	"PreconditionFailed", // If-None-Match: * on an existing key
	"ok",                 // If-Match: current ETag
	"PreconditionFailed", // If-Match: a stale ETag
	"ok",                 // If-Match: current ETag without its quotes
	"NoSuchKey",          // If-Match on a key that does not exist
	"ok",                 // GetObject
	"NotImplemented",     // If-None-Match: an ETag (UNVERIFIED: S3 documents only '*')
}

func TestFakeConditionalWrites(t *testing.T) {
	t.Parallel()
	for _, pathStyle := range []bool{true, false} {
		t.Run("pathStyle="+strconv.FormatBool(pathStyle), func(t *testing.T) {
			t.Parallel()
			var hosts []string
			client, srv := fakeS3(t, pathStyle, &hosts)
			assert.Equal(t, awsOutcomes, conditionalWrites(t, client))
			if !pathStyle {
				require.NotEmpty(t, hosts)
				assert.True(t, strings.HasPrefix(hosts[len(hosts)-1], bucket+".localhost:"), "virtual-hosted style: %v", hosts)
				assert.True(t, strings.HasSuffix(hosts[len(hosts)-1], "/"+key), "the key is the path: %v", hosts)
			}
			var ops []string
			for _, c := range srv.Calls() {
				ops = append(ops, c.Service+":"+c.Operation)
			}
			assert.Equal(t, []string{"s3:CreateBucket", "s3:GetObject", "s3:PutObject", "s3:PutObject", "s3:PutObject", "s3:PutObject", "s3:PutObject", "s3:PutObject", "s3:GetObject", "s3:PutObject"}, ops)
		})
	}
}

func TestStateOverTheWire(t *testing.T) {
	t.Parallel()
	client, _ := fakeS3(t, true)
	ctx := t.Context()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	st := s3state.New(client, bucket, key)

	snap, v, err := st.Load(ctx)
	require.NoError(t, err)
	assert.Nil(t, snap)
	assert.Empty(t, v)

	want := usage.Snapshot{Saved: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), Findings: []usage.SnapshotFinding{{
		Source: usage.SourceEC2, AccountID: "012345678901", Region: "us-east-1", Type: usage.TypeSubnet, ID: "subnet-0abc",
		CIDR: ipam.MustParseCIDR("10.0.1.0/24"), Severity: notify.Critical, Threshold: 80, Percent: 95.6,
	}}}
	v1, err := st.Save(ctx, want, "")
	require.NoError(t, err)
	_, err = st.Save(ctx, want, "")
	require.ErrorIs(t, err, usage.ErrStateConflict)

	snap, v, err = st.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, v1, v)
	assert.Equal(t, want, *snap)

	v2, err := st.Save(ctx, usage.Snapshot{}, v1)
	require.NoError(t, err)
	assert.NotEqual(t, v1, v2)
	_, err = st.Save(ctx, want, v1)
	require.ErrorIs(t, err, usage.ErrStateConflict)

	_, err = s3state.New(client, "no-such-bucket", key).Save(ctx, want, "")
	require.Error(t, err)
	assert.NotErrorIs(t, err, usage.ErrStateConflict)
	assert.Equal(t, "NoSuchBucket", code(err))
}

// barrier is an S3API whose GetObject returns only once n callers have
// loaded: overlapping runs, without a sleep.
type barrier struct {
	s3state.S3API
	wg *sync.WaitGroup
}

func (b barrier) GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	out, err := b.S3API.GetObject(ctx, in, optFns...)
	b.wg.Done()
	b.wg.Wait()
	return out, err
}

// TestConcurrentRunsAlertOnce runs two monitors at once against one state
// object, both with the same new finding: exactly one alert goes out.
func TestConcurrentRunsAlertOnce(t *testing.T) {
	t.Parallel()
	client, _ := fakeS3(t, true)
	ctx := t.Context()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	finished := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	subnet := usage.Resource{
		ID: "subnet-0abc", Type: usage.TypeSubnet, Source: usage.SourceEC2, AccountID: "012345678901", Region: "us-east-1",
		CIDR: ipam.MustParseCIDR("10.0.1.0/24"), Known: true, Total: ipam.NewCount(251), Used: ipam.NewCount(240), Available: ipam.NewCount(11),
	}
	rep, err := usage.NewReport([]usage.Resource{subnet}, nil, usage.ScanInfo{Finished: finished, Targets: 1}, usage.Policy{})
	require.NoError(t, err)

	var (
		mu     sync.Mutex
		alerts []string
	)
	m := notify.Multi{Notifiers: []notify.Notifier{notify.NotifierFunc(func(_ context.Context, a notify.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		alerts = append(alerts, a.Title)
		return nil
	})}}
	var loaded sync.WaitGroup
	loaded.Add(2)
	errs := make([]error, 2)
	var runs sync.WaitGroup
	for i := range 2 {
		runs.Add(1)
		go func() {
			defer runs.Done()
			st := s3state.New(barrier{client, &loaded}, bucket, key)
			_, errs[i] = rep.DeliverChange(ctx, st, m)
		}()
	}
	runs.Wait()
	assert.Equal(t, []string{"IP usage changed: 1 new"}, alerts, "exactly one alert")
	conflicts := 0
	for _, err := range errs {
		if err != nil {
			require.ErrorIs(t, err, usage.ErrStateConflict)
			conflicts++
		}
	}
	assert.Equal(t, 1, conflicts, "the other run lost the race: %v", errs)
}

// TestMotoConditionalWrites runs the same calls against moto, which
// implements S3, and compares with what S3 defines. The fake follows AWS
// where they differ (see the log).
func TestMotoConditionalWrites(t *testing.T) {
	t.Parallel()
	url := startMoto(t)
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDMOTO", "secret", ""),
	})
	got := conditionalWrites(t, client)
	require.Len(t, got, len(awsOutcomes))
	for i := range awsOutcomes {
		if got[i] != awsOutcomes[i] {
			t.Logf("step %d: moto answers %s, S3 is documented to answer %s", i+1, got[i], awsOutcomes[i])
		}
	}
	// What the state relies on must agree.
	for _, i := range []int{1, 2, 3, 4, 5, 8} {
		assert.Equal(t, awsOutcomes[i], got[i], "step %d", i+1)
	}
}

// startMoto starts moto's server on a free loopback port and returns its
// URL once it says it is listening, or skips the test when python3 or moto
// is not installed.
func startMoto(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the cross-check against moto is skipped")
	}
	if err := exec.Command("python3", "-c", "import moto.server").Run(); err != nil {
		t.Skip("moto is not installed (pip install 'moto[server]'): the cross-check against moto is skipped")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	require.NoError(t, l.Close())

	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 2*time.Minute)
	cmd := exec.CommandContext(ctx, "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	// The server says on stderr when it listens: wait for that line, not
	// for a time. An exit before it sends what it said instead.
	failed := make(chan string, 1)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		var said strings.Builder
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Running on") {
				close(ready)
				for sc.Scan() { // keep the pipe drained
				}
				return
			}
			said.WriteString(sc.Text() + "\n")
		}
		failed <- said.String()
	}()
	select {
	case <-ready:
	case said := <-failed:
		t.Fatalf("moto_server exited before listening: %s", said)
	case <-ctx.Done():
		t.Fatal("moto_server did not start within 2 minutes")
	}
	return "http://127.0.0.1:" + port
}
