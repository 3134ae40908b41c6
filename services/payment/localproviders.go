package payment

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/fakes/kakaopay"
	"github.com/jangteo/jangteo/services/payment/internal/fakes/paypal"
	"github.com/jangteo/jangteo/services/payment/internal/fakes/toss"
)

// LocalProviders are the local fakes of KakaoPay, PayPal and Toss Payments,
// each serving on a loopback port, for `jangteo dev`: a frontend developer
// can take a payment through every provider's real flow (approval pages,
// redirects back, webhooks) without accounts at any of them.
type LocalProviders struct {
	KakaoPay, PayPal, Toss string // base URLs
	publicURL              string
	servers                []*http.Server
}

// The fakes' keys: only the fakes accept them.
const (
	localKakaoPaySecret = "DEV_LOCAL_KAKAOPAY_SECRET"
	localPayPalID       = "local-paypal-client"
	localPayPalSecret   = "local-paypal-secret"
	localPayPalWebhook  = "WH-LOCAL"
	localTossSecret     = "test_sk_local"
	localTossClient     = "test_ck_local"
)

// StartLocalProviders starts the fakes; their webhooks go to publicURL (the
// gateway). Close stops them.
func StartLocalProviders(publicURL string) (*LocalProviders, error) {
	publicURL = strings.TrimRight(publicURL, "/")
	kp := kakaopay.New(localKakaoPaySecret, "TC0ONETIME")
	pp := paypal.New(localPayPalID, localPayPalSecret, localPayPalWebhook)
	pp.WebhookURL, pp.NotifyApprovals = publicURL+"/v1/webhooks/paypal", true
	ts := toss.New(localTossSecret, localTossClient)
	ts.WebhookURL = publicURL + "/v1/webhooks/toss"
	l := &LocalProviders{publicURL: publicURL}
	for _, f := range []struct {
		h    http.Handler
		base *string
	}{{kp, &l.KakaoPay}, {pp, &l.PayPal}, {ts, &l.Toss}} {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			l.Close()
			return nil, err
		}
		srv := &http.Server{Handler: f.h, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
				panic(err)
			}
		}()
		l.servers = append(l.servers, srv)
		*f.base = "http://" + lis.Addr().String()
	}
	return l, nil
}

// Configure enables every provider of cfg that has no keys of its own
// against its fake (a provider configured from the environment is left as it is).
func (l *LocalProviders) Configure(cfg *Config) {
	if cfg.KakaoPay.SecretKey == "" {
		cfg.KakaoPay = KakaoPayConfig{BaseURL: l.KakaoPay, SecretKey: localKakaoPaySecret, CID: "TC0ONETIME"}
	}
	if cfg.PayPal.ClientID == "" {
		cfg.PayPal = PayPalConfig{BaseURL: l.PayPal, ClientID: localPayPalID, ClientSecret: localPayPalSecret,
			WebhookID: localPayPalWebhook, Currency: "USD", KRWRate: "1400", BrandName: "Jangteo (local)"}
	}
	if cfg.Toss.SecretKey == "" {
		cfg.Toss = TossConfig{BaseURL: l.Toss, SecretKey: localTossSecret, ClientKey: localTossClient, CheckoutURL: l.Toss + "/checkout"}
	}
}

// Close stops the fakes.
func (l *LocalProviders) Close() {
	for _, s := range l.servers {
		_ = s.Close()
	}
}
