package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	"github.com/jangteo/jangteo/services/identity/internal/social"
)

// SocialLogin signs in with a provider access token: the account linked to
// the provider's user, else the account with the same provider-verified
// email (which gets linked), else a new active account. created reports the
// last case.
func (a *App) SocialLogin(ctx context.Context, providerName, accessToken string) (s domain.Session, created bool, err error) {
	provider, err := a.social.Get(providerName)
	if err != nil {
		return domain.Session{}, false, errs.InvalidFields(errs.Field("provider", "must be one of google, naver, kakao"))
	}
	profile, err := provider.UserInfo(ctx, accessToken)
	switch {
	case errors.Is(err, social.ErrInvalidToken):
		return domain.Session{}, false, fmt.Errorf("%w: %w", domain.ErrSocialToken, err)
	case errors.Is(err, social.ErrUnavailable), errors.Is(err, social.ErrBadResponse):
		return domain.Session{}, false, fmt.Errorf("%w: %w", domain.ErrProviderDown, err)
	case err != nil:
		return domain.Session{}, false, err
	}
	// Two first sign-ins of one provider account may race; the loser's link
	// fails on the primary key and it finds the winner's account.
	for range 2 {
		var u domain.User
		u, created, err = a.socialAccount(ctx, profile)
		if errors.Is(err, domain.ErrSocialTaken) {
			continue
		}
		if err != nil {
			return domain.Session{}, false, err
		}
		s, err = a.startSession(ctx, u)
		return s, created, err
	}
	return domain.Session{}, false, err
}

func (a *App) socialAccount(ctx context.Context, p social.Profile) (domain.User, bool, error) {
	u, err := a.store.UserBySocial(ctx, p.Provider, p.Subject)
	if err == nil || !errors.Is(err, domain.ErrUserNotFound) {
		return u, false, err
	}
	email := ""
	if p.EmailVerified {
		email = domain.NormalizeEmail(p.Email)
		u, err := a.store.UserByEmail(ctx, email)
		if err == nil {
			if u.Status == domain.StatusDisabled {
				return domain.User{}, false, domain.ErrDisabled
			}
			u, err = inTx(ctx, a, func(s Store, _ pgx.Tx) (domain.User, error) {
				return s.LinkSocial(ctx, u.ID, p.Provider, p.Subject, email)
			})
			return u, false, err
		}
		if !errors.Is(err, domain.ErrUserNotFound) {
			return domain.User{}, false, err
		}
	}
	name := p.Name
	if name == "" {
		name = p.Provider + " user"
	}
	avatar := p.AvatarURL
	if !domain.ValidHTTPURL(avatar) {
		avatar = ""
	}
	u, err = a.createUser(ctx, domain.User{
		Email: email, EmailVerified: email != "", Name: name, AvatarURL: avatar,
		Roles: []string{domain.RoleCustomer}, Status: domain.StatusActive,
	}, p.Provider, p.Subject, p.Email)
	return u, err == nil, err
}
