// Command catalog runs the catalog service.
//
// Configuration comes from the environment (see the service README); `catalog
// migrate` applies the schema migrations and exits.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/catalog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "catalog:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := catalog.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	if len(args) > 0 && args[0] == "migrate" {
		return service.Migrate(ctx, cfg.DatabaseURL, catalog.Name, catalog.Migrations)
	}
	log, err := logging.New(cfg.LogLevel, false)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck
	svc, err := catalog.New(ctx, cfg, log, service.Options{})
	if err != nil {
		return err
	}
	return svc.Run(ctx)
}
