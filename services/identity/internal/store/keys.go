package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SigningKeyPEM returns the stored signing key, storing generated() first when
// there is none. Replicas starting together race on one row; the first insert
// wins and every replica reads the same key.
func (s *Store) SigningKeyPEM(ctx context.Context, generated func() ([]byte, error)) ([]byte, error) {
	var pem []byte
	err := s.db.QueryRow(ctx, `SELECT private_pem FROM signing_keys WHERE id = 1`).Scan(&pem)
	if err == nil {
		return pem, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("db: signing key: %w", err)
	}
	fresh, err := generated()
	if err != nil {
		return nil, err
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO signing_keys (id, private_pem) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, fresh); err != nil {
		return nil, fmt.Errorf("db: store signing key: %w", err)
	}
	if err := s.db.QueryRow(ctx, `SELECT private_pem FROM signing_keys WHERE id = 1`).Scan(&pem); err != nil {
		return nil, fmt.Errorf("db: signing key: %w", err)
	}
	return pem, nil
}
