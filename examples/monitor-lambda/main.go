package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamkit/ipamkit/internal/coldstart"
)

// main reads the configuration and builds the handler, once per
// container, then serves the invocations.
func main() {
	h, err := coldstart.Build(configFromEnv, func(ctx context.Context, awsCfg aws.Config, cfg Config) (*handler, error) {
		return newHandler(ctx, awsCfg, cfg, func(o *handlerOptions) { o.Stdout, o.Logger = os.Stdout, coldstart.Logger(cfg.LogLevel) })
	})
	if err != nil {
		coldstart.Logger(slog.LevelInfo).Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
