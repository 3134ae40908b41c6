package grpcserver_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"buf.build/go/protovalidate"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/testkit"
)

var errNoProduct = errs.New(errs.NotFound, "PRODUCT_NOT_FOUND", "product not found")

// catalog answers GetProduct by slug: "panic" panics, "db" fails internally,
// "missing" is a domain not-found; anything else echoes the caller.
type catalog struct {
	catalogv1.UnimplementedCatalogServiceServer
}

func (catalog) GetProduct(ctx context.Context, req *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	switch req.GetSlug() {
	case "panic":
		panic("boom")
	case "db":
		return nil, fmt.Errorf("db: dial 10.1.2.3:5432: connection refused")
	case "missing":
		return nil, fmt.Errorf("store: %w", errNoProduct)
	}
	who := "anonymous"
	if p, ok := auth.FromContext(ctx); ok {
		who = p.UserID
	}
	return &catalogv1.GetProductResponse{Product: &catalogv1.Product{Slug: req.GetSlug(), Name: who}}, nil
}

func start(t *testing.T) (catalogv1.CatalogServiceClient, healthpb.HealthClient, *testkit.Issuer) {
	t.Helper()
	iss := testkit.NewIssuer()
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(iss.Fetch())))
	srv, err := grpcserver.New("catalog", zaptest.NewLogger(t), policy, nil)
	if err != nil {
		t.Fatal(err)
	}
	catalogv1.RegisterCatalogServiceServer(srv, catalog{})
	lis := testkit.Listen(t)
	testkit.Run(t, runner(func(ctx context.Context) error { return srv.ServeListener(ctx, lis) }))
	conn := testkit.Dial(t, lis.Addr().String())
	return catalogv1.NewCatalogServiceClient(conn), healthpb.NewHealthClient(conn), iss
}

type runner func(ctx context.Context) error

func (r runner) Run(ctx context.Context) error { return r(ctx) }

func TestInterceptorChain(t *testing.T) {
	t.Parallel()
	client, health, iss := start(t)
	ctx := context.Background()

	tests := []struct {
		name, slug string
		code       codes.Code
		message    string
		reason     string
	}{
		{"panic is recovered", "panic", codes.Internal, "internal error", ""},
		{"internal detail is hidden", "db", codes.Internal, "internal error", ""},
		{"domain error keeps code and reason", "missing", codes.NotFound, "product not found", "PRODUCT_NOT_FOUND"},
		{"protovalidate names the field", "", codes.InvalidArgument, "slug: must be at least 1 characters", "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.GetProduct(ctx, &catalogv1.GetProductRequest{Slug: tt.slug})
			st := status.Convert(err)
			if st.Code() != tt.code || st.Message() != tt.message {
				t.Fatalf("= %v %q; want %v %q", st.Code(), st.Message(), tt.code, tt.message)
			}
			reason := ""
			for _, d := range st.Details() {
				if info, ok := d.(*errdetails.ErrorInfo); ok {
					reason = info.GetReason()
				}
			}
			if reason != tt.reason {
				t.Fatalf("reason = %q, want %q", reason, tt.reason)
			}
		})
	}

	// The server keeps serving after a panic, and the policy hands the
	// verified caller to the handler.
	authed := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+iss.Token("user-7", "customer"))
	resp, err := client.GetProduct(authed, &catalogv1.GetProductRequest{Slug: "ok"})
	if err != nil || resp.GetProduct().GetName() != "user-7" {
		t.Fatalf("GetProduct = %v, %v; want the caller user-7", resp, err)
	}
	// A staff-only RPC is refused before its (unimplemented) handler runs.
	if _, err := client.CreateProduct(authed, &catalogv1.CreateProductRequest{}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("CreateProduct as customer = %v, want PermissionDenied", err)
	}

	for _, svc := range []string{"", "jangteo.catalog.v1.CatalogService"} {
		h, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health(%q) = %v, %v", svc, h, err)
		}
	}
}

// allocated is what fn allocates on the heap, in bytes.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// The servers of one process (jangteo dev runs six) share one protovalidate
// validator instead of each building a CEL environment with a type registry
// of every linked .proto file; each still rejects bad input naming the field.
// Not parallel: it counts the process's allocations.
func TestServersShareValidator(t *testing.T) {
	newValidator := func() {
		if _, err := protovalidate.New(); err != nil {
			t.Fatal(err)
		}
	}
	newValidator() // the first one also builds descriptors every later one reuses
	validator := allocated(newValidator)
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(testkit.NewIssuer().Fetch())))
	newServer := func() {
		if _, err := grpcserver.New("catalog", zaptest.NewLogger(t), policy, nil); err != nil {
			t.Fatal(err)
		}
	}
	newServer() // builds the shared validator unless an earlier test did
	server := allocated(newServer)
	t.Logf("a validator allocates %d bytes, a server %d", validator, server)
	if server >= validator/2 {
		t.Fatalf("a second server allocates %d bytes; a validator alone is %d: it was not shared", server, validator)
	}

	for i := range 2 {
		client, _, _ := start(t)
		_, err := client.GetProduct(context.Background(), &catalogv1.GetProductRequest{})
		if st := status.Convert(err); st.Code() != codes.InvalidArgument || st.Message() != "slug: must be at least 1 characters" {
			t.Fatalf("server %d: GetProduct without a slug = %v %q; want InvalidArgument naming slug", i, st.Code(), st.Message())
		}
	}
}
