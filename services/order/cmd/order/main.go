// Command order runs the order service.
//
// Configuration comes from the environment (see the service README); `order
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/order"
)

func main() { service.Main(order.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg := order.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	return service.RunCommand(ctx, args, order.Name, cfg.Base, order.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return order.New(ctx, cfg, log, service.Options{})
		})
}
