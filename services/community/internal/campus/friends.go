package campus

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Friend is another member as friend lists show them.
type Friend struct {
	UserID, Username, Name, AvatarURL string
}

// Timetable visibilities.
const (
	VisibleToFriends = "friends"
	VisibleToAll     = "public"
	VisibleToNone    = "private"
)

// memberByUsername finds a member by username (case-insensitive; the most
// recently synced profile wins, as everywhere in the community).
func memberByUsername(ctx context.Context, db postgres.DB, username string) (Friend, error) {
	const q = `SELECT user_id, username, name, avatar_url FROM profiles
		WHERE lower(username) = lower($1) ORDER BY synced_at DESC LIMIT 1`
	var f Friend
	err := db.QueryRow(ctx, q, username).Scan(&f.UserID, &f.Username, &f.Name, &f.AvatarURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return Friend{}, ErrMemberNotFound.With("no member %q", username)
	}
	if err != nil {
		return Friend{}, fmt.Errorf("db: member: %w", err)
	}
	return f, nil
}

// pair orders two ids as friendships keeps them.
func pair(a, b string) (string, string) {
	if a < b {
		return a, b
	}
	return b, a
}

// RequestFriend asks username to be friends. When they had already asked
// the caller, the two become friends (accepted is true). One statement on
// the pair's row, so crossing requests cannot make two.
func (c *Campus) RequestFriend(ctx context.Context, userID, username string) (Friend, bool, error) {
	f, err := memberByUsername(ctx, c.pool, username)
	if err != nil {
		return Friend{}, false, err
	}
	if f.UserID == userID {
		return Friend{}, false, ErrSelfFriend
	}
	a, b := pair(userID, f.UserID)
	const q = `INSERT INTO friendships (user_a, user_b, requester, status) VALUES ($1, $2, $3, 'pending')
		ON CONFLICT (user_a, user_b) DO UPDATE SET
			status = CASE WHEN friendships.requester <> EXCLUDED.requester THEN 'accepted' ELSE friendships.status END,
			accepted_at = CASE WHEN friendships.status = 'pending' AND friendships.requester <> EXCLUDED.requester
				THEN now() ELSE friendships.accepted_at END
		RETURNING status`
	var status string
	if err := c.pool.QueryRow(ctx, q, a, b, userID).Scan(&status); err != nil {
		return Friend{}, false, fmt.Errorf("db: friend request: %w", err)
	}
	return f, status == "accepted", nil
}

// FriendRequests lists the open requests the user received and sent, newest first.
func (c *Campus) FriendRequests(ctx context.Context, userID string) (incoming, outgoing []Friend, err error) {
	const q = `SELECT p.user_id, coalesce(p.username, ''), p.name, p.avatar_url, f.requester = $1
		FROM friendships f
		JOIN profiles p ON p.user_id = CASE WHEN f.user_a = $1 THEN f.user_b ELSE f.user_a END
		WHERE (f.user_a = $1 OR f.user_b = $1) AND f.status = 'pending'
		ORDER BY f.created_at DESC`
	rows, err := c.pool.Query(ctx, q, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("db: friend requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f Friend
		var mine bool
		if err := rows.Scan(&f.UserID, &f.Username, &f.Name, &f.AvatarURL, &mine); err != nil {
			return nil, nil, fmt.Errorf("db: scan friend request: %w", err)
		}
		if mine {
			outgoing = append(outgoing, f)
		} else {
			incoming = append(incoming, f)
		}
	}
	return incoming, outgoing, rows.Err()
}

// AcceptFriend accepts the request username sent the user.
func (c *Campus) AcceptFriend(ctx context.Context, userID, username string) (Friend, error) {
	f, err := memberByUsername(ctx, c.pool, username)
	if err != nil {
		return Friend{}, err
	}
	a, b := pair(userID, f.UserID)
	const q = `UPDATE friendships SET status = 'accepted', accepted_at = now()
		WHERE user_a = $1 AND user_b = $2 AND requester = $3 AND status = 'pending'`
	tag, err := c.pool.Exec(ctx, q, a, b, f.UserID)
	if err != nil {
		return Friend{}, fmt.Errorf("db: accept friend: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return Friend{}, ErrRequestNotFound.With("%s has not asked you to be friends", username)
	}
	return f, nil
}

// DeclineFriend declines a request from username, or withdraws one sent to them.
func (c *Campus) DeclineFriend(ctx context.Context, userID, username string) error {
	f, err := memberByUsername(ctx, c.pool, username)
	if err != nil {
		return err
	}
	a, b := pair(userID, f.UserID)
	tag, err := c.pool.Exec(ctx, `DELETE FROM friendships WHERE user_a = $1 AND user_b = $2 AND status = 'pending'`, a, b)
	if err != nil {
		return fmt.Errorf("db: decline friend: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrRequestNotFound
	}
	return nil
}

// Friends lists the user's friends by name.
func (c *Campus) Friends(ctx context.Context, userID string) ([]Friend, error) {
	const q = `SELECT p.user_id, coalesce(p.username, ''), p.name, p.avatar_url
		FROM friendships f
		JOIN profiles p ON p.user_id = CASE WHEN f.user_a = $1 THEN f.user_b ELSE f.user_a END
		WHERE (f.user_a = $1 OR f.user_b = $1) AND f.status = 'accepted'
		ORDER BY p.name, p.username`
	rows, err := c.pool.Query(ctx, q, userID)
	if err != nil {
		return nil, fmt.Errorf("db: friends: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Friend, error) {
		var f Friend
		err := r.Scan(&f.UserID, &f.Username, &f.Name, &f.AvatarURL)
		return f, err
	})
}

// Unfriend ends a friendship; repeating it is harmless.
func (c *Campus) Unfriend(ctx context.Context, userID, username string) error {
	f, err := memberByUsername(ctx, c.pool, username)
	if err != nil {
		return err
	}
	a, b := pair(userID, f.UserID)
	if _, err := c.pool.Exec(ctx, `DELETE FROM friendships WHERE user_a = $1 AND user_b = $2 AND status = 'accepted'`, a, b); err != nil {
		return fmt.Errorf("db: unfriend: %w", err)
	}
	return nil
}

// SetVisibility says who sees the user's primary timetables.
func (c *Campus) SetVisibility(ctx context.Context, userID, visibility string) error {
	const q = `INSERT INTO timetable_settings (user_id, visibility) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET visibility = EXCLUDED.visibility`
	if _, err := c.pool.Exec(ctx, q, userID, visibility); err != nil {
		return fmt.Errorf("db: timetable visibility: %w", err)
	}
	return nil
}

// FriendTimetable reads username's primary timetable of a term as the
// viewer may see it: a friend unless it is private, anyone when it is
// public. Everything else is ErrTimetableNotFound, so a stranger cannot tell
// a hidden timetable from none.
func (c *Campus) FriendTimetable(ctx context.Context, viewer, username, term string) (Friend, Timetable, error) {
	f, err := memberByUsername(ctx, c.pool, username)
	if err != nil {
		return Friend{}, Timetable{}, err
	}
	a, b := pair(viewer, f.UserID)
	const q = `SELECT t.id, t.user_id, t.term, t.name, t.is_primary FROM timetables t
		LEFT JOIN timetable_settings s ON s.user_id = t.user_id
		WHERE t.user_id = $1 AND t.term = $2 AND t.is_primary
		  AND ($1 = $5 OR CASE coalesce(s.visibility, 'friends')
			WHEN 'public' THEN true
			WHEN 'friends' THEN EXISTS (SELECT 1 FROM friendships WHERE user_a = $3 AND user_b = $4 AND status = 'accepted')
			ELSE false END)`
	var t Timetable
	err = c.pool.QueryRow(ctx, q, f.UserID, term, a, b, viewer).Scan(&t.ID, &t.UserID, &t.Term, &t.Name, &t.Primary)
	if errors.Is(err, pgx.ErrNoRows) {
		return Friend{}, Timetable{}, ErrTimetableNotFound
	}
	if err != nil {
		return Friend{}, Timetable{}, fmt.Errorf("db: friend timetable: %w", err)
	}
	if err := fill(ctx, c.pool, &t); err != nil {
		return Friend{}, Timetable{}, err
	}
	return f, t, nil
}
