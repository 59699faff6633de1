package sdkhttp_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/logging"
	"github.com/ipamkit/ipamkit/internal/awsfake"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkLog keeps what the SDK logs; it is safe for concurrent use.
type sdkLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *sdkLog) Logf(c logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(c)+" "+fmt.Sprintf(format, v...))
}

// TestConfigureOverLoopback pages through large answers of the fake over
// real TCP with the SDK's default HTTP client, configured by Configure:
// no call fails and the SDK logs nothing. Without the Transport fix, most
// of these pages fail with "use of closed network connection", and the
// SDK logs "WARN failed to discard remaining HTTP response body" for each
// (measured: 97 of 156 pages): net/http closed the connection while the
// response body was read, so draining its rest failed too. The warnings
// that large scans printed on standard error were that race, not a body
// left unread.
func TestConfigureOverLoopback(t *testing.T) {
	t.Parallel()
	world, err := awsfake.Generate(awsfake.GenerateOptions{VPCs: 40, Subnets: 100, Seed: 1})
	require.NoError(t, err)
	srv, err := awsfake.New(func(o *awsfake.Options) { o.World = world })
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	log := &sdkLog{}
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("us-east-1"), config.WithBaseEndpoint(srv.URL()),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(awsfake.GeneratedAccessKeyID(awsfake.GeneratedAccountID(0)), "secret", "")),
		config.WithSharedConfigFiles(nil), config.WithSharedCredentialsFiles(nil), config.WithRetryMaxAttempts(1), config.WithLogger(log))
	require.NoError(t, err)
	sdkhttp.Configure(&cfg, 0)
	client := ec2.NewFromConfig(cfg)
	pages, subnets := 0, 0
	var failed []error
	for range 8 {
		p := ec2.NewDescribeSubnetsPaginator(client, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(1000)})
		for p.HasMorePages() {
			pages++
			out, err := p.NextPage(t.Context())
			if err != nil {
				failed = append(failed, err)
				break
			}
			subnets += len(out.Subnets)
		}
	}
	assert.Empty(t, failed, "pages that failed of %d", pages)
	assert.Equal(t, 8*40*100, subnets)
	log.mu.Lock()
	defer log.mu.Unlock()
	assert.Empty(t, log.lines, "what the SDK logged over %d pages", pages)
}
