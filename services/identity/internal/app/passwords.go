package app

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/opaque"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	idevents "github.com/jangteo/jangteo/services/identity/internal/events"
	"github.com/jangteo/jangteo/services/identity/internal/password"
)

// ForgotPassword asks for a reset mail when the account exists and is not
// disabled; otherwise it does nothing, and says nothing.
func (a *App) ForgotPassword(ctx context.Context, email string) error {
	u, err := a.store.UserByEmail(ctx, domain.NormalizeEmail(email))
	if errors.Is(err, domain.ErrUserNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Status == domain.StatusDisabled {
		return nil
	}
	_, err = events.Enqueue(ctx, a.db, idevents.SubjectPasswordResetRequested, idevents.PasswordResetRequested(u, a.now()))
	return err
}

// ResetPassword sets a new password with a mailed token and ends every session.
func (a *App) ResetPassword(ctx context.Context, tok, newPassword string) error {
	if err := password.CheckStrength(newPassword); err != nil {
		return errs.InvalidFields(errs.Field("new_password", err.Error()))
	}
	hash, err := a.hasher.Hash(newPassword)
	if err != nil {
		return err
	}
	_, err = inTx(ctx, a, func(s Store, _ pgx.Tx) (domain.User, error) {
		return s.ResetPassword(ctx, opaque.Hash(tok), hash)
	})
	return err
}

// ChangePassword sets a new password given the current one and ends every
// session; the caller signs in again (its access token runs out on its own).
func (a *App) ChangePassword(ctx context.Context, userID, current, newPassword string) error {
	u, err := a.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok := false
	if u.PasswordHash != "" {
		if ok, _, err = a.hasher.Verify(current, u.PasswordHash); err != nil {
			return err
		}
	}
	if !ok {
		return errs.InvalidFields(errs.Field("current_password", "is not the account's password"))
	}
	if err := password.CheckStrength(newPassword); err != nil {
		return errs.InvalidFields(errs.Field("new_password", err.Error()))
	}
	hash, err := a.hasher.Hash(newPassword)
	if err != nil {
		return err
	}
	_, err = inTx(ctx, a, func(s Store, _ pgx.Tx) (struct{}, error) {
		return struct{}{}, s.SetPassword(ctx, userID, hash, true)
	})
	return err
}
