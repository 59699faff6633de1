package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type recorder struct{ body io.ReadCloser }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.body = req.Body
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

func TestTransportHidesWriteTo(t *testing.T) {
	t.Parallel()
	var rec recorder
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/", io.NopCloser(bytes.NewReader([]byte("x"))))
	require.NoError(t, err)
	req.Body = struct {
		io.ReadCloser
		io.WriterTo
	}{req.Body, bytes.NewReader(nil)}
	_, err = Transport(&rec).RoundTrip(req)
	require.NoError(t, err)
	_, hasWriteTo := rec.body.(io.WriterTo)
	assert.False(t, hasWriteTo, "the body the transport sees has no WriteTo")
	b, err := io.ReadAll(rec.body)
	require.NoError(t, err)
	assert.Equal(t, "x", string(b))

	req, err = http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	require.NoError(t, err)
	_, err = Transport(&rec).RoundTrip(req)
	require.NoError(t, err)
	assert.Nil(t, rec.body, "a request without a body is sent as it is")
}

func TestConfigure(t *testing.T) {
	t.Parallel()
	cfg := aws.Config{HTTPClient: awshttp.NewBuildableClient()}
	Configure(&cfg, 30*time.Second)
	c, ok := cfg.HTTPClient.(*http.Client)
	require.True(t, ok, "the SDK's client is replaced")
	assert.Equal(t, 30*time.Second, c.Timeout)
	assert.IsType(t, bodyWithoutWriteTo{}, c.Transport)
	tr, ok := c.Transport.(bodyWithoutWriteTo).next.(*http.Transport)
	require.True(t, ok, "over the SDK's own transport")
	assert.Equal(t, MaxIdleConnsPerHost, tr.MaxIdleConnsPerHost, "idle connections kept for a scan's concurrency")
	assert.Equal(t, 4*MaxIdleConnsPerHost, tr.MaxIdleConns)

	cfg = aws.Config{HTTPClient: awshttp.NewBuildableClient()}
	Configure(&cfg, 0)
	assert.Zero(t, cfg.HTTPClient.(*http.Client).Timeout, "no bound when none is asked")

	mine := &http.Client{Timeout: time.Second}
	cfg = aws.Config{HTTPClient: mine}
	Configure(&cfg, time.Minute)
	assert.Same(t, mine, cfg.HTTPClient, "a caller's client is left alone")
	assert.True(t, strings.HasPrefix(mine.Timeout.String(), "1s"))
}
