package app

import (
	"context"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// NewPost is a post to write on a board.
type NewPost struct {
	BoardSlug string
	Title     string
	Body      string
	MediaIDs  []string // the caller's uploads, in order
	Anonymous bool
	Label     string
	Pinned    bool
}

// CreatePost writes a post: notice boards take posts from staff only and
// never anonymously; pinning is for staff.
func (a *App) CreatePost(ctx context.Context, c domain.Caller, n NewPost) (domain.PostView, error) {
	b, err := a.store.Read().Board(ctx, c.UserID, n.BoardSlug)
	if err != nil {
		return domain.PostView{}, err
	}
	if err := a.checkSchoolBoard(ctx, c, b.SchoolID); err != nil {
		return domain.PostView{}, err
	}
	if b.Kind == domain.BoardStyle {
		return domain.PostView{}, domain.FieldError(domain.ErrStyleBoard, "slug", "post styles through /v1/styles")
	}
	if b.Kind == domain.BoardNotice && !c.Staff {
		return domain.PostView{}, domain.ErrStaffOnly.With("only staff post on the notice board %q", b.Name)
	}
	if n.Pinned && !c.Staff {
		return domain.PostView{}, domain.FieldError(domain.ErrStaffOnly, "pinned", "only staff pin posts")
	}
	var v errs.Violations
	domain.CheckText(&v, "title", n.Title, domain.MaxTitle)
	domain.CheckText(&v, "body", n.Body, domain.MaxBody)
	media, err := attachMedia(ctx, a.store.Read(), &v, c, "media_ids", n.MediaIDs)
	if err != nil {
		return domain.PostView{}, err
	}
	checkLabel(&v, b.Board, n.Label)
	if n.Anonymous && !b.AnonymousAllowed {
		v.Add("anonymous", "this board does not allow anonymous posts")
	}
	if err := v.Err(); err != nil {
		return domain.PostView{}, err
	}
	p := domain.Post{
		ID: newID(), BoardID: b.ID, AuthorID: c.UserID, Anonymous: n.Anonymous,
		Title: strings.TrimSpace(n.Title), Body: n.Body, Media: media, MediaIDs: n.MediaIDs, Label: n.Label, Pinned: n.Pinned,
		CreatedAt: a.now(),
	}
	var out store.PostRow
	err = a.store.InTx(ctx, func(q *store.Queries) error {
		if err := q.CreatePost(ctx, p); err != nil {
			return err
		}
		if err := q.Enqueue(ctx, events.SubjectPostCreated, events.PostCreated(p)); err != nil {
			return err
		}
		out, err = q.Post(ctx, c.UserID, p.ID, false)
		return err
	})
	if err != nil {
		return domain.PostView{}, err
	}
	return domain.ShowPost(out.Post, c), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Post reads one post as c may see it.
func (a *App) Post(ctx context.Context, c domain.Caller, id string) (domain.PostView, error) {
	p, err := a.store.Read().Post(ctx, c.UserID, id, false)
	if err != nil {
		return domain.PostView{}, err
	}
	if !p.VisibleTo(c) {
		return domain.PostView{}, domain.ErrPostNotFound
	}
	if err := a.checkSchoolBoard(ctx, c, p.BoardSchoolID); err != nil {
		return domain.PostView{}, err
	}
	posts := []domain.Post{p.Post}
	if err := a.store.Read().AttachProducts(ctx, posts); err != nil {
		return domain.PostView{}, err
	}
	return domain.ShowPost(posts[0], c), nil
}

// PostChange is an edit; nil fields stay.
type PostChange struct {
	Title    *string
	Body     *string
	MediaIDs *[]string // the caller's uploads, in order; replaces the post's media
	Label    *string
	Pinned   *bool
}

// UpdatePost edits the caller's own post; staff may pin any post and edit
// the label of notices.
func (a *App) UpdatePost(ctx context.Context, c domain.Caller, id string, ch PostChange) (domain.PostView, error) {
	var out store.PostRow
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		p, err := q.Post(ctx, c.UserID, id, true)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil || !p.VisibleTo(c) {
			return domain.ErrPostNotFound
		}
		author := p.AuthorID == c.UserID
		onlyPin := ch.Title == nil && ch.Body == nil && ch.MediaIDs == nil && ch.Label == nil
		switch {
		case ch.Pinned != nil && !c.Staff:
			return domain.FieldError(domain.ErrStaffOnly, "pinned", "only staff pin posts")
		case !author && !(c.Staff && onlyPin):
			return domain.ErrNotAuthor.With("only the author may edit this post")
		}
		var v errs.Violations
		if ch.Title != nil {
			domain.CheckText(&v, "title", *ch.Title, domain.MaxTitle)
			p.Title = strings.TrimSpace(*ch.Title)
		}
		if ch.Body != nil {
			domain.CheckText(&v, "body", *ch.Body, domain.MaxBody)
			p.Body = *ch.Body
		}
		if ch.MediaIDs != nil {
			if p.Media, err = attachMedia(ctx, q, &v, c, "media.ids", *ch.MediaIDs); err != nil {
				return err
			}
			p.MediaIDs = *ch.MediaIDs
		}
		if ch.Label != nil {
			b, err := q.Board(ctx, "", p.BoardSlug)
			if err != nil {
				return err
			}
			checkLabel(&v, b.Board, *ch.Label)
			p.Label = *ch.Label
		}
		if err := v.Err(); err != nil {
			return err
		}
		if ch.Pinned != nil {
			p.Pinned = *ch.Pinned
		}
		if !onlyPin {
			now := a.now()
			p.EditedAt = &now
		}
		if err := q.UpdatePost(ctx, p.Post); err != nil {
			return err
		}
		out, err = q.Post(ctx, c.UserID, id, false)
		return err
	})
	if err != nil {
		return domain.PostView{}, err
	}
	return domain.ShowPost(out.Post, c), nil
}

// DeletePost deletes the caller's own post. Its comments stay, so a thread
// with comments still reads, under a deleted placeholder.
func (a *App) DeletePost(ctx context.Context, c domain.Caller, id string) error {
	return a.store.InTx(ctx, func(q *store.Queries) error {
		p, err := q.Post(ctx, c.UserID, id, true)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil || !p.VisibleTo(c) {
			return domain.ErrPostNotFound
		}
		if p.AuthorID != c.UserID {
			return domain.ErrNotAuthor.With("only the author may delete this post")
		}
		_, err = q.DeletePost(ctx, id)
		return err
	})
}

// HidePost hides a post from everyone but staff and its author, or shows it
// again (staff).
func (a *App) HidePost(ctx context.Context, c domain.Caller, id string, hidden bool) (domain.PostView, error) {
	q := a.store.Read()
	if err := q.HidePost(ctx, id, hidden); err != nil {
		return domain.PostView{}, err
	}
	p, err := q.Post(ctx, c.UserID, id, false)
	if err != nil {
		return domain.PostView{}, err
	}
	return domain.ShowPost(p.Post, c), nil
}

// BoardPage is a page of a board's posts.
type BoardPage struct {
	Board      BoardView
	Pinned     []domain.PostView
	Posts      []domain.PostView
	Next       string
	Page       int
	TotalCount int
	TotalPages int
}

// BoardPostsQuery asks for a page of a board.
type BoardPostsQuery struct {
	Slug     string
	Label    string
	Cursor   string
	Page     int
	PageSize int
}

// BoardPosts lists a board's posts newest first, pinned posts apart on the
// first page; notice boards page by number with a total, others by cursor.
func (a *App) BoardPosts(ctx context.Context, c domain.Caller, bq BoardPostsQuery) (BoardPage, error) {
	q := a.store.Read()
	b, err := q.Board(ctx, c.UserID, bq.Slug)
	if err != nil {
		return BoardPage{}, err
	}
	if err := a.checkSchoolBoard(ctx, c, b.SchoolID); err != nil {
		return BoardPage{}, err
	}
	out := BoardPage{Board: b}
	size := pageSize(bq.PageSize, 20)
	first := bq.Cursor == "" && bq.Page <= 1
	if first {
		pinned, err := q.PinnedPosts(ctx, c.UserID, b.ID, bq.Label)
		if err == nil {
			err = q.AttachProducts(ctx, pinned)
		}
		if err != nil {
			return BoardPage{}, err
		}
		out.Pinned = showPosts(pinned, c)
	}
	if b.Kind == domain.BoardNotice {
		out.Page = max(bq.Page, 1)
		posts, total, err := q.BoardPostsByNumber(ctx, c.UserID, b.ID, bq.Label, (out.Page-1)*size, size)
		if err == nil {
			err = q.AttachProducts(ctx, posts)
		}
		if err != nil {
			return BoardPage{}, err
		}
		out.Posts, out.TotalCount, out.TotalPages = showPosts(posts, c), total, (total+size-1)/size
		return out, nil
	}
	pg, err := q.BoardPosts(ctx, c.UserID, b.ID, bq.Label, store.Page{After: bq.Cursor, Size: size})
	if err != nil {
		return BoardPage{}, err
	}
	out.Posts, out.Next, err = a.withProducts(ctx, q, pg, c)
	return out, err
}

func showPosts(posts []domain.Post, c domain.Caller) []domain.PostView {
	out := make([]domain.PostView, len(posts))
	for i, p := range posts {
		out[i] = domain.ShowPost(p, c)
	}
	return out
}
