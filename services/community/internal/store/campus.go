package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SchoolMember reports whether the user is an approved member of the school.
func (q *Queries) SchoolMember(ctx context.Context, userID, schoolID string) (bool, error) {
	const sql = `SELECT EXISTS (SELECT 1 FROM school_members WHERE user_id = $1 AND school_id = $2 AND status = 'approved')`
	var ok bool
	if err := q.db.QueryRow(ctx, sql, userID, schoolID).Scan(&ok); err != nil {
		return false, fmt.Errorf("db: school member: %w", err)
	}
	return ok, nil
}

// SchoolOf returns the school of the board a post, or a comment's post, is
// on: empty for a global board or when there is no such post or comment
// (the caller's own lookup reports that).
func (q *Queries) SchoolOf(ctx context.Context, postID, commentID string) (string, error) {
	const sql = `SELECT coalesce(b.school_id::text, '') FROM posts p JOIN boards b ON b.id = p.board_id
		WHERE p.id = coalesce($1::uuid, (SELECT c.post_id FROM comments c WHERE c.id = $2::uuid))`
	var school string
	err := q.db.QueryRow(ctx, sql, nullable(postID), nullable(commentID)).Scan(&school)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("db: school of: %w", err)
	}
	return school, nil
}
