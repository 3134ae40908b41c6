// Command identity runs the identity service.
//
// Configuration comes from the environment (see the service README); `identity
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/identity"
)

func main() { service.Main(identity.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg, err := identity.LoadConfig()
	if err != nil {
		return err
	}
	return service.RunCommand(ctx, args, identity.Name, cfg.Base, identity.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return identity.New(ctx, cfg, log, service.Options{})
		})
}
