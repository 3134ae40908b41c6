// Command cart runs the cart service.
//
// Configuration comes from the environment (see the service README); `cart
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/cart"
)

func main() { service.Main(cart.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg := cart.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	return service.RunCommand(ctx, args, cart.Name, cfg.Base, cart.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return cart.New(ctx, cfg, log, service.Options{})
		})
}
