package store

import (
	"context"
	"errors"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// UserBySocial returns the user linked to the provider account.
func (s *Store) UserBySocial(ctx context.Context, provider, subject string) (domain.User, error) {
	return scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users u
		JOIN social_accounts sa ON sa.user_id = u.id WHERE sa.provider = $1 AND sa.subject = $2`, provider, subject))
}

// LinkSocial links a provider account to an existing user. The provider vouched
// for the email, so a pending account becomes active and verified. Several
// statements: run it in a transaction.
func (s *Store) LinkSocial(ctx context.Context, userID, provider, subject, email string) (domain.User, error) {
	if err := linkSocial(ctx, s.db, userID, provider, subject, email); err != nil {
		return domain.User{}, err
	}
	const q = `UPDATE users SET status = CASE WHEN status = 'pending_verification' THEN 'active' ELSE status END,
			email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
		WHERE id = $1`
	if _, err := s.db.Exec(ctx, q, userID); err != nil {
		return domain.User{}, translate(err)
	}
	return s.UserByID(ctx, userID)
}

func linkSocial(ctx context.Context, db postgres.DB, userID, provider, subject, email string) error {
	const q = `INSERT INTO social_accounts (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)`
	_, err := db.Exec(ctx, q, provider, subject, userID, email)
	if err := translate(err); err != nil {
		if errors.Is(err, domain.ErrSocialTaken) {
			return domain.ErrSocialTaken
		}
		return err
	}
	return nil
}
