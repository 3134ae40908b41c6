package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/community/internal/domain"
)

// A member reads a conversation through their own member row; the
// counterpart's profile is joined only when the counterpart is named. $1 is
// the reading member.
const conversationSelect = `SELECT c.id, c.post_id, coalesce(c.comment_id::text, ''),
	CASE WHEN p.deleted_at IS NULL AND p.hidden_at IS NULL THEN p.title ELSE '' END,
	c.initiator_id, c.recipient_id, c.initiator_anonymous, c.recipient_anonymous, c.created_at,
	m.unread_count, coalesce(m.last_message_id::text, ''), lm.id, coalesce(lm.sender_id::text, ''), coalesce(lm.body, ''), lm.created_at,
	EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = $1 AND b.conversation_id = c.id),
	coalesce(pr.username, ''), coalesce(pr.name, ''), coalesce(pr.avatar_url, '')
	FROM conversation_members m
	JOIN conversations c ON c.id = m.conversation_id
	JOIN posts p ON p.id = c.post_id
	LEFT JOIN messages lm ON lm.id = m.last_message_id AND lm.hidden_at IS NULL
	LEFT JOIN profiles pr ON pr.user_id = CASE WHEN c.initiator_id = $1 THEN c.recipient_id ELSE c.initiator_id END
		AND NOT CASE WHEN c.initiator_id = $1 THEN c.recipient_anonymous ELSE c.initiator_anonymous END
	WHERE m.user_id = $1`

// scanConversation reads a conversation and the id its member's inbox
// orders it by (the newest message they were sent or sent, even if hidden
// since).
func scanConversation(row pgx.Row, viewer string) (domain.Conversation, string, error) {
	c := domain.Conversation{Viewer: viewer}
	var order string
	var lastID *string
	var lastAt *time.Time
	var last domain.Message
	err := row.Scan(&c.ID, &c.PostID, &c.CommentID, &c.PostTitle, &c.InitiatorID, &c.RecipientID,
		&c.InitiatorAnon, &c.RecipientAnon, &c.CreatedAt, &c.Unread, &order, &lastID, &last.SenderID, &last.Body, &lastAt,
		&c.Blocked, &c.Counterparty.Username, &c.Counterparty.Name, &c.Counterparty.AvatarURL)
	if err == nil && lastID != nil {
		last.ID, last.CreatedAt = *lastID, *lastAt
		c.Last = &last
	}
	return c, order, err
}

// Conversation reads a conversation of viewer's; domain.ErrConversationNotFound
// when there is none or viewer is not in it.
func (q *Queries) Conversation(ctx context.Context, viewer, id string) (domain.Conversation, error) {
	c, _, err := scanConversation(q.db.QueryRow(ctx, conversationSelect+` AND c.id = $2`, viewer, id), viewer)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Conversation{}, domain.ErrConversationNotFound
	}
	if err != nil {
		return domain.Conversation{}, fmt.Errorf("db: conversation: %w", err)
	}
	return c, nil
}

// OpenConversation returns the id of the initiator's conversation about a
// post or comment, creating it (and both member rows) on first contact.
func (q *Queries) OpenConversation(ctx context.Context, c domain.Conversation) (string, error) {
	const insert = `INSERT INTO conversations (id, post_id, comment_id, initiator_id, recipient_id, initiator_anonymous, recipient_anonymous)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`
	if _, err := q.db.Exec(ctx, insert, c.ID, c.PostID, nullable(c.CommentID), c.InitiatorID, c.RecipientID, c.InitiatorAnon, c.RecipientAnon); err != nil {
		return "", fmt.Errorf("db: open conversation: %w", err)
	}
	var id string
	const find = `SELECT id FROM conversations WHERE post_id = $1 AND comment_id IS NOT DISTINCT FROM $2 AND initiator_id = $3`
	if err := q.db.QueryRow(ctx, find, c.PostID, nullable(c.CommentID), c.InitiatorID).Scan(&id); err != nil {
		return "", fmt.Errorf("db: find conversation: %w", err)
	}
	const members = `INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING`
	if _, err := q.db.Exec(ctx, members, id, c.InitiatorID, c.RecipientID); err != nil {
		return "", fmt.Errorf("db: conversation members: %w", err)
	}
	return id, nil
}

// AddMessage stores a message from sender to recipient. When the recipient
// blocked the sender it is withheld: only the sender sees it. delivered
// says whether it reached the recipient.
func (q *Queries) AddMessage(ctx context.Context, conversationID, recipient string, m domain.Message) (delivered bool, err error) {
	const insert = `INSERT INTO messages (id, conversation_id, sender_id, body, created_at, withheld)
		VALUES ($1, $2, $3, $4, $5, EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $6 AND blocked_id = $3))
		RETURNING NOT withheld`
	if err := q.db.QueryRow(ctx, insert, m.ID, conversationID, m.SenderID, m.Body, m.CreatedAt, recipient).Scan(&delivered); err != nil {
		return false, fmt.Errorf("db: add message: %w", err)
	}
	// A member's newest message only moves forward (ids are UUIDv7).
	const sender = `UPDATE conversation_members SET last_message_id = greatest(last_message_id, $3)
		WHERE conversation_id = $1 AND user_id = $2`
	if _, err := q.db.Exec(ctx, sender, conversationID, m.SenderID, m.ID); err != nil {
		return false, fmt.Errorf("db: sender's inbox: %w", err)
	}
	if !delivered {
		return false, nil
	}
	const other = `UPDATE conversation_members SET last_message_id = greatest(last_message_id, $3), unread_count = unread_count + 1
		WHERE conversation_id = $1 AND user_id = $2`
	if _, err := q.db.Exec(ctx, other, conversationID, recipient, m.ID); err != nil {
		return false, fmt.Errorf("db: recipient's inbox: %w", err)
	}
	return true, nil
}

// Conversations pages viewer's inbox, most recently active first.
func (q *Queries) Conversations(ctx context.Context, viewer string, pg Page) ([]domain.Conversation, string, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return nil, "", err
	}
	sql := conversationSelect + ` AND m.last_message_id IS NOT NULL AND ($2::uuid IS NULL OR m.last_message_id < $2)
		ORDER BY m.last_message_id DESC LIMIT $3`
	rows, err := q.db.Query(ctx, sql, viewer, after, pg.Size+1)
	if err != nil {
		return nil, "", fmt.Errorf("db: inbox: %w", err)
	}
	defer rows.Close()
	var out []domain.Conversation
	var order []string
	for rows.Next() {
		c, o, err := scanConversation(rows, viewer)
		if err != nil {
			return nil, "", fmt.Errorf("db: scan conversation: %w", err)
		}
		out, order = append(out, c), append(order, o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("db: inbox: %w", err)
	}
	var next string
	if len(out) > pg.Size {
		out = out[:pg.Size]
		next = encodeCursor(order[pg.Size-1])
	}
	return out, next, nil
}

// UnreadTotal is viewer's number of unread messages.
func (q *Queries) UnreadTotal(ctx context.Context, viewer string) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, `SELECT coalesce(sum(unread_count), 0)::int FROM conversation_members WHERE user_id = $1`, viewer).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("db: unread total: %w", err)
	}
	return n, nil
}

// Messages pages a conversation's messages that viewer sees, newest first.
func (q *Queries) Messages(ctx context.Context, viewer, conversationID string, pg Page) ([]domain.Message, string, error) {
	after, err := afterID(pg.After)
	if err != nil {
		return nil, "", err
	}
	const sql = `SELECT id, sender_id, body, created_at FROM messages
		WHERE conversation_id = $1 AND (NOT withheld OR sender_id = $2) AND hidden_at IS NULL AND ($3::uuid IS NULL OR id < $3)
		ORDER BY id DESC LIMIT $4`
	rows, err := q.db.Query(ctx, sql, conversationID, viewer, after, pg.Size+1)
	if err != nil {
		return nil, "", fmt.Errorf("db: messages: %w", err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Message, error) {
		var m domain.Message
		err := r.Scan(&m.ID, &m.SenderID, &m.Body, &m.CreatedAt)
		return m, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("db: messages: %w", err)
	}
	var next string
	if len(msgs) > pg.Size {
		msgs = msgs[:pg.Size]
		next = encodeCursor(msgs[len(msgs)-1].ID)
	}
	return msgs, next, nil
}

// MarkRead clears viewer's unread count of a conversation.
func (q *Queries) MarkRead(ctx context.Context, viewer, conversationID string) error {
	if _, err := q.db.Exec(ctx, `UPDATE conversation_members SET unread_count = 0 WHERE conversation_id = $1 AND user_id = $2`,
		conversationID, viewer); err != nil {
		return fmt.Errorf("db: mark read: %w", err)
	}
	return nil
}

// SetBlock blocks or unblocks, from a conversation, its counterpart.
func (q *Queries) SetBlock(ctx context.Context, blocker, conversationID, blocked string, on bool) error {
	var err error
	if on {
		_, err = q.db.Exec(ctx, `INSERT INTO blocks (blocker_id, conversation_id, blocked_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			blocker, conversationID, blocked)
	} else {
		_, err = q.db.Exec(ctx, `DELETE FROM blocks WHERE blocker_id = $1 AND conversation_id = $2`, blocker, conversationID)
	}
	if err != nil {
		return fmt.Errorf("db: block: %w", err)
	}
	return nil
}
