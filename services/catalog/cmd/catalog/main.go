// Command catalog runs the catalog service.
//
// Configuration comes from the environment (see the service README); `catalog
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/catalog"
)

func main() { service.Main(catalog.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg := catalog.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	return service.RunCommand(ctx, args, catalog.Name, cfg.Base, catalog.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return catalog.New(ctx, cfg, log, service.Options{})
		})
}
