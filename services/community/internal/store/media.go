package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// LockUploads serialises one member's uploads for the rest of the
// transaction, so two parallel uploads cannot both take the last slot of
// the hourly budget.
func (q *Queries) LockUploads(ctx context.Context, ownerID string) error {
	if _, err := q.db.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('community.media:' || $1, 0))`, ownerID); err != nil {
		return fmt.Errorf("db: lock uploads: %w", err)
	}
	return nil
}

// UploadsSince counts the member's uploads created at or after since.
func (q *Queries) UploadsSince(ctx context.Context, ownerID string, since time.Time) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT count(*) FROM media WHERE owner_id = $1 AND created_at >= $2`, ownerID, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: count uploads: %w", err)
	}
	return n, nil
}

// CreateMedia records an upload before its object is stored (url empty).
func (q *Queries) CreateMedia(ctx context.Context, m domain.Media) error {
	const sql = `INSERT INTO media (id, owner_id, object_key, content_type, size_bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6)`
	if _, err := q.db.Exec(ctx, sql, m.ID, m.OwnerID, m.Key, m.ContentType, m.Size, m.CreatedAt); err != nil {
		return fmt.Errorf("db: create media: %w", err)
	}
	return nil
}

// MediaStored sets the URL of an upload whose object is stored.
func (q *Queries) MediaStored(ctx context.Context, id, url string) error {
	if _, err := q.db.Exec(ctx, `UPDATE media SET url = $2 WHERE id = $1`, id, url); err != nil {
		return fmt.Errorf("db: media stored: %w", err)
	}
	return nil
}

// DeleteMedia forgets an upload whose object could not be stored.
func (q *Queries) DeleteMedia(ctx context.Context, id string) error {
	if _, err := q.db.Exec(ctx, `DELETE FROM media WHERE id = $1`, id); err != nil {
		return fmt.Errorf("db: delete media: %w", err)
	}
	return nil
}

// OwnMedia returns, by id, the stored uploads of ownerID among ids; an id
// that is unknown, not stored yet or someone else's is absent.
func (q *Queries) OwnMedia(ctx context.Context, ownerID string, ids []string) (map[string]domain.Media, error) {
	const sql = `SELECT id::text, url, content_type, size_bytes FROM media
		WHERE id = ANY($1::uuid[]) AND owner_id = $2 AND url <> ''`
	rows, err := q.db.Query(ctx, sql, ids, ownerID)
	if err != nil {
		return nil, fmt.Errorf("db: media: %w", err)
	}
	defer rows.Close()
	out := map[string]domain.Media{}
	for rows.Next() {
		m := domain.Media{OwnerID: ownerID}
		if err := rows.Scan(&m.ID, &m.URL, &m.ContentType, &m.Size); err != nil {
			return nil, fmt.Errorf("db: scan media: %w", err)
		}
		out[m.ID] = m
	}
	return out, rows.Err()
}

// DeleteUnattachedMedia deletes up to limit uploads made before before that
// no post or style uses, and returns their object keys. Run it in a
// transaction: a post made afterwards can no longer attach them.
func (q *Queries) DeleteUnattachedMedia(ctx context.Context, before time.Time, limit int) ([]string, error) {
	const sql = `DELETE FROM media WHERE id IN (
			SELECT m.id FROM media m
			WHERE m.created_at < $1 AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.media_ids @> ARRAY[m.id::text])
			ORDER BY m.created_at LIMIT $2)
		RETURNING object_key`
	rows, err := q.db.Query(ctx, sql, before, limit)
	if err != nil {
		return nil, fmt.Errorf("db: delete unattached media: %w", err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("db: delete unattached media: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
