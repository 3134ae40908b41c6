// Package store keeps the catalog in PostgreSQL. A Store runs its queries on
// the pool or on a transaction it was made for; it never opens a transaction
// or writes an event itself: the use case that needs several statements to
// commit together (and its outbox rows and jobs with them) makes the Store
// over its transaction.
package store

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// Migrations are the catalog schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is the catalog's PostgreSQL store.
type Store struct {
	db postgres.DB
}

// New returns a store running on db: the pool, or a use case's transaction.
func New(db postgres.DB) *Store { return &Store{db: db} }

// sluggedTables are the tables whose slugs SlugTaken may check.
var sluggedTables = map[string]bool{"categories": true, "products": true, "brands": true, "causes": true}

// SlugTaken reports whether a row of table (categories, products, brands or
// causes) already uses slug.
func (s *Store) SlugTaken(ctx context.Context, table, slug string) (bool, error) {
	if !sluggedTables[table] {
		return false, fmt.Errorf("db: slug taken: unknown table %q", table)
	}
	q := `SELECT EXISTS (SELECT 1 FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE slug = $1)`
	var taken bool
	if err := s.db.QueryRow(ctx, q, slug).Scan(&taken); err != nil {
		return false, fmt.Errorf("db: slug taken: %w", err)
	}
	return taken, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// translate turns constraint violations into the catalog's sentinels.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if c, ok := postgres.IsUniqueViolation(err); ok {
		if c == "variants_sku" {
			return fmt.Errorf("db: %s: %w", c, domain.ErrSKUTaken)
		}
		return fmt.Errorf("db: %s: %w", c, domain.ErrSlugTaken)
	}
	if c, ok := postgres.IsForeignKeyViolation(err); ok {
		switch c {
		case "products_brand_id_fkey":
			return fmt.Errorf("db: %s: %w", c, domain.ErrBrandNotFound)
		case "brands_cause_id_fkey":
			return fmt.Errorf("db: %s: %w", c, domain.ErrCauseNotFound)
		}
		return fmt.Errorf("db: %s: %w", c, domain.ErrCategoryNotFound)
	}
	return fmt.Errorf("db: %w", err)
}
