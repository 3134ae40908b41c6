package cart_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/cart"
	"github.com/jangteo/jangteo/services/catalog"
)

// env is a running cart service beside a real catalog service, sharing one
// database (each in its own schema) and one NATS, with direct access to the
// cart's tables and to JetStream.
type env struct {
	cfg     cart.Config
	iss     *testkit.Issuer
	db      *pgxpool.Pool
	js      jetstream.JetStream
	client  cartv1.CartServiceClient
	catalog catalogv1.CatalogServiceClient
	front   *catalogFront
	stop    func()
}

type startOptions struct {
	// noCatalog leaves the catalog out (event tests that need no pricing).
	noCatalog bool
	// configure adjusts the cart's configuration.
	configure func(*cart.Config)
}

func start(t *testing.T, o startOptions) *env {
	t.Helper()
	e := &env{iss: testkit.NewIssuer()}
	dbURL, natsURL := testkit.Database(t), testkit.NATS(t)
	e.cfg = cart.DefaultConfig()
	e.cfg.DatabaseURL, e.cfg.NATSURL, e.cfg.MetricsAddr = dbURL, natsURL, ""
	e.cfg.CatalogEndpoint = "127.0.0.1:1" // nothing listens: unpriced
	if !o.noCatalog {
		addr := startCatalog(t, e.iss, dbURL, natsURL)
		e.catalog = catalogv1.NewCatalogServiceClient(testkit.Dial(t, addr))
		e.front = &catalogFront{real: e.catalog}
		e.cfg.CatalogEndpoint = serveCatalogFront(t, e.front)
	}
	if o.configure != nil {
		o.configure(&e.cfg)
	}
	e.run(t)

	db, err := postgres.Connect(context.Background(), dbURL, cart.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	e.db = db
	nc, err := nats.Connect(natsURL)
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

func startCatalog(t *testing.T, iss *testkit.Issuer, dbURL, natsURL string) string {
	t.Helper()
	cfg := catalog.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = dbURL, natsURL, ""
	cfg.Images.Dir = t.TempDir()
	lis := testkit.Listen(t)
	svc, err := catalog.New(t.Context(), cfg, zaptest.NewLogger(t).Named("catalog"), service.Options{Keys: iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	return lis.Addr().String()
}

// catalogFront is what the cart dials in tests: it passes the two RPCs the cart
// uses on to the real catalog, counting them, and can play an outage.
type catalogFront struct {
	catalogv1.UnimplementedCatalogServiceServer
	real    catalogv1.CatalogServiceClient
	batches atomic.Int64
	down    atomic.Bool
}

func (f *catalogFront) forward(ctx context.Context) (context.Context, error) {
	if f.down.Load() {
		return nil, status.Error(codes.Unavailable, "catalog down")
	}
	md, _ := metadata.FromIncomingContext(ctx)
	if auth := md.Get("authorization"); len(auth) > 0 {
		return metadata.AppendToOutgoingContext(ctx, "authorization", auth[0]), nil
	}
	return ctx, nil
}

func (f *catalogFront) GetProduct(ctx context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	ctx, err := f.forward(ctx)
	if err != nil {
		return nil, err
	}
	return f.real.GetProduct(ctx, req)
}

func (f *catalogFront) BatchGetVariants(ctx context.Context, req *catalogv1.BatchGetVariantsRequest) (*catalogv1.BatchGetVariantsResponse, error) {
	ctx, err := f.forward(ctx)
	if err != nil {
		return nil, err
	}
	f.batches.Add(1)
	return f.real.BatchGetVariants(ctx, req)
}

func serveCatalogFront(t *testing.T, f *catalogFront) string {
	t.Helper()
	lis := testkit.Listen(t)
	srv := grpc.NewServer()
	catalogv1.RegisterCatalogServiceServer(srv, f)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// run starts the cart on a fresh port; e.stop stops it.
func (e *env) run(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lis := testkit.Listen(t)
	svc, err := cart.New(ctx, e.cfg, zaptest.NewLogger(t).Named("cart"), service.Options{Keys: e.iss.Fetch(), Tokens: e.iss.Tokens(cart.Name), Listener: lis})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	stopped := false
	e.client = cartv1.NewCartServiceClient(testkit.Dial(t, lis.Addr().String()))
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

// restart starts the cart again on the same database and NATS.
func (e *env) restart(t *testing.T) *env {
	t.Helper()
	e.stop()
	e.run(t)
	return e
}

// user is the context of a signed-in customer.
func (e *env) user(id string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token(id, "customer"))
}

func (e *env) staff() context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+e.iss.Token("staff-1", "staff"))
}

// anon is the context of an anonymous client holding token ("" for none).
func anon(token string) context.Context {
	if token == "" {
		return context.Background()
	}
	return metadata.AppendToOutgoingContext(context.Background(), "x-cart-token", token)
}

// wantCode fails unless err has code and, when reason or field are set, that
// ErrorInfo reason and a BadRequest violation naming field.
func wantCode(t *testing.T, err error, code codes.Code, reason, field string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("code = %v (%v), want %v", st.Code(), err, code)
	}
	var gotReason string
	fields := map[string]bool{}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			gotReason = d.GetReason()
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields[v.GetField()] = true
			}
		}
	}
	if reason != "" && gotReason != reason {
		t.Fatalf("reason = %q (%v), want %q", gotReason, err, reason)
	}
	if field != "" && !fields[field] {
		t.Fatalf("details %v do not name %q", st.Details(), field)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
