package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// The pseudonym number and the profile are joined by the comment's own
// anonymity: an anonymous comment gets its number and no profile, a named one
// its profile and no number. $1 is the viewer (or NULL).
const commentSelect = `SELECT c.id, c.post_id, coalesce(c.parent_id::text, ''), coalesce(c.reply_to_id::text, ''),
	c.author_id, coalesce(pr.username, ''), coalesce(pr.name, ''), coalesce(pr.avatar_url, ''),
	c.anonymous, coalesce(ps.number, 0), c.body, c.like_count, c.created_at, c.edited_at, c.deleted_at, c.hidden_at,
	p.author_id, p.anonymous,
	EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = c.id AND l.user_id = $1)
	FROM comments c
	JOIN posts p ON p.id = c.post_id
	LEFT JOIN profiles pr ON pr.user_id = c.author_id AND NOT c.anonymous
	LEFT JOIN post_pseudonyms ps ON ps.post_id = c.post_id AND ps.user_id = c.author_id AND c.anonymous`

func scanComment(row pgx.Row) (domain.Comment, error) {
	var c domain.Comment
	err := row.Scan(&c.ID, &c.PostID, &c.ParentID, &c.ReplyToID, &c.AuthorID,
		&c.Author.Username, &c.Author.Name, &c.Author.AvatarURL,
		&c.Anonymous, &c.Pseudonym, &c.Body, &c.LikeCount, &c.CreatedAt, &c.EditedAt, &c.DeletedAt, &c.HiddenAt,
		&c.PostAuthorID, &c.PostAnon, &c.Liked)
	return c, err
}

func collectComments(rows pgx.Rows, err error) ([]domain.Comment, error) {
	if err != nil {
		return nil, fmt.Errorf("db: comments: %w", err)
	}
	defer rows.Close()
	var out []domain.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("db: scan comment: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Comment reads a comment or reply; domain.ErrCommentNotFound when there is none.
func (q *Queries) Comment(ctx context.Context, viewer, id string, lock bool) (domain.Comment, error) {
	sql := commentSelect + ` WHERE c.id = $2`
	if lock {
		sql += ` FOR NO KEY UPDATE OF c`
	}
	c, err := scanComment(q.db.QueryRow(ctx, sql, nullable(viewer), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Comment{}, domain.ErrCommentNotFound
	}
	if err != nil {
		return domain.Comment{}, fmt.Errorf("db: comment %s: %w", id, err)
	}
	return c, nil
}

// CountComment adds delta to a post's comment count,
// locking the post's row for the rest of the transaction. It fails with
// domain.ErrPostNotFound when the post is deleted or hidden and delta is
// positive: a closed post takes no comments.
func (q *Queries) CountComment(ctx context.Context, postID string, delta int) error {
	const sql = `UPDATE posts SET comment_count = comment_count + $2
		WHERE id = $1 AND ($2 < 0 OR (deleted_at IS NULL AND hidden_at IS NULL))`
	tag, err := q.db.Exec(ctx, sql, postID, delta)
	if err != nil {
		return fmt.Errorf("db: count comment: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrPostNotFound
	}
	return nil
}

// Pseudonym returns the 익명N number userID holds in the post's thread,
// giving out the next one on first use. The caller's transaction must hold
// the post's row lock (CountComment), which makes numbering sequential.
func (q *Queries) Pseudonym(ctx context.Context, postID, userID string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT number FROM post_pseudonyms WHERE post_id = $1 AND user_id = $2`, postID, userID).Scan(&n)
	if err == nil {
		return n, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("db: pseudonym: %w", err)
	}
	const next = `WITH seq AS (UPDATE posts SET anon_seq = anon_seq + 1 WHERE id = $1 RETURNING anon_seq)
		INSERT INTO post_pseudonyms (post_id, user_id, number) SELECT $1, $2, anon_seq FROM seq RETURNING number`
	if err := q.db.QueryRow(ctx, next, postID, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: next pseudonym: %w", err)
	}
	return n, nil
}

// CreateComment inserts a comment or reply.
func (q *Queries) CreateComment(ctx context.Context, c domain.Comment) error {
	const sql = `INSERT INTO comments (id, post_id, parent_id, reply_to_id, author_id, anonymous, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	_, err := q.db.Exec(ctx, sql, c.ID, c.PostID, nullable(c.ParentID), nullable(c.ReplyToID), c.AuthorID, c.Anonymous, c.Body, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("db: create comment: %w", err)
	}
	return nil
}

// UpdateComment writes an edited comment's body.
func (q *Queries) UpdateComment(ctx context.Context, c domain.Comment) error {
	if _, err := q.db.Exec(ctx, `UPDATE comments SET body = $2, edited_at = $3 WHERE id = $1`, c.ID, c.Body, c.EditedAt); err != nil {
		return fmt.Errorf("db: update comment: %w", err)
	}
	return nil
}

// DeleteComment marks a comment deleted; false when it already was.
func (q *Queries) DeleteComment(ctx context.Context, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE comments SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("db: delete comment: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// HideComment hides or shows a comment; changed is false when it already
// was in that state.
func (q *Queries) HideComment(ctx context.Context, id string, hidden bool) (changed bool, err error) {
	sql := `UPDATE comments SET hidden_at = now() WHERE id = $1 AND hidden_at IS NULL`
	if !hidden {
		sql = `UPDATE comments SET hidden_at = NULL WHERE id = $1 AND hidden_at IS NOT NULL`
	}
	tag, err := q.db.Exec(ctx, sql, id)
	if err != nil {
		return false, fmt.Errorf("db: hide comment: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// CommentPage is a page of comments with all their replies.
type CommentPage struct {
	Comments []domain.Comment
	Replies  []domain.Comment
	Next     string
}

// Comments pages a post's comments newest first (by UUIDv7 id) and reads
// every reply of the page's comments, oldest first.
func (q *Queries) Comments(ctx context.Context, viewer, postID string, pg Page) (CommentPage, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return CommentPage{}, err
	}
	const sql = commentSelect + ` WHERE c.post_id = $2 AND c.parent_id IS NULL AND ($3::uuid IS NULL OR c.id < $3)
		ORDER BY c.id DESC LIMIT $4`
	comments, err := collectComments(q.db.Query(ctx, sql, nullable(viewer), postID, after, pg.Size+1))
	if err != nil {
		return CommentPage{}, err
	}
	var out CommentPage
	if len(comments) > pg.Size {
		comments = comments[:pg.Size]
		out.Next = encodeCursor(comments[len(comments)-1].ID)
	}
	out.Comments = comments
	if len(comments) == 0 {
		return out, nil
	}
	ids := make([]string, len(comments))
	for i, c := range comments {
		ids[i] = c.ID
	}
	const replies = commentSelect + ` WHERE c.parent_id = ANY($2::uuid[]) ORDER BY c.id`
	out.Replies, err = collectComments(q.db.Query(ctx, replies, nullable(viewer), ids))
	return out, err
}

// Replies reads every reply of a comment, oldest first.
func (q *Queries) Replies(ctx context.Context, viewer, commentID string) ([]domain.Comment, error) {
	const sql = commentSelect + ` WHERE c.parent_id = $2 ORDER BY c.id`
	return collectComments(q.db.Query(ctx, sql, nullable(viewer), commentID))
}
