// Package s3state keeps the previous run's findings of a usage monitor in
// one Amazon S3 object: a [usage.State] whose compare-and-swap is S3's
// conditional write. The first save sends If-None-Match: * (write only if
// no object exists), every later one If-Match: <ETag of the object
// loaded>; S3 answers 412 PreconditionFailed when another run saved in
// between, or 409 ConditionalRequestConflict when another write to the key
// is in flight, and both become [usage.ErrStateConflict].
//
// It is a package of its own so that importing usage does not bring the
// S3 SDK into every program: only those that keep their state in S3 import
// it. The IAM policy it needs is s3:GetObject and s3:PutObject on the one
// object, and s3:ListBucket on the bucket narrowed to the key by the
// s3:prefix condition: it lists nothing, but without it S3 answers
// GetObject of a missing object with 403 AccessDenied rather than 404
// NoSuchKey, Load cannot tell "nothing saved yet" from "denied", and every
// run alerts as without state and never saves one.
package s3state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/usage"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=s3state . S3API

// S3API is the part of *s3.Client that the state calls.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ S3API = (*s3.Client)(nil)

// MaxBytes bounds the snapshot read back: a state object larger than this
// is refused as unreadable. A snapshot takes about 250 bytes a finding.
const MaxBytes = 16 << 20

// State is a [usage.State] kept in the S3 object Bucket/Key. It holds no
// other state than its arguments, and is safe for concurrent use when its
// client is.
type State struct {
	client      S3API
	bucket, key string
}

var _ usage.State = (*State)(nil)

// New returns the state kept in the object key of bucket. It makes no
// call.
func New(client S3API, bucket, key string) *State {
	return &State{client: client, bucket: bucket, key: key}
}

// Load reads the object. A missing object (404 NoSuchKey) is nothing
// saved yet. An object that cannot be decoded gives its ETag and an error
// wrapping [usage.ErrStateUnreadable].
func (s *State) Load(ctx context.Context) (*usage.Snapshot, usage.StateVersion, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.key)})
	if errorCode(err) == "NoSuchKey" {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	v := usage.StateVersion(aws.ToString(out.ETag))
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("s3://%s/%s: read: %w", s.bucket, s.key, err)
	}
	if len(b) > MaxBytes {
		return nil, v, fmt.Errorf("s3://%s/%s: %w: larger than %d bytes", s.bucket, s.key, usage.ErrStateUnreadable, MaxBytes)
	}
	snap, err := usage.ParseSnapshot(b)
	if err != nil {
		return nil, v, fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	return snap, v, nil
}

// Save writes snap with a conditional PutObject: If-None-Match: * for the
// zero version, If-Match: v otherwise. It returns the new object's ETag,
// or an error wrapping [usage.ErrStateConflict] when S3 answers 412
// PreconditionFailed, 409 ConditionalRequestConflict, or 404 NoSuchKey
// (the object was deleted since it was loaded).
func (s *State) Save(ctx context.Context, snap usage.Snapshot, v usage.StateVersion) (usage.StateVersion, error) {
	b, err := json.Marshal(snap)
	if err != nil {
		return "", fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(s.key),
		Body: bytes.NewReader(b), ContentLength: aws.Int64(int64(len(b))), ContentType: aws.String("application/json"),
	}
	if v == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(string(v))
	}
	out, err := s.client.PutObject(ctx, in)
	switch code := errorCode(err); code {
	case "":
	case "PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey":
		return "", fmt.Errorf("s3://%s/%s: %s: %w", s.bucket, s.key, code, usage.ErrStateConflict)
	default:
		return "", fmt.Errorf("s3://%s/%s: %w", s.bucket, s.key, err)
	}
	if out == nil || aws.ToString(out.ETag) == "" {
		return "", fmt.Errorf("s3://%s/%s: PutObject returned no ETag", s.bucket, s.key)
	}
	return usage.StateVersion(aws.ToString(out.ETag)), nil
}

// errorCode returns the AWS error code of err, or "" when there is none.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return "error"
	}
	return ""
}
