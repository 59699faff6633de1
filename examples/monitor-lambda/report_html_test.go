package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func TestConfigReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		env            map[string]string
		bucket, prefix string
		err            string
	}{
		{name: "none"},
		{name: "bucket", env: map[string]string{envReportBucket: "ipam-reports.example"}, bucket: "ipam-reports.example", prefix: defaultReportPrefix},
		{name: "bucket and prefix", env: map[string]string{envReportBucket: "reports", envReportPrefix: "network/ipam/"}, bucket: "reports", prefix: "network/ipam/"},
		{name: "upper case", env: map[string]string{envReportBucket: "Reports"}, err: `IPAMKIT_REPORT_BUCKET "Reports": want an S3 bucket name`},
		{name: "an ARN", env: map[string]string{envReportBucket: "arn:aws:s3:::reports"}, err: `IPAMKIT_REPORT_BUCKET "arn:aws:s3:::reports": want an S3 bucket name`},
		{name: "an IP address", env: map[string]string{envReportBucket: "192.168.1.1"}, err: "want an S3 bucket name"},
		{name: "too short", env: map[string]string{envReportBucket: "ab"}, err: "want an S3 bucket name"},
		{name: "leading slash", env: map[string]string{envReportBucket: "reports", envReportPrefix: "/ipam/"}, err: `IPAMKIT_REPORT_PREFIX "/ipam/": want a key prefix`},
		{name: "dot dot", env: map[string]string{envReportBucket: "reports", envReportPrefix: "a/../b/"}, err: "want a key prefix"},
		{name: "space", env: map[string]string{envReportBucket: "reports", envReportPrefix: "my reports/"}, err: "want a key prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := configFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err, "env %v", tt.env)
				return
			}
			require.NoError(t, err, "env %v", tt.env)
			assert.Equal(t, [2]string{tt.bucket, tt.prefix}, [2]string{c.ReportBucket, c.ReportPrefix}, "env %v", tt.env)
		})
	}
}

func TestReportKeys(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 6, 0, 5, 0, time.FixedZone("CET", 3600))
	assert.Equal(t, []string{"ipamkit/report-20261123T050005Z.html", "ipamkit/latest.html"}, reportKeys("ipamkit/", at))
	assert.Equal(t, []string{"report-20261123T050005Z.html", "latest.html"}, reportKeys("", at))
}

// putObject is one PutObject call as the mock saw it.
type putObject struct {
	bucket, key, contentType string
	body                     string
}

// recordPuts makes m record every PutObject call into puts and answer err.
func recordPuts(m *Mocks3API, puts *[]putObject, err error) {
	m.EXPECT().PutObject(gomock.Any(), gomock.Any()).AnyTimes().DoAndReturn(
		func(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
			body, rerr := io.ReadAll(in.Body)
			if rerr != nil {
				return nil, rerr
			}
			*puts = append(*puts, putObject{aws.ToString(in.Bucket), aws.ToString(in.Key), aws.ToString(in.ContentType), string(body)})
			return &s3.PutObjectOutput{}, err
		})
}

// TestHandleWritesHTMLReport runs the monitor with IPAMKIT_REPORT_BUCKET:
// the page of the scan goes to the bucket twice, under a key named for the
// scan and as latest.html, after the alert.
func TestHandleWritesHTMLReport(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env[envReportBucket], env[envReportPrefix] = "ipam-reports", "network/"
	var puts []putObject
	m := NewMocks3API(gomock.NewController(t))
	recordPuts(m, &puts, nil)
	r, err := w.newRun(t, env, func(o *handlerOptions) { o.S3 = m })
	require.NoError(t, err)
	resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err)

	require.Len(t, puts, 2, "a page named for the scan and latest.html")
	key := "network/report-" + resp.Report.Scan.Finished.UTC().Format("20060102T150405Z") + ".html"
	assert.Equal(t, []string{"s3://ipam-reports/" + key, "s3://ipam-reports/network/latest.html"}, resp.HTMLReport)
	assert.Empty(t, resp.HTMLReportError)
	for i, want := range []string{key, "network/latest.html"} {
		p := puts[i]
		assert.Equal(t, [3]string{"ipam-reports", want, "text/html; charset=utf-8"}, [3]string{p.bucket, p.key, p.contentType}, "put %d", i)
		assert.True(t, strings.HasPrefix(p.body, "<!DOCTYPE html>"), "put %d is a page", i)
		assert.Contains(t, p.body, w.fullSubnet, "put %d shows the full subnet", i)
		w.assertNoSecrets(t, "the HTML report", []byte(p.body))
	}
	assert.Equal(t, puts[0].body, puts[1].body, "one page under both keys")
	assert.NotEmpty(t, w.srv.Messages(), "the alert was sent too")
}

// TestHandleHTMLReportFails: a bucket that refuses the page fails neither
// the invocation nor the alert; the response and the log say why.
func TestHandleHTMLReportFails(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	env := w.baseEnv()
	env[envReportBucket] = "ipam-reports"
	var puts []putObject
	m := NewMocks3API(gomock.NewController(t))
	recordPuts(m, &puts, errors.New("api error AccessDenied: Access Denied"))
	r, err := w.newRun(t, env, func(o *handlerOptions) { o.S3 = m })
	require.NoError(t, err)
	resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err, "the alert was delivered: no retry")

	require.Len(t, puts, 1, "stops at the first failure")
	assert.Empty(t, resp.HTMLReport)
	assert.Equal(t, "put the HTML report in s3://ipam-reports/"+puts[0].key+": api error AccessDenied: Access Denied", resp.HTMLReportError)
	assert.Contains(t, r.logs.String(), `"msg":"HTML report not written"`)
	assert.NotEmpty(t, w.srv.Messages(), "the alert was sent")
}

// TestHandleNoReportBucket: without IPAMKIT_REPORT_BUCKET nothing is put.
func TestHandleNoReportBucket(t *testing.T) {
	t.Parallel()
	w := newTestWorld(t)
	m := NewMocks3API(gomock.NewController(t)) // no call expected
	r, err := w.newRun(t, w.baseEnv(), func(o *handlerOptions) { o.S3 = m })
	require.NoError(t, err)
	resp, err := r.h.Handle(t.Context(), scheduledEvent(t))
	require.NoError(t, err)
	assert.Empty(t, resp.HTMLReport)
}
