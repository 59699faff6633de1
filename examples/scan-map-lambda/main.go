package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/ipamkit/ipamkit/internal/sdkhttp"
)

func main() {
	h, err := coldStart()
	if err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("cold start failed", "error", err.Error())
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

// coldStart reads the configuration and builds the handler of its step,
// once per container.
func coldStart() (*handler, error) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	sdkhttp.Configure(&awsCfg, time.Minute) // no response lost, no attempt waited on past a minute
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return newHandler(ctx, awsCfg, cfg, func(o *handlerOptions) { o.Stdout, o.Logger = os.Stdout, log.With("step", string(cfg.Step)) })
}
