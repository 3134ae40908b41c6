package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/community/internal/domain"
	"github.com/jangteo/jangteo/services/community/internal/events"
	"github.com/jangteo/jangteo/services/community/internal/store"
)

// Catalog is what the community needs from the catalog service.
type Catalog interface {
	// Product describes a product by slug or id; domain.ErrProductNotFound
	// naming field when there is none, domain.ErrCatalogUnavailable when the
	// catalog cannot answer.
	Product(ctx context.Context, ref, field string) (domain.TaggedProduct, error)
}

// Limits of style posts.
const (
	MaxStyleCaption  = 2000
	MaxTaggedProduct = 5
)

// NewStyle is a style post.
type NewStyle struct {
	MediaIDs []string // the caller's uploads, in order
	Body     string
	Products []string
}

// CreateStyle posts a style on the style board, tagging products the
// catalog knows (each checked through its API).
func (a *App) CreateStyle(ctx context.Context, c domain.Caller, n NewStyle) (domain.PostView, error) {
	var v errs.Violations
	if len(n.MediaIDs) == 0 {
		v.Add("media_ids", "a style needs at least one picture")
	}
	media, err := attachMedia(ctx, a.store.Read(), &v, c, "media_ids", n.MediaIDs)
	if err != nil {
		return domain.PostView{}, err
	}
	domain.CheckOptionalText(&v, "body", n.Body, MaxStyleCaption)
	if len(n.Products) > MaxTaggedProduct {
		v.Add("product_slugs", fmt.Sprintf("at most %d products (got %d)", MaxTaggedProduct, len(n.Products)))
	}
	if err := v.Err(); err != nil {
		return domain.PostView{}, err
	}
	var tagged []domain.TaggedProduct
	seen := map[string]bool{}
	for i, ref := range n.Products {
		p, err := a.catalog.Product(ctx, strings.TrimSpace(ref), fmt.Sprintf("product_slugs[%d]", i))
		if err != nil {
			return domain.PostView{}, err
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			tagged = append(tagged, p)
		}
	}
	b, err := a.store.Read().Board(ctx, c.UserID, "style")
	if err != nil {
		return domain.PostView{}, err
	}
	p := domain.Post{ID: newID(), BoardID: b.ID, AuthorID: c.UserID, Body: n.Body, Media: media, MediaIDs: n.MediaIDs, CreatedAt: a.now()}
	var out store.PostRow
	err = a.store.InTx(ctx, func(q *store.Queries) error {
		if err := q.CreatePost(ctx, p); err != nil {
			return err
		}
		if err := q.TagProducts(ctx, p.ID, tagged); err != nil {
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
	out.Products = tagged
	return domain.ShowPost(out.Post, c), nil
}

// Styles pages the style feed.
func (a *App) Styles(ctx context.Context, c domain.Caller, cursor string, size int) ([]domain.PostView, string, error) {
	q := a.store.Read()
	pg, err := q.StylePosts(ctx, c.UserID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", err
	}
	return a.withProducts(ctx, q, pg, c)
}

// ProductStyles pages the styles tagging a product, found by slug or id
// through the catalog.
func (a *App) ProductStyles(ctx context.Context, c domain.Caller, slug, cursor string, size int) ([]domain.PostView, string, error) {
	p, err := a.catalog.Product(ctx, slug, "slug")
	if errors.Is(err, domain.ErrProductNotFound) {
		return nil, "", domain.FieldError(domain.ErrProductPageNotFound, "slug", fmt.Sprintf("no product %q", slug))
	}
	if err != nil {
		return nil, "", err
	}
	q := a.store.Read()
	pg, err := q.ProductStyles(ctx, c.UserID, p.ID, store.Page{After: cursor, Size: pageSize(size, 20)})
	if err != nil {
		return nil, "", err
	}
	return a.withProducts(ctx, q, pg, c)
}

// withProducts renders a page of posts with their tagged products.
func (a *App) withProducts(ctx context.Context, q *store.Queries, pg store.PostPage, c domain.Caller) ([]domain.PostView, string, error) {
	if err := q.AttachProducts(ctx, pg.Posts); err != nil {
		return nil, "", err
	}
	return showPosts(pg.Posts, c), pg.Next, nil
}
