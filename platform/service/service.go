// Package service is the runtime every Jangteo service runs on: it connects to
// PostgreSQL (applying the service's migrations) and NATS JetStream, builds the
// gRPC server with the access policy, relays the outbox, runs consumers and
// background tasks, and stops them all together.
package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Base is the configuration every service shares. Each service embeds it in
// its own Config; cmd/<svc> reads it from these variables.
type Base struct {
	// GRPCAddr is where the gRPC server listens.
	GRPCAddr string `env:"GRPC_ADDR"`
	// DatabaseURL is the PostgreSQL connection string.
	DatabaseURL string `env:"DATABASE_URL"`
	// NATSURL is the NATS server with JetStream.
	NATSURL string `env:"NATS_URL"`
	// JWKSURL is where identity publishes its token keys.
	JWKSURL string `env:"JWKS_URL"`
	// MetricsAddr serves Prometheus /metrics; empty disables it.
	MetricsAddr string `env:"METRICS_ADDR"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL"`
	// StreamReplicas is how many copies JetStream keeps of each stream: 1 in
	// development, 3 in a cluster.
	StreamReplicas int `env:"EVENTS_STREAM_REPLICAS"`
}

// Defaults returns the shared defaults with the service's own gRPC address.
func Defaults(grpcAddr string) Base {
	return Base{
		GRPCAddr:    grpcAddr,
		DatabaseURL: "postgres://postgres@127.0.0.1:5432/jangteo?sslmode=disable",
		NATSURL:     "nats://127.0.0.1:4222",
		JWKSURL:     "http://127.0.0.1:8080/.well-known/jwks.json",
		MetricsAddr: ":9090",
		LogLevel:    "info",

		StreamReplicas: 1,
	}
}

// Migrations are a service's embedded numbered SQL files.
type Migrations struct {
	FS  fs.FS
	Dir string
}

// Options tune Start.
type Options struct {
	// Keys overrides where token keys come from (identity reads its own).
	Keys auth.FetchFunc
	// Listener overrides GRPCAddr (tests pass a port-0 listener).
	Listener net.Listener
}

// Runtime is a started service: its connections, its gRPC server and the
// tasks that run beside it.
type Runtime struct {
	Name string
	Log  *zap.Logger
	Pool *pgxpool.Pool
	NATS *nats.Conn
	JS   jetstream.JetStream
	GRPC *grpcserver.Server

	cfg   Base
	opts  Options
	tasks []task
}

type task struct {
	name string
	run  func(ctx context.Context) error
}

// Migrate applies a service's migrations and the event tables to url.
func Migrate(ctx context.Context, url, schema string, m Migrations) error {
	pool, err := postgres.Connect(ctx, url, schema)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool, schema, m)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, m Migrations) error {
	if err := postgres.Migrate(ctx, pool, schema, m.FS, m.Dir); err != nil {
		return err
	}
	return events.Setup(ctx, pool)
}

// Start connects a service named name (also its schema and stream) and builds
// its gRPC server; register handlers on rt.GRPC, add consumers and tasks, then
// call Run.
func Start(ctx context.Context, name string, cfg Base, log *zap.Logger, m Migrations, opts Options) (_ *Runtime, err error) {
	rt := &Runtime{Name: name, Log: log.Named(name), cfg: cfg, opts: opts}
	defer func() {
		if err != nil {
			rt.close()
		}
	}()
	if rt.Pool, err = postgres.Connect(ctx, cfg.DatabaseURL, name); err != nil {
		return nil, err
	}
	if err = migrate(ctx, rt.Pool, name, m); err != nil {
		return nil, err
	}
	// A service starts while NATS is down; the relay and consumers wait for it.
	rt.NATS, err = nats.Connect(cfg.NATSURL, nats.Name("jangteo-"+name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true))
	if err != nil {
		return nil, fmt.Errorf("%s: nats: %w", name, err)
	}
	if rt.JS, err = jetstream.New(rt.NATS); err != nil {
		return nil, fmt.Errorf("%s: jetstream: %w", name, err)
	}
	fetch := opts.Keys
	if fetch == nil {
		fetch = auth.HTTPFetch(cfg.JWKSURL, nil)
	}
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(fetch)))
	if rt.GRPC, err = grpcserver.New(name, rt.Log, policy); err != nil {
		return nil, err
	}
	return rt, nil
}

// Go runs fn beside the server until the service stops; an error from fn stops
// the service.
func (rt *Runtime) Go(name string, fn func(ctx context.Context) error) {
	rt.tasks = append(rt.tasks, task{name, fn})
}

// Consume runs a durable consumer beside the server.
func (rt *Runtime) Consume(cfg events.ConsumerConfig, h events.Handler) {
	rt.Go("consumer "+cfg.Name, func(ctx context.Context) error {
		if cfg.StreamReplicas == 0 {
			cfg.StreamReplicas = rt.cfg.StreamReplicas
		}
		return events.Consume(ctx, rt.JS, rt.Pool, rt.Log, cfg, h)
	})
}

// Run serves gRPC, relays the outbox and runs every task until ctx ends or one
// of them fails, then stops them all and closes the connections.
func (rt *Runtime) Run(ctx context.Context) error {
	defer rt.close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if rt.opts.Listener != nil {
			return rt.GRPC.ServeListener(ctx, rt.opts.Listener)
		}
		return rt.GRPC.Serve(ctx, rt.cfg.GRPCAddr)
	})
	relay := events.NewRelay(rt.Pool, rt.JS, rt.Name, rt.Log, events.RelayOptions{StreamReplicas: rt.cfg.StreamReplicas})
	g.Go(func() error { return relay.Run(ctx) })
	for _, t := range rt.tasks {
		g.Go(func() error {
			if err := t.run(ctx); err != nil && ctx.Err() == nil {
				return fmt.Errorf("%s: %s: %w", rt.Name, t.name, err)
			}
			return nil
		})
	}
	if rt.cfg.MetricsAddr != "" {
		g.Go(func() error { return serveMetrics(ctx, rt.cfg.MetricsAddr) })
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (rt *Runtime) close() {
	if rt.NATS != nil {
		_ = rt.NATS.Drain()
	}
	if rt.Pool != nil {
		rt.Pool.Close()
	}
}

func serveMetrics(ctx context.Context, addr string) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}

// Dial returns a connection to another service at endpoint (host:port), the
// way a service calls a service: through platform/grpcclient, carrying this
// service's identity so the callee's INTERNAL RPCs accept the call.
func (rt *Runtime) Dial(endpoint string) (*grpc.ClientConn, error) {
	return grpcclient.Dial(endpoint)
}
