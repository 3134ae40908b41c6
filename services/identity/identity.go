// Package identity is the identity service: accounts, sessions, the keys that
// sign access tokens, profiles and addresses, social sign-in, login
// throttling and the honeypot's records. cmd/identity runs it alone;
// cmd/jangteo runs it beside the other services.
package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	identityv1 "github.com/jangteo/jangteo/gen/go/jangteo/identity/v1"
	"github.com/jangteo/jangteo/platform/config"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/grpcclient"
	"github.com/jangteo/jangteo/platform/mail"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/services/identity/internal/app"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	idevents "github.com/jangteo/jangteo/services/identity/internal/events"
	"github.com/jangteo/jangteo/services/identity/internal/grpcapi"
	"github.com/jangteo/jangteo/services/identity/internal/notify"
	"github.com/jangteo/jangteo/services/identity/internal/password"
	"github.com/jangteo/jangteo/services/identity/internal/social"
	"github.com/jangteo/jangteo/services/identity/internal/store"
	"github.com/jangteo/jangteo/services/identity/internal/token"
)

// Name is the service's name, schema and event stream.
const Name = "identity"

// Config is identity's configuration; the README lists every variable.
type Config struct {
	service.Base
	// PublicURL is the base of the links in mail (the gateway's public address).
	PublicURL string `env:"PUBLIC_URL"`
	// AccessTTL is the lifetime of an access token.
	AccessTTL time.Duration `env:"ACCESS_TOKEN_TTL"`
	// RefreshTTL is the lifetime of a refresh token (each rotation starts anew).
	RefreshTTL time.Duration `env:"REFRESH_TOKEN_TTL"`
	// VerifyTTL is how long a verification link works.
	VerifyTTL time.Duration `env:"VERIFY_TOKEN_TTL"`
	// ResetTTL is how long a password reset link works.
	ResetTTL time.Duration `env:"RESET_TOKEN_TTL"`
	// SigningKeyFile is a PEM (PKCS #8) Ed25519 private key. Empty: a key is
	// generated once and kept in the identity schema (see the README for the
	// trade-off).
	SigningKeyFile string `env:"SIGNING_KEY_FILE"`
	// Mail is the SMTP relay (SMTP_HOST, SMTP_PORT, SMTP_USERNAME,
	// SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS, SMTP_TIMEOUT).
	Mail mail.Config `envPrefix:"SMTP_"`
	// Social holds the providers' base URLs (GOOGLE_BASE_URL, NAVER_BASE_URL,
	// KAKAO_BASE_URL); empty means the real providers.
	Social social.Config
	// LoginMaxFailuresPerAccount wrong passwords within LoginAccountWindow
	// lock an account's password sign-in (429) until the oldest leaves it.
	LoginMaxFailuresPerAccount int           `env:"LOGIN_MAX_FAILURES_PER_ACCOUNT"`
	LoginAccountWindow         time.Duration `env:"LOGIN_ACCOUNT_WINDOW"`
	// LoginMaxAttemptsPerIP sign-in attempts within LoginIPWindow from one
	// client IP, right or wrong, are allowed; more get 429.
	LoginMaxAttemptsPerIP int           `env:"LOGIN_MAX_ATTEMPTS_PER_IP"`
	LoginIPWindow         time.Duration `env:"LOGIN_IP_WINDOW"`
	// HoneypotBlockAfter honeypot attempts block an IP from the whole API.
	HoneypotBlockAfter int `env:"HONEYPOT_BLOCK_AFTER"`
	// PasswordHashMemoryMiB is the memory all concurrent password hashes
	// (argon2id, 64 MiB each) may hold together; more wait in line up to
	// PasswordHashQueueTimeout, then get 503 with Retry-After. The chart
	// sizes identity's memory limit from it.
	PasswordHashMemoryMiB    int64         `env:"PASSWORD_HASH_MEMORY_MIB"`
	PasswordHashQueueTimeout time.Duration `env:"PASSWORD_HASH_QUEUE_TIMEOUT"`
	// PasswordHashReleaseIdle returns the hashes' memory to the operating
	// system once no password was hashed for this long; 0 leaves it to the
	// Go runtime, which keeps it for minutes.
	PasswordHashReleaseIdle time.Duration `env:"PASSWORD_HASH_RELEASE_IDLE"`
	// ServiceClients are the services that may get service tokens: client id
	// (the service's name) → "sha256:<hex>" of its secret, or the secret
	// itself. SERVICE_CLIENTS=cart=sha256:…,gateway=sha256:…
	ServiceClients map[string]string `env:"SERVICE_CLIENTS" envKeyValSeparator:"="`
	// ServiceTokenTTL is the lifetime of a service token.
	ServiceTokenTTL time.Duration `env:"SERVICE_TOKEN_TTL"`
}

// DefaultConfig returns the documented defaults (gRPC on :9101).
func DefaultConfig() Config {
	return Config{
		Base:       service.Defaults(":9101"),
		PublicURL:  "http://localhost:8080",
		AccessTTL:  15 * time.Minute,
		RefreshTTL: 720 * time.Hour,
		VerifyTTL:  24 * time.Hour,
		ResetTTL:   time.Hour,
		Mail: mail.Config{
			Host: "127.0.0.1", Port: 1025, From: "Jangteo <no-reply@jangteo.dev>",
		},
		LoginMaxFailuresPerAccount: 5,
		LoginAccountWindow:         15 * time.Minute,
		LoginMaxAttemptsPerIP:      20,
		LoginIPWindow:              15 * time.Minute,
		HoneypotBlockAfter:         3,
		PasswordHashMemoryMiB:      128,
		PasswordHashQueueTimeout:   5 * time.Second,
		PasswordHashReleaseIdle:    2 * time.Second,
		ServiceTokenTTL:            5 * time.Minute,
	}
}

// Migrations are identity's schema migrations.
var Migrations = service.Migrations{FS: store.Migrations, Dir: "migrations"}

// Service is a running identity service.
type Service struct {
	rt  *service.Runtime
	app *app.App
}

// LoadConfig returns DefaultConfig overridden by the environment.
func LoadConfig() (Config, error) {
	cfg := DefaultConfig()
	if err := config.Load(&cfg, ""); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// New connects identity, loads (or creates) its signing key and registers its
// gRPC API, mail consumers and the periodic throttling pruner. Identity
// verifies tokens against its own key set and mints its own service tokens, so
// opts.Keys and opts.Tokens are always replaced.
func New(ctx context.Context, cfg Config, log *zap.Logger, opts service.Options) (*Service, error) {
	clients, err := domain.ParseServiceClients(cfg.ServiceClients)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	var keys atomic.Pointer[token.KeySet]
	var grant atomic.Pointer[app.ServiceTokens]
	opts.Keys = func(context.Context) ([]byte, error) {
		ks := keys.Load()
		if ks == nil {
			return nil, errors.New("identity: signing key not loaded yet")
		}
		return json.Marshal(ks.JWKS())
	}
	opts.Tokens = grpcclient.TokenFunc(func(_ context.Context, audience string) (grpcclient.Token, error) {
		g := grant.Load()
		if g == nil {
			return grpcclient.Token{}, errors.New("identity: signing key not loaded yet")
		}
		tok, err := g.Mint(Name, audience)
		return grpcclient.Token{Value: tok.Token, Expiry: time.Now().Add(tok.ExpiresIn)}, err
	})
	rt, err := service.Start(ctx, Name, cfg.Base, log, Migrations, opts)
	if err != nil {
		return nil, err
	}
	st := store.New(rt.Pool)
	ks, err := loadKeys(ctx, cfg.SigningKeyFile, st)
	if err != nil {
		return nil, err
	}
	keys.Store(ks)
	tokens, err := app.NewServiceTokens(clients, ks, cfg.ServiceTokenTTL)
	if err != nil {
		return nil, err
	}
	grant.Store(tokens)
	if len(clients) == 0 {
		rt.Log.Warn("SERVICE_CLIENTS is empty: no service can get a token to call another's internal RPCs")
	}
	hasher, err := password.NewHasher(password.DefaultParams, password.Budget{
		MemoryKiB: cfg.PasswordHashMemoryMiB << 10, QueueTimeout: cfg.PasswordHashQueueTimeout,
		ReleaseIdle: cfg.PasswordHashReleaseIdle,
	})
	if err != nil {
		return nil, err
	}
	stores := func(db postgres.DB) app.Store { return store.New(db) }
	a, err := app.New(rt.Pool, stores, ks, hasher, social.NewDefaultRegistry(cfg.Social, nil), app.Config{
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
		MaxFailuresPerAccount: cfg.LoginMaxFailuresPerAccount, AccountWindow: cfg.LoginAccountWindow,
		MaxAttemptsPerIP: cfg.LoginMaxAttemptsPerIP, IPWindow: cfg.LoginIPWindow,
		HoneypotBlockAfter: cfg.HoneypotBlockAfter,
	})
	if err != nil {
		return nil, err
	}
	sender, err := mail.NewSender(cfg.Mail)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	n := notify.New(st, sender, cfg.PublicURL, cfg.VerifyTTL, cfg.ResetTTL)
	rt.Consume(events.ConsumerConfig{
		Name: "identity-mail-registered", Service: Name,
		Subjects: []string{idevents.SubjectUserRegistered, idevents.SubjectVerificationRequested},
		Alone:    true, // it mails
	}, n.Verification)
	rt.Consume(events.ConsumerConfig{
		Name: "identity-mail-password-reset", Service: Name,
		Subjects: []string{idevents.SubjectPasswordResetRequested},
		Alone:    true, // it mails
	}, n.PasswordReset)
	rt.Consume(idevents.SchoolMembershipConsumer, idevents.SchoolMembershipChanged(func(tx pgx.Tx) idevents.SchoolRecorder {
		return store.New(tx)
	}))
	service.Work(rt, func(ctx context.Context, _ app.PruneAttemptsArgs) error {
		_, err := a.PruneAttempts(ctx)
		return err
	})
	rt.Periodic(time.Minute, app.PruneAttemptsArgs{})
	service.Work(rt, func(ctx context.Context, _ app.PruneTokensArgs) error {
		_, err := a.PruneTokens(ctx)
		return err
	})
	rt.Periodic(time.Hour, app.PruneTokensArgs{})
	identityv1.RegisterIdentityServiceServer(rt.GRPC, grpcapi.New(a, tokens))
	return &Service{rt: rt, app: a}, nil
}

// HashClientSecret is secret as SERVICE_CLIENTS lists it: "sha256:<hex>".
func HashClientSecret(secret string) string { return domain.HashClientSecret(secret) }

// Run serves until ctx ends.
func (s *Service) Run(ctx context.Context) error { return s.rt.Run(ctx) }

// EnsureAdmin creates, or resets the password of, an active and verified
// account with the roles customer, staff and admin. It is idempotent.
func (s *Service) EnsureAdmin(ctx context.Context, email, password string) error {
	return s.app.EnsureAdmin(ctx, email, password)
}

// loadKeys reads the signing key from file, or from (after generating it
// into) the identity schema when file is empty.
func loadKeys(ctx context.Context, file string, st *store.Store) (*token.KeySet, error) {
	var pem []byte
	var err error
	if file != "" {
		if pem, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("identity: signing key: %w", err)
		}
	} else {
		pem, err = st.SigningKeyPEM(ctx, func() ([]byte, error) {
			k, err := token.GenerateKey()
			if err != nil {
				return nil, err
			}
			return token.EncodePrivateKeyPEM(k)
		})
		if err != nil {
			return nil, err
		}
	}
	k, err := token.DecodePrivateKeyPEM(pem)
	if err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}
	return token.NewKeySet(k)
}
