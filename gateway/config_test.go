package gateway_test

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/platform/config"
)

// The documented variables reach the config, the structured ones included.
func TestConfigFromEnvironment(t *testing.T) {
	t.Setenv("RATE_LIMIT_AUTH", "5/10s")
	t.Setenv("RATE_LIMIT_READ", "0/1m")
	t.Setenv("TRUSTED_PROXY_CIDRS", "10.1.0.0/16,2001:db8::/32")
	t.Setenv("HSTS_MAX_AGE", "8760h")
	t.Setenv("MAX_UPLOAD_BODY_BYTES", "4194304")
	cfg := gateway.DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimits.Auth != (gateway.Limit{Burst: 5, Window: 10 * time.Second}) || cfg.RateLimits.Read.Burst != 0 ||
		cfg.RateLimits.Write != gateway.DefaultRateLimits().Write {
		t.Errorf("rate limits = %+v", cfg.RateLimits)
	}
	if !slices.Equal(cfg.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("2001:db8::/32")}) {
		t.Errorf("trusted proxies = %v", cfg.TrustedProxies)
	}
	if cfg.HSTS != 8760*time.Hour || cfg.MaxUploadBodyBytes != 4<<20 {
		t.Errorf("HSTS %s, upload cap %d", cfg.HSTS, cfg.MaxUploadBodyBytes)
	}
	t.Setenv("RATE_LIMIT_WRITE", "lots")
	if err := config.Load(&cfg, ""); err == nil {
		t.Error("RATE_LIMIT_WRITE=lots accepted")
	}
}
