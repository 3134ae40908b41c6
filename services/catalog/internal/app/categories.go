package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// categoryStore is what the category use cases need.
type categoryStore interface {
	CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error)
	Categories(ctx context.Context) ([]domain.Category, error)
	CategoryForUpdate(ctx context.Context, id string) (domain.Category, error)
	SaveCategory(ctx context.Context, c domain.Category) error
	DeleteCategory(ctx context.Context, id string) error
}

// CreateCategory adds a category, deriving its slug from the name when empty.
func (a *App) CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error) {
	return withSlug(ctx, a, "categories", c.Slug, c.Name, func(s string) (domain.Category, error) {
		c.Slug = s
		return a.store.CreateCategory(ctx, c)
	})
}

// UpdateCategory changes the fields patch sets.
func (a *App) UpdateCategory(ctx context.Context, id string, patch domain.CategoryPatch) (domain.Category, error) {
	var c domain.Category
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		var err error
		if c, err = s.CategoryForUpdate(ctx, id); err != nil {
			return err
		}
		patch.Apply(&c)
		if c.ParentID == c.ID {
			return domain.ErrCategoryCycle
		}
		return s.SaveCategory(ctx, c)
	})
	return c, err
}

// DeleteCategory removes a category that has no sub-categories or products.
func (a *App) DeleteCategory(ctx context.Context, id string) error {
	return a.store.DeleteCategory(ctx, id)
}

// CategoryTree returns the root categories with their descendants.
func (a *App) CategoryTree(ctx context.Context) ([]domain.Category, error) {
	all, err := a.store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	children := map[string][]domain.Category{}
	for _, c := range all {
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	var build func(parent string) []domain.Category
	build = func(parent string) []domain.Category {
		nodes := children[parent]
		for i := range nodes {
			nodes[i].Children = build(nodes[i].ID)
		}
		return nodes
	}
	return build(""), nil
}
