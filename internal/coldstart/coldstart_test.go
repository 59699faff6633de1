package coldstart

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// isolate points the AWS configuration at the test's own variables and
// files, so that no file or profile of the machine is read.
func isolate(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/credentials")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIATESTCOLDSTART001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestBuild(t *testing.T) {
	isolate(t)
	t.Setenv("COLDSTART_TEST_SETTING", "42")
	read := func(getenv func(string) string) (string, error) { return getenv("COLDSTART_TEST_SETTING"), nil }
	got, err := Build(read, func(ctx context.Context, awsCfg aws.Config, c string) (string, error) {
		require.NoError(t, ctx.Err(), "the context is live while the handler is built")
		assert.Equal(t, "eu-west-1", awsCfg.Region)
		hc, ok := awsCfg.HTTPClient.(*http.Client)
		require.True(t, ok, "sdkhttp.Configure gave the SDK its HTTP client, got %T", awsCfg.HTTPClient)
		assert.Equal(t, attemptTimeout, hc.Timeout, "each attempt is bounded")
		return "handler of " + c, nil
	})
	require.NoError(t, err)
	assert.Equal(t, "handler of 42", got)
}

func TestBuildErrors(t *testing.T) {
	isolate(t)
	errConfig, errBuild := errors.New("bad configuration"), errors.New("no handler")
	tests := []struct {
		name      string
		readErr   error
		buildErr  error
		want      error
		wantBuild bool
	}{
		{"configuration rejected", errConfig, nil, errConfig, false},
		{"handler not built", nil, errBuild, errBuild, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			h, err := Build(func(func(string) string) (int, error) { return 1, tt.readErr },
				func(context.Context, aws.Config, int) (*int, error) {
					built = true
					return nil, tt.buildErr
				})
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, h)
			assert.Equal(t, tt.wantBuild, built, "build called")
		})
	}
}
