// Command gateway serves Jangteo's REST/JSON API in front of the services.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/tracing"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg := gateway.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel, false)
	if err != nil {
		return err
	}
	defer log.Sync()                                   //nolint:errcheck
	defer tracing.Shutdown(context.WithoutCancel(ctx)) //nolint:errcheck // export the spans still buffered
	g, err := gateway.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return g.Run(ctx)
}
