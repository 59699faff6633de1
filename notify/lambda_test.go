package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"
)

func TestLambda(t *testing.T) {
	t.Parallel()
	const fn = "arn:aws:lambda:eu-west-1:012345678901:function:ipam-sink"
	big := func(n int) func(*LambdaOptions) {
		return func(o *LambdaOptions) {
			o.Payload = func(Alert) ([]byte, error) { return []byte(`"` + strings.Repeat("x", n-2) + `"`), nil }
		}
	}
	async := func(o *LambdaOptions) { o.Async = true }
	tests := []struct {
		name      string
		opts      []func(*LambdaOptions)
		out       *lambda.InvokeOutput
		apiErr    error
		wantCall  bool
		wantType  types.InvocationType
		wantErr   string
		wantFnErr *FunctionError
	}{
		{name: "sync", out: &lambda.InvokeOutput{StatusCode: 200}, wantCall: true, wantType: types.InvocationTypeRequestResponse},
		{name: "async", opts: []func(*LambdaOptions){async}, out: &lambda.InvokeOutput{StatusCode: 202}, wantCall: true, wantType: types.InvocationTypeEvent},
		{name: "sync at 6 MB", opts: []func(*LambdaOptions){big(6_000_000)}, out: &lambda.InvokeOutput{StatusCode: 200}, wantCall: true, wantType: types.InvocationTypeRequestResponse},
		{name: "sync over 6 MB", opts: []func(*LambdaOptions){big(6_000_001)},
			wantErr: "lambda: payload of 6000001 bytes is over the 6000000-byte limit of synchronous invocation: payload over the size limit"},
		{name: "async at 1 MB", opts: []func(*LambdaOptions){async, big(1_000_000)}, out: &lambda.InvokeOutput{StatusCode: 202}, wantCall: true, wantType: types.InvocationTypeEvent},
		{name: "async over 1 MB", opts: []func(*LambdaOptions){async, big(1_000_001)},
			wantErr: "lambda: payload of 1000001 bytes is over the 1000000-byte limit of asynchronous invocation: payload over the size limit"},
		{
			name:     "function error",
			out:      &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorMessage":"boom\nat line 3","errorType":"RuntimeError"}`)},
			wantCall: true, wantType: types.InvocationTypeRequestResponse,
			wantErr:   "lambda: function " + fn + " failed (Unhandled): RuntimeError: boom at line 3",
			wantFnErr: &FunctionError{Function: fn, Kind: "Unhandled", Type: "RuntimeError", Message: "boom at line 3"},
		},
		{
			name:     "function error without a JSON payload",
			out:      &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Handled"), Payload: []byte(`oops`)},
			wantCall: true, wantType: types.InvocationTypeRequestResponse,
			wantErr:   "lambda: function " + fn + " failed (Handled)",
			wantFnErr: &FunctionError{Function: fn, Kind: "Handled"},
		},
		{
			name:     "throttled",
			apiErr:   &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Rate exceeded"},
			wantCall: true, wantType: types.InvocationTypeRequestResponse,
			wantErr: "lambda: invoke: api error TooManyRequestsException: Rate exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := NewMockLambdaAPI(gomock.NewController(t))
			var got *lambda.InvokeInput
			if tt.wantCall {
				m.EXPECT().Invoke(gomock.Any(), gomock.Any()).DoAndReturn(
					func(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
						got = in
						return tt.out, tt.apiErr
					})
			}
			opts := append([]func(*LambdaOptions){func(o *LambdaOptions) { o.Qualifier = "live" }}, tt.opts...)
			err := NewLambda(m, fn, opts...).Notify(t.Context(), testAlert())
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tt.wantFnErr != nil {
				var fe *FunctionError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tt.wantFnErr, fe)
			}
			if strings.Contains(tt.wantErr, "size limit") {
				require.ErrorIs(t, err, ErrTooLarge)
			}
			if !tt.wantCall {
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, fn, aws.ToString(got.FunctionName))
			assert.Equal(t, "live", aws.ToString(got.Qualifier))
			assert.Equal(t, tt.wantType, got.InvocationType)
			if len(tt.opts) == 0 || tt.name == "async" {
				var a Alert
				require.NoError(t, json.Unmarshal(got.Payload, &a))
				assert.Equal(t, testAlert(), a)
			}
		})
	}
}
