package main

import (
	"context"
	"errors"
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
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h, err := coldStart()
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

// coldStart reads the configuration and builds the handler, once per
// container. An invalid configuration is a configError.
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
	return newHandler(ctx, awsCfg, cfg, func(o *handlerOptions) { o.Logger = log })
}
