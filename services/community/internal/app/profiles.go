package app

import (
	"context"

	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// ProfileView is a profile as the caller sees it: IsFollowing is nil for a
// visitor and on the caller's own profile.
type ProfileView struct {
	domain.Profile
	IsFollowing *bool
	IsMe        bool
}

func showProfile(p store.ProfileRow, c domain.Caller) ProfileView {
	v := ProfileView{Profile: p.Profile, IsMe: c.UserID == p.UserID}
	if c.SignedIn() && !v.IsMe {
		v.IsFollowing = &p.Following
	}
	return v
}

// Profile reads a member's profile by username or user id.
func (a *App) Profile(ctx context.Context, c domain.Caller, username string) (ProfileView, error) {
	p, err := a.store.Read().Profile(ctx, c.UserID, username)
	if err != nil {
		return ProfileView{}, err
	}
	return showProfile(p, c), nil
}

// Follow makes the caller follow a member (on) or stop. Repeats change
// nothing and publish nothing.
func (a *App) Follow(ctx context.Context, c domain.Caller, username string, on bool) (ProfileView, error) {
	var out store.ProfileRow
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		p, err := q.Profile(ctx, c.UserID, username)
		if err != nil {
			return err
		}
		if p.UserID == c.UserID {
			return domain.FieldError(domain.ErrSelfFollow, "username", "you cannot follow yourself")
		}
		if err := q.EnsureProfile(ctx, c.UserID); err != nil {
			return err
		}
		changed, err := q.Follow(ctx, c.UserID, p.UserID, on)
		if err != nil {
			return err
		}
		if changed && on {
			if err := q.Enqueue(ctx, events.SubjectFollowed, events.Followed(c.UserID, p.UserID, a.now())); err != nil {
				return err
			}
		}
		out, err = q.Profile(ctx, c.UserID, p.UserID)
		return err
	})
	if err != nil {
		return ProfileView{}, err
	}
	return showProfile(out, c), nil
}

// Follows pages a member's followers, or whom they follow.
func (a *App) Follows(ctx context.Context, c domain.Caller, username string, following bool, cursor string, size int) ([]ProfileView, string, error) {
	q := a.store.Read()
	p, err := q.Profile(ctx, c.UserID, username)
	if err != nil {
		return nil, "", err
	}
	pg, err := q.Followers(ctx, c.UserID, p.UserID, following, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", err
	}
	out := make([]ProfileView, len(pg.Profiles))
	for i, p := range pg.Profiles {
		out[i] = showProfile(p, c)
	}
	return out, pg.Next, nil
}
