package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/usage"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_s3_test.go -package=main . s3API

// s3API is the part of *s3.Client the handler calls: it puts the HTML
// report in the bucket of IPAMKIT_REPORT_BUCKET.
type s3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ s3API = (*s3.Client)(nil)

// The variables of the HTML report, and the default prefix of its keys.
const (
	envReportBucket     = "IPAMKIT_REPORT_BUCKET"
	envReportPrefix     = "IPAMKIT_REPORT_PREFIX"
	defaultReportPrefix = "ipamkit/"
	latestReport        = "latest.html"
)

var (
	// An S3 bucket name: 3 to 63 lower-case letters, digits, dots and
	// hyphens, starting and ending with a letter or digit.
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// A key prefix of the characters S3 calls safe, up to 512 of them.
	reportPrefixPattern = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]{0,512}$`)
)

// validBucket reports whether v is a bucket name S3 accepts for a new
// bucket: no "..", and not shaped like an IP address.
func validBucket(v string) bool {
	return bucketPattern.MatchString(v) && !strings.Contains(v, "..") && net.ParseIP(v) == nil
}

// validReportPrefix reports whether v is a key prefix of safe characters
// that does not start with "/" (S3 keys have no leading slash) nor hold
// "..", so the policy's resource bucket/prefix* is what it reads.
func validReportPrefix(v string) bool {
	return reportPrefixPattern.MatchString(v) && !strings.HasPrefix(v, "/") && !strings.Contains(v, "..")
}

// reportKeys returns the keys of the page of a scan that finished at
// finished: one named for that time, kept, and latest.html, replaced by
// each scan, both under prefix.
func reportKeys(prefix string, finished time.Time) []string {
	return []string{
		prefix + "report-" + finished.UTC().Format("20060102T150405Z") + ".html",
		prefix + latestReport,
	}
}

// putReport writes rep as an HTML page (usage.Report.WriteHTML) to the
// configured bucket under the keys of reportKeys, and returns their s3://
// URLs. It stops at the first failure, which it returns wrapped with the
// bucket and key.
func (h *handler) putReport(ctx context.Context, log *slog.Logger, rep usage.Report) ([]string, error) {
	var page bytes.Buffer
	if err := rep.WriteHTML(&page, usage.HTMLOptions{Title: "IP address usage"}); err != nil {
		return nil, err
	}
	finished := rep.Scan.Finished
	if finished.IsZero() {
		finished = h.now()
	}
	var urls []string
	for _, key := range reportKeys(h.cfg.ReportPrefix, finished) {
		_, err := h.s3.PutObject(ctx, &s3.PutObjectInput{
			Bucket:       aws.String(h.cfg.ReportBucket),
			Key:          aws.String(key),
			Body:         bytes.NewReader(page.Bytes()),
			ContentType:  aws.String("text/html; charset=utf-8"),
			CacheControl: aws.String("no-cache"),
		})
		if err != nil {
			return urls, fmt.Errorf("put the HTML report in s3://%s/%s: %w", h.cfg.ReportBucket, key, err)
		}
		urls = append(urls, "s3://"+h.cfg.ReportBucket+"/"+key)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "HTML report written", slog.Any("objects", urls), slog.Int("bytes", page.Len()))
	return urls, nil
}
