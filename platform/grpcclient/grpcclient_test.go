package grpcclient_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/logging"
	"github.com/jangteo/jangteo/platform/testkit"
)

// echo answers GetProduct with the request id it received as the name.
type echo struct {
	catalogv1.UnimplementedCatalogServiceServer
}

func (echo) GetProduct(ctx context.Context, _ *catalogv1.GetProductRequest) (*catalogv1.GetProductResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	return &catalogv1.GetProductResponse{Product: &catalogv1.Product{Name: firstOf(md.Get("x-request-id"))}}, nil
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func TestDialForwardsRequestID(t *testing.T) {
	t.Parallel()
	lis := testkit.Listen(t)
	srv := grpc.NewServer()
	catalogv1.RegisterCatalogServiceServer(srv, echo{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)

	conn, err := grpcclient.Dial(lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	client := catalogv1.NewCatalogServiceClient(conn)

	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"from the caller's request", logging.WithRequestID(context.Background(), "req-42"), "req-42"},
		{"already set is kept, not doubled", metadata.AppendToOutgoingContext(logging.WithRequestID(context.Background(), "req-42"), "x-request-id", "client-7"), "client-7"},
		{"none", context.Background(), ""},
	}
	for _, tt := range tests {
		resp, err := client.GetProduct(tt.ctx, &catalogv1.GetProductRequest{Slug: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.GetProduct().GetName(); got != tt.want {
			t.Errorf("%s: request id = %q, want %q", tt.name, got, tt.want)
		}
	}
}
