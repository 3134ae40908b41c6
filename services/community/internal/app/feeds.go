package app

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Feed kinds.
const (
	FeedLatest    = "latest"
	FeedFollowing = "following"
	FeedPopular   = "popular"
)

// ErrSignInForFollowing is the following feed asked for without a token.
var ErrSignInForFollowing = errs.New(errs.Unauthenticated, "SIGN_IN_REQUIRED", "sign in to see the posts of the members you follow")

// Feed pages one of the feeds.
func (a *App) Feed(ctx context.Context, c domain.Caller, kind, cursor string, size int) ([]domain.PostView, string, error) {
	q, pg := a.store.Read(), store.Page{After: cursor, Size: pageSize(size, 20)}
	var out store.PostPage
	var err error
	switch kind {
	case FeedFollowing:
		if !c.SignedIn() {
			return nil, "", ErrSignInForFollowing
		}
		out, err = q.FollowedPosts(ctx, c.UserID, pg)
	case FeedPopular:
		out, err = q.PopularPosts(ctx, c.UserID, pg)
	default:
		out, err = q.LatestPosts(ctx, c.UserID, pg)
	}
	if err != nil {
		return nil, "", err
	}
	return a.withProducts(ctx, q, out, c)
}

// ProfilePosts pages a member's named posts.
func (a *App) ProfilePosts(ctx context.Context, c domain.Caller, username, cursor string, size int) ([]domain.PostView, string, error) {
	q := a.store.Read()
	p, err := q.Profile(ctx, c.UserID, username)
	if err != nil {
		return nil, "", err
	}
	out, err := q.AuthorPosts(ctx, c.UserID, p.UserID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", err
	}
	return a.withProducts(ctx, q, out, c)
}

// HotRankWindow is how far back posts compete in the popular feed.
const HotRankWindow = 7 * 24 * time.Hour

// RefreshHotRanks recomputes the popular feed's ranks every interval until
// ctx ends (one replica at a time does the work).
func (a *App) RefreshHotRanks(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		err := a.store.InTx(ctx, func(q *store.Queries) error {
			_, err := q.RefreshHotRanks(ctx, HotRankWindow)
			return err
		})
		if err != nil && ctx.Err() == nil {
			a.log.Warn("hot rank refresh failed; retrying next tick", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
