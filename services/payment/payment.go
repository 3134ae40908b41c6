// Package payment is the payment service: payments of orders through a
// provider (the built-in sandbox now; KakaoPay, PayPal and Toss Payments
// behind the same interface next), refunds, and the payment.* events the
// order service follows. cmd/payment runs it alone; cmd/jangteo runs it
// beside the other services.
package payment

import (
	"context"
	"fmt"
	"net/url"

	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/payment/internal/app"
	"github.com/jangteo/jangteo/services/payment/internal/grpcapi"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "payment"

// Config is the payment service's configuration.
type Config struct {
	service.Base
	// PublicURL is the gateway's address as buyers' browsers reach it; the
	// sandbox's approval pages (redirect_url) live there.
	PublicURL string `env:"PUBLIC_URL"`
	// SandboxEnabled offers the sandbox provider, whose approval page anyone
	// holding a payment id may approve. Turn it off in production.
	SandboxEnabled bool `env:"SANDBOX_ENABLED"`
}

// DefaultConfig returns the documented defaults: gRPC on :9105, the gateway
// at http://localhost:8080, the sandbox enabled.
func DefaultConfig() Config {
	return Config{
		Base:           service.Defaults(":9105"),
		PublicURL:      "http://localhost:8080",
		SandboxEnabled: true,
	}
}

func (c Config) validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("payment: PUBLIC_URL %q is not an absolute http(s) URL", c.PublicURL)
	}
	if !c.SandboxEnabled {
		return fmt.Errorf("payment: no provider is enabled (SANDBOX_ENABLED=false and no other provider yet)")
	}
	return nil
}

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running payment service.
type Service struct{ rt *service.Runtime }

// New connects the service and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	var providers []provider.Provider
	var sb *sandbox.Provider
	if cfg.SandboxEnabled {
		sb = sandbox.New(rt.Pool, cfg.PublicURL)
		providers = append(providers, sb)
	}
	a := app.New(rt.Pool, providers, sb, rt.Log)
	paymentv1.RegisterPaymentServiceServer(rt.GRPC, grpcapi.New(a))
	return &Service{rt: rt}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
