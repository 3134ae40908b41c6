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
	"github.com/jangteo/jangteo/services/identity/internal/phone"
)

// SignUpRequest is a new account's details.
type SignUpRequest struct {
	Email, Password, Name, Phone string
}

// SignUp creates an account pending verification; the verification mail is
// sent from the identity.user_registered event.
func (a *App) SignUp(ctx context.Context, r SignUpRequest) (domain.User, error) {
	var v errs.Violations
	email := domain.NormalizeEmail(r.Email)
	if !domain.ValidEmail(email) {
		v.Add("email", "must be a valid email address")
	}
	if err := password.CheckStrength(r.Password); err != nil {
		v.Add("password", err.Error())
	}
	phoneE164 := ""
	if r.Phone != "" {
		var err error
		if phoneE164, err = phone.Normalize(r.Phone, phone.DefaultRegion); err != nil {
			v.Add("phone", err.Error())
		}
	}
	if err := v.Err(); err != nil {
		return domain.User{}, err
	}
	// A taken email is answered before the (memory-hungry) hash is made; the
	// unique index still decides a race between two sign-ups.
	switch _, err := a.store.UserByEmail(ctx, email); {
	case err == nil:
		return domain.User{}, domain.ErrEmailTaken
	case !errors.Is(err, domain.ErrUserNotFound):
		return domain.User{}, err
	}
	hash, err := a.hasher.Hash(r.Password)
	if err != nil {
		return domain.User{}, err
	}
	return a.createUser(ctx, domain.User{
		Email: email, Name: r.Name, Phone: phoneE164, PasswordHash: hash,
		Roles: []string{domain.RoleCustomer}, Status: domain.StatusPending,
	}, "", "", "")
}

// createUser stores u, linked to a provider account for a social sign-up,
// with identity.user_registered in the same transaction.
func (a *App) createUser(ctx context.Context, u domain.User, provider, subject, providerEmail string) (domain.User, error) {
	return inTx(ctx, a, func(s Store, tx pgx.Tx) (domain.User, error) {
		created, err := s.CreateUser(ctx, u, provider, subject, providerEmail)
		if err != nil {
			return domain.User{}, err
		}
		_, err = events.Enqueue(ctx, tx, idevents.SubjectUserRegistered, idevents.UserRegistered(created, provider), events.Aggregate(created.ID))
		return created, err
	})
}

// VerifyEmail activates the account a verification token was mailed for.
func (a *App) VerifyEmail(ctx context.Context, tok string) (domain.User, error) {
	return inTx(ctx, a, func(s Store, tx pgx.Tx) (domain.User, error) {
		u, verified, err := s.VerifyEmail(ctx, opaque.Hash(tok))
		if err != nil {
			return domain.User{}, err
		}
		if u.Status == domain.StatusDisabled {
			return domain.User{}, domain.ErrDisabled // and the link stays unused
		}
		if verified {
			_, err = events.Enqueue(ctx, tx, idevents.SubjectUserVerified, idevents.UserVerified(u), events.Aggregate(u.ID))
		}
		return u, err
	})
}

// ResendVerification asks for another verification mail when the account
// exists and is pending; otherwise it does nothing, and says nothing.
func (a *App) ResendVerification(ctx context.Context, email string) error {
	u, err := a.store.UserByEmail(ctx, domain.NormalizeEmail(email))
	if errors.Is(err, domain.ErrUserNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.Status != domain.StatusPending {
		return nil
	}
	_, err = events.Enqueue(ctx, a.db, idevents.SubjectVerificationRequested, idevents.VerificationRequested(u, a.now()))
	return err
}
