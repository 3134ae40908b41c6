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
	"net/netip"
	"slices"
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
	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/tracing"
)

// Config is the gateway's configuration.
type Config struct {
	// HTTPAddr is where REST is served.
	HTTPAddr string `env:"HTTP_ADDR"`
	// MetricsAddr serves Prometheus /metrics, apart from the public API; empty
	// disables it.
	MetricsAddr string `env:"METRICS_ADDR"`
	// The services' gRPC endpoints (host:port).
	IdentityEndpoint  string `env:"IDENTITY_ENDPOINT"`
	CatalogEndpoint   string `env:"CATALOG_ENDPOINT"`
	CartEndpoint      string `env:"CART_ENDPOINT"`
	OrderEndpoint     string `env:"ORDER_ENDPOINT"`
	PaymentEndpoint   string `env:"PAYMENT_ENDPOINT"`
	CommunityEndpoint string `env:"COMMUNITY_ENDPOINT"`
	// CORSOrigins are the browser origins allowed to call the API. "*"
	// (any origin) is refused unless Dev is set.
	CORSOrigins []string `env:"CORS_ORIGINS" envSeparator:","`
	// MaxBodyBytes caps a request body; MaxUploadBodyBytes caps it on the
	// routes that take a file.
	MaxBodyBytes       int64 `env:"MAX_BODY_BYTES"`
	MaxUploadBodyBytes int64 `env:"MAX_UPLOAD_BODY_BYTES"`
	// Timeouts of the HTTP server: the request headers, the whole request
	// (headers and body, so a slow body is cut off), writing the response,
	// and a keep-alive connection's idle time.
	ReadHeaderTimeout time.Duration `env:"HTTP_READ_HEADER_TIMEOUT"`
	ReadTimeout       time.Duration `env:"HTTP_READ_TIMEOUT"`
	WriteTimeout      time.Duration `env:"HTTP_WRITE_TIMEOUT"`
	IdleTimeout       time.Duration `env:"HTTP_IDLE_TIMEOUT"`
	// HSTS is the Strict-Transport-Security max-age; set it when clients
	// reach the gateway over TLS (0 sends no header).
	HSTS time.Duration `env:"HSTS_MAX_AGE"`
	// RateLimits are the token buckets per route group.
	RateLimits RateLimits
	// AdminPrefix is where the admin API (declared under /v1/admin) is served;
	// pick something unguessable in production.
	AdminPrefix string `env:"ADMIN_PREFIX"`
	// TrustProxyHeaders takes the client address from X-Forwarded-For: the
	// right-most address that is not one of TrustedProxies.
	TrustProxyHeaders bool           `env:"TRUST_PROXY_HEADERS"`
	TrustedProxies    []netip.Prefix `env:"TRUSTED_PROXY_CIDRS" envSeparator:","`
	// BlocklistRefresh is how often blocked addresses are reloaded from identity.
	BlocklistRefresh time.Duration `env:"BLOCKLIST_REFRESH"`
	// ServiceClientSecret is the gateway's client secret (client id
	// "gateway"): identity's honeypot RPCs are internal, so the gateway calls
	// them with a service token it gets from identity with this secret.
	ServiceClientSecret string `env:"SERVICE_CLIENT_SECRET"`
	// NATSURL is where the response cache hears the catalog's events; empty
	// (the default: a cache must not trust a NATS it was not pointed at)
	// turns the cache off.
	NATSURL string `env:"NATS_URL"`
	// ResponseCacheBytes caps the public product reads kept in memory (0
	// turns the cache off); ResponseCacheTTL is how long one is kept at most.
	ResponseCacheBytes int64         `env:"RESPONSE_CACHE_BYTES"`
	ResponseCacheTTL   time.Duration `env:"RESPONSE_CACHE_TTL"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL"`
	// Keys overrides where the rate limiter gets the token keys it checks
	// signed-in callers with (tests); by default identity's GetJwks.
	Keys auth.FetchFunc
	// Dev relaxes what only suits one machine (`jangteo dev`): CORS may
	// allow any origin, and loopback addresses the honeypot records are
	// never blocked.
	Dev bool
}

// DefaultConfig returns the documented defaults: every service on localhost at
// the ports `jangteo dev` uses.
func DefaultConfig() Config {
	return Config{
		HTTPAddr:           ":8080",
		MetricsAddr:        ":9090",
		IdentityEndpoint:   "127.0.0.1:9101",
		CatalogEndpoint:    "127.0.0.1:9102",
		CartEndpoint:       "127.0.0.1:9103",
		OrderEndpoint:      "127.0.0.1:9104",
		PaymentEndpoint:    "127.0.0.1:9105",
		CommunityEndpoint:  "127.0.0.1:9106",
		MaxBodyBytes:       1 << 20,
		MaxUploadBodyBytes: 8 << 20,
		ReadHeaderTimeout:  5 * time.Second,
		ReadTimeout:        30 * time.Second,
		WriteTimeout:       60 * time.Second,
		IdleTimeout:        60 * time.Second,
		RateLimits:         DefaultRateLimits(),
		AdminPrefix:        "/v1/admin",
		TrustedProxies:     privateNetworks,
		BlocklistRefresh:   5 * time.Second,
		ResponseCacheBytes: 16 << 20,
		ResponseCacheTTL:   30 * time.Second,
		LogLevel:           "info",
	}
}

// privateNetworks are where a load balancer in front of the gateway sits:
// loopback and the private ranges a cluster's pods and nodes use.
var privateNetworks = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("fc00::/7"),
}

type backend struct {
	name     string
	endpoint string
	register func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error
}

// registerCommunity registers the community's two gRPC services, which
// share its endpoint.
func registerCommunity(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
	return errors.Join(communityv1.RegisterCommunityServiceHandler(ctx, mux, conn),
		communityv1.RegisterCampusServiceHandler(ctx, mux, conn))
}

// Gateway is the HTTP front door.
type Gateway struct {
	cfg     Config
	log     *zap.Logger
	mux     *http.ServeMux
	conns   []*grpc.ClientConn
	ready   *readiness
	trap    *honeypot
	cache   *responseCache
	handler http.Handler
}

// New dials every service and builds the HTTP handler. Connections are made
// lazily, so the gateway starts before the services do.
func New(ctx context.Context, cfg Config, log *zap.Logger) (*Gateway, error) {
	log = log.Named("gateway")
	if slices.Contains(cfg.CORSOrigins, "*") && !cfg.Dev {
		return nil, errors.New(`gateway: CORS_ORIGINS "*" is for development only: list the frontends' origins`)
	}
	tracing.Setup()
	rs, err := loadRoutes(openapi.Swagger)
	if err != nil {
		return nil, err
	}
	g := &Gateway{cfg: cfg, log: log, mux: http.NewServeMux(),
		cache: newResponseCache(cfg.NATSURL, cfg.ResponseCacheBytes, cfg.ResponseCacheTTL, log)}
	backends := []backend{
		{"identity", cfg.IdentityEndpoint, identityv1.RegisterIdentityServiceHandler},
		{"catalog", cfg.CatalogEndpoint, catalogv1.RegisterCatalogServiceHandler},
		{"spaces", cfg.CatalogEndpoint, catalogv1.RegisterSpaceServiceHandler},
		{"cart", cfg.CartEndpoint, cartv1.RegisterCartServiceHandler},
		{"order", cfg.OrderEndpoint, orderv1.RegisterOrderServiceHandler},
		{"market", cfg.OrderEndpoint, orderv1.RegisterMarketServiceHandler},
		{"bookings", cfg.OrderEndpoint, orderv1.RegisterBookingServiceHandler},
		{"payment", cfg.PaymentEndpoint, paymentv1.RegisterPaymentServiceHandler},
		{"community", cfg.CommunityEndpoint, registerCommunity},
	}
	marshaler := &jsonMarshaler{&runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{},
	}}
	installQueryParser()
	api := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, withHTTPBody(marshaler)),
		runtime.WithErrorHandler(errorHandler(log)),
		runtime.WithRoutingErrorHandler(routingErrorHandler(rs)),
		runtime.WithDisablePathLengthFallback(), // a form POST never runs a GET
		runtime.WithDisableHTTPMethodOverride(),
		runtime.WithIncomingHeaderMatcher(incomingHeader),
		runtime.WithOutgoingHeaderMatcher(outgoingHeader),
		runtime.WithOutgoingTrailerMatcher(func(string) (string, bool) { return "", false }),
		runtime.WithForwardResponseOption(httpCode),
		runtime.WithForwardResponseOption(redirect),
		runtime.WithForwardResponseOption(g.cache.forward),
	)
	var dialOpts []grpcclient.Option
	if cfg.ServiceClientSecret == "" {
		log.Warn("SERVICE_CLIENT_SECRET is not set: identity will refuse the honeypot's reports and blocklist reads")
	} else {
		tokenConn, err := grpcclient.Dial(cfg.IdentityEndpoint)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("gateway: dial identity at %s: %w", cfg.IdentityEndpoint, err)
		}
		g.conns = append(g.conns, tokenConn)
		dialOpts = append(dialOpts, grpcclient.WithIdentity(grpcclient.NewTokenCache(
			grpcclient.ClientCredentials(tokenConn, "gateway", cfg.ServiceClientSecret))))
	}
	g.ready = &readiness{}
	var keys *auth.KeyCache
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
		if b.name == "community" {
			schoolPages{mailPages{log: log}, communityv1.NewCampusServiceClient(conn)}.register(g.mux)
		}
		if b.name == "identity" {
			g.trap = newHoneypot(identityv1.NewIdentityServiceClient(conn), cfg.Dev, log)
			mailPages{identity: identityv1.NewIdentityServiceClient(conn), log: log}.register(g.mux)
			fetch := cfg.Keys
			if fetch == nil {
				fetch = auth.IdentityFetch(conn)
			}
			keys = auth.NewKeyCache(fetch)
		}
	}
	limits := newLimiter(cfg.RateLimits, auth.NewVerifier(keys))

	g.mux.Handle("/", headAsGet(api))
	g.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	g.mux.Handle("GET /readyz", g.ready)
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
		secureHeaders(cfg.HSTS, cfg.AdminPrefix),
		clientIP(cfg.TrustProxyHeaders, cfg.TrustedProxies),
		accessLog(log),
		g.trap.guard,
		cors(cfg.CORSOrigins),
		limits.middleware,
		adminPrefix(cfg.AdminPrefix),
		checkParams(rs),
		checkQuery(rs),
		limitBody(rs, cfg.MaxBodyBytes, cfg.MaxUploadBodyBytes),
		checkIdempotencyKey(marshaler, errorHandler(log)),
		g.cache.middleware,
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

// Serve is Run on an existing listener. Metrics are served on
// cfg.MetricsAddr, never on the public listener.
func (g *Gateway) Serve(ctx context.Context, lis net.Listener) error {
	defer g.Close()
	go g.trap.refresh(ctx, g.cfg.BlocklistRefresh)
	srv := &http.Server{
		Handler:           g.handler,
		ReadHeaderTimeout: g.cfg.ReadHeaderTimeout,
		ReadTimeout:       g.cfg.ReadTimeout,
		WriteTimeout:      g.cfg.WriteTimeout,
		IdleTimeout:       g.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(lis) }()
	if g.cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.Handler())
		msrv := &http.Server{Addr: g.cfg.MetricsAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, msrv)
		go func() { errc <- msrv.ListenAndServe() }()
	}
	g.log.Info("serving", zap.String("addr", lis.Addr().String()), zap.String("metrics", g.cfg.MetricsAddr))
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	g.ready.draining.Store(true)
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shut)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("gateway: %w", err)
	}
	return nil
}

// Close closes the backend connections.
func (g *Gateway) Close() {
	g.cache.Close()
	for _, c := range g.conns {
		_ = c.Close()
	}
	g.conns = nil
}

// incomingHeader forwards the headers services read as gRPC metadata.
// Authorization is forwarded by grpc-gateway itself; PayPal's webhook
// signature headers (PayPal-Transmission-Id, …) go to the payment service.
func incomingHeader(key string) (string, bool) {
	switch k := strings.ToLower(key); {
	case k == "x-cart-token", k == "x-request-id", k == "idempotency-key", k == "user-agent",
		strings.HasPrefix(k, "paypal-"):
		return k, true
	}
	return runtime.DefaultHeaderMatcher(key)
}

// outgoingHeader passes the response metadata frontends read as plain
// headers; the rest of the services' metadata stays inside.
func outgoingHeader(key string) (string, bool) {
	switch key {
	case "x-cart-token":
		return "X-Cart-Token", true
	case idempotency.ReplayedHeader:
		return "Idempotent-Replayed", true
	}
	return "", false
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
