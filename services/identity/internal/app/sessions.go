package app

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/opaque"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	"github.com/jangteo/jangteo/services/identity/internal/password"
)

// Login checks an email and password and starts a session. It is throttled
// per client IP (every attempt counts) and per account (wrong passwords
// count, a success clears them); ip may be empty when unknown.
func (a *App) Login(ctx context.Context, email, pw, ip string) (domain.Session, error) {
	email = domain.NormalizeEmail(email)
	now := a.now()
	if ip != "" {
		if _, err := a.throttle(ctx, "ip:"+ip, a.cfg.MaxAttemptsPerIP, a.cfg.IPWindow, now); err != nil {
			return domain.Session{}, err
		}
	}
	accountKey := "account:" + email
	attempt, err := a.throttle(ctx, accountKey, a.cfg.MaxFailuresPerAccount, a.cfg.AccountWindow, now)
	if err != nil {
		return domain.Session{}, err
	}
	u, err := a.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, domain.ErrUserNotFound) {
		return domain.Session{}, err
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = a.dummyPW // same work whether or not the account exists
	}
	ok, needsRehash, err := a.hasher.Verify(pw, hash)
	if errors.Is(err, password.ErrBusy) && attempt != 0 {
		// Nothing was checked: a 503 the client retries must not count
		// toward locking the account.
		if derr := a.store.DeleteAttempt(ctx, attempt); derr != nil {
			return domain.Session{}, derr
		}
	}
	if err != nil {
		return domain.Session{}, err
	}
	if !ok || u.PasswordHash == "" {
		return domain.Session{}, domain.ErrInvalidCredentials
	}
	if needsRehash {
		a.rehash(ctx, u, pw)
	}
	// Right password: forget the failures, then say why the account may not
	// sign in (only now, so guessers learn nothing about the account).
	if err := a.store.ClearAttempts(ctx, accountKey); err != nil {
		return domain.Session{}, err
	}
	return a.startSession(ctx, u)
}

// rehash stores a hash of pw made with the current parameters in place of
// one made with older ones — only if the stored hash is still that one, so a
// password changed meanwhile is never put back. It is best effort: the
// sign-in succeeds regardless, and the next one tries again.
func (a *App) rehash(ctx context.Context, u domain.User, pw string) {
	if hash, err := a.hasher.Hash(pw); err == nil {
		_ = a.store.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
}

// throttle counts an attempt under key and refuses it, uncounted, when key
// already has limit attempts in window. It returns the counted attempt's id
// (0 when limit is off).
func (a *App) throttle(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (int64, error) {
	if limit <= 0 {
		return 0, nil
	}
	id, n, oldest, err := a.store.AddAttempt(ctx, key, now.Add(-window))
	if err != nil {
		return 0, err
	}
	if n <= limit {
		return id, nil
	}
	if err := a.store.DeleteAttempt(ctx, id); err != nil {
		return 0, err
	}
	wait := time.Duration(math.Ceil(oldest.Add(window).Sub(now).Seconds())) * time.Second
	return 0, domain.ErrThrottled.After(max(wait, time.Second))
}

// startSession issues a token pair for an active user.
func (a *App) startSession(ctx context.Context, u domain.User) (domain.Session, error) {
	switch u.Status {
	case domain.StatusPending:
		return domain.Session{}, domain.ErrNotVerified
	case domain.StatusDisabled:
		return domain.Session{}, domain.ErrDisabled
	}
	refresh, hash := opaque.New()
	if err := a.store.CreateRefreshToken(ctx, u.ID, hash, a.now().Add(a.cfg.RefreshTTL)); err != nil {
		return domain.Session{}, err
	}
	return a.session(u, refresh)
}

func (a *App) session(u domain.User, refresh string) (domain.Session, error) {
	access, err := a.signer.Sign(u.ID, u.Roles, a.cfg.AccessTTL, a.now())
	if err != nil {
		return domain.Session{}, err
	}
	return domain.Session{AccessToken: access, RefreshToken: refresh, ExpiresIn: a.cfg.AccessTTL, User: u}, nil
}

// Refresh rotates a refresh token and returns a new pair with the user's
// current roles.
func (a *App) Refresh(ctx context.Context, refresh string) (domain.Session, error) {
	next, nextHash := opaque.New()
	var refused error // a refusal commits: a reused token's family stays revoked
	userID, err := inTx(ctx, a, func(s Store, _ pgx.Tx) (string, error) {
		id, err := s.RotateRefreshToken(ctx, opaque.Hash(refresh), nextHash, a.now().Add(a.cfg.RefreshTTL))
		var refusal *errs.Error
		if errors.As(err, &refusal) {
			refused, err = err, nil
		}
		return id, err
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return domain.Session{}, err
	}
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return domain.Session{}, err
	}
	return a.session(u, next)
}

// Logout revokes one refresh token.
func (a *App) Logout(ctx context.Context, refresh string) error {
	return a.store.RevokeRefreshToken(ctx, opaque.Hash(refresh))
}

// LogoutAll revokes every refresh token of the user.
func (a *App) LogoutAll(ctx context.Context, userID string) (int64, error) {
	return a.store.RevokeAllRefreshTokens(ctx, userID)
}

// PruneAttempts forgets throttling rows no window still needs.
func (a *App) PruneAttempts(ctx context.Context) (int64, error) {
	keep := max(a.cfg.AccountWindow, a.cfg.IPWindow)
	return a.store.PruneAttempts(ctx, a.now().Add(-keep))
}
