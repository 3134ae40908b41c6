// Package store keeps the catalog in PostgreSQL.
package store

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
	catalogevents "github.com/jangteo/jangteo/services/catalog/internal/events"
)

// Migrations are the catalog schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is the catalog's PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

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
	if err := s.pool.QueryRow(ctx, q, slug).Scan(&taken); err != nil {
		return false, fmt.Errorf("db: slug taken: %w", err)
	}
	return taken, nil
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// enqueueProductChanged writes the product_changed event for p into tx's outbox.
func enqueueProductChanged(ctx context.Context, tx pgx.Tx, p domain.Product, change domain.ProductChange, at time.Time) error {
	_, err := events.Enqueue(ctx, tx, catalogevents.SubjectProductChanged, catalogevents.ProductChanged(p, change, at), events.Aggregate(p.ID))
	return err
}

// enqueueStockChanged writes the stock_changed event for c into tx's outbox.
func enqueueStockChanged(ctx context.Context, tx pgx.Tx, c domain.StockChange, at time.Time) error {
	_, err := events.Enqueue(ctx, tx, catalogevents.SubjectStockChanged, catalogevents.StockChanged(c, at), events.Aggregate(c.ProductID))
	return err
}

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
