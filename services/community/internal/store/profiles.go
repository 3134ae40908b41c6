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

// ProfileRow is a profile with whether the viewer follows it.
type ProfileRow struct {
	domain.Profile
	Following bool
}

// $1 is the viewer (or NULL).
const profileSelect = `SELECT pr.user_id, coalesce(pr.username, ''), pr.name, pr.avatar_url, pr.follower_count, pr.following_count,
	EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = pr.user_id)
	FROM profiles pr`

func scanProfile(row pgx.Row, extra ...any) (ProfileRow, error) {
	var p ProfileRow
	err := row.Scan(append([]any{&p.UserID, &p.Username, &p.Name, &p.AvatarURL, &p.FollowerCount, &p.FollowingCount, &p.Following}, extra...)...)
	return p, err
}

// Profile finds a member by username (case-insensitive) or user id.
func (q *Queries) Profile(ctx context.Context, viewer, username string) (ProfileRow, error) {
	sql := profileSelect + ` WHERE lower(pr.username) = lower($2) ORDER BY pr.synced_at DESC LIMIT 1`
	if _, err := uuid.Parse(username); err == nil {
		sql = profileSelect + ` WHERE pr.user_id = $2`
	}
	p, err := scanProfile(q.db.QueryRow(ctx, sql, nullable(viewer), username))
	if errors.Is(err, pgx.ErrNoRows) {
		return ProfileRow{}, domain.FieldError(domain.ErrProfileNotFound, "username", fmt.Sprintf("no member %q", username))
	}
	if err != nil {
		return ProfileRow{}, fmt.Errorf("db: profile: %w", err)
	}
	return p, nil
}

// SyncProfile stores identity's view of a user's public profile as of at;
// an older view than the one stored changes nothing, so events may arrive in
// any order or twice.
func (q *Queries) SyncProfile(ctx context.Context, p domain.Profile, at time.Time) error {
	const sql = `INSERT INTO profiles (user_id, username, name, avatar_url, synced_at) VALUES ($1, nullif($2, ''), $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, name = excluded.name,
			avatar_url = excluded.avatar_url, synced_at = excluded.synced_at
		WHERE profiles.synced_at < excluded.synced_at`
	if _, err := q.db.Exec(ctx, sql, p.UserID, p.Username, p.Name, p.AvatarURL, at); err != nil {
		return fmt.Errorf("db: sync profile: %w", err)
	}
	return nil
}

// EnsureProfile creates an empty profile for a user whose identity events
// have not arrived yet (their counts need a row).
func (q *Queries) EnsureProfile(ctx context.Context, userID string) error {
	if _, err := q.db.Exec(ctx, `INSERT INTO profiles (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, userID); err != nil {
		return fmt.Errorf("db: ensure profile: %w", err)
	}
	return nil
}

// Follow makes follower follow followee (on) or stop (off). The follow row
// and both counters change in one statement; the two profile rows are
// locked in key order, so crossing follows never deadlock.
func (q *Queries) Follow(ctx context.Context, follower, followee string, on bool) (changed bool, err error) {
	change := `INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`
	sign := "+"
	if !on {
		change, sign = `DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING 1`, "-"
	}
	sql := `WITH c AS (` + change + `), d AS (SELECT count(*)::int AS n FROM c)
		UPDATE profiles SET
			following_count = following_count ` + sign + ` CASE WHEN user_id = $1 THEN d.n ELSE 0 END,
			follower_count = follower_count ` + sign + ` CASE WHEN user_id = $2 THEN d.n ELSE 0 END
		FROM d WHERE user_id = ANY(ARRAY[$1, $2]::uuid[])
		RETURNING d.n = 1`
	rows, err := q.db.Query(ctx, sql, follower, followee)
	if err != nil {
		return false, fmt.Errorf("db: follow: %w", err)
	}
	flags, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	if err != nil {
		return false, fmt.Errorf("db: follow: %w", err)
	}
	return len(flags) > 0 && flags[0], nil
}

// ProfilePage is a page of profiles.
type ProfilePage struct {
	Profiles []ProfileRow
	Next     string
}

// Followers pages who follows userID, most recent first; following pages
// whom userID follows.
func (q *Queries) Followers(ctx context.Context, viewer, userID string, following bool, pg Page) (ProfilePage, error) {
	after, err := afterSeq(pg.After)
	if err != nil {
		return ProfilePage{}, err
	}
	join := `JOIN follows fl ON fl.follower_id = pr.user_id AND fl.followee_id = $2`
	if following {
		join = `JOIN follows fl ON fl.followee_id = pr.user_id AND fl.follower_id = $2`
	}
	sql := `SELECT pr.user_id, coalesce(pr.username, ''), pr.name, pr.avatar_url, pr.follower_count, pr.following_count,
		EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = pr.user_id), fl.seq
		FROM profiles pr ` + join + ` WHERE ($3::bigint IS NULL OR fl.seq < $3) ORDER BY fl.seq DESC LIMIT $4`
	rows, err := q.db.Query(ctx, sql, nullable(viewer), userID, after, pg.Size+1)
	if err != nil {
		return ProfilePage{}, fmt.Errorf("db: follows: %w", err)
	}
	defer rows.Close()
	var out ProfilePage
	var seqs []int64
	for rows.Next() {
		var seq int64
		p, err := scanProfile(rows, &seq)
		if err != nil {
			return ProfilePage{}, fmt.Errorf("db: scan follow: %w", err)
		}
		out.Profiles, seqs = append(out.Profiles, p), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return ProfilePage{}, fmt.Errorf("db: follows: %w", err)
	}
	if len(out.Profiles) > pg.Size {
		out.Profiles = out.Profiles[:pg.Size]
		out.Next = encodeCursor(strconv.FormatInt(seqs[pg.Size-1], 10))
	}
	return out, nil
}
