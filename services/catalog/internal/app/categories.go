package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateCategory adds a category, deriving its slug from the name when empty.
func (a *App) CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error) {
	var err error
	if c.Slug, err = a.uniqueSlug(ctx, "categories", c.Slug, c.Name); err != nil {
		return domain.Category{}, err
	}
	return a.store.CreateCategory(ctx, c)
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
