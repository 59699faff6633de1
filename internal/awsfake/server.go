package awsfake

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxBodyBytes bounds a request body, before and after gzip decompression.
const maxBodyBytes = 16 << 20

// The limits of the server's connections: those of a real server, so that
// a slow, stalled or idle client cannot hold a connection forever.
const (
	// DefaultReadTimeout is the time to read one request, body included,
	// unless [Options.ReadTimeout] says otherwise.
	DefaultReadTimeout = time.Minute
	// DefaultReadHeaderTimeout is the time to read a request's headers.
	DefaultReadHeaderTimeout = 10 * time.Second
	// idleTimeout is how long a kept-alive connection may wait for its
	// next request.
	idleTimeout = 2 * time.Minute
	// maxHeaderBytes bounds a request's headers; SigV4 requests carry a
	// few KiB.
	maxHeaderBytes = 64 << 10
)

// Options configures a [Server]. The zero value is ready to use: an
// organization with only its management account, served on a random
// loopback port.
type Options struct {
	// World is the organization and resources the server starts with. Nil
	// means a world holding only the management account [DefaultAccountID].
	World *World

	// Addr is the loopback address to listen on, such as "127.0.0.1:4566".
	// Empty means a random free port on 127.0.0.1.
	Addr string

	// StateReads is how many times a read returns a resource in a
	// transitional state (create-in-progress, pending-provision, …) before
	// the resource reaches its final state, for the kinds of change that
	// Delays gives no delay. Zero means 1: the first read after a write
	// shows the transitional state, the next one the final. Deleted pools
	// and deprovisioned CIDRs are gone (NotFound, or absent from their
	// list) from the read after their last transitional one.
	StateReads int

	// Delays makes kinds of change settle with time instead of reads: a
	// pool or CIDR in a transitional state reaches its final state once
	// Now has passed the delay, whoever reads it. The zero Delays settles
	// everything by reads; [Realistic] sets [RealisticDelays].
	Delays Delays

	// PoolsPerScope is the quota of pools in a scope: a CreateIpamPool
	// beyond it makes a pool that ends create-failed, with a StateMessage
	// that names the quota. AWS's default is 50; zero means no quota.
	PoolsPerScope int

	// CIDRsPerPool is the quota of CIDRs a pool holds: a provision beyond
	// it ends failed-provision with FailureReason code limit-exceeded.
	// AWS's default is 50; zero means no quota.
	CIDRsPerPool int

	// PoolMutations is how many changes may be in flight on one pool at
	// once (its own create, modify or delete, its CIDRs being provisioned
	// or deprovisioned, its child pools being created and their CIDRs
	// allocated from it); a write beyond it is refused with
	// ConcurrentMutationLimitExceeded until some settle. Zero means no
	// limit.
	PoolMutations int

	// ReadTimeout bounds the reading of one request, from its first byte to
	// the end of its body, as a real server's does: a client that sends a
	// body shorter than its Content-Length, or stalls, is answered with an
	// error and its connection closed, never waited on. Zero means
	// [DefaultReadTimeout]. The headers alone must arrive within
	// [DefaultReadHeaderTimeout] or ReadTimeout, whichever is shorter.
	ReadTimeout time.Duration

	// MetricDataPage caps the data points of one GetMetricData page below
	// the request's MaxDatapoints (100,800 by default), as CloudWatch may
	// answer a page with PartialData and a NextToken for reasons of its
	// own: a test can make a reader follow pages without putting 100,000
	// data points. Zero means MaxDatapoints alone.
	MetricDataPage int

	// Latency holds every answer back, as a round trip to AWS takes: a
	// fixed time or a seeded log-normal draw per call ([Latency]). The
	// server waits without holding its lock, so calls in flight overlap as
	// they would against AWS. The zero Latency answers at once.
	Latency Latency

	// RateLimits are request rate limits per calling account, region and
	// API action ([RateLimit]): a call past its limit is answered with the
	// service's throttling error. Nil means no limit; [AWSRateLimits] are
	// the limits AWS publishes. Buckets refill by Now, so a test that
	// pins the clock sees exact token accounting.
	RateLimits []RateLimit

	// Now returns the current time; nil means time.Now. It dates temporary
	// credentials and timestamps in responses, and moves the states that
	// Delays times. Tests pass a [Clock]'s Now and advance it instead of
	// sleeping.
	Now func() time.Time
}

// Server is a fake AWS endpoint serving every modelled service on one
// loopback URL. It is safe for concurrent use: requests and the methods that
// inspect or change it are serialized by one lock.
type Server struct {
	http    *httptest.Server
	now     func() time.Time
	latency *latencies
	limiter *rateLimiter
	// sleep holds an answer back for d, or until ctx is done, and reports
	// whether d passed; tests replace it to record the delays.
	sleep func(ctx context.Context, d time.Duration) bool

	mu     sync.Mutex
	st     *state
	faults []*faultRule
	calls  []Call
	seq    uint64  // requests served, for request ids
	s3     s3Store // S3 buckets and objects (s3.go)
}

// New starts a server on 127.0.0.1 and returns it. Options are applied in
// order. Close the server when done. New fails when it cannot listen on
// [Options.Addr], and for a latency or rate limit that cannot be
// ([ErrBadLatency], [ErrBadRateLimit]).
func New(optFns ...func(*Options)) (*Server, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StateReads <= 0 {
		o.StateReads = 1
	}
	w := o.World
	if w == nil {
		var err error
		w, err = NewBuilder(DefaultAccountID).Build()
		if err != nil {
			return nil, fmt.Errorf("build default world: %w", err)
		}
	}
	if err := o.Latency.check(); err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	limiter, err := newRateLimiter(o.RateLimits)
	if err != nil {
		return nil, fmt.Errorf("rate limits: %w", err)
	}
	st, err := w.load()
	if err != nil {
		return nil, fmt.Errorf("load world: %w", err)
	}
	st.stateReads, st.delays = o.StateReads, o.Delays
	st.limits = limits{poolsPerScope: o.PoolsPerScope, cidrsPerPool: o.CIDRsPerPool, poolMutations: o.PoolMutations, metricDataPage: o.MetricDataPage}
	st.now = o.Now
	s := &Server{now: o.Now, st: st, latency: newLatencies(o.Latency), limiter: limiter, sleep: wait}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	s.http.Config.ReadTimeout = o.ReadTimeout
	s.http.Config.ReadHeaderTimeout = min(o.ReadTimeout, DefaultReadHeaderTimeout)
	s.http.Config.IdleTimeout = idleTimeout
	s.http.Config.MaxHeaderBytes = maxHeaderBytes
	if o.Addr != "" {
		l, err := net.Listen("tcp", o.Addr)
		if err != nil {
			return nil, fmt.Errorf("listen on %q: %w", o.Addr, err)
		}
		_ = s.http.Listener.Close()
		s.http.Listener = l
	}
	s.http.Start()
	return s, nil
}

// URL returns the base URL of the server, such as "http://127.0.0.1:40123",
// for use as a client's BaseEndpoint.
func (s *Server) URL() string { return s.http.URL }

// Close shuts the server down and blocks until all outstanding requests
// have completed.
func (s *Server) Close() { s.http.Close() }

// call is one request being served: its route, identity and decoded body.
type call struct {
	svc       *service
	proto     protocol
	op        string
	form      url.Values // query protocols
	formKeys  []string   // the form's keys, sorted on first use by the codec
	bodyLen   int        // bytes of the request body, after gzip; kept when body is parsed away
	query     url.Values // the URL's query string
	body      []byte     // JSON, CBOR and REST protocols
	header    http.Header
	path      string
	accessKey string
	region    string
	who       *principal
	requestID string
	clock     func() time.Time
	bucket    string // S3: the bucket, from the path or the host
	key       string // S3: the object key
}

// account returns the calling account ID.
func (c *call) account() string { return c.who.account }

// now returns the server's current time.
func (c *call) now() time.Time { return c.clock() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	c := s.route(r, body)
	s.mu.Lock()
	s.seq++
	c.requestID = fmt.Sprintf("00000000-0000-4000-8000-%012x", s.seq)
	s.mu.Unlock()
	if err != nil {
		s.reply(w, c, nil, badRequest("SerializationException", "cannot read request body: %v", err))
		return
	}
	out, apiErr := s.serve(r.Context(), c)
	s.reply(w, c, out, apiErr)
}

// readBody reads the request body, gunzipping it when it is gzip-encoded.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("gunzip body: %w", err)
	}
	defer zr.Close()
	plain, err := io.ReadAll(io.LimitReader(zr, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gunzip body: %w", err)
	}
	if len(plain) > maxBodyBytes {
		return nil, errors.New("gunzipped body is larger than 16 MiB")
	}
	return plain, nil
}

// route finds the service, protocol and operation of a request, following
// aws-facts §1.3: CBOR path or header, X-Amz-Target, form Action and Version,
// then REST paths, with the SigV4 credential scope as a second key.
func (s *Server) route(r *http.Request, body []byte) *call {
	c := &call{header: r.Header, path: r.URL.Path, query: r.URL.Query(), body: body, bodyLen: len(body), clock: s.now}
	scope := parseCredentialScope(r)
	c.accessKey, c.region = scope.accessKey, scope.region
	scoped := services()[scope.service]
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))

	if scope.service == "s3" {
		c.svc, c.proto = services()["s3"], protoRestXML
		c.op, c.bucket, c.key = s3Route(r)
		return c
	}

	if i := strings.Index(r.URL.Path, "/service/"); i >= 0 || r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" {
		c.proto = protoCBOR
		rest := ""
		if i >= 0 {
			rest = r.URL.Path[i+len("/service/"):]
		}
		name, opName, _ := strings.Cut(rest, "/operation/")
		c.svc, c.op = serviceByTarget(name), opName
		if c.svc == nil {
			c.svc = orUnknown(scoped, protoCBOR)
		}
		return c
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		c.proto = protoJSON11
		if media == "application/x-amz-json-1.0" {
			c.proto = protoJSON10
		}
		prefix, opName, _ := strings.Cut(target, ".")
		c.svc, c.op = serviceByTarget(prefix), opName
		if c.svc == nil {
			c.svc = orUnknown(scoped, c.proto)
		}
		return c
	}
	if media == "application/x-www-form-urlencoded" || (r.Method == http.MethodGet && r.URL.Query().Get("Action") != "") {
		form := parseForm(string(body))
		for k, v := range r.URL.Query() {
			if _, ok := form[k]; !ok {
				form[k] = v
			}
		}
		c.form, c.body = form, nil
		c.svc = serviceByVersion(form.Get("Version"))
		if c.svc == nil {
			c.svc = orUnknown(scoped, protoAWSQuery)
		}
		c.proto = c.svc.protocol
		if c.proto != protoEC2Query {
			c.proto = protoAWSQuery
		}
		c.op = form.Get("Action")
		return c
	}
	if opName, svcName, ok := restOperation(r.Method, r.URL.Path); ok {
		c.svc, c.proto, c.op = services()[svcName], protoRestJSON, opName
		return c
	}
	c.svc = orUnknown(scoped, protoRestJSON)
	c.proto = c.svc.protocol
	c.op = r.Method + " " + r.URL.Path
	return c
}

// orUnknown returns svc, or a stand-in service that speaks proto when the
// request names no known service.
func orUnknown(svc *service, proto protocol) *service {
	if svc != nil {
		return svc
	}
	return &service{name: "unknown", protocol: proto, messageKey: "message"}
}

// serve authenticates the call, applies faults and runs the operation.
// ctx is the request's context: a delayed call gives up when the client
// does.
func (s *Server) serve(ctx context.Context, c *call) (any, *apiError) {
	o, delay, e := s.admit(c)
	// Every answer, an error too, takes the latency of a round trip.
	if delay += s.latency.next(); delay > 0 && !s.sleep(ctx, delay) && e == nil {
		gone := newError(http.StatusServiceUnavailable, "RequestCanceled", "the client went away while its answer was delayed")
		s.mu.Lock()
		s.logCall(c, gone)
		s.mu.Unlock()
		return nil, gone
	}
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.advance()
	out, herr := o.handle(s, c)
	if changesViews(c) {
		s.st.version++ // a write may change any computed view
	}
	if herr != nil {
		var ae *apiError
		if !errors.As(herr, &ae) {
			ae = internalError(c.proto)
		}
		s.logCall(c, ae)
		return nil, ae
	}
	s.logCall(c, nil)
	return out, nil
}

// changesViews reports whether a call may change what the computed views
// (IPAM's resource CIDRs) are made of: a write to EC2, Organizations or
// RAM. STS, CloudWatch, SNS, EventBridge, Lambda, SSM and Secrets Manager
// calls never do; an AssumeRole must not make the next page of
// GetIpamResourceCidrs compute the whole view again.
func changesViews(c *call) bool {
	switch c.svc.name {
	case "ec2", "organizations", "ram":
		return !isRead(c.op)
	}
	return false
}

// admit authenticates a call, finds its operation and applies fault rules.
// It returns the operation and how long to delay it, or the error that
// answers the call (already logged).
func (s *Server) admit(c *call) (operation, time.Duration, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	reject := func(err *apiError) (operation, time.Duration, *apiError) {
		s.logCall(c, err)
		return operation{}, 0, err
	}
	if c.accessKey == "" {
		return reject(missingAuthentication(c.proto))
	}
	who, err := s.st.authenticate(c.accessKey, c.header.Get("X-Amz-Security-Token"), c.proto)
	if err != nil {
		return reject(err)
	}
	c.who = who
	if c.region == "" {
		c.region = defaultRegion
	}
	o, ok := operations()[opKey{c.svc.name, c.op}]
	if !ok {
		return reject(unsupportedOperation(c.svc, c.proto, c.op))
	}
	if c.svc.name == "ec2" && !s.st.regionEnabled(c.region) {
		return reject(newError(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials"))
	}
	delay, f := s.matchFault(c)
	if f != nil {
		return reject(f)
	}
	if !s.limiter.allow(s.now(), c.account(), c.region, c.svc.name, c.op) {
		return reject(faultError(FaultThrottle, c))
	}
	return o, delay, nil
}

// reply writes the response or error in the shape of the call's protocol,
// with the request-id header the SDKs read.
func (s *Server) reply(w http.ResponseWriter, c *call, out any, e *apiError) {
	w.Header().Set("x-amzn-RequestId", c.requestID)
	if raw, ok := out.(rawResponse); ok && e == nil {
		for k, vs := range raw.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(raw.status)
		_, _ = w.Write(raw.body)
		return
	}
	var (
		status = http.StatusOK
		ctype  string
		body   []byte
		err    error
	)
	if e != nil {
		status = e.status
		switch {
		case c.proto == protoEC2Query, c.proto == protoRestXML:
		case c.proto == protoAWSQuery:
			if e.queryCode != "" {
				e = &apiError{status: e.status, code: e.queryCode, message: e.message}
			}
		default:
			w.Header().Set("x-amzn-ErrorType", e.code)
			if e.queryCode != "" {
				w.Header().Set("X-Amzn-Query-Error", e.queryCode+";"+fault(e))
			}
		}
	}
	switch c.proto {
	case protoEC2Query:
		ctype = "text/xml;charset=UTF-8"
		if e != nil {
			body = ec2Error(e, c.requestID)
		} else {
			buf := getBuffer()
			defer putBuffer(buf) // after the body is written below
			body, err = ec2Response(buf, c.op, c.svc.xmlns, c.requestID, out)
		}
	case protoAWSQuery:
		ctype = "text/xml"
		if e != nil {
			body = queryError(c.svc.xmlns, e, c.requestID)
		} else {
			body, err = queryResponse(c.op, c.svc.xmlns, c.requestID, out)
		}
	case protoRestXML:
		ctype = "application/xml"
		w.Header().Set("X-Amz-Request-Id", c.requestID)
		if e != nil {
			body = s3ErrorBody(e, c.requestID)
		} // success is a rawResponse, written above
	case protoCBOR:
		ctype = "application/cbor"
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		if e != nil {
			body = cborError(e)
		} else {
			body, err = cborResponse(out)
		}
	case protoJSON10, protoJSON11, protoRestJSON:
		ctype = map[protocol]string{protoJSON10: "application/x-amz-json-1.0", protoJSON11: "application/x-amz-json-1.1", protoRestJSON: "application/json"}[c.proto]
		if e != nil {
			body = jsonError(c.svc.messageKey, e)
		} else {
			body, err = jsonResponse(c.svc, out)
		}
	}
	if err != nil {
		e = internalError(c.proto)
		status = e.status
		body = []byte(e.message)
		ctype = "text/plain"
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fault names who is at fault for an error, as awsQuery reports it.
func fault(e *apiError) string {
	if e.sender() {
		return "Sender"
	}
	return "Receiver"
}

// parseForm decodes a form body as AWS does. url.ParseQuery refuses more
// than 10,000 parameters, and a PutMetricData of 1,000 datums with
// dimensions in the query protocol has tens of thousands; AWS takes them,
// so the fake must too. A pair that does not decode is skipped.
func parseForm(body string) url.Values {
	form := url.Values{}
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		form[key] = append(form[key], val)
	}
	return form
}
