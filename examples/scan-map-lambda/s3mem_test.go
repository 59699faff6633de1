package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// memS3 is an in-memory bucket store, shared by the functions and the
// state machine of a test as the bucket is in AWS. It records every call
// as an IAM action, by the principal that made it. It is safe for
// concurrent use.
type memS3 struct {
	mu      sync.Mutex
	objects map[string][]byte          // by "bucket/key"
	calls   map[string]map[string]bool // principal -> IAM actions
}

func newMemS3() *memS3 {
	return &memS3{objects: map[string][]byte{}, calls: map[string]map[string]bool{}}
}

// as returns the view of s that principal calls through: an s3API.
func (s *memS3) as(principal string) *memS3Client { return &memS3Client{s: s, principal: principal} }

// actions returns the IAM actions principal called.
func (s *memS3) actions(principal string) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for a := range s.calls[principal] {
		out[a] = true
	}
	return out
}

// keys returns every key under prefix in bucket, sorted.
func (s *memS3) keys(bucket, prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.objects {
		if key, ok := strings.CutPrefix(k, bucket+"/"); ok && strings.HasPrefix(key, prefix) {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}

func (s *memS3) record(principal, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls[principal] == nil {
		s.calls[principal] = map[string]bool{}
	}
	s.calls[principal][action] = true
}

func (s *memS3) put(principal, bucket, key string, body []byte) {
	s.record(principal, "s3:PutObject")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = bytes.Clone(body)
}

func (s *memS3) get(principal, bucket, key string) ([]byte, bool) {
	s.record(principal, "s3:GetObject")
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[bucket+"/"+key]
	return b, ok
}

// memS3Client is one principal's client of a memS3.
type memS3Client struct {
	s         *memS3
	principal string
}

var _ s3API = (*memS3Client)(nil)

func (c *memS3Client) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, ok := c.s.get(c.principal, aws.ToString(in.Bucket), aws.ToString(in.Key))
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String(fmt.Sprintf("no object %s", aws.ToString(in.Key)))}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b)), ContentLength: aws.Int64(int64(len(b)))}, nil
}

func (c *memS3Client) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	c.s.put(c.principal, aws.ToString(in.Bucket), aws.ToString(in.Key), b)
	return &s3.PutObjectOutput{}, nil
}

func s3Get(bucket, key string) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
}

func s3Put(bucket, key string, body []byte) *s3.PutObjectInput {
	return &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}
}
