// Command community runs the community service.
//
// Configuration comes from the environment (see the service README); `community
// migrate` applies the schema migrations and exits.
package main

import (
	"context"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/community"
)

func main() { service.Main(community.Name, run) }

func run(ctx context.Context, args []string) error {
	cfg := community.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return err
	}
	return service.RunCommand(ctx, args, community.Name, cfg.Base, community.Migrations,
		func(ctx context.Context, log *zap.Logger) (service.Runner, error) {
			return community.New(ctx, cfg, log, service.Options{})
		})
}
