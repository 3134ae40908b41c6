package store

import (
	"context"
	"fmt"
	"time"
)

// AddAttempt counts one attempt under key and returns its id and how many
// attempts key has since since, this one included, with the oldest's time.
// The insert commits before the count, so of concurrent attempts the last to
// count sees them all: no more than the limit ever pass.
func (s *Store) AddAttempt(ctx context.Context, key string, since time.Time) (id int64, n int, oldest time.Time, err error) {
	if err := s.db.QueryRow(ctx, `INSERT INTO login_attempts (key) VALUES ($1) RETURNING id`, key).Scan(&id); err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("db: add attempt: %w", err)
	}
	const q = `SELECT count(*), coalesce(min(at), now()) FROM login_attempts WHERE key = $1 AND at > $2`
	if err := s.db.QueryRow(ctx, q, key, since).Scan(&n, &oldest); err != nil {
		return 0, 0, time.Time{}, fmt.Errorf("db: count attempts: %w", err)
	}
	return id, n, oldest, nil
}

// DeleteAttempt uncounts one attempt.
func (s *Store) DeleteAttempt(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_attempts WHERE id = $1`, id); err != nil {
		return fmt.Errorf("db: delete attempt: %w", err)
	}
	return nil
}

// ClearAttempts forgets every attempt under key.
func (s *Store) ClearAttempts(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_attempts WHERE key = $1`, key); err != nil {
		return fmt.Errorf("db: clear attempts: %w", err)
	}
	return nil
}

// PruneAttempts deletes attempts older than before and returns how many.
func (s *Store) PruneAttempts(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db.Exec(ctx, `DELETE FROM login_attempts WHERE at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("db: prune attempts: %w", err)
	}
	return tag.RowsAffected(), nil
}
