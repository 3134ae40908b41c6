package app

import (
	"context"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// NewComment is a comment on a post, or a reply to a comment or reply.
type NewComment struct {
	// Target is the post's id for a comment, the comment's or reply's id for
	// a reply.
	Target    string
	Body      string
	Anonymous bool
}

// CreateComment comments on a post. On an anonymous post its author always
// comments anonymously (as 익명(글쓴이)): a named comment flagged as the
// author's would unmask them.
func (a *App) CreateComment(ctx context.Context, c domain.Caller, n NewComment) (domain.CommentView, error) {
	p, err := a.store.Read().Post(ctx, c.UserID, n.Target, false)
	if err != nil {
		return domain.CommentView{}, err
	}
	return a.comment(ctx, c, p, domain.Comment{PostID: p.ID}, n)
}

// CreateReply replies to a comment. Replying to a reply answers the same
// comment (one level) and addresses the reply's author.
func (a *App) CreateReply(ctx context.Context, c domain.Caller, n NewComment) (domain.CommentView, error) {
	q := a.store.Read()
	target, err := q.Comment(ctx, c.UserID, n.Target, false)
	if err != nil {
		return domain.CommentView{}, err
	}
	if target.Gone(c) {
		return domain.CommentView{}, domain.ErrCommentNotFound
	}
	p, err := q.Post(ctx, c.UserID, target.PostID, false)
	if err != nil {
		return domain.CommentView{}, err
	}
	r := domain.Comment{PostID: p.ID, ParentID: target.ID}
	if target.ParentID != "" {
		r.ParentID, r.ReplyToID = target.ParentID, target.ID
	}
	return a.comment(ctx, c, p, r, n)
}

func (a *App) comment(ctx context.Context, c domain.Caller, p store.PostRow, cm domain.Comment, n NewComment) (domain.CommentView, error) {
	if !p.Open() || !p.VisibleTo(c) {
		return domain.CommentView{}, domain.ErrPostNotFound
	}
	if err := a.checkSchoolBoard(ctx, c, p.BoardSchoolID); err != nil {
		return domain.CommentView{}, err
	}
	var v errs.Violations
	domain.CheckText(&v, "body", n.Body, domain.MaxCommentLen)
	if n.Anonymous && !p.BoardAnonymous {
		v.Add("anonymous", "this board does not allow anonymous comments")
	}
	if err := v.Err(); err != nil {
		return domain.CommentView{}, err
	}
	cm.ID, cm.AuthorID, cm.Body, cm.CreatedAt = newID(), c.UserID, n.Body, a.now()
	cm.Anonymous = n.Anonymous || (p.Anonymous && p.AuthorID == c.UserID)
	var out domain.Comment
	var addressed *domain.Comment
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		// Counting first locks the post's row: pseudonyms are handed out one
		// at a time, and a post deleted meanwhile takes no comment.
		if err := q.CountComment(ctx, p.ID, 1); err != nil {
			return err
		}
		if cm.Anonymous && cm.AuthorID != p.AuthorID {
			if _, err := q.Pseudonym(ctx, p.ID, c.UserID); err != nil {
				return err
			}
		}
		if err := q.CreateComment(ctx, cm); err != nil {
			return err
		}
		if err := q.Enqueue(ctx, events.SubjectCommentCreated, events.CommentCreated(cm)); err != nil {
			return err
		}
		var err error
		out, addressed, err = readComment(ctx, q, c, cm.ID)
		return err
	})
	if err != nil {
		return domain.CommentView{}, err
	}
	return domain.ShowComment(out, addressed, c), nil
}

// readComment reads a comment and, for a reply that addresses someone, the
// comment it addresses.
func readComment(ctx context.Context, q *store.Queries, c domain.Caller, id string) (cm domain.Comment, addressed *domain.Comment, err error) {
	if cm, err = q.Comment(ctx, c.UserID, id, false); err != nil || cm.ReplyToID == "" {
		return cm, nil, err
	}
	to, err := q.Comment(ctx, c.UserID, cm.ReplyToID, false)
	if err != nil {
		return cm, nil, err
	}
	return cm, &to, nil
}

// CommentsQuery asks for a page of a post's comments.
type CommentsQuery struct {
	PostID   string
	Cursor   string
	PageSize int
}

// CommentPage is a page of a thread.
type CommentPage struct {
	Comments []domain.CommentView
	Next     string
}

// Comments lists a post's comments newest first, each with its replies
// oldest first.
func (a *App) Comments(ctx context.Context, c domain.Caller, cq CommentsQuery) (CommentPage, error) {
	q := a.store.Read()
	p, err := q.Post(ctx, c.UserID, cq.PostID, false)
	if err != nil {
		return CommentPage{}, err
	}
	if !p.VisibleTo(c) {
		return CommentPage{}, domain.ErrPostNotFound
	}
	if err := a.checkSchoolBoard(ctx, c, p.BoardSchoolID); err != nil {
		return CommentPage{}, err
	}
	pg, err := q.Comments(ctx, c.UserID, p.ID, store.Page{After: cq.Cursor, Size: pageSize(cq.PageSize, 50)})
	if err != nil {
		return CommentPage{}, err
	}
	return CommentPage{Comments: domain.Thread(pg.Comments, pg.Replies, c), Next: pg.Next}, nil
}

// UpdateComment edits the caller's own comment or reply.
func (a *App) UpdateComment(ctx context.Context, c domain.Caller, id, body string) (domain.CommentView, error) {
	var v errs.Violations
	domain.CheckText(&v, "body", body, domain.MaxCommentLen)
	if err := v.Err(); err != nil {
		return domain.CommentView{}, err
	}
	var out domain.Comment
	var addressed *domain.Comment
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		cm, err := q.Comment(ctx, c.UserID, id, true)
		if err != nil {
			return err
		}
		if cm.Gone(c) {
			return domain.ErrCommentNotFound
		}
		if cm.AuthorID != c.UserID {
			return domain.ErrNotAuthor.With("only the author may edit this comment")
		}
		now := a.now()
		cm.Body, cm.EditedAt = body, &now
		if err := q.UpdateComment(ctx, cm); err != nil {
			return err
		}
		out, addressed, err = readComment(ctx, q, c, id)
		return err
	})
	if err != nil {
		return domain.CommentView{}, err
	}
	return domain.ShowComment(out, addressed, c), nil
}

// DeleteComment deletes the caller's own comment or reply. A comment with
// replies stays in the thread as a deleted placeholder.
func (a *App) DeleteComment(ctx context.Context, c domain.Caller, id string) error {
	return a.store.InTx(ctx, func(q *store.Queries) error {
		cm, err := q.Comment(ctx, c.UserID, id, true)
		if err != nil {
			return err
		}
		if cm.Gone(c) {
			return domain.ErrCommentNotFound
		}
		if cm.AuthorID != c.UserID {
			return domain.ErrNotAuthor.With("only the author may delete this comment")
		}
		deleted, err := q.DeleteComment(ctx, id)
		if err != nil || !deleted || cm.HiddenAt != nil {
			return err
		}
		return q.CountComment(ctx, cm.PostID, -1)
	})
}

// HideComment hides a comment or reply, or shows it again (staff).
func (a *App) HideComment(ctx context.Context, id string, hidden bool) error {
	return a.store.InTx(ctx, func(q *store.Queries) error { return hideComment(ctx, q, id, hidden) })
}

// hideComment hides or shows a comment inside q's transaction, keeping its
// post's comment count.
func hideComment(ctx context.Context, q *store.Queries, id string, hidden bool) error {
	cm, err := q.Comment(ctx, "", id, true)
	if err != nil {
		return err
	}
	changed, err := q.HideComment(ctx, id, hidden)
	if err != nil || !changed || cm.DeletedAt != nil {
		return err
	}
	delta := -1
	if !hidden {
		delta = 1
	}
	return q.CountComment(ctx, cm.PostID, delta)
}
