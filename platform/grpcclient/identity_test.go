package grpcclient_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/testkit"
)

// whoami answers with the caller the policy let in: ReserveStock (internal)
// names the calling service, GetProduct (public) the user and any token seen.
type whoami struct {
	catalogv1.UnimplementedCatalogServiceServer
}

func (whoami) ReserveStock(ctx context.Context, _ *catalogv1.ReserveStockRequest) (*catalogv1.ReserveStockResponse, error) {
	p, _ := auth.FromContext(ctx)
	return &catalogv1.ReserveStockResponse{Reservation: &catalogv1.Reservation{OrderId: p.Service}}, nil
}

func (whoami) GetProduct(ctx context.Context, _ *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	p, _ := auth.FromContext(ctx)
	md, _ := metadata.FromIncomingContext(ctx)
	return &catalogv1.GetProductResponse{Product: &catalogv1.Product{Name: p.UserID, Description: firstOf(md.Get("authorization"))}}, nil
}

// reserve is a valid request, so that only the policy can refuse it.
var reserve = &catalogv1.ReserveStockRequest{
	OrderId: "0190a6f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
	Lines:   []*catalogv1.ReserveLine{{VariantId: "0190a6f2-3c4d-7e5f-8a9b-0c1d2e3f4a5c", Quantity: 1}},
}

type runner func(ctx context.Context) error

func (r runner) Run(ctx context.Context) error { return r(ctx) }

// serveCatalog runs whoami as the catalog, with the real policy trusting iss.
func serveCatalog(t *testing.T, iss *testkit.Issuer) string {
	t.Helper()
	srv, err := grpcserver.New("catalog", zaptest.NewLogger(t), auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())), auth.ForService("catalog")), nil)
	if err != nil {
		t.Fatal(err)
	}
	catalogv1.RegisterCatalogServiceServer(srv, whoami{})
	lis := testkit.Listen(t)
	testkit.Run(t, runner(func(ctx context.Context) error { return srv.ServeListener(ctx, lis) }))
	return lis.Addr().String()
}

func TestWithIdentity(t *testing.T) {
	t.Parallel()
	iss := testkit.NewIssuer()
	addr := serveCatalog(t, iss)
	dial := func(opts ...grpcclient.Option) catalogv1.CatalogServiceClient {
		conn, err := grpcclient.Dial(addr, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return catalogv1.NewCatalogServiceClient(conn)
	}
	var audiences []string
	tokens := grpcclient.TokenFunc(func(ctx context.Context, audience string) (grpcclient.Token, error) {
		audiences = append(audiences, audience)
		return iss.Tokens("order").Token(ctx, audience)
	})
	order := dial(grpcclient.WithIdentity(tokens))
	ctx := context.Background()

	resp, err := order.ReserveStock(ctx, reserve)
	if err != nil || resp.GetReservation().GetOrderId() != "order" {
		t.Fatalf("ReserveStock as order = %v, %v; want the order service let in", resp, err)
	}
	if len(audiences) != 1 || audiences[0] != "catalog" {
		t.Fatalf("tokens asked for audiences %q, want [catalog]", audiences)
	}
	// A user's token the caller forwards is replaced on internal RPCs...
	user := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+iss.Token("u1", "admin"))
	if resp, err := order.ReserveStock(user, reserve); err != nil || resp.GetReservation().GetOrderId() != "order" {
		t.Fatalf("ReserveStock with a forwarded user token = %v, %v", resp, err)
	}
	// ...and left alone on public ones, where no service token is added.
	got, err := order.GetProduct(user, &catalogv1.GetProductRequest{Slug: "x"})
	if err != nil || got.GetProduct().GetName() != "u1" {
		t.Fatalf("GetProduct as a user = %v, %v", got, err)
	}
	if got, err := order.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: "x"}); err != nil || got.GetProduct().GetDescription() != "" {
		t.Fatalf("GetProduct anonymously = %v, %v; want no authorization sent", got, err)
	}

	// Without an identity the same call is refused.
	if _, err := dial().ReserveStock(ctx, reserve); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("ReserveStock without identity = %v, want Unauthenticated", err)
	}
	// A token source that fails is a dependency failure, not a refusal.
	broken := dial(grpcclient.WithIdentity(grpcclient.TokenFunc(func(context.Context, string) (grpcclient.Token, error) {
		return grpcclient.Token{}, errors.New("identity down")
	})))
	if _, err := broken.ReserveStock(ctx, reserve); status.Code(err) != codes.Unavailable {
		t.Fatalf("ReserveStock with identity down = %v, want Unavailable", err)
	}
}

// counting is a token source that numbers its tokens, can fail, and gives
// them the expiry the test sets.
type counting struct {
	calls  atomic.Int32
	expiry atomic.Pointer[time.Time]
	fail   atomic.Bool
}

func (c *counting) Token(_ context.Context, audience string) (grpcclient.Token, error) {
	n := c.calls.Add(1)
	if c.fail.Load() {
		return grpcclient.Token{}, errors.New("identity down")
	}
	return grpcclient.Token{Value: audience + "-" + string(rune('0'+n)), Expiry: *c.expiry.Load()}, nil
}

func TestTokenCache(t *testing.T) {
	t.Parallel()
	src := &counting{}
	setExpiry := func(d time.Duration) { e := time.Now().Add(d); src.expiry.Store(&e) }
	cache := grpcclient.NewTokenCache(src)
	ctx := context.Background()
	get := func(audience string) (string, error) {
		tok, err := cache.Token(ctx, audience)
		return tok.Value, err
	}

	setExpiry(5 * time.Minute)
	for range 3 {
		if v, err := get("catalog"); err != nil || v != "catalog-1" {
			t.Fatalf("Token(catalog) = %q, %v; want the first token, cached", v, err)
		}
	}
	if v, _ := get("cart"); v != "cart-2" {
		t.Fatalf("Token(cart) = %q, want its own token", v)
	}

	// Less than a minute left: the next call fetches a fresh one; while the
	// source fails, a still valid token keeps being used.
	cache = grpcclient.NewTokenCache(src)
	setExpiry(30 * time.Second)
	if v, _ := get("catalog"); v != "catalog-3" {
		t.Fatalf("first token = %q", v)
	}
	setExpiry(5 * time.Minute)
	if v, _ := get("catalog"); v != "catalog-4" {
		t.Fatalf("token near expiry was not refreshed: %q", v)
	}

	cache = grpcclient.NewTokenCache(src)
	setExpiry(30 * time.Second)
	_, _ = get("catalog")
	src.fail.Store(true)
	if v, err := get("catalog"); err != nil || v != "catalog-5" {
		t.Fatalf("with identity down = %q, %v; want the old, still valid token", v, err)
	}
	if _, err := get("order"); err == nil {
		t.Fatal("no token and identity down: want an error")
	}
}

// TestTokenCacheFetchesOncePerAudience: many calls at once for a new audience
// make one request to identity; the others wait for its token.
func TestTokenCacheFetchesOncePerAudience(t *testing.T) {
	t.Parallel()
	src := &counting{}
	e := time.Now().Add(5 * time.Minute)
	src.expiry.Store(&e)
	cache := grpcclient.NewTokenCache(src)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if tok, err := cache.Token(context.Background(), "catalog"); err != nil || tok.Value != "catalog-1" {
				t.Errorf("Token = %v, %v; want the one fetched token", tok, err)
			}
		})
	}
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("identity asked %d times, want once", n)
	}
}
