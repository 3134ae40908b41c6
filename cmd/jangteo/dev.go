package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
	"github.com/jangteo/jangteo/platform/natsembed"
	"github.com/jangteo/jangteo/platform/pgcluster"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/cart"
	"github.com/jangteo/jangteo/services/catalog"
	"github.com/jangteo/jangteo/services/community"
	"github.com/jangteo/jangteo/services/identity"
	"github.com/jangteo/jangteo/services/order"
	"github.com/jangteo/jangteo/services/payment"
)

// devConfig configures `jangteo dev`.
type devConfig struct {
	// DatabaseURL, when set, is used instead of a private cluster.
	DatabaseURL string `env:"DATABASE_URL"`
	// DataDir holds the private cluster, NATS and uploaded images; default <repo>/.data.
	DataDir string `env:"JANGTEO_DATA_DIR"`
	// HTTPAddr is where the gateway listens.
	HTTPAddr string `env:"JANGTEO_HTTP_ADDR"`
	// GRPCHost is the interface the services listen on, each on its own port.
	GRPCHost string `env:"JANGTEO_GRPC_HOST"`
	// PostgresPort is the private cluster's port.
	PostgresPort int `env:"JANGTEO_POSTGRES_PORT"`
	// NATSPort is the embedded NATS server's port (`jangteo events` finds it there).
	NATSPort int `env:"JANGTEO_NATS_PORT"`
	// AdminEmail and AdminPassword are the dev admin account, printed at start.
	AdminEmail    string `env:"JANGTEO_ADMIN_EMAIL"`
	AdminPassword string `env:"JANGTEO_ADMIN_PASSWORD"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL"`
	// Seed fills an empty catalog with demo data.
	Seed bool `env:"JANGTEO_SEED"`
	// Reset deletes DataDir first (the --reset flag).
	Reset bool
	// AdminPrefix is where the gateway serves the admin API.
	AdminPrefix string `env:"JANGTEO_ADMIN_PREFIX"`
	// MetricsAddr serves Prometheus /metrics for the whole process, apart
	// from the API; empty disables it.
	MetricsAddr string `env:"JANGTEO_METRICS_ADDR"`
	// PprofAddr serves the Go runtime's profiles of the whole process
	// (/debug/pprof/); empty disables it.
	PprofAddr string `env:"JANGTEO_PPROF_ADDR"`
	// PoolMaxConns is each service's connection pool size, its
	// DATABASE_POOL_MAX_CONNS (pgxpool's default is the number of CPUs, which
	// the order service's consumers and reads outgrow at once); 0 leaves it
	// to DATABASE_URL's pool_max_conns.
	PoolMaxConns int `env:"JANGTEO_POOL_MAX_CONNS"`
	// ports overrides each service's gRPC port (tests use 0).
	ports map[string]int
	// tune adjusts the gateway's config (tests).
	tune func(*gateway.Config)
}

func defaultDevConfig() devConfig {
	return devConfig{
		HTTPAddr:      ":8080",
		GRPCHost:      "127.0.0.1",
		PostgresPort:  54329,
		NATSPort:      4222,
		AdminEmail:    "admin@jangteo.dev",
		AdminPassword: "jangteo-admin-1234",
		AdminPrefix:   "/v1/admin",
		MetricsAddr:   "127.0.0.1:9090",
		PprofAddr:     "127.0.0.1:6060",
		PoolMaxConns:  32,
		LogLevel:      "info",
		Seed:          true,
	}
}

var defaultPorts = map[string]int{
	identity.Name: 9101, catalog.Name: 9102, cart.Name: 9103,
	order.Name: 9104, payment.Name: 9105, community.Name: 9106,
}

// runDev starts the whole system and blocks until ctx ends. ready, if not nil,
// is called with the gateway's address once everything serves.
func runDev(ctx context.Context, cfg devConfig, out io.Writer) error {
	return startDev(ctx, cfg, out, nil)
}

func startDev(ctx context.Context, cfg devConfig, out io.Writer, ready func(httpAddr string)) (err error) {
	start := time.Now()
	log, err := logging.New(cfg.LogLevel, true)
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck

	if cfg.Reset {
		if err := pgcluster.Reset(filepath.Join(cfg.DataDir, "postgres")); err != nil {
			return err
		}
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return err
	}

	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		pg, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir: filepath.Join(cfg.DataDir, "postgres"), Port: cfg.PostgresPort, Database: "jangteo", Log: log.Named("postgres"),
		})
		if err != nil {
			return fmt.Errorf("private postgres (set DATABASE_URL to use your own): %w", err)
		}
		defer func() {
			if stopErr := pg.Stop(); stopErr != nil {
				log.Warn("stop postgres", zap.Error(stopErr))
			}
		}()
		dbURL = pg.URL()
	}

	if err := servePprof(ctx, log, cfg.PprofAddr); err != nil {
		return fmt.Errorf("pprof: %w (set JANGTEO_PPROF_ADDR)", err)
	}

	ns, err := natsembed.Start(natsembed.Options{Dir: filepath.Join(cfg.DataDir, "nats"), Port: cfg.NATSPort, Log: log.Named("nats")})
	if err != nil {
		return fmt.Errorf("embedded NATS (set JANGTEO_NATS_PORT to use another port): %w", err)
	}
	defer ns.Shutdown()

	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer sink.Close()

	httpLis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("gateway: %w (is another jangteo running? set JANGTEO_HTTP_ADDR)", err)
	}
	defer httpLis.Close()
	publicURL := "http://" + hostPort(httpLis.Addr())

	listeners := map[string]net.Listener{}
	defer func() {
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
		}
	}()
	for name, port := range defaultPorts {
		if p, ok := cfg.ports[name]; ok {
			port = p
		}
		l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", cfg.GRPCHost, port))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		listeners[name] = l
	}
	secrets, err := clientSecrets()
	if err != nil {
		return err
	}
	base := func(name string) service.Base {
		b := service.Defaults(listeners[name].Addr().String())
		b.DatabaseURL, b.DatabasePoolMaxConns, b.NATSURL = dbURL, cfg.PoolMaxConns, ns.ClientURL()
		b.MetricsAddr = "" // the gateway's metrics port serves the whole process
		b.LogLevel = cfg.LogLevel
		b.IdentityEndpoint = listeners[identity.Name].Addr().String()
		b.ServiceClientSecret = secrets[name]
		return b
	}

	opts := func(name string) service.Options { return service.Options{Listener: listeners[name]} }
	idCfg := identity.DefaultConfig()
	idCfg.PasswordHashMemoryMiB = 64 // one argon2id run at a time: the dev process stays small
	ids, err := launch(ctx, log, idCfg, func(c *identity.Config) {
		c.Base = base(identity.Name)
		c.PublicURL = publicURL
		c.Mail.Host, c.Mail.Port = splitHostPort(sink.Addr())
		c.ServiceClients = map[string]string{}
		for name, secret := range secrets {
			c.ServiceClients[name] = identity.HashClientSecret(secret)
		}
	}, identity.New, opts(identity.Name))
	if err != nil {
		return err
	}
	pictures := filepath.Join(cfg.DataDir, "images") // the catalog's and the community's uploads
	cat, err := launch(ctx, log, catalog.DefaultConfig(), func(c *catalog.Config) {
		c.Base, c.Images.Dir = base(catalog.Name), pictures
	}, catalog.New, opts(catalog.Name))
	if err != nil {
		return err
	}
	crt, err := launch(ctx, log, cart.DefaultConfig(), func(c *cart.Config) {
		c.Base = base(cart.Name)
		c.CatalogEndpoint = listeners[catalog.Name].Addr().String()
	}, cart.New, opts(cart.Name))
	if err != nil {
		return err
	}
	ord, err := launch(ctx, log, order.DefaultConfig(), func(c *order.Config) {
		c.Base = base(order.Name)
		c.CartEndpoint = listeners[cart.Name].Addr().String()
		c.CatalogEndpoint = listeners[catalog.Name].Addr().String()
		c.PaymentEndpoint = listeners[payment.Name].Addr().String()
		c.PublicURL = publicURL
		c.Mail.Host, c.Mail.Port = splitHostPort(sink.Addr())
	}, order.New, opts(order.Name))
	if err != nil {
		return err
	}
	fakes, err := payment.StartLocalProviders(publicURL)
	if err != nil {
		return err
	}
	defer fakes.Close()
	pay, err := launch(ctx, log, payment.DefaultConfig(), func(c *payment.Config) {
		c.Base = base(payment.Name)
		c.PublicURL = publicURL // the sandbox's approval pages, the providers' returns and webhooks
		fakes.Configure(c)      // KakaoPay, PayPal and Toss against their local fakes
	}, payment.New, opts(payment.Name))
	if err != nil {
		return err
	}
	com, err := launch(ctx, log, community.DefaultConfig(), func(c *community.Config) {
		c.Base = base(community.Name)
		c.CatalogEndpoint = listeners[catalog.Name].Addr().String()
		c.PublicURL = publicURL
		c.Mail.Host, c.Mail.Port = splitHostPort(sink.Addr())
		c.Images.Dir = pictures
	}, community.New, opts(community.Name))
	if err != nil {
		return err
	}
	runners := []service.Runner{ids, cat, crt, ord, pay, com}

	if cfg.Seed {
		if err := cat.SeedDemo(ctx); err != nil {
			return err
		}
	}
	if err := ids.EnsureAdmin(ctx, cfg.AdminEmail, cfg.AdminPassword); err != nil {
		return err
	}

	gwCfg := gateway.DefaultConfig()
	// RATE_LIMIT_AUTH, _WRITE and _READ as the gateway reads them (make load raises them).
	if err := config.Load(&gwCfg.RateLimits, ""); err != nil {
		return err
	}
	gwCfg.IdentityEndpoint = listeners[identity.Name].Addr().String()
	gwCfg.CatalogEndpoint = listeners[catalog.Name].Addr().String()
	gwCfg.CartEndpoint = listeners[cart.Name].Addr().String()
	gwCfg.OrderEndpoint = listeners[order.Name].Addr().String()
	gwCfg.PaymentEndpoint = listeners[payment.Name].Addr().String()
	gwCfg.CommunityEndpoint = listeners[community.Name].Addr().String()
	gwCfg.AdminPrefix = cfg.AdminPrefix
	gwCfg.MetricsAddr = cfg.MetricsAddr
	gwCfg.Dev, gwCfg.CORSOrigins = true, []string{"*"}
	gwCfg.ServiceClientSecret = secrets["gateway"]
	gwCfg.NATSURL = ns.ClientURL()
	if cfg.tune != nil {
		cfg.tune(&gwCfg)
	}
	gw, err := gateway.New(ctx, gwCfg, log)
	if err != nil {
		return err
	}
	gw.Handle("GET /dev/mailbox", sink.Handler())
	if media := cat.MediaHandler(); media != nil {
		gw.Handle("/media/", http.StripPrefix("/media", media))
	}
	if media := com.MediaHandler(); media != nil { // members' post pictures: keys under community/
		gw.Handle("/media/community/", http.StripPrefix("/media", media))
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, r := range runners {
		g.Go(func() error { return r.Run(gctx) })
	}
	if cfg.Seed {
		endpoints := map[string]string{}
		for name, l := range listeners {
			endpoints[name] = l.Addr().String()
		}
		seedDemoOrdersInBackground(gctx, log, endpoints, sink, cfg.AdminEmail, cfg.AdminPassword)
	}
	g.Go(func() error { return gw.Serve(gctx, httpLis) })
	if cfg.Seed {
		// After the servers start: the community's style posts tag catalog
		// products through the catalog's gRPC API.
		if err := com.SeedDemo(gctx); err != nil {
			log.Warn("community demo data not seeded", zap.Error(err))
		}
		if err := ord.SeedDemoBookings(gctx); err != nil {
			log.Warn("demo bookings not seeded", zap.Error(err))
		}
	}

	fmt.Fprintf(out, `
  Jangteo is running (ready in %s)

    API        %[2]s/v1/products
    API docs   %[2]s/docs
    OpenAPI    %[2]s/openapi.json
    Mailbox    %[2]s/dev/mailbox
    Payments   sandbox, kakaopay, paypal, toss (local fakes: kakaopay %[8]s,
               paypal %[9]s, toss %[10]s)
    Health     %[2]s/readyz?verbose
    Metrics    http://%[6]s/metrics
    Honeypot   %[2]s/admin is a fake admin login: visits are recorded
               (loopback is never blocked in dev); the real admin API is %[7]s

    Dev admin  %[3]s / %[4]s
    Shopper    %[11]s / %[12]s (a few past orders)
    Database   %[5]s

  Press Ctrl-C to stop.

`, time.Since(start).Round(time.Millisecond), publicURL, cfg.AdminEmail, cfg.AdminPassword, redact(dbURL), cfg.MetricsAddr, cfg.AdminPrefix,
		fakes.KakaoPay, fakes.PayPal, fakes.Toss, demoShopperEmail, demoShopperPassword)
	if ready != nil {
		ready(hostPort(httpLis.Addr()))
	}
	err = g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// clientSecrets makes a fresh client secret for the gateway and every service
// but identity (which mints its own tokens), for this run only: identity gets
// their hashes in SERVICE_CLIENTS, each client its own secret.
func clientSecrets() (map[string]string, error) {
	secrets := map[string]string{}
	for _, name := range append(slices.Collect(maps.Keys(defaultPorts)), "gateway") {
		if name == identity.Name {
			continue
		}
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		secrets[name] = base64.RawURLEncoding.EncodeToString(b[:])
	}
	return secrets, nil
}

// launch reads a service's own settings from the environment, points it at the
// dev infrastructure with adjust, and starts it.
func launch[C any, S service.Runner](ctx context.Context, log *zap.Logger, cfg C, adjust func(*C),
	start func(context.Context, C, *zap.Logger, service.Options) (S, error), opts service.Options) (S, error) {
	if err := config.Load(&cfg, ""); err != nil {
		var zero S
		return zero, err
	}
	adjust(&cfg)
	return start(ctx, cfg, log, opts)
}
