// Package community is the community service: boards and notices, posts
// with anonymous authors, nested comments, likes and scraps. cmd/community
// runs it alone; cmd/jangteo runs it beside the other services.
package community

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/community/internal/app"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/grpcapi"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "community"

// Config is the community service's configuration.
type Config struct {
	service.Base
	// HotRankRefresh is how often the popular feed's ranks are recomputed.
	HotRankRefresh time.Duration `env:"HOT_RANK_REFRESH"`
}

// DefaultConfig returns the documented defaults: gRPC on :9106, hot ranks
// refreshed every 5 minutes.
func DefaultConfig() Config {
	return Config{Base: service.Defaults(":9106"), HotRankRefresh: 5 * time.Minute}
}

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running community service.
type Service struct{ rt *service.Runtime }

// New connects the service and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	if cfg.HotRankRefresh <= 0 {
		return nil, fmt.Errorf("community: HOT_RANK_REFRESH %s must be positive", cfg.HotRankRefresh)
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	a := app.New(store.New(rt.Pool), rt.Log)
	communityv1.RegisterCommunityServiceServer(rt.GRPC, grpcapi.New(a))
	rt.Consume(events.ProfilesConsumer, events.Profiles)
	rt.Consume(events.NotificationsConsumer, events.Notify)
	rt.Go("hot rank refresh", func(ctx context.Context) error { return a.RefreshHotRanks(ctx, cfg.HotRankRefresh) })
	return &Service{rt: rt}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
