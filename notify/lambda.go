package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Invoke payload limits (aws-facts §5.5), "6 MB" and "1 MB" read as
// decimal megabytes to stay on the safe side.
const (
	lambdaMaxSyncBytes  = 6_000_000
	lambdaMaxAsyncBytes = 1_000_000
)

// LambdaOptions configures a [Lambda] notifier. The zero value invokes
// synchronously with the [Alert] JSON as payload.
type LambdaOptions struct {
	// Async invokes with InvocationType Event: Lambda queues the payload
	// and answers at once. The zero value waits for the function
	// (RequestResponse).
	Async bool
	// Qualifier is a version or alias; empty means $LATEST or what the
	// function name says.
	Qualifier string
	// Payload encodes an alert; nil means json.Marshal of the Alert.
	Payload func(Alert) ([]byte, error)
	// Logger receives a Debug record per invocation; nil discards records.
	Logger *slog.Logger
}

// Lambda is a [Notifier] that invokes an AWS Lambda function with each
// alert as its JSON payload: the monitor sample's "pass JSON to other
// Lambdas". Payloads over Lambda's limits (6 MB synchronous, 1 MB
// asynchronous) are refused before sending with an error wrapping
// [ErrTooLarge]. A synchronous invocation whose function fails is a
// [*FunctionError]. A Lambda is safe for concurrent use.
type Lambda struct {
	client   LambdaAPI
	function string
	opts     LambdaOptions
}

// NewLambda returns a notifier invoking function (a name, ARN or partial
// ARN) through client, usually a *lambda.Client.
func NewLambda(client LambdaAPI, function string, optFns ...func(*LambdaOptions)) *Lambda {
	var o LambdaOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Payload == nil {
		o.Payload = func(a Alert) ([]byte, error) { return json.Marshal(a) }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Lambda{client: client, function: function, opts: o}
}

// String names the notifier and its function.
func (l *Lambda) String() string { return "lambda " + l.function }

// FunctionError reports that the invoked function itself failed: Lambda
// answered, with X-Amz-Function-Error set. Type and Message come from the
// function's error payload ({"errorType", "errorMessage"}) when it has
// them.
type FunctionError struct {
	Function string // the function invoked
	Kind     string // the FunctionError of the response, such as "Unhandled"
	Type     string // errorType of the payload
	Message  string // errorMessage of the payload
}

// Error describes the failure.
func (e *FunctionError) Error() string {
	s := "function " + e.Function + " failed (" + e.Kind + ")"
	if e.Type != "" {
		s += ": " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Notify invokes the function with a.
func (l *Lambda) Notify(ctx context.Context, a Alert) error {
	payload, err := l.opts.Payload(a)
	if err != nil {
		return fmt.Errorf("lambda: encode payload: %w", err)
	}
	in := &lambda.InvokeInput{
		FunctionName:   aws.String(l.function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	}
	limit, mode := lambdaMaxSyncBytes, "synchronous"
	if l.opts.Async {
		in.InvocationType = types.InvocationTypeEvent
		limit, mode = lambdaMaxAsyncBytes, "asynchronous"
	}
	if len(payload) > limit {
		return fmt.Errorf("lambda: payload of %d bytes is over the %d-byte limit of %s invocation: %w", len(payload), limit, mode, ErrTooLarge)
	}
	if l.opts.Qualifier != "" {
		in.Qualifier = aws.String(l.opts.Qualifier)
	}
	out, err := l.client.Invoke(ctx, in)
	if err != nil {
		return fmt.Errorf("lambda: invoke: %w", err)
	}
	l.opts.Logger.LogAttrs(ctx, slog.LevelDebug, "invoked lambda",
		slog.String("function", l.function), slog.String("mode", mode), slog.Int("status", int(out.StatusCode)))
	if out.FunctionError != nil {
		fe := &FunctionError{Function: l.function, Kind: aws.ToString(out.FunctionError)}
		var body struct {
			Type    string `json:"errorType"`
			Message string `json:"errorMessage"`
		}
		if json.Unmarshal(out.Payload, &body) == nil {
			fe.Type, fe.Message = truncate(oneLine(body.Type), 200), truncate(oneLine(body.Message), 500)
		}
		return fmt.Errorf("lambda: %w", fe)
	}
	return nil
}
