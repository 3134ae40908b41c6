package app

import (
	"context"
	"time"

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

// RefreshHotRanksArgs is the periodic job that recomputes the popular
// feed's ranks (one replica at a time: the platform's periodic jobs).
type RefreshHotRanksArgs struct{}

// Kind names the job.
func (RefreshHotRanksArgs) Kind() string { return "community_refresh_hot_ranks" }

// RefreshHotRanks recomputes the ranks of the last week's posts.
func (a *App) RefreshHotRanks(ctx context.Context) error {
	return a.store.InTx(ctx, func(q *store.Queries) error {
		_, err := q.RefreshHotRanks(ctx, HotRankWindow)
		return err
	})
}
