package awsfake

import (
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
	return &http.Client{Transport: bodyWithoutWriteTo{s.http.Client().Transport}}
}

// bodyWithoutWriteTo is a RoundTripper that hides the WriteTo method of
// request bodies.
type bodyWithoutWriteTo struct{ next http.RoundTripper }

// RoundTrip sends req with its body reduced to Read and Close.
func (t bodyWithoutWriteTo) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		r := req.Clone(req.Context())
		r.Body = readCloser{req.Body}
		return t.next.RoundTrip(r)
	}
	return t.next.RoundTrip(req)
}

// readCloser exposes only Read and Close.
type readCloser struct{ io.ReadCloser }
