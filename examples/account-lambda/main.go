package main

import (
	"context"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ipamkit/ipamkit/internal/coldstart"
)

// main reads the configuration and builds the handler, once per
// container, then serves the invocations. An invalid configuration (a
// configError) answers each event with its problems instead.
func main() {
	log := coldstart.Logger(slog.LevelInfo)
	h, err := coldstart.Build(configFromEnv, func(ctx context.Context, awsCfg aws.Config, cfg Config) (*handler, error) {
		return newHandler(ctx, awsCfg, cfg, func(o *handlerOptions) { o.Logger = coldstart.Logger(cfg.LogLevel) })
	})
	var ce configError
	switch {
	case err == nil:
		lambda.Start(h.Handle)
	case errors.As(err, &ce):
		lambda.Start(misconfigured{err: err, log: log}.Handle)
	default:
		log.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
}
