package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// AddNotification stores a notification.
func (q *Queries) AddNotification(ctx context.Context, n domain.Notification) error {
	var actor any
	if n.Actor != nil {
		actor = n.Actor.UserID
	}
	const sql = `INSERT INTO notifications (id, user_id, kind, text, post_id, comment_id, conversation_id, actor_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	if _, err := q.db.Exec(ctx, sql, n.ID, n.UserID, n.Kind, n.Text, nullable(n.PostID), nullable(n.CommentID),
		nullable(n.ConversationID), actor, n.CreatedAt); err != nil {
		return fmt.Errorf("db: add notification: %w", err)
	}
	return nil
}

// Notifications pages a member's notifications, newest first.
func (q *Queries) Notifications(ctx context.Context, userID string, pg Page) ([]domain.Notification, string, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return nil, "", err
	}
	const sql = `SELECT n.id, n.kind, n.text, coalesce(n.post_id::text, ''), coalesce(n.comment_id::text, ''),
			coalesce(n.conversation_id::text, ''), coalesce(n.actor_id::text, ''), coalesce(pr.username, ''), coalesce(pr.name, ''),
			coalesce(pr.avatar_url, ''), n.read_at IS NOT NULL, n.created_at
		FROM notifications n LEFT JOIN profiles pr ON pr.user_id = n.actor_id
		WHERE n.user_id = $1 AND ($2::uuid IS NULL OR n.id < $2) ORDER BY n.id DESC LIMIT $3`
	rows, err := q.db.Query(ctx, sql, userID, after, pg.Size+1)
	if err != nil {
		return nil, "", fmt.Errorf("db: notifications: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Notification, error) {
		var n domain.Notification
		var actor domain.Profile
		err := r.Scan(&n.ID, &n.Kind, &n.Text, &n.PostID, &n.CommentID, &n.ConversationID, &actor.UserID,
			&actor.Username, &actor.Name, &actor.AvatarURL, &n.Read, &n.CreatedAt)
		if actor.UserID != "" {
			n.Actor = &actor
		}
		return n, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("db: notifications: %w", err)
	}
	var next string
	if len(out) > pg.Size {
		out = out[:pg.Size]
		next = encodeCursor(out[len(out)-1].ID)
	}
	return out, next, nil
}

// UnreadNotifications counts a member's unread notifications.
func (q *Queries) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	var n int
	if err := q.db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a member's notifications read: the given
// ones, or all when ids is empty.
func (q *Queries) MarkNotificationsRead(ctx context.Context, userID string, ids []string) error {
	const sql = `UPDATE notifications SET read_at = now()
		WHERE user_id = $1 AND read_at IS NULL AND (cardinality($2::uuid[]) = 0 OR id = ANY($2::uuid[]))`
	if ids == nil {
		ids = []string{}
	}
	if _, err := q.db.Exec(ctx, sql, userID, ids); err != nil {
		return fmt.Errorf("db: mark notifications read: %w", err)
	}
	return nil
}

// MessageRecipient returns the conversation of a message and the member it
// was sent to.
func (q *Queries) MessageRecipient(ctx context.Context, messageID string) (conversationID, recipient string, err error) {
	const sql = `SELECT m.conversation_id, cm.user_id FROM messages m
		JOIN conversation_members cm ON cm.conversation_id = m.conversation_id AND cm.user_id <> m.sender_id
		WHERE m.id = $1`
	if err := q.db.QueryRow(ctx, sql, messageID).Scan(&conversationID, &recipient); err != nil {
		return "", "", fmt.Errorf("db: message recipient: %w", err)
	}
	return conversationID, recipient, nil
}

// ReportByID reads a report without locking it.
func (q *Queries) ReportByID(ctx context.Context, id string) (domain.Report, error) {
	r, err := scanReport(q.db.QueryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id))
	if err != nil {
		return domain.Report{}, fmt.Errorf("db: report %s: %w", id, err)
	}
	return r, nil
}
