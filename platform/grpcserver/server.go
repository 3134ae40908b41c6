// Package grpcserver builds the gRPC server every service runs: the same
// interceptors in the same order, health and reflection, and a graceful stop.
package grpcserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"buf.build/go/protovalidate"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/tracing"
)

// MaxMessageBytes is the largest request a service accepts.
const MaxMessageBytes = 8 << 20

// Server is a gRPC server with Jangteo's interceptors, health and reflection.
type Server struct {
	*grpc.Server
	name   string
	health *health.Server
	log    *zap.Logger
	keys   *idempotency.Keys
}

// New returns a server for the named service. Calls pass, outermost first,
// through: request id and access log + metrics, panic recovery, error mapping,
// the access policy, protovalidate, and idempotency keys (for the RPCs that
// require one; keys may be nil for a server that has none).
func New(name string, log *zap.Logger, policy *auth.Policy, keys *idempotency.Keys) (*Server, error) {
	tracing.Setup()
	validator, err := sharedValidator()
	if err != nil {
		return nil, fmt.Errorf("grpcserver: validator: %w", err)
	}
	log = log.Named("grpc")
	m := metricsFor(name)
	s := grpc.NewServer(
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		// Clients (the gateway, other services) reconnect every few minutes, so
		// pods added by the autoscaler receive traffic: a Kubernetes Service
		// balances connections, not requests.
		// Product images arrive base64 in one message; the gateway caps bodies first.
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionAge: 3 * time.Minute, MaxConnectionAgeGrace: 30 * time.Second}),
		grpc.ChainUnaryInterceptor(
			observeUnary(log, m),
			recoverUnary(log),
			errorsUnary(log),
			declaredHTTPCodeUnary(),
			policy.UnaryInterceptor(),
			validateUnary(validator),
			idempotencyUnary(keys),
		),
		grpc.ChainStreamInterceptor(
			observeStream(log, m),
			recoverStream(log),
			errorsStream(log),
			policy.StreamInterceptor(),
		),
	)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(s, hs)
	reflection.Register(s)
	return &Server{Server: s, name: name, health: hs, log: log, keys: keys}, nil
}

// sharedValidator is the process's one protovalidate validator, built by the
// first server. A validator is safe for concurrent use, and each one's CEL
// environment holds a type registry of every .proto file linked into the
// binary (~1.7 MiB in a standalone service, more in jangteo dev, which runs
// six servers in one process), so the servers of a process share it.
var sharedValidator = sync.OnceValues(func() (protovalidate.Validator, error) { return protovalidate.New() })

// SetServing reports the server SERVING or NOT_SERVING on its health service,
// for every registered service and the server as a whole. After a graceful
// stop has begun it changes nothing.
func (s *Server) SetServing(serving bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if serving {
		st = healthpb.HealthCheckResponse_SERVING
	}
	for svc := range s.GetServiceInfo() {
		s.health.SetServingStatus(svc, st)
	}
	s.health.SetServingStatus("", st)
}

// Serve listens on addr and serves until ctx ends, then drains in-flight calls
// for up to 10 seconds. It refuses to start when an RPC has no access policy
// or requires idempotency keys the server cannot enforce.
func (s *Server) Serve(ctx context.Context, addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("grpcserver: listen %s: %w", addr, err)
	}
	return s.ServeListener(ctx, lis)
}

func (s *Server) check() error {
	if err := auth.CheckServer(s.Server); err != nil {
		return err
	}
	return idempotency.CheckServer(s.Server, s.keys)
}

// ServeListener is Serve on an existing listener (tests use port 0).
func (s *Server) ServeListener(ctx context.Context, lis net.Listener) error {
	if err := s.check(); err != nil {
		_ = lis.Close()
		return err
	}
	for svc := range s.GetServiceInfo() {
		s.health.SetServingStatus(svc, healthpb.HealthCheckResponse_SERVING)
	}
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	s.log.Info("serving", zap.String("service", s.name), zap.String("addr", lis.Addr().String()))

	errc := make(chan error, 1)
	go func() { errc <- s.Server.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.health.Shutdown() // readiness probes fail first, so traffic moves away
	stopped := make(chan struct{})
	go func() { s.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		s.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

func idempotencyUnary(keys *idempotency.Keys) grpc.UnaryServerInterceptor {
	if keys == nil {
		return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			return handler(ctx, req)
		}
	}
	return keys.UnaryInterceptor()
}
