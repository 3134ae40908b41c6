package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/identity/internal/domain"
)

// RecordHoneypotAttempt stores a and counts it against its IP; the IP is
// blocked once it reaches blockAfter attempts since its last unblock.
// Several statements: run it in a transaction.
func (s *Store) RecordHoneypotAttempt(ctx context.Context, a domain.HoneypotAttempt, blockAfter int) (bool, error) {
	const ins = `INSERT INTO honeypot_attempts (id, ip, user_agent, path, username_tried) VALUES ($1, $2, $3, $4, $5)`
	if _, err := s.db.Exec(ctx, ins, newID(), a.IP, a.UserAgent, a.Path, a.UsernameTried); err != nil {
		return false, fmt.Errorf("db: honeypot attempt: %w", err)
	}
	const count = `INSERT INTO honeypot_ips (ip, attempts, blocked_at) VALUES ($1, 1, CASE WHEN 1 >= $2 THEN now() END)
		ON CONFLICT (ip) DO UPDATE SET attempts = honeypot_ips.attempts + 1,
			blocked_at = coalesce(honeypot_ips.blocked_at, CASE WHEN honeypot_ips.attempts + 1 >= $2 THEN now() END)
		RETURNING blocked_at IS NOT NULL`
	var blocked bool
	if err := s.db.QueryRow(ctx, count, a.IP, blockAfter).Scan(&blocked); err != nil {
		return false, fmt.Errorf("db: honeypot attempt: %w", err)
	}
	return blocked, nil
}

// BlockedIPs returns every blocked IP.
func (s *Store) BlockedIPs(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT ip FROM honeypot_ips WHERE blocked_at IS NOT NULL ORDER BY blocked_at`)
	if err != nil {
		return nil, fmt.Errorf("db: blocked ips: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// HoneypotAttempts returns up to limit attempts older than before (an attempt
// id; empty for the newest), newest first, optionally of one IP.
func (s *Store) HoneypotAttempts(ctx context.Context, ip, before string, limit int) ([]domain.HoneypotAttempt, error) {
	const q = `SELECT id, ip, user_agent, path, username_tried, created_at FROM honeypot_attempts
		WHERE ($1 = '' OR ip = $1) AND ($2 = '' OR id < $2::uuid)
		ORDER BY id DESC LIMIT $3`
	rows, err := s.db.Query(ctx, q, ip, before, limit)
	if err != nil {
		return nil, fmt.Errorf("db: honeypot attempts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.HoneypotAttempt, error) {
		var a domain.HoneypotAttempt
		err := r.Scan(&a.ID, &a.IP, &a.UserAgent, &a.Path, &a.UsernameTried, &a.CreatedAt)
		return a, err
	})
}

// UnblockIP lifts ip's block and resets its count; it reports whether ip was blocked.
func (s *Store) UnblockIP(ctx context.Context, ip string) (bool, error) {
	var was bool
	err := s.db.QueryRow(ctx, `WITH old AS (SELECT blocked_at IS NOT NULL AS b FROM honeypot_ips WHERE ip = $1),
			upd AS (UPDATE honeypot_ips SET attempts = 0, blocked_at = NULL WHERE ip = $1)
		SELECT coalesce((SELECT b FROM old), false)`, ip).Scan(&was)
	if err != nil {
		return false, fmt.Errorf("db: unblock: %w", err)
	}
	return was, nil
}
