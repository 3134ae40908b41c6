package cart_test

import (
	"context"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/cart"
)

// env is a running cart service with direct access to its database and to
// JetStream.
type env struct {
	cfg  cart.Config
	addr string
	iss  *testkit.Issuer
	db   *pgxpool.Pool
	js   jetstream.JetStream
	stop func()
}

type startOptions struct {
	catalogEndpoint string
}

func start(t *testing.T, o startOptions) *env {
	t.Helper()
	cfg := cart.DefaultConfig()
	cfg.DatabaseURL = testkit.Database(t)
	cfg.NATSURL = testkit.NATS(t)
	cfg.MetricsAddr = ""
	if o.catalogEndpoint != "" {
		cfg.CatalogEndpoint = o.catalogEndpoint
	}
	e := &env{cfg: cfg, iss: testkit.NewIssuer()}
	e.run(t)

	db, err := postgres.Connect(context.Background(), cfg.DatabaseURL, cart.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	e.db = db
	nc, err := nats.Connect(cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	if e.js, err = jetstream.New(nc); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"catalog", "order"} {
		if _, err := events.EnsureStream(context.Background(), e.js, svc); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// run starts the service on a fresh port; e.stop stops it.
func (e *env) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := cart.New(ctx, e.cfg, zaptest.NewLogger(t), service.Options{Keys: e.iss.Fetch(), Listener: lis})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stopped := false
	e.addr = lis.Addr().String()
	e.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(e.stop)
}

// restart starts the service again on the same database and NATS.
func (e *env) restart(t *testing.T) *env {
	t.Helper()
	e.stop()
	e.run(t)
	return e
}
