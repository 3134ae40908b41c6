// Package app holds identity's use cases.
//
// A use case that writes more than one row owns its transaction: inTx runs it
// with the store over one transaction of a.db, and the use case writes its
// events on the same transaction. Reads and single statements use a.store.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	"github.com/jangteo/jangteo/services/identity/internal/password"
	"github.com/jangteo/jangteo/services/identity/internal/social"
	"github.com/jangteo/jangteo/services/identity/internal/token"
)

// Store is what the use cases need from persistence: the small interfaces
// each group of use cases declares beside it.
type Store interface {
	userStore
	sessionStore
	socialStore
	addressStore
	throttleStore
	pruneStore
	honeypotStore
}

// userStore is what account, sign-up, password and admin use cases need.
type userStore interface {
	UserByID(ctx context.Context, id string) (domain.User, error)
	UserByEmail(ctx context.Context, email string) (domain.User, error)
	CreateUser(ctx context.Context, u domain.User, provider, subject, providerEmail string) (domain.User, error)
	EnsureAdmin(ctx context.Context, email, name, passwordHash string) error
	UpdateProfile(ctx context.Context, userID string, c domain.ProfileChange) (domain.User, error)
	SetPassword(ctx context.Context, userID, hash string, revoke bool) error
	ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) error
	SetStatus(ctx context.Context, userID, status string) (domain.User, error)
	SetRoles(ctx context.Context, userID string, roles []string) (domain.User, error)
	Users(ctx context.Context, f domain.UserFilter) ([]domain.User, int64, error)
	VerifyEmail(ctx context.Context, hash []byte) (domain.User, bool, error)
	ResetPassword(ctx context.Context, hash []byte, passwordHash string) (domain.User, error)
}

// sessionStore keeps refresh tokens.
type sessionStore interface {
	CreateRefreshToken(ctx context.Context, userID string, hash []byte, expires time.Time) error
	RotateRefreshToken(ctx context.Context, oldHash, newHash []byte, expires time.Time) (string, error)
	RevokeRefreshToken(ctx context.Context, hash []byte) error
	RevokeAllRefreshTokens(ctx context.Context, userID string) (int64, error)
}

// socialStore links provider accounts.
type socialStore interface {
	UserBySocial(ctx context.Context, provider, subject string) (domain.User, error)
	LinkSocial(ctx context.Context, userID, provider, subject, email string) (domain.User, error)
}

// addressStore is the address book.
type addressStore interface {
	Addresses(ctx context.Context, userID string) ([]domain.Address, error)
	CreateAddress(ctx context.Context, a domain.Address) (domain.Address, error)
	UpdateAddress(ctx context.Context, userID, id string, c domain.AddressChange) (domain.Address, error)
	DeleteAddress(ctx context.Context, userID, id string) error
}

// throttleStore counts sign-in attempts.
type throttleStore interface {
	AddAttempt(ctx context.Context, key string, since time.Time) (id int64, n int, oldest time.Time, err error)
	DeleteAttempt(ctx context.Context, id int64) error
	ClearAttempts(ctx context.Context, key string) error
}

// honeypotStore records the honeypot admin's visitors.
type honeypotStore interface {
	RecordHoneypotAttempt(ctx context.Context, a domain.HoneypotAttempt, blockAfter int) (bool, error)
	BlockedIPs(ctx context.Context) ([]string, error)
	HoneypotAttempts(ctx context.Context, ip, before string, limit int) ([]domain.HoneypotAttempt, error)
	UnblockIP(ctx context.Context, ip string) (bool, error)
}

// Config tunes the use cases.
type Config struct {
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// MaxFailuresPerAccount wrong passwords per AccountWindow lock an account's
	// password sign-in until the oldest failure leaves the window.
	MaxFailuresPerAccount int
	AccountWindow         time.Duration
	// MaxAttemptsPerIP sign-in attempts per IPWindow from one client IP.
	MaxAttemptsPerIP int
	IPWindow         time.Duration
	// HoneypotBlockAfter honeypot attempts block an IP.
	HoneypotBlockAfter int
}

// App runs identity's use cases.
type App struct {
	db      postgres.Conn           // the pool
	stores  func(postgres.DB) Store // the store over a use case's transaction
	store   Store                   // the store over db
	keys    *token.KeySet
	signer  *token.Signer
	hasher  *password.Hasher
	social  *social.Registry
	cfg     Config
	now     func() time.Time
	dummyPW string // a decoy hash, so unknown emails cost as much as wrong passwords
}

// New returns the use cases over db (the pool), with stores making the store
// over the pool or a transaction.
func New(db postgres.Conn, stores func(postgres.DB) Store, keys *token.KeySet, hasher *password.Hasher, providers *social.Registry, cfg Config) (*App, error) {
	if db == nil || stores == nil || keys == nil || hasher == nil || providers == nil {
		return nil, errors.New("app: nil dependency")
	}
	dummy, err := hasher.Decoy() // no argon2 run (and its 64 MiB) at start
	if err != nil {
		return nil, err
	}
	return &App{
		db: db, stores: stores, store: stores(db), keys: keys, signer: token.NewSigner(keys), hasher: hasher, social: providers,
		cfg: cfg, now: time.Now, dummyPW: dummy,
	}, nil
}

// inTx runs fn with the store over one transaction of a.db, committing when
// fn returns no error.
func inTx[T any](ctx context.Context, a *App, fn func(s Store, tx pgx.Tx) (T, error)) (T, error) {
	var out T
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		var err error
		out, err = fn(a.stores(tx), tx)
		return err
	})
	return out, err
}

// JWKS returns the public keys that verify access tokens.
func (a *App) JWKS() token.JWKSet { return a.keys.JWKS() }

// Me returns the user.
func (a *App) Me(ctx context.Context, userID string) (domain.User, error) {
	return a.store.UserByID(ctx, userID)
}

// EnsureAdmin creates, or resets the password of, an active verified account
// with every role. The operator chose the password, so strength rules are
// not applied.
func (a *App) EnsureAdmin(ctx context.Context, email, pw string) error {
	email = domain.NormalizeEmail(email)
	if !domain.ValidEmail(email) || pw == "" {
		return errors.New("identity: admin needs a valid email and a password")
	}
	hash, err := a.hasher.Hash(pw)
	if err != nil {
		return err
	}
	return a.store.EnsureAdmin(ctx, email, "Admin", hash)
}
