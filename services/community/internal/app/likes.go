package app

import (
	"context"

	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Toggled is a like or scrap state after a call.
type Toggled struct {
	Count int
	On    bool
}

// LikePost likes a post; a repeat changes nothing and publishes nothing.
func (a *App) LikePost(ctx context.Context, c domain.Caller, postID string, on bool) (Toggled, error) {
	if err := a.checkSchoolContent(ctx, c, postID, ""); on && err != nil {
		return Toggled{}, err
	}
	var t store.Toggle
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if !on {
			t, err = q.UnlikePost(ctx, postID, c.UserID)
			return err
		}
		if t, err = q.LikePost(ctx, postID, c.UserID); err != nil || !t.Changed {
			return err
		}
		return q.Enqueue(ctx, events.SubjectLiked, events.LikedPost(postID, c.UserID, t.Count, a.now()))
	})
	if err != nil {
		return Toggled{}, notFound(err, domain.ErrPostNotFound)
	}
	return Toggled{Count: t.Count, On: on}, nil
}

// LikeComment likes a comment or reply; a repeat changes nothing.
func (a *App) LikeComment(ctx context.Context, c domain.Caller, commentID string, on bool) (Toggled, error) {
	if err := a.checkSchoolContent(ctx, c, "", commentID); on && err != nil {
		return Toggled{}, err
	}
	var t store.Toggle
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if !on {
			t, err = q.UnlikeComment(ctx, commentID, c.UserID)
			return err
		}
		if t, err = q.LikeComment(ctx, commentID, c.UserID); err != nil || !t.Changed {
			return err
		}
		cm, err := q.Comment(ctx, "", commentID, false)
		if err != nil {
			return err
		}
		return q.Enqueue(ctx, events.SubjectLiked, events.LikedComment(commentID, cm.PostID, c.UserID, t.Count, a.now()))
	})
	if err != nil {
		return Toggled{}, notFound(err, domain.ErrCommentNotFound)
	}
	return Toggled{Count: t.Count, On: on}, nil
}

// Scrap bookmarks a post or removes the bookmark.
func (a *App) Scrap(ctx context.Context, c domain.Caller, postID string, on bool) (Toggled, error) {
	if err := a.checkSchoolContent(ctx, c, postID, ""); on && err != nil {
		return Toggled{}, err
	}
	var t store.Toggle
	// In a transaction: a scrap of a post that is gone rolls its row back.
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if on {
			t, err = q.Scrap(ctx, postID, c.UserID)
		} else {
			t, err = q.Unscrap(ctx, postID, c.UserID)
		}
		return err
	})
	if err != nil {
		return Toggled{}, notFound(err, domain.ErrPostNotFound)
	}
	return Toggled{Count: t.Count, On: on}, nil
}

// Scraps lists the caller's scrapped posts, most recently scrapped first.
func (a *App) Scraps(ctx context.Context, c domain.Caller, cursor string, size int) ([]domain.PostView, string, error) {
	q := a.store.Read()
	pg, err := q.Scraps(ctx, c.UserID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", err
	}
	return a.withProducts(ctx, q, pg, c)
}

// notFound maps a toggle on a missing, deleted or hidden target, or a like
// row whose target does not exist, to the target's not-found error.
func notFound(err error, sentinel error) error {
	if store.IsGone(err) || store.IsMissingTarget(err) {
		return sentinel
	}
	return err
}
