package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamkit/ipamkit/internal/coldstart"
)

// main reads the configuration and builds the handler of its step, once
// per container, then serves the step's invocations.
func main() {
	h, err := coldstart.Build(configFromEnv, func(ctx context.Context, awsCfg aws.Config, cfg Config) (*handler, error) {
		return newHandler(ctx, awsCfg, cfg, func(o *handlerOptions) {
			o.Stdout, o.Logger = os.Stdout, coldstart.Logger(cfg.LogLevel).With("step", string(cfg.Step))
		})
	})
	if err != nil {
		coldstart.Logger(slog.LevelInfo).Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	switch h.cfg.Step {
	case stepList:
		lambda.Start(h.List)
	case stepScan:
		lambda.Start(h.Scan)
	default:
		lambda.Start(h.Merge)
	}
}
