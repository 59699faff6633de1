package awsfake

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lambdaWorld(t *testing.T) (*Server, string) {
	t.Helper()
	b := NewBuilder(mgmtAccount)
	arn := b.Function(mgmtAccount, "eu-west-1", "hierarchy-cfn", func(payload []byte) ([]byte, error) {
		if strings.Contains(string(payload), "boom") {
			return nil, errors.New("boom")
		}
		return []byte(`{"echo":` + string(payload) + `}`), nil
	})
	w, err := b.Build()
	require.NoError(t, err)
	return startServer(t, w), arn
}

func TestInvoke(t *testing.T) {
	srv, arn := lambdaWorld(t)
	client := lambda.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "eu-west-1"))
	ctx := t.Context()

	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hierarchy-cfn"), Payload: []byte(`{"RequestType":"Create"}`), LogType: types.LogTypeTail})
	require.NoError(t, err)
	assert.Equal(t, int32(200), out.StatusCode)
	assert.Equal(t, `{"echo":{"RequestType":"Create"}}`, string(out.Payload))
	assert.Empty(t, aws.ToString(out.FunctionError))
	assert.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	log, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	require.NoError(t, err)
	assert.Contains(t, string(log), "START RequestId")

	failed, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn, Qualifier: aws.String("$LATEST"), Payload: []byte(`"boom"`)})
	require.NoError(t, err, "a function error is still a successful call")
	assert.Equal(t, "Unhandled", aws.ToString(failed.FunctionError))
	assert.JSONEq(t, `{"errorMessage":"boom","errorType":"Error"}`, string(failed.Payload))

	event, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(mgmtAccount + ":function:hierarchy-cfn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, int32(202), event.StatusCode)
	dry, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn, InvocationType: types.InvocationTypeDryRun})
	require.NoError(t, err)
	assert.Equal(t, int32(204), dry.StatusCode)

	calls := srv.Invocations()
	require.Len(t, calls, 4)
	assert.Equal(t, Invocation{Account: mgmtAccount, Region: "eu-west-1", FunctionARN: arn, InvocationType: "RequestResponse", Payload: []byte(`{"RequestType":"Create"}`)}, calls[0])
	assert.Equal(t, "Event", calls[2].InvocationType)

	t.Run("errors", func(t *testing.T) {
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
		var notFound *types.ResourceNotFoundException
		assert.ErrorAs(t, err, &notFound)
		_, err = lambda.NewFromConfig(clientConfig(srv, DefaultAccessKeyID, "us-east-1")).Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn})
		assert.ErrorAs(t, err, &notFound, "a function of another region")
		_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn, Payload: []byte(`not json`)})
		var content *types.InvalidRequestContentException
		assert.ErrorAs(t, err, &content)
		_, err = client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn, InvocationType: types.InvocationTypeEvent, Payload: []byte(`"` + strings.Repeat("x", 1<<20) + `"`)})
		var tooLarge *types.RequestTooLargeException
		assert.ErrorAs(t, err, &tooLarge)
	})
	t.Run("throttled, then retried", func(t *testing.T) {
		srv.InjectFault(Fault{Service: "lambda", Kind: FaultThrottle, Count: 1})
		srv.ResetCalls()
		_, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &arn, Payload: []byte(`{}`)})
		require.NoError(t, err)
		calls := srv.Calls()
		require.Len(t, calls, 2)
		assert.Equal(t, 429, calls[0].Status)
	})
}
