package s3state_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/ipamkit/ipamkit/notify"
	"github.com/ipamkit/ipamkit/usage"
	"github.com/ipamkit/ipamkit/usage/s3state"
)

// ExampleNew keeps a monitor's state in S3 and alerts on change.
func ExampleNew() {
	run := func(ctx context.Context, cfg aws.Config, rep usage.Report, m notify.Multi) error {
		st := s3state.New(s3.NewFromConfig(cfg), "my-ipam-state", "ipamkit/monitor-state.json")
		d, err := rep.DeliverChange(ctx, st, m, func(o *usage.DeliverOptions) { o.Source = "platform-tool" })
		if err != nil {
			return err // usage.ErrStateConflict: an overlapping run alerted
		}
		fmt.Println("sent:", d.Due)
		return nil
	}
	_ = run
}
