// Command payment runs the payment service.
//
// Configuration comes from the environment (see the service README); `payment
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/payment"
)

func main() { service.Main(payment.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg := payment.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	return service.RunCommand(ctx, args, payment.Name, cfg.Base, payment.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return payment.New(ctx, cfg, log, service.Options{})
		})
}
