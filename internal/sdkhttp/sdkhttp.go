// Package sdkhttp holds the HTTP client settings every ipamkit program gives
// the aws-sdk-go-v2 clients: a request body that cannot lose a response to
// a fast endpoint, and an optional bound on each attempt.
package sdkhttp

import (
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Transport returns a RoundTripper that sends requests through next with
// their bodies reduced to Read and Close.
//
// smithy-go (v1.28.9) closes a request body as soon as the response headers
// arrive, and its closed body's WriteTo returns io.EOF, which net/http's
// transport, still finishing the request, takes for a failure to read the
// body: it closes the connection while the response body is being read
// ("use of closed network connection"). AWS answers too slowly to lose
// that race; a local endpoint such as 'ipamctl demo serve' lost a response
// on most scans of a large world. With only Read and Close, a closed body
// reads as a plain end of file.
func Transport(next http.RoundTripper) http.RoundTripper { return bodyWithoutWriteTo{next} }

type bodyWithoutWriteTo struct{ next http.RoundTripper }

// RoundTrip sends req with its body reduced to Read and Close.
func (t bodyWithoutWriteTo) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Body = struct{ io.ReadCloser }{req.Body}
	return t.next.RoundTrip(r)
}

// MaxIdleConnsPerHost is how many idle connections to one endpoint
// [Configure] keeps for reuse. The SDK keeps 10
// (awshttp.DefaultHTTPTransportMaxIdleConnsPerHost); a scan with more
// calls than that in flight to one regional endpoint would close a
// connection after nearly every call and open (and TLS-handshake) a new
// one for the next. It is above the scanners' largest default concurrency.
const MaxIdleConnsPerHost = 64

// Configure gives cfg's SDK clients the [Transport] fix, room for
// [MaxIdleConnsPerHost] idle connections to each endpoint and, when
// attempt is positive, a bound on each HTTP attempt, from dialling to the
// end of the response body, so that a connection that stops answering is
// retried by the SDK rather than waited on. It changes only the SDK's own
// client, as config.LoadDefaultConfig builds it; a client the caller gave
// (a test's) is left as it is.
func Configure(cfg *aws.Config, attempt time.Duration) {
	bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if !ok {
		return
	}
	tr := bc.GetTransport() // a copy
	tr.MaxIdleConnsPerHost = max(tr.MaxIdleConnsPerHost, MaxIdleConnsPerHost)
	tr.MaxIdleConns = max(tr.MaxIdleConns, 4*MaxIdleConnsPerHost)
	c := &http.Client{Transport: Transport(tr)}
	if attempt > 0 {
		c.Timeout = attempt
	}
	cfg.HTTPClient = c
}
