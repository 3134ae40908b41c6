package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateCategory adds a category, deriving its slug from the name when empty.
func (a *App) CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error) {
	return withSlug(ctx, a, "categories", c.Slug, c.Name, func(s string) (domain.Category, error) {
		c.Slug = s
		return a.store.CreateCategory(ctx, c)
	})
}

// UpdateCategory changes the fields patch sets.
func (a *App) UpdateCategory(ctx context.Context, id string, patch domain.CategoryPatch) (domain.Category, error) {
	return a.store.UpdateCategory(ctx, id, func(c *domain.Category) error {
		patch.Apply(c)
		if c.ParentID == c.ID {
			return domain.ErrCategoryCycle
		}
		return nil
	})
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
