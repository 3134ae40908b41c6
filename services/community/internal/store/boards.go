package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// BoardRow is a board with whether the caller favours it.
type BoardRow struct {
	domain.Board
	Favorite bool
}

const boardColumns = `b.id, b.slug, b.name, b.description, b.category, b.kind, coalesce(b.school_id::text, ''),
	b.anonymous_allowed, b.labels, b.position, b.created_at,
	EXISTS (SELECT 1 FROM favorite_boards f WHERE f.board_id = b.id AND f.user_id = $1)`

func scanBoard(row pgx.Row) (BoardRow, error) {
	var b BoardRow
	err := row.Scan(&b.ID, &b.Slug, &b.Name, &b.Description, &b.Category, &b.Kind, &b.SchoolID,
		&b.AnonymousAllowed, &b.Labels, &b.Position, &b.CreatedAt, &b.Favorite)
	return b, err
}

func collectBoards(rows pgx.Rows, err error) ([]BoardRow, error) {
	if err != nil {
		return nil, fmt.Errorf("db: boards: %w", err)
	}
	defer rows.Close()
	var out []BoardRow
	for rows.Next() {
		b, err := scanBoard(rows)
		if err != nil {
			return nil, fmt.Errorf("db: scan board: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CreateBoard inserts a board; domain.ErrBoardExists when its slug is taken.
func (q *Queries) CreateBoard(ctx context.Context, b domain.Board) error {
	const sql = `INSERT INTO boards (id, slug, name, description, category, kind, school_id, anonymous_allowed, labels, position)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	_, err := q.db.Exec(ctx, sql, b.ID, b.Slug, b.Name, b.Description, b.Category, b.Kind,
		nullable(b.SchoolID), b.AnonymousAllowed, b.Labels, b.Position)
	if _, dup := postgres.IsUniqueViolation(err); dup {
		return domain.FieldError(domain.ErrBoardExists, "slug", fmt.Sprintf("%q is taken", b.Slug))
	}
	if err != nil {
		return fmt.Errorf("db: create board: %w", err)
	}
	return nil
}

// Boards lists global boards and, when schoolID is set, that school's
// boards, in display order; category filters when set.
func (q *Queries) Boards(ctx context.Context, viewer, schoolID, category string) ([]BoardRow, error) {
	const sql = `SELECT ` + boardColumns + ` FROM boards b
		WHERE (b.school_id IS NULL OR b.school_id = $2) AND ($3 = '' OR b.category = $3)
		ORDER BY b.school_id NULLS FIRST, b.category, b.position, b.name`
	return collectBoards(q.db.Query(ctx, sql, nullable(viewer), nullable(schoolID), category))
}

// Board reads a board by slug.
func (q *Queries) Board(ctx context.Context, viewer, slug string) (BoardRow, error) {
	const sql = `SELECT ` + boardColumns + ` FROM boards b WHERE b.slug = $2`
	b, err := scanBoard(q.db.QueryRow(ctx, sql, nullable(viewer), slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return BoardRow{}, domain.FieldError(domain.ErrBoardNotFound, "slug", fmt.Sprintf("no board %q", slug))
	}
	if err != nil {
		return BoardRow{}, fmt.Errorf("db: board %s: %w", slug, err)
	}
	return b, nil
}

// SetFavorite adds or removes a favourite board; doing it twice changes nothing.
func (q *Queries) SetFavorite(ctx context.Context, userID, boardID string, on bool) error {
	sql := `INSERT INTO favorite_boards (user_id, board_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	if !on {
		sql = `DELETE FROM favorite_boards WHERE user_id = $1 AND board_id = $2`
	}
	if _, err := q.db.Exec(ctx, sql, userID, boardID); err != nil {
		return fmt.Errorf("db: favourite board: %w", err)
	}
	return nil
}

// FavoriteBoards lists the user's favourites, most recently added first.
func (q *Queries) FavoriteBoards(ctx context.Context, userID string) ([]BoardRow, error) {
	const sql = `SELECT ` + boardColumns + ` FROM boards b JOIN favorite_boards fb ON fb.board_id = b.id AND fb.user_id = $1
		ORDER BY fb.created_at DESC, b.slug`
	return collectBoards(q.db.Query(ctx, sql, userID))
}
