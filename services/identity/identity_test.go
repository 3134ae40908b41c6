package identity_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/mail/smtpsink"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/identity"
)

const (
	adminEmail    = "admin@jangteo.test"
	adminPassword = "admin-pass-1234"
)

type env struct {
	client identityv1.IdentityServiceClient
	sink   *smtpsink.Sink
	svc    *identity.Service
	cfg    identity.Config
}

type option func(*identity.Config)

func start(t testing.TB, opts ...option) env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sink, err := smtpsink.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	cfg := identity.DefaultConfig()
	cfg.DatabaseURL = testkit.Database(t)
	cfg.NATSURL = testkit.NATS(t)
	cfg.MetricsAddr = ""
	cfg.PublicURL = "http://jangteo.test"
	host, port, _ := net.SplitHostPort(sink.Addr())
	cfg.Mail.Host = host
	if cfg.Mail.Port, err = strconv.Atoi(port); err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(&cfg)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := identity.New(ctx, cfg, zaptest.NewLogger(t), service.Options{Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.EnsureAdmin(ctx, adminEmail, adminPassword); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return env{client: identityv1.NewIdentityServiceClient(conn), sink: sink, svc: svc, cfg: cfg}
}

func as(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func fromIP(ip string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "x-forwarded-for", ip+", 10.0.0.1")
}

func (e env) login(t *testing.T, email, pw string) *identityv1.LoginResponse {
	t.Helper()
	resp, err := e.client.Login(context.Background(), &identityv1.LoginRequest{Email: email, Password: pw})
	if err != nil {
		t.Fatalf("Login(%s): %v", email, err)
	}
	return resp
}

// signUp creates a verified customer and returns its session.
func (e env) signUp(t *testing.T, email string) *identityv1.LoginResponse {
	t.Helper()
	const pw = "correct-horse-7"
	if _, err := e.client.SignUp(context.Background(), &identityv1.SignUpRequest{Email: email, Password: pw, Name: "테스터"}); err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	tok := e.mailedToken(t, email, "/verify-email?token=")
	if _, err := e.client.VerifyEmail(context.Background(), &identityv1.VerifyEmailRequest{Token: tok}); err != nil {
		t.Fatalf("VerifyEmail: %v", err)
	}
	return e.login(t, email, pw)
}

// mailedToken waits for the newest mail to addr with a link containing
// marker and returns the token after it.
func (e env) mailedToken(t *testing.T, addr, marker string) string {
	t.Helper()
	return e.mailedTokenAfter(t, addr, marker, "")
}

func (e env) mailedTokenAfter(t *testing.T, addr, marker, not string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var tok string
	_, err := e.sink.Wait(ctx, func(m smtpsink.Message) bool {
		if !m.SentTo(addr) {
			return false
		}
		_, rest, ok := strings.Cut(m.Text, marker)
		if !ok {
			return false
		}
		tok, _, _ = strings.Cut(rest, "\n")
		tok = strings.TrimSpace(tok)
		return tok != not
	})
	if err != nil {
		t.Fatalf("no mail to %s with %q: %v", addr, marker, err)
	}
	return tok
}

func code(err error) codes.Code { return status.Code(err) }

func reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func hasField(err error, field string) bool {
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if v.GetField() == field {
					return true
				}
			}
		}
	}
	return false
}

func retryAfter(err error) time.Duration {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return 0
}

func TestAdminLoginJWKSAndMe(t *testing.T) {
	t.Parallel()
	e := start(t)
	resp := e.login(t, adminEmail, adminPassword)
	if resp.GetTokenType() != "Bearer" || resp.GetExpiresIn() != 900 || resp.GetRefreshToken() == "" {
		t.Fatalf("login = %v", resp)
	}
	if got := strings.Join(resp.GetUser().GetRoles(), ","); got != "customer,staff,admin" {
		t.Fatalf("roles = %s", got)
	}
	jwks, err := e.client.GetJwks(context.Background(), &identityv1.GetJwksRequest{})
	if err != nil || len(jwks.GetKeys()) != 1 || jwks.GetKeys()[0].GetAlg() != "EdDSA" || jwks.GetKeys()[0].GetCrv() != "Ed25519" {
		t.Fatalf("jwks = %v, %v", jwks, err)
	}
	me, err := e.client.GetMe(as(resp.GetAccessToken()), &identityv1.GetMeRequest{})
	if err != nil || me.GetUser().GetEmail() != adminEmail || !me.GetUser().GetEmailVerified() {
		t.Fatalf("GetMe = %v, %v", me, err)
	}
	// EnsureAdmin is idempotent and resets the password.
	if err := e.svc.EnsureAdmin(context.Background(), adminEmail, "new-admin-pass-99"); err != nil {
		t.Fatal(err)
	}
	e.login(t, adminEmail, "new-admin-pass-99")
	if _, err := e.client.Login(context.Background(), &identityv1.LoginRequest{Email: adminEmail, Password: adminPassword}); code(err) != codes.Unauthenticated {
		t.Fatalf("old password: %v", err)
	}
}
