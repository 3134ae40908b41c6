// Package catalog is the catalog service: the taxonomy (categories, brands,
// causes), products with variants and stock reservations, reviews, and
// spaces rented by the slot (products of kind "space").
// cmd/catalog runs it alone; cmd/jangteo runs it beside the other services.
package catalog

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/images"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/catalog/internal/app"
	catalogevents "github.com/jangteo/jangteo/services/catalog/internal/events"
	"github.com/jangteo/jangteo/services/catalog/internal/grpcapi"
	spacesapp "github.com/jangteo/jangteo/services/catalog/internal/spaces/app"
	"github.com/jangteo/jangteo/services/catalog/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "catalog"

// Config is the catalog's configuration.
type Config struct {
	service.Base
	// Images says where uploaded product pictures go: local disk (default)
	// or any S3-compatible object storage (IMAGES_DRIVER, IMAGES_DIR,
	// IMAGES_PUBLIC_BASE_URL, S3_*).
	Images images.Config
	// SweepInterval is how often a periodic job releases expired
	// reservations that have no expiry job left (each reservation schedules
	// its own expiry; this is the safety net).
	SweepInterval time.Duration `env:"RESERVATION_SWEEP_INTERVAL"`
}

// DefaultConfig returns the documented defaults (gRPC on :9102, pictures on
// disk under .data/images served at http://localhost:8080/media).
func DefaultConfig() Config {
	return Config{
		Base: service.Defaults(":9102"),
		Images: images.Config{
			Driver: images.DriverDisk, Dir: images.DefaultDir, PublicBaseURL: images.DefaultPublicBaseURL,
		},
		SweepInterval: 5 * time.Minute,
	}
}

// Migrations are the catalog's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running catalog.
type Service struct {
	rt     *service.Runtime
	app    *app.App
	spaces *spacesapp.App
	media  http.Handler
}

// New connects the catalog, registers its gRPC API, the order.paid consumer
// and the reservation jobs (each reservation's expiry, and the periodic sweep).
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	pics, err := images.New(cfg.Images)
	if err != nil {
		return nil, err
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	stores := func(db postgres.DB) app.Store { return store.New(db) }
	a := app.New(rt.Pool, stores, rt.Jobs, pics)
	catalogv1.RegisterCatalogServiceServer(rt.GRPC, grpcapi.New(a))
	rt.Consume(catalogevents.OrderPaidConsumer, catalogevents.OrderPaid(func(tx pgx.Tx) catalogevents.PurchaseRecorder {
		return a.WithTx(tx)
	}))
	rt.Consume(catalogevents.MarketQuoteConsumer, catalogevents.OnMarketQuote(func(tx pgx.Tx) catalogevents.QuoteRecorder {
		return a.WithTx(tx)
	}))
	s := &Service{rt: rt, app: a, spaces: registerSpaces(rt, pics)}
	service.AddWorker(rt, app.ExpireReservationWorker{App: a})
	service.AddWorker(rt, app.SweepReservationsWorker{App: a})
	every := cfg.SweepInterval
	if every <= 0 {
		every = 5 * time.Minute
	}
	rt.Periodic(every, app.SweepReservationsArgs{})
	if d, ok := pics.(*images.Disk); ok {
		s.media = d.Handler()
	}
	return s, nil
}

// MediaHandler serves uploaded pictures when they are kept on disk (mount it
// at the path of Images.PublicBaseURL, /media/ by default); nil otherwise.
func (s *Service) MediaHandler() http.Handler { return s.media }

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
