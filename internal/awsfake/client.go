package awsfake

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
)

// ClientConfig returns an aws.Config for SDK clients of the server, meant
// for tests: the server's URL as BaseEndpoint, static credentials for
// accessKeyID (use [DefaultAccessKeyID] for the management account), the
// region, the server's [Server.HTTPClient], and the standard retryer
// without back-off delays or a retry quota, so retried throttles cost no
// time.
func (s *Server) ClientConfig(accessKeyID, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(s.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, DefaultSecretAccessKey, ""),
		HTTPClient:   s.HTTPClient(),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// HTTPClient returns an HTTP client for SDK clients of the server. Use it
// (or [Server.ClientConfig]) in tests: with the default client, a fast
// answer can make a call fail with "use of closed network connection".
// smithy-go v1.28.9 closes a request body as soon as the response arrives,
// and its closed body's WriteTo then reports io.EOF to net/http's transport,
// which may still be finishing the request; the transport drops the
// connection while the response is being read. AWS answers too slowly to
// lose that race; the fake does not. This client hides WriteTo, so a closed
// body reads as a plain end of file.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: sdkhttp.Transport(s.http.Client().Transport)}
}
