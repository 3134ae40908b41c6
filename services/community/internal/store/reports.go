package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

const reportColumns = `id, reporter_id, coalesce(post_id::text, ''), coalesce(comment_id::text, ''), coalesce(message_id::text, ''),
	reason, detail, excerpt, status, resolution_note, created_at, resolved_at`

func scanReport(row pgx.Row) (domain.Report, error) {
	var r domain.Report
	err := row.Scan(&r.ID, &r.ReporterID, &r.PostID, &r.CommentID, &r.MessageID, &r.Reason, &r.Detail, &r.Excerpt,
		&r.Status, &r.ResolutionNote, &r.CreatedAt, &r.ResolvedAt)
	return r, err
}

// CreateReport stores a report; a member's second report of the same
// content returns the first (created false).
func (q *Queries) CreateReport(ctx context.Context, r domain.Report) (_ domain.Report, created bool, err error) {
	const insert = `INSERT INTO reports (id, reporter_id, post_id, comment_id, message_id, reason, detail, excerpt, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`
	tag, err := q.db.Exec(ctx, insert, r.ID, r.ReporterID, nullable(r.PostID), nullable(r.CommentID), nullable(r.MessageID),
		r.Reason, r.Detail, r.Excerpt, r.CreatedAt)
	if err != nil {
		return domain.Report{}, false, fmt.Errorf("db: create report: %w", err)
	}
	const find = `SELECT ` + reportColumns + ` FROM reports WHERE reporter_id = $1 AND post_id IS NOT DISTINCT FROM $2
		AND comment_id IS NOT DISTINCT FROM $3 AND message_id IS NOT DISTINCT FROM $4`
	out, err := scanReport(q.db.QueryRow(ctx, find, r.ReporterID, nullable(r.PostID), nullable(r.CommentID), nullable(r.MessageID)))
	if err != nil {
		return domain.Report{}, false, fmt.Errorf("db: read report: %w", err)
	}
	return out, tag.RowsAffected() == 1, nil
}

// Report reads a report, locking it for resolution.
func (q *Queries) Report(ctx context.Context, id string) (domain.Report, error) {
	r, err := scanReport(q.db.QueryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Report{}, domain.ErrReportNotFound
	}
	if err != nil {
		return domain.Report{}, fmt.Errorf("db: report: %w", err)
	}
	return r, nil
}

// ResolveReports resolves every open report of r's content and returns
// their ids (r's among them).
func (q *Queries) ResolveReports(ctx context.Context, r domain.Report, status, note string) ([]string, error) {
	const sql = `UPDATE reports SET status = $4, resolution_note = $5, resolved_at = now()
		WHERE status = 'open' AND post_id IS NOT DISTINCT FROM $1 AND comment_id IS NOT DISTINCT FROM $2
			AND message_id IS NOT DISTINCT FROM $3
		RETURNING id`
	rows, err := q.db.Query(ctx, sql, nullable(r.PostID), nullable(r.CommentID), nullable(r.MessageID), status, note)
	if err != nil {
		return nil, fmt.Errorf("db: resolve reports: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("db: resolve reports: %w", err)
	}
	return ids, nil
}

// Reports pages the queue of one status, oldest first.
func (q *Queries) Reports(ctx context.Context, status string, pg Page) ([]domain.Report, string, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return nil, "", err
	}
	const sql = `SELECT ` + reportColumns + ` FROM reports WHERE status = $1 AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3`
	rows, err := q.db.Query(ctx, sql, status, after, pg.Size+1)
	if err != nil {
		return nil, "", fmt.Errorf("db: reports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Report, error) { return scanReport(r) })
	if err != nil {
		return nil, "", fmt.Errorf("db: reports: %w", err)
	}
	var next string
	if len(out) > pg.Size {
		out = out[:pg.Size]
		next = encodeCursor(out[len(out)-1].ID)
	}
	return out, next, nil
}

// ReceivedMessage reads a message viewer received (not one they sent) for
// a report: its body; domain.ErrMessageNotFound otherwise.
func (q *Queries) ReceivedMessage(ctx context.Context, viewer, id string) (string, error) {
	const sql = `SELECT m.body FROM messages m
		JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id = $2
		WHERE m.id = $1 AND m.sender_id <> $2 AND NOT m.withheld AND m.hidden_at IS NULL`
	var body string
	err := q.db.QueryRow(ctx, sql, id, viewer).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.ErrMessageNotFound
	}
	if err != nil {
		return "", fmt.Errorf("db: message: %w", err)
	}
	return body, nil
}

// HideMessage hides a message from both sides.
func (q *Queries) HideMessage(ctx context.Context, id string) error {
	if _, err := q.db.Exec(ctx, `UPDATE messages SET hidden_at = coalesce(hidden_at, now()) WHERE id = $1`, id); err != nil {
		return fmt.Errorf("db: hide message: %w", err)
	}
	return nil
}
