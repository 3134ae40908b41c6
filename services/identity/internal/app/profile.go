package app

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
	idevents "github.com/jangteo/jangteo/services/identity/internal/events"
	"github.com/jangteo/jangteo/services/identity/internal/phone"
)

// UpdateMe changes the given profile fields; an empty phone, avatar or
// username clears it.
func (a *App) UpdateMe(ctx context.Context, userID string, c domain.ProfileChange) (domain.User, error) {
	var v errs.Violations
	if c.Name != nil {
		if n := strings.TrimSpace(*c.Name); n == "" {
			v.Add("name", "must not be empty")
		} else {
			c.Name = &n
		}
	}
	if c.Phone != nil && *c.Phone != "" {
		p, err := phone.Normalize(*c.Phone, phone.DefaultRegion)
		if err != nil {
			v.Add("phone", err.Error())
		}
		c.Phone = &p
	}
	if c.AvatarURL != nil && *c.AvatarURL != "" && !domain.ValidHTTPURL(*c.AvatarURL) {
		v.Add("avatar_url", "must be an http or https URL")
	}
	if c.Username != nil && *c.Username != "" && !domain.ValidUsername(*c.Username) {
		v.Add("username", "must be 3 to 30 letters, digits, '_' or '.'")
	}
	if err := v.Err(); err != nil {
		return domain.User{}, err
	}
	// Other services show the public part of the profile: they hear of the
	// change in the same transaction.
	return inTx(ctx, a, func(s Store, tx pgx.Tx) (domain.User, error) {
		u, err := s.UpdateProfile(ctx, userID, c)
		if err != nil {
			return domain.User{}, err
		}
		_, err = events.Enqueue(ctx, tx, idevents.SubjectUserProfileChanged, idevents.UserProfileChanged(u), events.Aggregate(u.ID))
		return u, err
	})
}

// Addresses lists the user's addresses.
func (a *App) Addresses(ctx context.Context, userID string) ([]domain.Address, error) {
	return a.store.Addresses(ctx, userID)
}

// CreateAddress adds an address to the user's book.
func (a *App) CreateAddress(ctx context.Context, ad domain.Address) (domain.Address, error) {
	p, err := phone.Normalize(ad.Phone, phone.DefaultRegion)
	if err != nil {
		return domain.Address{}, errs.InvalidFields(errs.Field("phone", err.Error()))
	}
	ad.Phone = p
	if ad.Country == "" {
		ad.Country = "KR"
	}
	return inTx(ctx, a, func(s Store, _ pgx.Tx) (domain.Address, error) {
		return s.CreateAddress(ctx, ad)
	})
}

// UpdateAddress changes one of the user's addresses.
func (a *App) UpdateAddress(ctx context.Context, userID, id string, c domain.AddressChange) (domain.Address, error) {
	if c.Phone != nil {
		p, err := phone.Normalize(*c.Phone, phone.DefaultRegion)
		if err != nil {
			return domain.Address{}, errs.InvalidFields(errs.Field("phone", err.Error()))
		}
		c.Phone = &p
	}
	return inTx(ctx, a, func(s Store, _ pgx.Tx) (domain.Address, error) {
		return s.UpdateAddress(ctx, userID, id, c)
	})
}

// DeleteAddress removes one of the user's addresses.
func (a *App) DeleteAddress(ctx context.Context, userID, id string) error {
	_, err := inTx(ctx, a, func(s Store, _ pgx.Tx) (struct{}, error) {
		return struct{}{}, s.DeleteAddress(ctx, userID, id)
	})
	return err
}
