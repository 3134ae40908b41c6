package grpcclient

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	optionsv1 "github.com/jangteo/jangteo/gen/go/jangteo/options/v1"
	"github.com/jangteo/jangteo/platform/auth"
)

// Option adjusts a connection made by Dial.
type Option func(*options)

type options struct {
	tokens TokenSource
}

// WithIdentity makes every call to an ACCESS_INTERNAL RPC carry a service
// token from tokens, for the audience the method belongs to
// ("/jangteo.catalog.v1.CatalogService/ReserveStock" → catalog). Calls to
// other RPCs are left alone: the gateway forwards its users' tokens on them,
// and a service token would be refused there.
func WithIdentity(tokens TokenSource) Option {
	return func(o *options) { o.tokens = tokens }
}

// audienceOf returns the service an ACCESS_INTERNAL method belongs to, or ""
// when the method is not internal (or not a Jangteo method).
func audienceOf(method string) string {
	access, err := auth.AccessOf(method)
	if err != nil || access != optionsv1.Access_ACCESS_INTERNAL {
		return ""
	}
	// "/jangteo.<svc>.v1.<Service>/<Method>"
	parts := strings.SplitN(strings.TrimPrefix(method, "/"), ".", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// withServiceToken returns ctx whose outgoing authorization is a token for
// method's audience, replacing any other.
func withServiceToken(ctx context.Context, tokens TokenSource, method string) (context.Context, error) {
	audience := audienceOf(method)
	if audience == "" {
		return ctx, nil
	}
	tok, err := tokens.Token(ctx, audience)
	if err != nil {
		// The caller sees a dependency failure (503), not a refusal: the
		// identity service may be briefly unreachable.
		return ctx, status.Errorf(codes.Unavailable, "service identity: no token for %s: %v", audience, err)
	}
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Set("authorization", "Bearer "+tok.Value)
	return metadata.NewOutgoingContext(ctx, md), nil
}

func identityUnary(tokens TokenSource) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		ctx, err := withServiceToken(ctx, tokens, method)
		if err != nil {
			return err
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func identityStream(tokens TokenSource) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		ctx, err := withServiceToken(ctx, tokens, method)
		if err != nil {
			return nil, err
		}
		return streamer(ctx, desc, cc, method, opts...)
	}
}
