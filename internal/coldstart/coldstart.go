// Package coldstart holds the start-up that every ipamkit Lambda runs once
// per container, before lambda.Start: read the configuration from the
// environment, load the AWS configuration with the HTTP settings every
// ipamkit program gives the SDK's clients (internal/sdkhttp), and build the
// handler, all under a context that Lambda's SIGTERM cancels.
package coldstart

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ipamkit/ipamkit/internal/sdkhttp"
)

// attemptTimeout bounds each attempt of an AWS call: no attempt is waited
// on past a minute.
const attemptTimeout = time.Minute

// Build reads the function's configuration with read, through os.Getenv,
// loads the AWS configuration (config.LoadDefaultConfig, then
// sdkhttp.Configure) and builds the handler with build. The context given
// to build ends when Build returns, or earlier when Lambda sends SIGTERM. A
// configuration that read rejects is returned as read returned it, before
// anything is loaded.
func Build[C, H any](read func(getenv func(string) string) (C, error), build func(ctx context.Context, awsCfg aws.Config, c C) (H, error)) (H, error) {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	var zero H
	c, err := read(os.Getenv)
	if err != nil {
		return zero, err
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return zero, fmt.Errorf("load AWS configuration: %w", err)
	}
	sdkhttp.Configure(&awsCfg, attemptTimeout)
	return build(ctx, awsCfg, c)
}

// Logger returns the function's logger: JSON records on standard error,
// from level up, which Lambda sends to the function's log group.
func Logger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}
