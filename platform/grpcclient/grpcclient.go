// Package grpcclient dials another Jangteo service the one way every caller
// (the gateway, a service calling a service) should: lazily, with OpenTelemetry
// propagation, carrying the caller's request id so one request can be
// followed through every log, and (WithIdentity) the calling service's
// identity on ACCESS_INTERNAL RPCs.
package grpcclient

import (
	"context"
	"fmt"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/jangteo/jangteo/platform/logging"
)

// Dial returns a connection to the service at endpoint (host:port). It
// connects on first use, so a service can start before those it calls.
func Dial(endpoint string, opts ...Option) (*grpc.ClientConn, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	unary := []grpc.UnaryClientInterceptor{forwardRequestID}
	var stream []grpc.StreamClientInterceptor
	if o.tokens != nil {
		unary = append(unary, identityUnary(o.tokens))
		stream = append(stream, identityStream(o.tokens))
	}
	conn, err := grpc.NewClient(endpoint,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithChainUnaryInterceptor(unary...),
		grpc.WithChainStreamInterceptor(stream...),
	)
	if err != nil {
		return nil, fmt.Errorf("grpcclient: %s: %w", endpoint, err)
	}
	return conn, nil
}

// forwardRequestID passes the request id of ctx on as metadata, unless the
// caller already set one (the gateway forwards the client's header itself).
func forwardRequestID(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if id := logging.RequestID(ctx); id != "" {
		if md, _ := metadata.FromOutgoingContext(ctx); len(md.Get(logging.RequestIDHeader)) == 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, logging.RequestIDHeader, id)
		}
	}
	return invoker(ctx, method, req, reply, cc, opts...)
}
