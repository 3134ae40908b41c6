// Package payment is the payment service: payments of orders through a
// provider (the built-in sandbox, KakaoPay, PayPal and Toss Payments behind
// one interface), the buyers' returns and the providers' webhooks,
// reconciliation of unknown outcomes, refunds, and the payment.* events the
// order service follows. cmd/payment runs it alone; cmd/jangteo runs it
// beside the other services.
package payment

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"go.uber.org/zap"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/payment/internal/app"
	"github.com/jangteo/jangteo/services/payment/internal/grpcapi"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/kakaopay"
	"github.com/jangteo/jangteo/services/payment/internal/provider/paypal"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/provider/toss"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// Name is the service's name, schema and event stream.
const Name = "payment"

// Config is the payment service's configuration.
type Config struct {
	service.Base
	// PublicURL is the gateway's address as buyers' browsers reach it: the
	// sandbox's approval pages and the providers' return URLs are there, and
	// the providers' webhooks are registered under it.
	PublicURL string `env:"PUBLIC_URL"`
	// SandboxEnabled offers the sandbox provider, whose approval page anyone
	// holding a payment id may approve. Turn it off in production.
	SandboxEnabled bool `env:"SANDBOX_ENABLED"`
	// KakaoPay is KakaoPay, enabled when KAKAOPAY_SECRET_KEY is set.
	KakaoPay KakaoPayConfig `envPrefix:"KAKAOPAY_"`
	// PayPal is PayPal, enabled when PAYPAL_CLIENT_ID is set.
	PayPal PayPalConfig `envPrefix:"PAYPAL_"`
	// Toss is Toss Payments, enabled when TOSS_SECRET_KEY is set.
	Toss TossConfig `envPrefix:"TOSS_"`
	// ReconcileDelay is how long after an approval with an unknown outcome
	// the provider is first asked where the payment stands.
	ReconcileDelay time.Duration `env:"RECONCILE_DELAY"`
	// PendingTimeout is how long a buyer has at a provider: then the payment
	// is looked up there and, unless the buyer paid, failed.
	PendingTimeout time.Duration `env:"PENDING_TIMEOUT"`
}

// KakaoPayConfig configures KakaoPay.
type KakaoPayConfig struct {
	BaseURL   string `env:"BASE_URL"`
	SecretKey string `env:"SECRET_KEY"`
	CID       string `env:"CID"`
}

// PayPalConfig configures PayPal. PayPal does not take KRW: payments are
// charged in Currency at KRWRate (KRW per unit), both fixed on each payment.
type PayPalConfig struct {
	BaseURL      string `env:"BASE_URL"`
	ClientID     string `env:"CLIENT_ID"`
	ClientSecret string `env:"CLIENT_SECRET"`
	WebhookID    string `env:"WEBHOOK_ID"`
	Currency     string `env:"CURRENCY"`
	KRWRate      string `env:"KRW_RATE"`
	BrandName    string `env:"BRAND_NAME"`
}

// TossConfig configures Toss Payments.
type TossConfig struct {
	BaseURL     string `env:"BASE_URL"`
	SecretKey   string `env:"SECRET_KEY"`
	ClientKey   string `env:"CLIENT_KEY"`
	CheckoutURL string `env:"CHECKOUT_URL"`
}

// DefaultConfig returns the documented defaults: gRPC on :9105, the gateway
// at http://localhost:8080, the sandbox enabled.
func DefaultConfig() Config {
	return Config{
		Base:           service.Defaults(":9105"),
		PublicURL:      "http://localhost:8080",
		SandboxEnabled: true,
		KakaoPay:       KakaoPayConfig{BaseURL: "https://open-api.kakaopay.com", CID: "TC0ONETIME"},
		PayPal:         PayPalConfig{BaseURL: "https://api-m.paypal.com", Currency: "USD", BrandName: "Jangteo"},
		Toss:           TossConfig{BaseURL: "https://api.tosspayments.com"},
		ReconcileDelay: 5 * time.Second,
		PendingTimeout: 30 * time.Minute,
	}
}

func (c Config) validate() error {
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("payment: PUBLIC_URL %q is not an absolute http(s) URL", c.PublicURL)
	}
	if !c.SandboxEnabled && c.Toss.SecretKey == "" && c.KakaoPay.SecretKey == "" && c.PayPal.ClientID == "" {
		return fmt.Errorf("payment: no provider is enabled (SANDBOX_ENABLED=false and no provider keys set)")
	}
	if c.PayPal.ClientID != "" {
		if c.PayPal.ClientSecret == "" || c.PayPal.WebhookID == "" {
			return fmt.Errorf("payment: PayPal needs PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID with PAYPAL_CLIENT_ID")
		}
		if _, err := paypal.ParseRate(c.PayPal.KRWRate); err != nil || c.PayPal.Currency == "" || c.PayPal.Currency == "KRW" {
			return fmt.Errorf("payment: PayPal needs PAYPAL_CURRENCY (not KRW) and PAYPAL_KRW_RATE, the KRW price of one unit of it (%q)", c.PayPal.KRWRate)
		}
	}
	if c.Toss.SecretKey != "" && (c.Toss.ClientKey == "" || c.Toss.CheckoutURL == "") {
		return fmt.Errorf("payment: Toss Payments needs TOSS_CLIENT_KEY and TOSS_CHECKOUT_URL with TOSS_SECRET_KEY")
	}
	return nil
}

// Migrations are the service's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running payment service.
type Service struct{ rt *service.Runtime }

// New connects the service and registers its gRPC API.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	var providers []provider.Provider
	var sb *sandbox.Provider
	if cfg.SandboxEnabled {
		sb = sandbox.New(rt.Pool, cfg.PublicURL)
		providers = append(providers, sb)
	}
	calls := store.NewCalls(rt.Pool, rt.Log)
	if cfg.KakaoPay.SecretKey != "" {
		providers = append(providers, kakaopay.New(kakaopay.Config{
			BaseURL: cfg.KakaoPay.BaseURL, SecretKey: cfg.KakaoPay.SecretKey, CID: cfg.KakaoPay.CID,
		}, store.KakaoPayReadies{Pool: rt.Pool}, calls))
	}
	if cfg.PayPal.ClientID != "" {
		rate, _ := paypal.ParseRate(cfg.PayPal.KRWRate) // checked by validate
		providers = append(providers, paypal.New(paypal.Config{
			BaseURL: cfg.PayPal.BaseURL, ClientID: cfg.PayPal.ClientID, ClientSecret: cfg.PayPal.ClientSecret,
			WebhookID: cfg.PayPal.WebhookID, Currency: cfg.PayPal.Currency, Rate: rate, BrandName: cfg.PayPal.BrandName,
		}, calls))
	}
	if cfg.Toss.SecretKey != "" {
		providers = append(providers, toss.New(toss.Config{
			BaseURL: cfg.Toss.BaseURL, SecretKey: cfg.Toss.SecretKey, ClientKey: cfg.Toss.ClientKey, CheckoutURL: cfg.Toss.CheckoutURL,
		}, calls))
	}
	a := app.New(rt.Pool, providers, sb, rt.Log)
	a.Configure(app.Settings{PublicURL: cfg.PublicURL, Jobs: rt.Jobs, ReconcileDelay: cfg.ReconcileDelay, PendingTimeout: cfg.PendingTimeout})
	service.AddWorker(rt, app.ReconcileWorker{App: a})
	service.AddWorker(rt, app.ResumeRefundWorker{App: a})
	service.AddWorker(rt, app.GiveBackWorker{App: a})
	paymentv1.RegisterPaymentServiceServer(rt.GRPC, grpcapi.New(a))
	return &Service{rt: rt}, nil
}

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }
