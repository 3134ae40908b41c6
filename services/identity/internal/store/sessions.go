package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// CreateRefreshToken stores the hash of a new refresh token starting a new
// family (a new sign-in).
func (s *Store) CreateRefreshToken(ctx context.Context, userID string, hash []byte, expires time.Time) error {
	const q = `INSERT INTO refresh_tokens (id, family_id, user_id, hash, expires_at) VALUES ($1, $1, $2, $3, $4)`
	if _, err := s.db.Exec(ctx, q, newID(), userID, hash, expires); err != nil {
		return fmt.Errorf("db: refresh token: %w", err)
	}
	return nil
}

// RotateRefreshToken marks the token with oldHash rotated and stores newHash
// in its family, returning the user. The rotation is one conditional UPDATE,
// so of concurrent rotations of one token exactly one succeeds. A token that
// was already rotated is a reuse: its whole family is revoked and
// ErrRefreshReused returned. A disabled user's token gives ErrDisabled.
// Several statements: run it in a transaction, and commit it when it fails
// with ErrRefreshReused, so the family stays revoked.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash []byte, expires time.Time) (string, error) {
	const rotate = `UPDATE refresh_tokens r SET rotated_at = now()
		FROM users u
		WHERE r.hash = $1 AND r.rotated_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > now()
			AND u.id = r.user_id AND u.status = 'active'
		RETURNING r.family_id, r.user_id`
	var family, userID string
	err := s.db.QueryRow(ctx, rotate, oldHash).Scan(&family, &userID)
	if err == nil {
		const insert = `INSERT INTO refresh_tokens (id, family_id, user_id, hash, expires_at) VALUES ($1, $2, $3, $4, $5)`
		if _, err := s.db.Exec(ctx, insert, newID(), family, userID, newHash, expires); err != nil {
			return "", fmt.Errorf("db: rotate: %w", err)
		}
		return userID, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("db: rotate: %w", err)
	}
	// Not rotatable: find out why. A rotated token presented again means it
	// leaked (or the client raced itself): revoke every token of its family.
	const why = `WITH t AS (
			SELECT r.family_id, r.rotated_at IS NOT NULL AS rotated, u.status
			FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.hash = $1
		), revoked AS (
			UPDATE refresh_tokens SET revoked_at = now()
			WHERE family_id IN (SELECT family_id FROM t WHERE rotated) AND revoked_at IS NULL
		)
		SELECT rotated, status FROM t`
	var rotated bool
	var status string
	err = s.db.QueryRow(ctx, why, oldHash).Scan(&rotated, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", domain.ErrRefreshInvalid
	case err != nil:
		return "", fmt.Errorf("db: rotate: %w", err)
	case rotated:
		return "", domain.ErrRefreshReused
	case status == domain.StatusDisabled:
		return "", domain.ErrDisabled
	}
	return "", domain.ErrRefreshInvalid
}

// RevokeRefreshToken revokes one token; an unknown or revoked token is no error.
func (s *Store) RevokeRefreshToken(ctx context.Context, hash []byte) error {
	if _, err := s.db.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE hash = $1 AND revoked_at IS NULL`, hash); err != nil {
		return fmt.Errorf("db: revoke: %w", err)
	}
	return nil
}

// RevokeAllRefreshTokens revokes every live token of the user and returns how
// many (rotated tokens are dead already and keep their reuse detection).
func (s *Store) RevokeAllRefreshTokens(ctx context.Context, userID string) (int64, error) {
	return revokeAll(ctx, s.db, userID)
}

func revokeAll(ctx context.Context, db postgres.DB, userID string) (int64, error) {
	tag, err := db.Exec(ctx, `UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND rotated_at IS NULL`, userID)
	if err != nil {
		return 0, fmt.Errorf("db: revoke all: %w", err)
	}
	return tag.RowsAffected(), nil
}
