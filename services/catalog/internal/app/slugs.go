package app

import (
	"context"

	"github.com/jangteo/jangteo/services/catalog/internal/slug"
)

// uniqueSlug returns want when given, else a free slug derived from name.
// A given slug that is taken is left to the store's unique constraint, which
// reports it as a conflict; only derived slugs are made unique silently.
func (a *App) uniqueSlug(ctx context.Context, table, want, name string) (string, error) {
	if want != "" {
		return want, nil
	}
	var lookupErr error
	s := slug.Unique(slug.Make(name), func(candidate string) bool {
		taken, err := a.store.SlugTaken(ctx, table, candidate)
		if err != nil {
			lookupErr = err
			return false
		}
		return taken
	})
	return s, lookupErr
}
