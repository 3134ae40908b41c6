package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// The author's profile is joined only for named posts, so an anonymous
// post's author never leaves the database beside it. $1 is the viewer (or
// NULL) for the like and scrap flags.
const postSelect = `SELECT ` + postColumns + postFrom

const postColumns = `p.id, p.board_id, b.slug, b.name, b.kind, b.anonymous_allowed, coalesce(b.school_id::text, ''), p.author_id,
	coalesce(pr.username, ''), coalesce(pr.name, ''), coalesce(pr.avatar_url, ''),
	p.anonymous, p.title, p.body, p.media_urls, p.media_ids, p.label, p.pinned,
	p.like_count, p.comment_count, p.scrap_count, p.created_at, p.edited_at, p.deleted_at, p.hidden_at,
	EXISTS (SELECT 1 FROM post_likes l WHERE l.post_id = p.id AND l.user_id = $1),
	EXISTS (SELECT 1 FROM scraps s WHERE s.post_id = p.id AND s.user_id = $1)`

const postFrom = `
	FROM posts p
	JOIN boards b ON b.id = p.board_id
	LEFT JOIN profiles pr ON pr.user_id = p.author_id AND NOT p.anonymous`

// live is the condition of a listed post.
const live = `p.deleted_at IS NULL AND p.hidden_at IS NULL`

// PostRow is a post with its board's anonymity rule and school.
type PostRow struct {
	domain.Post
	BoardAnonymous bool
	BoardSchoolID  string // empty on a global board
}

func scanPost(row pgx.Row, extra ...any) (PostRow, error) {
	var p PostRow
	err := row.Scan(append([]any{&p.ID, &p.BoardID, &p.BoardSlug, &p.BoardName, &p.BoardKind, &p.BoardAnonymous, &p.BoardSchoolID, &p.AuthorID,
		&p.Author.Username, &p.Author.Name, &p.Author.AvatarURL,
		&p.Anonymous, &p.Title, &p.Body, &p.Media, &p.MediaIDs, &p.Label, &p.Pinned,
		&p.LikeCount, &p.CommentCount, &p.ScrapCount, &p.CreatedAt, &p.EditedAt, &p.DeletedAt, &p.HiddenAt,
		&p.Liked, &p.Scrapped}, extra...)...)
	return p, err
}

func collectPosts(rows pgx.Rows, err error) ([]domain.Post, error) {
	if err != nil {
		return nil, fmt.Errorf("db: posts: %w", err)
	}
	defer rows.Close()
	var out []domain.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, fmt.Errorf("db: scan post: %w", err)
		}
		out = append(out, p.Post)
	}
	return out, rows.Err()
}

// CreatePost inserts a post.
func (q *Queries) CreatePost(ctx context.Context, p domain.Post) error {
	const sql = `INSERT INTO posts (id, board_id, author_id, anonymous, title, body, media_urls, media_ids, label, pinned, created_at, hot_rank)
		VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, '{}'::text[]), coalesce($8, '{}'::text[]), $9, $10, $11, hot_rank(0, $11))`
	_, err := q.db.Exec(ctx, sql, p.ID, p.BoardID, p.AuthorID, p.Anonymous, p.Title, p.Body, p.Media, p.MediaIDs, p.Label, p.Pinned, p.CreatedAt)
	if err != nil {
		return fmt.Errorf("db: create post: %w", err)
	}
	return nil
}

// Post reads a post for viewer; domain.ErrPostNotFound when there is none.
// lock takes the row for update (an edit's transaction).
func (q *Queries) Post(ctx context.Context, viewer, id string, lock bool) (PostRow, error) {
	sql := postSelect + ` WHERE p.id = $2`
	if lock {
		sql += ` FOR NO KEY UPDATE OF p`
	}
	p, err := scanPost(q.db.QueryRow(ctx, sql, nullable(viewer), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return PostRow{}, domain.ErrPostNotFound
	}
	if err != nil {
		return PostRow{}, fmt.Errorf("db: post %s: %w", id, err)
	}
	return p, nil
}

// UpdatePost writes an edited post's content (and pin).
func (q *Queries) UpdatePost(ctx context.Context, p domain.Post) error {
	const sql = `UPDATE posts SET title = $2, body = $3, media_urls = coalesce($4, '{}'::text[]), media_ids = coalesce($5, '{}'::text[]), label = $6, pinned = $7, edited_at = $8 WHERE id = $1`
	if _, err := q.db.Exec(ctx, sql, p.ID, p.Title, p.Body, p.Media, p.MediaIDs, p.Label, p.Pinned, p.EditedAt); err != nil {
		return fmt.Errorf("db: update post: %w", err)
	}
	return nil
}

// DeletePost marks a post deleted; false when it already was.
func (q *Queries) DeletePost(ctx context.Context, id string) (bool, error) {
	tag, err := q.db.Exec(ctx, `UPDATE posts SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("db: delete post: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// HidePost hides or shows a post.
func (q *Queries) HidePost(ctx context.Context, id string, hidden bool) error {
	sql := `UPDATE posts SET hidden_at = coalesce(hidden_at, now()) WHERE id = $1`
	if !hidden {
		sql = `UPDATE posts SET hidden_at = NULL WHERE id = $1`
	}
	tag, err := q.db.Exec(ctx, sql, id)
	if err != nil {
		return fmt.Errorf("db: hide post: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrPostNotFound
	}
	return nil
}

// Page is a keyset page request: after is the cursor handed out last time.
type Page struct {
	After string
	Size  int
}

// PostPage is a page of posts and the cursor of the next one ("" at the end).
type PostPage struct {
	Posts []domain.Post
	Next  string
}

// afterID decodes an id cursor; nil for the first page.
func afterID(cursor string) (any, error) {
	if cursor == "" {
		return nil, nil
	}
	parts, err := decodeCursor(cursor, 1)
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(parts[0]); err != nil {
		return nil, errBadCursor
	}
	return parts[0], nil
}

// pageByID pages posts newest first by id (UUIDv7, so by creation): a post
// added while a client walks the list lands before its cursor, so the walk
// never repeats or skips one. where may use $1 (viewer) and $4 onwards.
func (q *Queries) pageByID(ctx context.Context, viewer string, pg Page, where string, args ...any) (PostPage, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return PostPage{}, err
	}
	sql := postSelect + ` WHERE ` + live + ` AND ($2::uuid IS NULL OR p.id < $2) AND ` + where + `
		ORDER BY p.id DESC LIMIT $3`
	posts, err := collectPosts(q.db.Query(ctx, sql, append([]any{nullable(viewer), after, pg.Size + 1}, args...)...))
	if err != nil {
		return PostPage{}, err
	}
	var next string
	if len(posts) > pg.Size {
		posts = posts[:pg.Size]
		next = encodeCursor(posts[len(posts)-1].ID)
	}
	return PostPage{Posts: posts, Next: next}, nil
}

// BoardPosts pages a board's unpinned posts by cursor, label filtering when set.
func (q *Queries) BoardPosts(ctx context.Context, viewer, boardID, label string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, `p.board_id = $4 AND NOT p.pinned AND ($5 = '' OR p.label = $5)`, boardID, label)
}

// BoardPostsByNumber pages a board's unpinned posts by page number, with
// the total, for notice boards' page pickers.
func (q *Queries) BoardPostsByNumber(ctx context.Context, viewer, boardID, label string, offset, size int) ([]domain.Post, int, error) {
	const count = `SELECT count(*) FROM posts p WHERE ` + live + ` AND p.board_id = $1 AND NOT p.pinned AND ($2 = '' OR p.label = $2)`
	const where = ` WHERE ` + live + ` AND p.board_id = $2 AND NOT p.pinned AND ($3 = '' OR p.label = $3)`
	var total int
	if err := q.db.QueryRow(ctx, count, boardID, label).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("db: count posts: %w", err)
	}
	posts, err := collectPosts(q.db.Query(ctx, postSelect+where+` ORDER BY p.id DESC OFFSET $4 LIMIT $5`,
		nullable(viewer), boardID, label, offset, size))
	return posts, total, err
}

// PinnedPosts lists a board's pinned posts, newest first.
func (q *Queries) PinnedPosts(ctx context.Context, viewer, boardID, label string) ([]domain.Post, error) {
	const sql = postSelect + ` WHERE ` + live + ` AND p.board_id = $2 AND p.pinned AND ($3 = '' OR p.label = $3)
		ORDER BY p.id DESC LIMIT 50`
	return collectPosts(q.db.Query(ctx, sql, nullable(viewer), boardID, label))
}

// Feeds run over the global boards (school boards belong to their members).
const globalBoard = `b.school_id IS NULL`

// LatestPosts pages every live post of the global boards, newest first.
func (q *Queries) LatestPosts(ctx context.Context, viewer string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, globalBoard)
}

// FollowedPosts pages the named posts of the members viewer follows.
// Anonymous posts are never listed by author: that would unmask them.
func (q *Queries) FollowedPosts(ctx context.Context, viewer string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, globalBoard+` AND NOT p.anonymous
		AND p.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = $1)`)
}

// AuthorPosts pages a member's named posts.
func (q *Queries) AuthorPosts(ctx context.Context, viewer, authorID string, pg Page) (PostPage, error) {
	return q.pageByID(ctx, viewer, pg, globalBoard+` AND NOT p.anonymous AND p.author_id = $4`, authorID)
}

// PopularPosts pages live posts by hot rank. The cursor holds the last
// rank and id; ranks move only when RefreshHotRanks runs, so a walk between
// two refreshes neither repeats nor skips a post.
func (q *Queries) PopularPosts(ctx context.Context, viewer string, pg Page) (PostPage, error) {
	var rank, id any
	if pg.After != "" {
		parts, err := decodeCursor(pg.After, 2)
		if err != nil {
			return PostPage{}, err
		}
		r, err := strconv.ParseFloat(parts[0], 64)
		if _, uerr := uuid.Parse(parts[1]); err != nil || uerr != nil {
			return PostPage{}, errBadCursor
		}
		rank, id = r, parts[1]
	}
	sql := `SELECT ` + postColumns + `, p.hot_rank` + postFrom + ` WHERE ` + live + ` AND ` + globalBoard + `
		AND ($2::float8 IS NULL OR (p.hot_rank, p.id) < ($2::float8, $3::uuid))
		ORDER BY p.hot_rank DESC, p.id DESC LIMIT $4`
	rows, err := q.db.Query(ctx, sql, nullable(viewer), rank, id, pg.Size+1)
	if err != nil {
		return PostPage{}, fmt.Errorf("db: popular: %w", err)
	}
	defer rows.Close()
	var out PostPage
	var ranks []float64
	for rows.Next() {
		var r float64
		p, err := scanPost(rows, &r)
		if err != nil {
			return PostPage{}, fmt.Errorf("db: scan popular: %w", err)
		}
		out.Posts, ranks = append(out.Posts, p.Post), append(ranks, r)
	}
	if err := rows.Err(); err != nil {
		return PostPage{}, fmt.Errorf("db: popular: %w", err)
	}
	if len(out.Posts) > pg.Size {
		out.Posts = out.Posts[:pg.Size]
		last := pg.Size - 1
		out.Next = encodeCursor(strconv.FormatFloat(ranks[last], 'g', -1, 64), out.Posts[last].ID)
	}
	return out, nil
}

// RefreshHotRanks recomputes the hot rank of the posts of the last week and
// zeroes older ones once, like Lemmy's scheduled job.
func (q *Queries) RefreshHotRanks(ctx context.Context, window time.Duration) (int64, error) {
	const sql = `UPDATE posts SET hot_rank = CASE WHEN created_at > now() - $1::interval
			THEN hot_rank(like_count + comment_count, created_at) ELSE 0 END
		WHERE created_at > now() - $1::interval OR hot_rank <> 0`
	tag, err := q.db.Exec(ctx, sql, window)
	if err != nil {
		return 0, fmt.Errorf("db: refresh hot ranks: %w", err)
	}
	return tag.RowsAffected(), nil
}
