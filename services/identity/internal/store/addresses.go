package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

const addressColumns = `id, user_id, label, recipient, phone, postal_code, line1, line2, city, country, is_default, created_at, updated_at`

func scanAddress(r pgx.Row) (domain.Address, error) {
	var a domain.Address
	err := r.Scan(&a.ID, &a.UserID, &a.Label, &a.Recipient, &a.Phone, &a.PostalCode, &a.Line1, &a.Line2,
		&a.City, &a.Country, &a.IsDefault, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, domain.ErrAddressNotFound
	}
	if err != nil {
		return a, fmt.Errorf("db: address: %w", err)
	}
	return a, nil
}

// Addresses returns the user's addresses, default first, then oldest first.
func (s *Store) Addresses(ctx context.Context, userID string) ([]domain.Address, error) {
	rows, err := s.db.Query(ctx, `SELECT `+addressColumns+` FROM addresses WHERE user_id = $1
		ORDER BY is_default DESC, created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("db: addresses: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Address, error) { return scanAddress(r) })
}

// lockUser serialises address-book changes of one user, so two concurrent
// "make default" calls cannot both win.
func (s *Store) lockUser(ctx context.Context, userID string) error {
	var id string
	err := s.db.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrUserNotFound
	}
	return err
}

func clearDefault(ctx context.Context, db postgres.DB, userID string) error {
	_, err := db.Exec(ctx, `UPDATE addresses SET is_default = false, updated_at = now() WHERE user_id = $1 AND is_default`, userID)
	return err
}

// CreateAddress adds a; it becomes the default when asked or when it is the
// user's first address. Several statements: run it in a transaction.
func (s *Store) CreateAddress(ctx context.Context, a domain.Address) (domain.Address, error) {
	a.ID = newID()
	if err := s.lockUser(ctx, a.UserID); err != nil {
		return domain.Address{}, fmt.Errorf("db: create address: %w", err)
	}
	var others bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM addresses WHERE user_id = $1)`, a.UserID).Scan(&others); err != nil {
		return domain.Address{}, fmt.Errorf("db: create address: %w", err)
	}
	a.IsDefault = a.IsDefault || !others
	if a.IsDefault {
		if err := clearDefault(ctx, s.db, a.UserID); err != nil {
			return domain.Address{}, fmt.Errorf("db: create address: %w", err)
		}
	}
	const q = `INSERT INTO addresses (id, user_id, label, recipient, phone, postal_code, line1, line2, city, country, is_default)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ` + addressColumns
	a, err := scanAddress(s.db.QueryRow(ctx, q, a.ID, a.UserID, a.Label, a.Recipient, a.Phone, a.PostalCode,
		a.Line1, a.Line2, a.City, a.Country, a.IsDefault))
	if err != nil {
		return domain.Address{}, fmt.Errorf("db: create address: %w", err)
	}
	return a, nil
}

// UpdateAddress applies c to the user's address id; another user's address
// is not found (and its transaction must roll back the cleared default).
// Several statements: run it in a transaction.
func (s *Store) UpdateAddress(ctx context.Context, userID, id string, c domain.AddressChange) (domain.Address, error) {
	if err := s.lockUser(ctx, userID); err != nil {
		return domain.Address{}, fmt.Errorf("db: update address: %w", err)
	}
	if c.MakeDefault {
		if err := clearDefault(ctx, s.db, userID); err != nil {
			return domain.Address{}, fmt.Errorf("db: update address: %w", err)
		}
	}
	const q = `UPDATE addresses SET label = coalesce($3, label), recipient = coalesce($4, recipient),
			phone = coalesce($5, phone), postal_code = coalesce($6, postal_code), line1 = coalesce($7, line1),
			line2 = coalesce($8, line2), city = coalesce($9, city), country = coalesce($10, country),
			is_default = is_default OR $11, updated_at = now()
		WHERE id = $1 AND user_id = $2 RETURNING ` + addressColumns
	a, err := scanAddress(s.db.QueryRow(ctx, q, id, userID, c.Label, c.Recipient, c.Phone, c.PostalCode,
		c.Line1, c.Line2, c.City, c.Country, c.MakeDefault))
	if err != nil {
		return domain.Address{}, fmt.Errorf("db: update address: %w", err)
	}
	return a, nil
}

// DeleteAddress removes the user's address id; when it was the default the
// newest remaining address takes over. Several statements: run it in a
// transaction.
func (s *Store) DeleteAddress(ctx context.Context, userID, id string) error {
	if err := s.lockUser(ctx, userID); err != nil {
		return fmt.Errorf("db: delete address: %w", err)
	}
	var wasDefault bool
	err := s.db.QueryRow(ctx, `DELETE FROM addresses WHERE id = $1 AND user_id = $2 RETURNING is_default`, id, userID).Scan(&wasDefault)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("db: delete address: %w", domain.ErrAddressNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: delete address: %w", err)
	}
	if !wasDefault {
		return nil
	}
	_, err = s.db.Exec(ctx, `UPDATE addresses SET is_default = true, updated_at = now()
		WHERE id = (SELECT id FROM addresses WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1)`, userID)
	if err != nil {
		return fmt.Errorf("db: delete address: %w", err)
	}
	return nil
}
