package s3state

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

func TestSaveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		version      usage.StateVersion
		err          error
		wantIfMatch  *string
		wantIfNone   *string
		wantConflict bool
	}{
		{"first save: If-None-Match *", "", nil, nil, aws.String("*"), false},
		{"later save: If-Match the ETag", `"e1"`, nil, aws.String(`"e1"`), nil, false},
		{"412 PreconditionFailed is a conflict", `"e1"`, apiErr("PreconditionFailed"), aws.String(`"e1"`), nil, true},
		{"409 ConditionalRequestConflict is a conflict", "", apiErr("ConditionalRequestConflict"), nil, aws.String("*"), true},
		{"404 NoSuchKey under If-Match is a conflict", `"e1"`, apiErr("NoSuchKey"), aws.String(`"e1"`), nil, true},
		{"AccessDenied is not", `"e1"`, apiErr("AccessDenied"), aws.String(`"e1"`), nil, false},
		{"a network error is not", `"e1"`, errors.New("connection reset"), aws.String(`"e1"`), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := NewMockS3API(gomock.NewController(t))
			client.EXPECT().PutObject(gomock.Any(), gomock.Any()).DoAndReturn(
				func(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
					assert.Equal(t, "bucket", aws.ToString(in.Bucket))
					assert.Equal(t, "ipamkit/state.json", aws.ToString(in.Key))
					assert.Equal(t, tt.wantIfMatch, in.IfMatch)
					assert.Equal(t, tt.wantIfNone, in.IfNoneMatch)
					if tt.err != nil {
						return nil, tt.err
					}
					return &s3.PutObjectOutput{ETag: aws.String(`"e2"`)}, nil
				})
			v, err := New(client, "bucket", "ipamkit/state.json").Save(t.Context(), usage.Snapshot{}, tt.version)
			switch {
			case tt.err == nil:
				require.NoError(t, err)
				assert.Equal(t, usage.StateVersion(`"e2"`), v)
			case tt.wantConflict:
				require.ErrorIs(t, err, usage.ErrStateConflict)
			default:
				require.Error(t, err)
				assert.NotErrorIs(t, err, usage.ErrStateConflict)
				assert.ErrorIs(t, err, tt.err)
				assert.ErrorContains(t, err, "s3://bucket/ipamkit/state.json")
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		out        *s3.GetObjectOutput
		err        error
		wantNil    bool
		wantV      usage.StateVersion
		wantErr    error
		wantAnyErr bool
	}{
		{name: "missing: nothing saved yet", err: apiErr("NoSuchKey"), wantNil: true},
		{name: "saved", out: &s3.GetObjectOutput{ETag: aws.String(`"e1"`), Body: io.NopCloser(strings.NewReader(`{"formatVersion":1,"findings":[]}`))}, wantV: `"e1"`},
		{name: "damaged: its ETag and ErrStateUnreadable", out: &s3.GetObjectOutput{ETag: aws.String(`"e1"`), Body: io.NopCloser(strings.NewReader(`{`))}, wantNil: true, wantV: `"e1"`, wantErr: usage.ErrStateUnreadable},
		{name: "AccessDenied (no s3:ListBucket, or no s3:GetObject)", err: apiErr("AccessDenied"), wantNil: true, wantAnyErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client := NewMockS3API(gomock.NewController(t))
			client.EXPECT().GetObject(gomock.Any(), gomock.Any()).Return(tt.out, tt.err)
			s, v, err := New(client, "bucket", "key").Load(t.Context())
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case tt.wantAnyErr:
				require.Error(t, err)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantNil, s == nil, "snapshot nil")
			assert.Equal(t, tt.wantV, v)
		})
	}
}
