package awsfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// S3 speaks REST-XML: the operation is the method and the path, the bucket
// is the first path segment (path-style) or the first labels of the host
// (virtual-hosted style), and errors are <Error><Code/><Message/>
// <RequestId/></Error> with the request id also in x-amz-request-id, the
// header the S3 client reads. Against an endpoint whose host is an IP
// address the Go SDK sends path-style whatever UsePathStyle says; against a
// host name, such as localhost, it sends virtual-hosted style unless
// UsePathStyle is set, as "bucket.localhost:PORT" [wire: s3 v1.114.10].
//
// Served: CreateBucket, PutObject and GetObject, with the conditional
// writes of PutObject as S3 defines them (Amazon S3 User Guide,
// "conditional-writes"; API reference, PutObject):
//   - If-None-Match: * writes only when no object has the key; otherwise
//     412 PreconditionFailed.
//   - If-Match: ETAG writes only when the object's ETag is ETAG; otherwise
//     412 PreconditionFailed, and 404 NoSuchKey when there is no object.
//   - S3 answers 409 ConditionalRequestConflict to a conditional write
//     that races another write of the key. This fake serves writes one at a
//     time, so it never races; inject that error with a fault rule.
//
// ETags are the quoted MD5 hex of the content, as S3 gives for a
// single-part upload; If-Match compares them with or without their quotes.

// s3Object is one stored object.
type s3Object struct {
	body        []byte
	etag        string // quoted
	contentType string
	modified    time.Time
}

// s3Store is the fake's buckets, by name, each a map of objects by key. It
// is guarded by the server's lock.
type s3Store map[string]map[string]s3Object

// s3Route finds the bucket and key of an S3 request, and its operation.
func s3Route(r *http.Request) (op, bucket, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case strings.HasSuffix(host, ".localhost"):
		bucket, key = strings.TrimSuffix(host, ".localhost"), path
	case strings.Contains(host, ".s3."):
		bucket, _, _ = strings.Cut(host, ".s3.")
		key = path
	default:
		bucket, key, _ = strings.Cut(path, "/")
	}
	switch {
	case r.Method == http.MethodPut && key == "" && bucket != "":
		op = "CreateBucket"
	case r.Method == http.MethodPut && key != "":
		op = "PutObject"
	case r.Method == http.MethodGet && key != "":
		op = "GetObject"
	default:
		op = r.Method + " /" + path
	}
	return op, bucket, key
}

// s3Error is an S3 error: its status, code and message.
func s3Error(status int, code, format string, args ...any) *apiError {
	return newError(status, code, format, args...)
}

// s3ErrorBody is the body of an S3 error.
func s3ErrorBody(e *apiError, requestID string) []byte {
	type errorXML struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		Condition string   `xml:"Condition,omitempty"`
		RequestID string   `xml:"RequestId"`
	}
	v := errorXML{Code: e.code, Message: e.message, RequestID: requestID}
	for _, kv := range e.extra {
		if kv[0] == "Condition" {
			v.Condition = kv[1]
		}
	}
	b, _ := xml.Marshal(v)
	return append([]byte(xml.Header), b...)
}

func noSuchBucket(bucket string) *apiError {
	return s3Error(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist: %s", bucket)
}

func preconditionFailed(header string) *apiError {
	e := s3Error(http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
	e.extra = [][2]string{{"Condition", header}}
	return e
}

// s3Headers returns the headers every S3 answer carries.
func s3Headers(c *call) http.Header {
	return http.Header{"X-Amz-Request-Id": {c.requestID}, "X-Amz-Id-2": {"fake"}}
}

var s3CreateBucket = op("s3", "CreateBucket",
	func(c *call) (string, error) { return c.bucket, nil },
	func(s *Server, c *call, bucket string) (any, error) {
		if s.s3 == nil {
			s.s3 = s3Store{}
		}
		if _, ok := s.s3[bucket]; ok {
			return nil, s3Error(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
		}
		s.s3[bucket] = map[string]s3Object{}
		h := s3Headers(c)
		h.Set("Location", "/"+bucket)
		return rawResponse{status: http.StatusOK, header: h}, nil
	})

var s3PutObject = op("s3", "PutObject",
	func(c *call) (*call, error) { return c, nil },
	func(s *Server, c *call, _ *call) (any, error) {
		objects, ok := s.s3[c.bucket]
		if !ok {
			return nil, noSuchBucket(c.bucket)
		}
		cur, exists := objects[c.key]
		if m := c.header.Get("If-Match"); m != "" {
			if !exists {
				return nil, s3Error(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			}
			if !etagMatches(m, cur.etag) {
				return nil, preconditionFailed("If-Match")
			}
		}
		if m := c.header.Get("If-None-Match"); m != "" {
			if m != "*" {
				// S3 takes only "*" here; the exact code for another value is
				// UNVERIFIED (NotImplemented on AWS, 400 InvalidRequest on some
				// S3-compatible stores).
				return nil, s3Error(http.StatusNotImplemented, "NotImplemented", "A header you provided implies functionality that is not implemented")
			}
			if exists {
				return nil, preconditionFailed("If-None-Match")
			}
		}
		body := c.body
		if strings.Contains(c.header.Get("Content-Encoding"), "aws-chunked") {
			var err error
			if body, err = decodeAWSChunked(body); err != nil {
				return nil, s3Error(http.StatusBadRequest, "IncompleteBody", "cannot decode aws-chunked body: %v", err)
			}
		}
		sum := md5.Sum(body)
		obj := s3Object{body: append([]byte(nil), body...), etag: `"` + hex.EncodeToString(sum[:]) + `"`,
			contentType: c.header.Get("Content-Type"), modified: c.now().UTC().Truncate(time.Second)}
		objects[c.key] = obj
		h := s3Headers(c)
		h.Set("ETag", obj.etag)
		return rawResponse{status: http.StatusOK, header: h}, nil
	})

var s3GetObject = op("s3", "GetObject",
	func(c *call) (*call, error) { return c, nil },
	func(s *Server, c *call, _ *call) (any, error) {
		objects, ok := s.s3[c.bucket]
		if !ok {
			return nil, noSuchBucket(c.bucket)
		}
		obj, ok := objects[c.key]
		if !ok {
			return nil, s3Error(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		}
		h := s3Headers(c)
		h.Set("ETag", obj.etag)
		h.Set("Last-Modified", obj.modified.Format(http.TimeFormat))
		h.Set("Content-Length", strconv.Itoa(len(obj.body)))
		if obj.contentType != "" {
			h.Set("Content-Type", obj.contentType)
		}
		return rawResponse{status: http.StatusOK, header: h, body: obj.body}, nil
	})

// etagMatches reports whether an If-Match value names etag: "*", or the
// same ETag with or without its quotes (S3 takes both).
func etagMatches(header, etag string) bool {
	for v := range strings.SplitSeq(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.Trim(v, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// decodeAWSChunked returns the payload of an aws-chunked body: chunks of
// "HEXSIZE[;chunk-signature=…]\r\nDATA\r\n", ending with a zero-size chunk
// and optional trailers.
func decodeAWSChunked(b []byte) ([]byte, error) {
	var out []byte
	for {
		line, rest, ok := strings.Cut(string(b), "\r\n")
		if !ok {
			return nil, errShortChunk
		}
		sizeHex, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return nil, errShortChunk
		}
		if n == 0 {
			return out, nil
		}
		if int64(len(rest)) < n+2 {
			return nil, errShortChunk
		}
		out = append(out, rest[:n]...)
		b = []byte(rest[n+2:])
	}
}

var errShortChunk = &apiError{status: http.StatusBadRequest, code: "IncompleteBody", message: "malformed aws-chunked body"}
