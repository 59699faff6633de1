package awsfake

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests speak the protocols with raw HTTP, as another SDK would,
// rather than through the Go SDK.

// rawRequest is a request built from the protocol rules.
type rawRequest struct {
	path    string
	headers map[string]string
	body    []byte
	gzip    bool
}

// signedBy returns an Authorization header for a credential scope; the
// signature is not checked, so any hex does.
func signedBy(key, region, service string) string {
	return "AWS4-HMAC-SHA256 Credential=" + key + "/20260301/" + region + "/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
}

func send(t *testing.T, srv *Server, r rawRequest) (*http.Response, []byte) {
	t.Helper()
	body := r.body
	if r.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, err := zw.Write(body)
		require.NoError(t, err)
		require.NoError(t, zw.Close())
		body = buf.Bytes()
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL()+r.path, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	if r.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, out
}

// form is a query-protocol request.
func form(auth string, values url.Values, contentType string) rawRequest {
	h := map[string]string{"Content-Type": contentType}
	if auth != "" {
		h["Authorization"] = auth
	}
	return rawRequest{path: "/", headers: h, body: []byte(values.Encode())}
}

// errorOf decodes the error code of any protocol's error body.
func errorOf(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	switch ct := resp.Header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "text/xml"):
		var ec2 struct {
			Errors []struct {
				Code string `xml:"Error>Code"`
			} `xml:"Errors"`
			Code string `xml:"Error>Code"`
		}
		require.NoError(t, xml.Unmarshal(body, &ec2), "%s", body)
		if len(ec2.Errors) > 0 {
			return ec2.Errors[0].Code
		}
		return ec2.Code
	case ct == "application/cbor":
		v, err := cbor.Decode(body)
		require.NoError(t, err)
		m, ok := v.(cbor.Map)
		require.True(t, ok, "CBOR error is a map")
		s, _ := m["__type"].(cbor.String)
		return string(s)
	default:
		var j struct {
			Type string `json:"__type"`
		}
		require.NoError(t, json.Unmarshal(body, &j), "%s", body)
		return j.Type
	}
}

func TestProtocolErrors(t *testing.T) {
	srv := startServer(t, nil)
	const formType = "application/x-www-form-urlencoded"
	ec2Form := url.Values{"Action": {"DescribeRegions"}, "Version": {"2016-11-15"}}
	tests := []struct {
		name       string
		req        rawRequest
		wantStatus int
		wantCode   string
	}{
		{
			name: "EC2 unsigned", req: form("", ec2Form, formType),
			wantStatus: 401, wantCode: "MissingAuthenticationToken",
		},
		{
			name: "STS unsigned", req: form("", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, formType),
			wantStatus: 403, wantCode: "MissingAuthenticationToken",
		},
		{
			name: "Organizations unsigned",
			req: rawRequest{path: "/", body: []byte("{}"), headers: map[string]string{
				"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.ListRoots"}},
			wantStatus: 400, wantCode: "MissingAuthenticationTokenException",
		},
		{
			name:       "EC2 unknown action",
			req:        form(signedBy(DefaultAccessKeyID, "us-east-1", "ec2"), url.Values{"Action": {"LaunchRocket"}, "Version": {"2016-11-15"}}, formType),
			wantStatus: 400, wantCode: "InvalidAction",
		},
		{
			name:       "STS unknown action",
			req:        form(signedBy(DefaultAccessKeyID, "us-east-1", "sts"), url.Values{"Action": {"LaunchRocket"}, "Version": {"2011-06-15"}}, formType),
			wantStatus: 400, wantCode: "InvalidAction",
		},
		{
			name: "Organizations unknown operation",
			req: rawRequest{path: "/", body: []byte("{}"), headers: map[string]string{
				"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "organizations"),
				"Content-Type":  "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.LaunchRocket"}},
			wantStatus: 400, wantCode: "UnknownOperationException",
		},
		{
			name: "CloudWatch CBOR operation not served yet",
			req: rawRequest{path: "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", body: cbor.Encode(cbor.Map{}), gzip: true,
				headers: map[string]string{"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "monitoring"),
					"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}},
			wantStatus: 400, wantCode: "UnknownOperationException",
		},
		{
			name: "RAM REST operation not served yet",
			req: rawRequest{path: "/listpermissions", body: []byte(`{}`),
				headers: map[string]string{"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "ram"), "Content-Type": "application/json"}},
			wantStatus: 404, wantCode: "UnknownOperationException",
		},
		{
			name: "Lambda Invoke without a content type, as boto3 sends it",
			req: rawRequest{path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Anope/invocations", body: []byte(`{}`),
				headers: map[string]string{"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "lambda")}},
			wantStatus: 404, wantCode: "ResourceNotFoundException",
		},
		{
			name: "unknown path",
			req: rawRequest{path: "/nowhere", body: nil,
				headers: map[string]string{"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "nowhere")}},
			wantStatus: 404, wantCode: "UnknownOperationException",
		},
		{
			name:       "STS unknown access key",
			req:        form(signedBy("AKIANOBODYEXAMPLE000", "us-east-1", "sts"), url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, formType),
			wantStatus: 403, wantCode: "InvalidClientTokenId",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, srv, tt.req)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, "%s", body)
			assert.Equal(t, tt.wantCode, errorOf(t, resp, body), "%s", body)
			assert.NotEmpty(t, resp.Header.Get("X-Amzn-Requestid"))
		})
	}
}

func TestQueryCompatibility(t *testing.T) {
	srv := startServer(t, nil)
	t.Run("charset and gzip on an EC2 form", func(t *testing.T) {
		req := form(signedBy(DefaultAccessKeyID, "us-east-1", "ec2"),
			url.Values{"Action": {"DescribeRegions"}, "Version": {"2016-11-15"}, "RegionName.1": {"us-west-2"}},
			"application/x-www-form-urlencoded; charset=utf-8")
		req.gzip = true
		resp, body := send(t, srv, req)
		require.Equal(t, 200, resp.StatusCode, "%s", body)
		var out struct {
			XMLName   xml.Name
			RequestID string `xml:"requestId"`
			Regions   []struct {
				Name     string `xml:"regionName"`
				Endpoint string `xml:"regionEndpoint"`
			} `xml:"regionInfo>item"`
		}
		require.NoError(t, xml.Unmarshal(body, &out))
		assert.Equal(t, "DescribeRegionsResponse", out.XMLName.Local)
		assert.Equal(t, "http://ec2.amazonaws.com/doc/2016-11-15/", out.XMLName.Space)
		assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), out.RequestID)
		require.Len(t, out.Regions, 1)
		assert.Equal(t, "ec2.us-west-2.amazonaws.com", out.Regions[0].Endpoint)
	})
	t.Run("STS result wrapper", func(t *testing.T) {
		resp, body := send(t, srv, form(signedBy(DefaultAccessKeyID, "us-east-1", "sts"),
			url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, "application/x-www-form-urlencoded; charset=utf-8"))
		require.Equal(t, 200, resp.StatusCode, "%s", body)
		var out struct {
			Account   string `xml:"GetCallerIdentityResult>Account"`
			RequestID string `xml:"ResponseMetadata>RequestId"`
		}
		require.NoError(t, xml.Unmarshal(body, &out))
		assert.Equal(t, DefaultAccountID, out.Account)
		assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), out.RequestID)
	})
	t.Run("EC2 error body carries RequestID", func(t *testing.T) {
		resp, body := send(t, srv, form(signedBy(DefaultAccessKeyID, "us-east-1", "ec2"),
			url.Values{"Action": {"DescribeVpcs"}, "Version": {"2016-11-15"}, "MaxResults": {"lots"}}, "application/x-www-form-urlencoded"))
		assert.Equal(t, 400, resp.StatusCode)
		var out struct {
			Code      string `xml:"Errors>Error>Code"`
			RequestID string `xml:"RequestID"`
		}
		require.NoError(t, xml.Unmarshal(body, &out))
		assert.Equal(t, "InvalidParameterValue", out.Code)
		assert.Equal(t, resp.Header.Get("X-Amzn-Requestid"), out.RequestID)
	})
	t.Run("JSON 1.1 reply keeps the content type", func(t *testing.T) {
		resp, body := send(t, srv, rawRequest{path: "/", body: []byte(`{"MaxResults":1}`), headers: map[string]string{
			"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "organizations"),
			"Content-Type":  "application/x-amz-json-1.1", "X-Amz-Target": "AWSOrganizationsV20161128.ListRoots"}})
		require.Equal(t, 200, resp.StatusCode, "%s", body)
		assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
		var out struct {
			Roots []struct{ ID, Arn, Name string }
		}
		require.NoError(t, json.Unmarshal(body, &out))
		require.Len(t, out.Roots, 1)
		assert.Equal(t, "Root", out.Roots[0].Name)
	})
}

func TestNewListensOnAddr(t *testing.T) {
	srv, err := New(func(o *Options) { o.Addr = "127.0.0.1:0" })
	require.NoError(t, err)
	defer srv.Close()
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"), srv.URL())

	_, err = New(func(o *Options) { o.Addr = "256.0.0.1:1" })
	assert.Error(t, err)
}

// TestOtherSDKRequests sends requests as boto3 and the AWS CLI build them,
// for the operations the Go SDK sends differently.
func TestOtherSDKRequests(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := startServer(t, nil, func(o *Options) { o.Now = func() time.Time { return now } })
	t.Run("CloudWatch JSON 1.0", func(t *testing.T) {
		body := fmt.Sprintf(`{"Namespace":"CUSTOM/IPAM","MetricData":[{"MetricName":"IpAddressAvailable","Value":12288,"Unit":"Count","Timestamp":%d.5}]}`, now.Unix()-60)
		resp, out := send(t, srv, rawRequest{path: "/", body: []byte(body), headers: map[string]string{
			"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "monitoring"), "Content-Type": "application/x-amz-json-1.0",
			"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData", "x-amzn-query-mode": "true",
		}})
		require.Equal(t, 200, resp.StatusCode, "%s", out)
		m := srv.Metrics()
		require.Len(t, m, 1)
		assert.Equal(t, "json", m[0].Protocol)
		assert.Equal(t, now.Add(-59*time.Second-500*time.Millisecond), m[0].Timestamp)

		resp, out = send(t, srv, rawRequest{path: "/", body: []byte(`{"Namespace":"AWS/EC2","MetricData":[{"MetricName":"m","Value":1}]}`), headers: map[string]string{
			"Authorization": signedBy(DefaultAccessKeyID, "us-east-1", "monitoring"), "Content-Type": "application/x-amz-json-1.0",
			"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData",
		}})
		assert.Equal(t, 400, resp.StatusCode)
		assert.Equal(t, "InvalidParameterValueException", errorOf(t, resp, out))
		assert.Equal(t, "InvalidParameterValue;Sender", resp.Header.Get("X-Amzn-Query-Error"))
	})
	t.Run("CloudWatch query", func(t *testing.T) {
		resp, out := send(t, srv, form(signedBy(DefaultAccessKeyID, "us-east-1", "monitoring"), url.Values{
			"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"CUSTOM/IPAM"},
			"MetricData.member.1.MetricName": {"m"}, "MetricData.member.1.Value": {"2.5"},
			"MetricData.member.1.Dimensions.member.1.Name": {"ResourceId"}, "MetricData.member.1.Dimensions.member.1.Value": {"ipam-pool-0abc"},
			"MetricData.member.1.Timestamp": {now.Add(-time.Minute).Format(time.RFC3339)},
		}, "application/x-www-form-urlencoded; charset=utf-8"))
		require.Equal(t, 200, resp.StatusCode, "%s", out)
		var parsed struct {
			XMLName   xml.Name
			RequestID string `xml:"ResponseMetadata>RequestId"`
		}
		require.NoError(t, xml.Unmarshal(out, &parsed))
		assert.Equal(t, "PutMetricDataResponse", parsed.XMLName.Local)
		m := srv.Metrics()
		require.Len(t, m, 2)
		assert.Equal(t, MetricDatum{Account: DefaultAccountID, Region: "us-east-1", Protocol: "query", Namespace: "CUSTOM/IPAM", MetricName: "m",
			Dimensions: []MetricDimension{{"ResourceId", "ipam-pool-0abc"}}, Timestamp: now.Add(-time.Minute), Value: ptr(2.5)}, m[1])
	})
}

func ptr[T any](v T) *T { return &v }

// rawExchange writes req on a new connection to srv and returns all the
// server sends until it closes the connection. The read deadline only
// keeps a broken server from hanging the test: a server with its timeouts
// closes the connection long before.
func rawExchange(t *testing.T, srv *Server, req string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, req)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	got, err := io.ReadAll(conn)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server held the connection open: %v", err)
	return string(got)
}

// TestServerTimeouts checks the limits of a real server: a body shorter
// than its Content-Length and a request whose headers stall are answered
// or dropped once the read timeout passes, and headers past the limit are
// refused.
func TestServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil, func(o *Options) { o.ReadTimeout = 100 * time.Millisecond })

	got := rawExchange(t, srv, "POST / HTTP/1.1\r\nHost: fake\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=GetCallerIdentity")
	assert.True(t, strings.HasPrefix(got, "HTTP/1.1 400 "), "a short body: %q", got)
	assert.Contains(t, got, "cannot read request body")

	got = rawExchange(t, srv, "POST / HTTP/1.1\r\nHost: fake\r\nX-Amz-Tar")
	assert.True(t, got == "" || strings.HasPrefix(got, "HTTP/1.1 400 "), "headers that stall: answered 400 or dropped: %q", got)

	got = rawExchange(t, srv, "GET / HTTP/1.1\r\nHost: fake\r\nX-Big: "+strings.Repeat("a", 2*maxHeaderBytes)+"\r\n\r\n")
	assert.True(t, strings.HasPrefix(got, "HTTP/1.1 431 "), "headers past the limit: %.40q", got)

	cfg := srv.http.Config
	assert.Equal(t, idleTimeout, cfg.IdleTimeout, "an idle connection is closed")
	assert.Equal(t, 100*time.Millisecond, cfg.ReadHeaderTimeout)
	def := startServer(t, nil)
	assert.Equal(t, DefaultReadTimeout, def.http.Config.ReadTimeout)
	assert.Equal(t, DefaultReadHeaderTimeout, def.http.Config.ReadHeaderTimeout)
}
