// Package cart is the cart service: anonymous and signed-in carts, their
// lines, the merge at login, and pricing from the catalog at read time.
// cmd/cart runs it alone; cmd/jangteo runs it beside the other services.
package cart

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/cart/internal/app"
	"github.com/jangteo/jangteo/services/cart/internal/catalogclient"
	"github.com/jangteo/jangteo/services/cart/internal/events"
	"github.com/jangteo/jangteo/services/cart/internal/grpcapi"
	"github.com/jangteo/jangteo/services/cart/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "cart"

// Config is the cart's configuration.
type Config struct {
	service.Base
	// TaxRateBasisPoints is the tax rate in hundredths of a percent (200 = 2 %).
	TaxRateBasisPoints int `env:"TAX_RATE_BP"`
	// MaxLineQuantity caps the units of one line.
	MaxLineQuantity int `env:"MAX_LINE_QUANTITY"`
	// CatalogEndpoint is the catalog's gRPC address.
	CatalogEndpoint string `env:"CATALOG_ENDPOINT"`
}

// DefaultConfig returns the documented defaults: gRPC on :9103, 2 % tax, at
// most 99 units per line, the catalog on 127.0.0.1:9102.
func DefaultConfig() Config {
	return Config{
		Base:               service.Defaults(":9103"),
		TaxRateBasisPoints: 200,
		MaxLineQuantity:    99,
		CatalogEndpoint:    "127.0.0.1:9102",
	}
}

func (c Config) validate() error {
	if c.TaxRateBasisPoints < 0 || c.TaxRateBasisPoints > 10000 {
		return fmt.Errorf("cart: TAX_RATE_BP %d is not within 0..10000", c.TaxRateBasisPoints)
	}
	if c.MaxLineQuantity < 1 {
		return fmt.Errorf("cart: MAX_LINE_QUANTITY %d must be at least 1", c.MaxLineQuantity)
	}
	if c.CatalogEndpoint == "" {
		return fmt.Errorf("cart: CATALOG_ENDPOINT is empty")
	}
	return nil
}

// Migrations are the cart's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running cart service.
type Service struct {
	rt      *service.Runtime
	catalog *grpc.ClientConn
}

// New connects the cart, registers its gRPC API and its event consumers.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	// The connection is made lazily: the cart starts even when the catalog
	// is not up yet, and shows carts unpriced until it is.
	conn, err := rt.Dial(cfg.CatalogEndpoint)
	if err != nil {
		return nil, fmt.Errorf("cart: catalog client: %w", err)
	}
	stores := func(db postgres.DB) app.Store { return store.New(db) }
	a := app.New(rt.Pool, stores, catalogclient.New(catalogv1.NewCatalogServiceClient(conn)), app.Config{
		TaxRateBasisPoints: cfg.TaxRateBasisPoints,
		MaxLineQuantity:    int64(cfg.MaxLineQuantity),
	}, rt.Log)
	cartv1.RegisterCartServiceServer(rt.GRPC, grpcapi.New(a))
	h := events.NewHandlers(func(tx pgx.Tx) events.UseCases { return a.WithTx(tx) }, rt.Log)
	rt.Consume(events.ProductChangedConsumer, h.ProductChanged)
	rt.Consume(events.OrderPaidConsumer, h.OrderPaid)
	return &Service{rt: rt, catalog: conn}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	defer s.catalog.Close()
	return s.rt.Run(ctx)
}
