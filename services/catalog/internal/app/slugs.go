package app

import (
	"context"
	"errors"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
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

// withSlug runs create with want, or with a slug derived from name; a derived
// slug another writer took between the check and the insert is derived again.
// Writers racing for one name all see the same next free number, so after a
// few lost races the candidate gets a random suffix instead: ten parallel
// creates of one name all succeed, with distinct slugs.
func withSlug[T any](ctx context.Context, a *App, table, want, name string, create func(slug string) (T, error)) (T, error) {
	const numbered, attempts = 3, 10
	for attempt := 0; ; attempt++ {
		s, err := a.uniqueSlug(ctx, table, want, name)
		if err != nil {
			var zero T
			return zero, err
		}
		if attempt >= numbered {
			s = slug.WithSuffix(s, slug.RandomSuffix())
		}
		out, err := create(s)
		if want == "" && attempt < attempts-1 && errors.Is(err, domain.ErrSlugTaken) {
			continue
		}
		return out, err
	}
}
