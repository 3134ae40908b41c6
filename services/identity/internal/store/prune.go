package store

import (
	"context"
	"fmt"
	"time"
)

// PruneTokens deletes mailed-link tokens and refresh tokens that expired
// before before and returns how many.
func (s *Store) PruneTokens(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	for _, q := range []string{
		`DELETE FROM one_time_tokens WHERE expires_at < $1`,
		`DELETE FROM refresh_tokens WHERE expires_at < $1`,
	} {
		tag, err := s.db.Exec(ctx, q, before)
		if err != nil {
			return n, fmt.Errorf("db: prune tokens: %w", err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
