package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Toggle is the outcome of a like or scrap: the count after it and whether
// this call changed anything (false for a repeat).
type Toggle struct {
	Count   int
	Changed bool
}

// Each toggle is one statement: the like row is inserted (or deleted) and the
// target's counter moves by the number of rows that statement changed, so a
// repeat moves nothing and concurrent likes and unlikes never drift the
// count. The counter's UPDATE also fails closed on a target that is gone.

func (q *Queries) toggle(ctx context.Context, sql, what, id, userID string) (Toggle, error) {
	var t Toggle
	err := q.db.QueryRow(ctx, sql, id, userID).Scan(&t.Count, &t.Changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return Toggle{}, errGone
	}
	if err != nil {
		return Toggle{}, fmt.Errorf("db: %s: %w", what, err)
	}
	return t, nil
}

// errGone says the target vanished between the use case's read and its write;
// the use case maps it to its not-found error.
var errGone = errors.New("target gone")

// IsGone reports whether err says a toggle's target is deleted or hidden.
func IsGone(err error) bool { return errors.Is(err, errGone) }

// LikePost adds userID's like to a post.
func (q *Queries) LikePost(ctx context.Context, postID, userID string) (Toggle, error) {
	const sql = `WITH ins AS (INSERT INTO post_likes (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM ins)
		UPDATE posts SET like_count = like_count + d.n
		FROM d WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
		RETURNING like_count, d.n = 1`
	return q.toggle(ctx, sql, "like post", postID, userID)
}

// UnlikePost takes userID's like off a post.
func (q *Queries) UnlikePost(ctx context.Context, postID, userID string) (Toggle, error) {
	const sql = `WITH del AS (DELETE FROM post_likes WHERE post_id = $1 AND user_id = $2 RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM del)
		UPDATE posts SET like_count = like_count - d.n
		FROM d WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
		RETURNING like_count, d.n = 1`
	return q.toggle(ctx, sql, "unlike post", postID, userID)
}

// LikeComment adds userID's like to a comment or reply.
func (q *Queries) LikeComment(ctx context.Context, commentID, userID string) (Toggle, error) {
	const sql = `WITH ins AS (INSERT INTO comment_likes (comment_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM ins)
		UPDATE comments SET like_count = like_count + d.n
		FROM d WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
		RETURNING like_count, d.n = 1`
	return q.toggle(ctx, sql, "like comment", commentID, userID)
}

// UnlikeComment takes userID's like off a comment or reply.
func (q *Queries) UnlikeComment(ctx context.Context, commentID, userID string) (Toggle, error) {
	const sql = `WITH del AS (DELETE FROM comment_likes WHERE comment_id = $1 AND user_id = $2 RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM del)
		UPDATE comments SET like_count = like_count - d.n
		FROM d WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
		RETURNING like_count, d.n = 1`
	return q.toggle(ctx, sql, "unlike comment", commentID, userID)
}

// Scrap bookmarks a post for userID.
func (q *Queries) Scrap(ctx context.Context, postID, userID string) (Toggle, error) {
	const sql = `WITH ins AS (INSERT INTO scraps (post_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM ins)
		UPDATE posts SET scrap_count = scrap_count + d.n
		FROM d WHERE id = $1 AND deleted_at IS NULL AND hidden_at IS NULL
		RETURNING scrap_count, d.n = 1`
	return q.toggle(ctx, sql, "scrap", postID, userID)
}

// Unscrap removes userID's bookmark of a post. A deleted or hidden post can
// still be unscrapped.
func (q *Queries) Unscrap(ctx context.Context, postID, userID string) (Toggle, error) {
	const sql = `WITH del AS (DELETE FROM scraps WHERE post_id = $1 AND user_id = $2 RETURNING 1),
		d AS (SELECT count(*)::int AS n FROM del)
		UPDATE posts SET scrap_count = scrap_count - d.n
		FROM d WHERE id = $1
		RETURNING scrap_count, d.n = 1`
	return q.toggle(ctx, sql, "unscrap", postID, userID)
}

// Scraps pages a user's scrapped live posts, most recently scrapped first.
func (q *Queries) Scraps(ctx context.Context, userID string, pg Page) (PostPage, error) {
	after, err := afterSeq(pg.After)
	if err != nil {
		return PostPage{}, err
	}
	// $1 is both the scrapper and the viewer of the like and scrap flags.
	const sql = `SELECT ` + postColumns + `, s.seq` + postFrom + `
		JOIN scraps s ON s.post_id = p.id AND s.user_id = $1
		WHERE ` + live + ` AND ($2::bigint IS NULL OR s.seq < $2)
		ORDER BY s.seq DESC LIMIT $3`
	rows, err := q.db.Query(ctx, sql, userID, after, pg.Size+1)
	if err != nil {
		return PostPage{}, fmt.Errorf("db: scraps: %w", err)
	}
	defer rows.Close()
	var out PostPage
	var seqs []int64
	for rows.Next() {
		var seq int64
		p, err := scanPost(rows, &seq)
		if err != nil {
			return PostPage{}, fmt.Errorf("db: scan scrap: %w", err)
		}
		out.Posts, seqs = append(out.Posts, p.Post), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return PostPage{}, fmt.Errorf("db: scraps: %w", err)
	}
	if len(out.Posts) > pg.Size {
		out.Posts = out.Posts[:pg.Size]
		out.Next = encodeCursor(strconv.FormatInt(seqs[pg.Size-1], 10))
	}
	return out, nil
}

// IsMissingTarget reports whether err is a like or scrap of an id that
// names no post or comment at all.
func IsMissingTarget(err error) bool {
	_, ok := postgres.IsForeignKeyViolation(err)
	return ok
}
