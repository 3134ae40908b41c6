// Package gateway is Jangteo's REST/JSON front door: a grpc-gateway mux that
// dials every service, plus CORS, request ids, access logs, body limits,
// health and readiness, metrics, the merged OpenAPI document and a docs page.
// It holds no business logic.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jangteo/jangteo/platform/grpcclient"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/jangteo/jangteo/gateway/docs"
	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	communityv1 "github.com/jangteo/jangteo/gen/go/jangteo/community/v1"
	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/gen/openapi"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/tracing"
)

// Config is the gateway's configuration.
type Config struct {
	// HTTPAddr is where REST is served.
	HTTPAddr string `env:"HTTP_ADDR"`
	// The services' gRPC endpoints (host:port).
	IdentityEndpoint  string `env:"IDENTITY_ENDPOINT"`
	CatalogEndpoint   string `env:"CATALOG_ENDPOINT"`
	CartEndpoint      string `env:"CART_ENDPOINT"`
	OrderEndpoint     string `env:"ORDER_ENDPOINT"`
	PaymentEndpoint   string `env:"PAYMENT_ENDPOINT"`
	CommunityEndpoint string `env:"COMMUNITY_ENDPOINT"`
	// CORSOrigins are the browser origins allowed to call the API; "*" allows any.
	CORSOrigins []string `env:"CORS_ORIGINS" envSeparator:","`
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES"`
	// AdminPrefix is where the admin API (declared under /v1/admin) is served;
	// pick something unguessable in production.
	AdminPrefix string `env:"ADMIN_PREFIX"`
	// TrustProxyHeaders takes the client address from X-Forwarded-For; set it
	// only behind a load balancer that overwrites that header.
	TrustProxyHeaders bool `env:"TRUST_PROXY_HEADERS"`
	// BlocklistRefresh is how often blocked addresses are reloaded from identity.
	BlocklistRefresh time.Duration `env:"BLOCKLIST_REFRESH"`
	// ServiceClientSecret is the gateway's client secret (client id
	// "gateway"): identity's honeypot RPCs are internal, so the gateway calls
	// them with a service token it gets from identity with this secret.
	ServiceClientSecret string `env:"SERVICE_CLIENT_SECRET"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL"`
}

// DefaultConfig returns the documented defaults: every service on localhost at
// the ports `jangteo dev` uses.
func DefaultConfig() Config {
	return Config{
		HTTPAddr:          ":8080",
		IdentityEndpoint:  "127.0.0.1:9101",
		CatalogEndpoint:   "127.0.0.1:9102",
		CartEndpoint:      "127.0.0.1:9103",
		OrderEndpoint:     "127.0.0.1:9104",
		PaymentEndpoint:   "127.0.0.1:9105",
		CommunityEndpoint: "127.0.0.1:9106",
		CORSOrigins:       []string{"*"},
		MaxBodyBytes:      8 << 20,
		AdminPrefix:       "/v1/admin",
		BlocklistRefresh:  5 * time.Second,
		LogLevel:          "info",
	}
}

type backend struct {
	name     string
	endpoint string
	register func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
}

// Gateway is the HTTP front door.
type Gateway struct {
	cfg     Config
	log     *zap.Logger
	mux     *http.ServeMux
	conns   []*grpc.ClientConn
	ready   *readiness
	trap    *honeypot
	handler http.Handler
}

// New dials every service and builds the HTTP handler. Connections are made
// lazily, so the gateway starts before the services do.
func New(ctx context.Context, cfg Config, log *zap.Logger) (*Gateway, error) {
	log = log.Named("gateway")
	tracing.Setup()
	g := &Gateway{cfg: cfg, log: log, mux: http.NewServeMux()}
	backends := []backend{
		{"identity", cfg.IdentityEndpoint, identityv1.RegisterIdentityServiceHandler},
		{"catalog", cfg.CatalogEndpoint, catalogv1.RegisterCatalogServiceHandler},
		{"cart", cfg.CartEndpoint, cartv1.RegisterCartServiceHandler},
		{"order", cfg.OrderEndpoint, orderv1.RegisterOrderServiceHandler},
		{"payment", cfg.PaymentEndpoint, paymentv1.RegisterPaymentServiceHandler},
		{"community", cfg.CommunityEndpoint, communityv1.RegisterCommunityServiceHandler},
	}
	api := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
		}),
		runtime.WithErrorHandler(errorHandler(log)),
		runtime.WithIncomingHeaderMatcher(incomingHeader),
		runtime.WithOutgoingHeaderMatcher(outgoingHeader),
		runtime.WithForwardResponseOption(httpCode),
	)
	var dialOpts []grpcclient.Option
	if cfg.ServiceClientSecret == "" {
		log.Warn("SERVICE_CLIENT_SECRET is not set: identity will refuse the honeypot's reports and blocklist reads")
	} else {
		tokenConn, err := grpcclient.Dial(cfg.IdentityEndpoint)
		if err != nil {
			return nil, fmt.Errorf("gateway: dial identity at %s: %w", cfg.IdentityEndpoint, err)
		}
		g.conns = append(g.conns, tokenConn)
		dialOpts = append(dialOpts, grpcclient.WithIdentity(grpcclient.NewTokenCache(
			grpcclient.ClientCredentials(tokenConn, "gateway", cfg.ServiceClientSecret))))
	}
	g.ready = &readiness{}
	for _, b := range backends {
		conn, err := grpcclient.Dial(b.endpoint, dialOpts...)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("gateway: dial %s at %s: %w", b.name, b.endpoint, err)
		}
		g.conns = append(g.conns, conn)
		if err := b.register(ctx, api, conn); err != nil {
			g.Close()
			return nil, fmt.Errorf("gateway: register %s: %w", b.name, err)
		}
		g.ready.add(b.name, conn)
		if b.name == "identity" {
			g.trap = newHoneypot(identityv1.NewIdentityServiceClient(conn), log)
		}
	}

	g.mux.Handle("/", api)
	g.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	g.mux.Handle("GET /readyz", g.ready)
	g.mux.Handle("GET /metrics", promhttp.Handler())
	g.mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openapi.Document)
	})
	g.mux.Handle("GET /docs", docs.Handler())
	g.mux.Handle("GET /docs/", docs.Handler())
	g.mux.Handle("/admin", g.trap)
	g.mux.Handle("/admin/", g.trap)

	g.handler = chain(g.mux,
		func(h http.Handler) http.Handler { return otelhttp.NewHandler(h, "gateway") },
		recoverPanics(log),
		requestID,
		clientIP(cfg.TrustProxyHeaders),
		accessLog(log),
		g.trap.guard,
		cors(cfg.CORSOrigins),
		limitBody(cfg.MaxBodyBytes),
		adminPrefix(cfg.AdminPrefix),
	)
	return g, nil
}

// Handle mounts an extra handler beside the API (the media files, the dev
// mailbox). Call it before serving.
func (g *Gateway) Handle(pattern string, h http.Handler) { g.mux.Handle(pattern, h) }

// Handler is the gateway's whole HTTP handler.
func (g *Gateway) Handler() http.Handler { return g.handler }

// Run serves HTTP on cfg.HTTPAddr until ctx ends, then drains for 10 seconds.
func (g *Gateway) Run(ctx context.Context) error {
	lis, err := net.Listen("tcp", g.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("gateway: listen %s: %w", g.cfg.HTTPAddr, err)
	}
	return g.Serve(ctx, lis)
}

// Serve is Run on an existing listener.
func (g *Gateway) Serve(ctx context.Context, lis net.Listener) error {
	defer g.Close()
	go g.trap.refresh(ctx, g.cfg.BlocklistRefresh)
	srv := &http.Server{Handler: g.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	g.log.Info("serving", zap.String("addr", lis.Addr().String()))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close closes the backend connections.
func (g *Gateway) Close() {
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
}

// incomingHeader forwards the headers services read as gRPC metadata.
// Authorization is forwarded by grpc-gateway itself.
func incomingHeader(key string) (string, bool) {
	switch strings.ToLower(key) {
	case "x-cart-token", "x-request-id", "idempotency-key", "user-agent":
		return strings.ToLower(key), true
	}
	return runtime.DefaultHeaderMatcher(key)
}

// outgoingHeader passes the response metadata frontends read as plain headers.
func outgoingHeader(key string) (string, bool) {
	switch key {
	case "x-cart-token":
		return "X-Cart-Token", true
	case grpcserver.HTTPCodeHeader:
		return "", false
	}
	return runtime.MetadataHeaderPrefix + key, true
}

// httpCode applies the status a handler asked for with grpcserver.SetHTTPCode.
func httpCode(ctx context.Context, w http.ResponseWriter, _ proto.Message) error {
	md, ok := runtime.ServerMetadataFromContext(ctx)
	if !ok {
		return nil
	}
	if v := md.HeaderMD.Get(grpcserver.HTTPCodeHeader); len(v) > 0 {
		if code, err := strconv.Atoi(v[0]); err == nil && code >= 200 && code < 300 {
			w.WriteHeader(code)
		}
	}
	return nil
}
