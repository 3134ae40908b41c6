package identity_test

import (
	"testing"
	"time"

	"github.com/jangteo/jangteo/services/identity"
)

func TestLoadConfig(t *testing.T) {
	t.Setenv("ACCESS_TOKEN_TTL", "5m")
	t.Setenv("SMTP_HOST", "smtp.example.com")
	t.Setenv("SMTP_PORT", "587")
	t.Setenv("SMTP_STARTTLS", "true")
	t.Setenv("KAKAO_BASE_URL", "http://kakao.test")
	t.Setenv("LOGIN_MAX_ATTEMPTS_PER_IP", "7")
	cfg, err := identity.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := identity.DefaultConfig()
	want.AccessTTL = 5 * time.Minute
	want.Mail.Host, want.Mail.Port, want.Mail.StartTLS = "smtp.example.com", 587, true
	want.Social.KakaoBaseURL = "http://kakao.test"
	want.LoginMaxAttemptsPerIP = 7
	if cfg.AccessTTL != want.AccessTTL || cfg.Mail != want.Mail || cfg.Social != want.Social ||
		cfg.LoginMaxAttemptsPerIP != 7 || cfg.RefreshTTL != 720*time.Hour || cfg.GRPCAddr != ":9101" || cfg.HoneypotBlockAfter != 3 {
		t.Fatalf("LoadConfig = %+v, want %+v", cfg, want)
	}
	if cfg.Mail.From != "Jangteo <no-reply@jangteo.dev>" {
		t.Fatalf("from = %q", cfg.Mail.From)
	}
}

func TestLoadServiceClients(t *testing.T) {
	hash := identity.HashClientSecret("a-secret-of-at-least-thirty-two-chars")
	t.Setenv("SERVICE_CLIENTS", "gateway="+hash+",cart=a-secret-of-at-least-thirty-two-chars")
	t.Setenv("SERVICE_TOKEN_TTL", "2m")
	cfg, err := identity.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.ServiceClients) != 2 || cfg.ServiceClients["gateway"] != hash || cfg.ServiceTokenTTL != 2*time.Minute {
		t.Fatalf("ServiceClients = %v, ttl %v", cfg.ServiceClients, cfg.ServiceTokenTTL)
	}
}
