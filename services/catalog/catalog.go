// Package catalog is the catalog service: categories and products. cmd/catalog
// runs it alone; cmd/jangteo runs it beside the other services.
package catalog

import (
	"context"

	"go.uber.org/zap"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/catalog/internal/app"
	"github.com/jangteo/jangteo/services/catalog/internal/grpcapi"
	"github.com/jangteo/jangteo/services/catalog/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "catalog"

// Config is the catalog's configuration.
type Config struct {
	service.Base
}

// DefaultConfig returns the documented defaults (gRPC on :9102).
func DefaultConfig() Config {
	return Config{Base: service.Defaults(":9102")}
}

// Migrations are the catalog's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running catalog.
type Service struct {
	rt  *service.Runtime
	app *app.App
}

// New connects the catalog and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	a := app.New(store.New(rt.Pool))
	catalogv1.RegisterCatalogServiceServer(rt.GRPC, grpcapi.New(a))
	return &Service{rt: rt, app: a}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
