// Package payment is the payment service: payments through KakaoPay, PayPal and a sandbox provider. This is its walking
// skeleton: the service is declared, served and reachable through the
// gateway; its RPCs answer Unimplemented until its issue is built.
package payment

import (
	"context"

	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/payment/internal/grpcapi"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "payment"

// Config is the payment service's configuration.
type Config struct {
	service.Base
}

// DefaultConfig returns the documented defaults (gRPC on :9105).
func DefaultConfig() Config { return Config{Base: service.Defaults(":9105")} }

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running payment service.
type Service struct{ rt *service.Runtime }

// New connects the service and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	paymentv1.RegisterPaymentServiceServer(rt.GRPC, grpcapi.Server{})
	return &Service{rt: rt}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
