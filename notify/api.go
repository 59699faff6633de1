package notify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=notify . SNSAPI,CloudWatchAPI,EventBridgeAPI,LambdaAPI

// SNSAPI is the part of *sns.Client that [SNS] calls.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// CloudWatchAPI is the part of *cloudwatch.Client that [CloudWatch] calls.
type CloudWatchAPI interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// EventBridgeAPI is the part of *eventbridge.Client that [EventBridge]
// calls.
type EventBridgeAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// LambdaAPI is the part of *lambda.Client that [Lambda] calls.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var (
	_ SNSAPI         = (*sns.Client)(nil)
	_ CloudWatchAPI  = (*cloudwatch.Client)(nil)
	_ EventBridgeAPI = (*eventbridge.Client)(nil)
	_ LambdaAPI      = (*lambda.Client)(nil)
)
