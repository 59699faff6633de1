package awsfake_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/ipamkit/ipamkit/internal/awsfake"
)

// ExampleAWSRateLimits serves with EC2's published request rate limits and
// a latency of 50 ms a call, and calls DescribeVpcs faster than the limit
// allows, with the SDK's retries turned off to show the throttle: the
// bucket of 100 empties, and the 101st call in the same instant is
// answered RequestLimitExceeded, as EC2 answers it. The clock is pinned,
// so the bucket does not refill.
func ExampleAWSRateLimits() {
	var clock awsfake.Clock
	srv, err := awsfake.New(func(o *awsfake.Options) {
		o.Now = clock.Now
		o.RateLimits = awsfake.AWSRateLimits()
		o.Latency, _ = awsfake.ParseLatency("1ms") // 50ms in a demonstration; short here
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	client := ec2.NewFromConfig(srv.ClientConfig(awsfake.DefaultAccessKeyID, "us-east-1"), func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
	for i := 1; i <= 101; i++ {
		_, err := client.DescribeVpcs(context.TODO(), &ec2.DescribeVpcsInput{})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			fmt.Printf("call %d: %s\n", i, apiErr.ErrorCode())
		}
	}
	clock.Advance(time.Second) // 20 tokens a second
	_, err = client.DescribeVpcs(context.TODO(), &ec2.DescribeVpcsInput{})
	fmt.Println("a second later:", err == nil)
	// Output:
	// call 101: RequestLimitExceeded
	// a second later: true
}
