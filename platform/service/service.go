// Package service is the runtime every Jangteo service runs on: it connects to
// PostgreSQL (applying the service's migrations) and NATS JetStream, builds the
// gRPC server with the access policy, relays the outbox, runs consumers, jobs
// (timers and periodic singletons, see Jobs) and background tasks, and stops
// them all together.
package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
)

// Base is the configuration every service shares. Each service embeds it in
// its own Config; cmd/<svc> reads it from these variables.
type Base struct {
	// GRPCAddr is where the gRPC server listens.
	GRPCAddr string `env:"GRPC_ADDR"`
	// DatabaseURL is the PostgreSQL connection string.
	DatabaseURL string `env:"DATABASE_URL"`
	// DatabasePoolMaxConns caps the service's connection pool (pgx's
	// pool_max_conns); 0 keeps what DATABASE_URL says, or pgx's default
	// (the larger of 4 and the number of CPUs).
	DatabasePoolMaxConns int `env:"DATABASE_POOL_MAX_CONNS"`
	// NATSURL is the NATS server with JetStream.
	NATSURL string `env:"NATS_URL"`
	// IdentityEndpoint is identity's gRPC address; token keys are fetched
	// from it directly (GetJwks), never through the gateway.
	IdentityEndpoint string `env:"IDENTITY_ENDPOINT"`
	// JWKSURL, when set, fetches the keys over HTTP from a JWKS document instead.
	JWKSURL string `env:"JWKS_URL"`
	// MetricsAddr serves Prometheus /metrics; empty disables it.
	MetricsAddr string `env:"METRICS_ADDR"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL"`
	// IdempotencyTTL is how long an idempotency key's outcome is replayed.
	IdempotencyTTL time.Duration `env:"IDEMPOTENCY_TTL"`
	// IdempotencyMaxCalls bounds the keyed calls a replica runs at once: each
	// holds a connection of the keys' own pool for its whole call, beside the
	// service's pool (idempotency.DefaultMaxCalls when 0).
	IdempotencyMaxCalls int32 `env:"IDEMPOTENCY_MAX_CALLS"`
	// ServiceClientSecret is the service's client secret (its client id is its
	// name). Needed only by a service that calls other services' internal RPCs.
	ServiceClientSecret string `env:"SERVICE_CLIENT_SECRET"`
	// StreamReplicas is how many copies JetStream keeps of each stream: 1 in
	// development, 3 in a cluster.
	StreamReplicas int `env:"EVENTS_STREAM_REPLICAS"`
	// MigrateOnStart applies the migrations when the service starts (true in
	// development and tests). When false (the Helm chart, where a Job runs
	// `<svc> migrate` before pods start) the service only checks its schema
	// and refuses to start, naming the missing versions, while it is behind.
	MigrateOnStart bool `env:"MIGRATE_ON_START"`
}

// Defaults returns the shared defaults with the service's own gRPC address.
func Defaults(grpcAddr string) Base {
	return Base{
		GRPCAddr:         grpcAddr,
		DatabaseURL:      "postgres://postgres@127.0.0.1:5432/jangteo?sslmode=disable",
		NATSURL:          "nats://127.0.0.1:4222",
		IdentityEndpoint: "127.0.0.1:9101",
		MetricsAddr:      ":9090",
		LogLevel:         "info",
		IdempotencyTTL:   idempotency.DefaultTTL,
		StreamReplicas:   1,
		MigrateOnStart:   true,
	}
}

// Migrations are a service's embedded numbered SQL files: the migration set
// named after the service (its schema), applied after the platform's own sets.
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
	// Tokens overrides where the service's own service tokens come from
	// (identity mints its own; tests sign them with testkit.Issuer.Tokens).
	Tokens grpcclient.TokenSource
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
	// Jobs schedules and works background jobs in the service's schema:
	// rt.Jobs.InsertTx(ctx, tx, args, &river.InsertOpts{ScheduledAt: t})
	// inside a use case's transaction. See AddWorker and Periodic.
	Jobs *river.Client[pgx.Tx]
	// Keys are the service's idempotency keys; Keys.Purge is their housekeeping.
	Keys *idempotency.Keys

	siblings []*pgxpool.Pool // SiblingPool's, closed with the runtime

	cfg      Base
	opts     Options
	tasks    []task
	workers  *river.Workers
	tokens   grpcclient.TokenSource // nil: no identity to call other services with
	identity *grpc.ClientConn       // token keys and service tokens come from here
}

type task struct {
	name string
	run  func(ctx context.Context) error
}

// Migrate applies a service's migrations, the platform's (outbox and inbox,
// idempotency keys) and the job tables to url.
func Migrate(ctx context.Context, url, schema string, m Migrations) error {
	pool, err := postgres.Connect(ctx, url, schema)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrate(ctx, pool, schema, m)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, m Migrations) error {
	if err := postgres.Migrate(ctx, pool, migrationSets(schema, m)...); err != nil {
		return err
	}
	return migrateJobs(ctx, pool, schema)
}

// migrationSets are the platform's sets, then the service's own.
func migrationSets(schema string, m Migrations) []postgres.MigrationSet {
	return []postgres.MigrationSet{
		events.Migrations,
		idempotency.Migrations,
		postgres.MigrationSet{Name: schema, FS: m.FS, Dir: m.Dir},
	}
}

// ErrSchemaBehind is returned by Start, with MigrateOnStart off, when the
// database lacks migrations this build embeds.
var ErrSchemaBehind = errors.New("database schema is behind this build")

// checkSchema returns ErrSchemaBehind naming every missing version (the
// service's, the platform's and the job tables') when the schema lacks any.
func checkSchema(ctx context.Context, pool *pgxpool.Pool, schema string, m Migrations) error {
	missing, err := postgres.Pending(ctx, pool, migrationSets(schema, m)...)
	if err != nil {
		return fmt.Errorf("%s: %w", schema, err)
	}
	jobs, err := pendingJobs(ctx, pool, schema)
	if err != nil {
		return fmt.Errorf("%s: %w", schema, err)
	}
	if missing = append(missing, jobs...); len(missing) > 0 {
		return fmt.Errorf("%s: %w: missing %s; run `%s migrate` (the migrations Job) first, or set MIGRATE_ON_START=true",
			schema, ErrSchemaBehind, strings.Join(missing, ", "), schema)
	}
	return nil
}

// poolURL is DATABASE_URL with DATABASE_POOL_MAX_CONNS, when set, as its
// pool_max_conns (a URL's query, or a keyword/value string's last word).
func poolURL(cfg Base) string {
	if cfg.DatabasePoolMaxConns <= 0 {
		return cfg.DatabaseURL
	}
	n := strconv.Itoa(cfg.DatabasePoolMaxConns)
	if u, err := url.Parse(cfg.DatabaseURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("pool_max_conns", n)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return cfg.DatabaseURL + " pool_max_conns=" + n
}

// Start connects a service named name (also its schema and stream) and builds
// its gRPC server; register handlers on rt.GRPC, add consumers and tasks, then
// call Run.
func Start(ctx context.Context, name string, cfg Base, log *zap.Logger, m Migrations, opts Options) (_ *Runtime, err error) {
	rt := &Runtime{Name: name, Log: log.Named(name), cfg: cfg, opts: opts, workers: river.NewWorkers()}
	defer func() {
		if err != nil {
			rt.close()
		}
	}()
	if rt.Pool, err = postgres.Connect(ctx, poolURL(cfg), name); err != nil {
		return nil, err
	}
	if cfg.MigrateOnStart {
		err = migrate(ctx, rt.Pool, name, m)
	} else {
		err = checkSchema(ctx, rt.Pool, name, m)
	}
	if err != nil {
		return nil, err
	}
	if rt.Jobs, err = newJobs(rt.Pool, name, rt.Log, rt.workers); err != nil {
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
	switch {
	case fetch != nil:
	case cfg.JWKSURL != "":
		fetch = auth.HTTPFetch(cfg.JWKSURL, nil)
	default:
		if rt.identity, err = grpcclient.Dial(cfg.IdentityEndpoint); err != nil {
			return nil, fmt.Errorf("%s: identity: %w", name, err)
		}
		fetch = auth.IdentityFetch(rt.identity)
	}
	if err = rt.setupIdentity(); err != nil {
		return nil, err
	}
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(fetch)), auth.ForService(name))
	if rt.Keys, err = idempotency.New(rt.Pool, idempotency.Options{TTL: cfg.IdempotencyTTL, MaxCalls: cfg.IdempotencyMaxCalls}); err != nil {
		return nil, err
	}
	if rt.GRPC, err = grpcserver.New(name, rt.Log, policy, rt.Keys); err != nil {
		return nil, err
	}
	rt.housekeeping()
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

// Run serves gRPC, relays the outbox, works jobs and runs every task until ctx
// ends or one of them fails, then stops them all and closes the connections.
func (rt *Runtime) Run(ctx context.Context) error {
	defer rt.close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if rt.opts.Listener != nil {
			return rt.GRPC.ServeListener(ctx, rt.opts.Listener)
		}
		return rt.GRPC.Serve(ctx, rt.cfg.GRPCAddr)
	})
	g.Go(func() error { return rt.watchHealth(ctx) })
	relay := events.NewRelay(rt.Pool, rt.JS, rt.Name, rt.Log, events.RelayOptions{StreamReplicas: rt.cfg.StreamReplicas})
	g.Go(func() error { return relay.Run(ctx) })
	g.Go(func() error { return rt.runJobs(ctx) })
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
	startupMemory.schedule() // once started, hand the start-up garbage back
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// SiblingPool opens a pool beside rt.Pool (postgres.Sibling) with at most
// maxConns connections, closed with the runtime: for work that must not
// wait behind request traffic for a connection.
func (rt *Runtime) SiblingPool(maxConns int32) (*pgxpool.Pool, error) {
	p, err := postgres.Sibling(rt.Pool, maxConns)
	if err != nil {
		return nil, err
	}
	rt.siblings = append(rt.siblings, p)
	return p, nil
}

func (rt *Runtime) close() {
	for _, p := range rt.siblings {
		p.Close()
	}
	if rt.identity != nil {
		_ = rt.identity.Close()
	}
	if rt.NATS != nil {
		_ = rt.NATS.Drain()
	}
	if rt.Keys != nil {
		rt.Keys.Close()
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

// setupIdentity decides where the service's tokens come from: opts.Tokens,
// or identity's client credentials grant with SERVICE_CLIENT_SECRET.
func (rt *Runtime) setupIdentity() error {
	src := rt.opts.Tokens
	if src == nil && rt.cfg.ServiceClientSecret != "" {
		if rt.identity == nil {
			conn, err := grpcclient.Dial(rt.cfg.IdentityEndpoint)
			if err != nil {
				return fmt.Errorf("%s: identity client: %w", rt.Name, err)
			}
			rt.identity = conn
		}
		src = grpcclient.ClientCredentials(rt.identity, rt.Name, rt.cfg.ServiceClientSecret)
	}
	if src != nil {
		rt.tokens = grpcclient.NewTokenCache(src)
	}
	return nil
}

// Dial returns a connection to another service at endpoint (host:port), the
// way a service calls a service: through platform/grpcclient, carrying this
// service's identity so the callee's INTERNAL RPCs accept the call. A service
// without an identity (no SERVICE_CLIENT_SECRET) cannot dial: it would fail
// on every internal call, so it fails at start instead.
func (rt *Runtime) Dial(endpoint string) (*grpc.ClientConn, error) {
	if rt.tokens == nil {
		return nil, fmt.Errorf("%s: SERVICE_CLIENT_SECRET is not set, so it cannot call the service at %s", rt.Name, endpoint)
	}
	return grpcclient.Dial(endpoint, grpcclient.WithIdentity(rt.tokens))
}
