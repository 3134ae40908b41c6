// Package store keeps carts in PostgreSQL. Every quantity change is one
// conditional statement or runs under row locks, never read-then-write. A
// Store runs on the pool or on the transaction of the use case that made it;
// it never opens a transaction itself. Methods that take several statements
// say so: their use case runs them in a transaction.
package store

import (
	"context"
	"embed"
	"fmt"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// Migrations are the cart schema's numbered SQL files.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// Store is the cart's PostgreSQL store.
type Store struct {
	db postgres.DB
}

// New returns a store running on db: the pool, or a use case's transaction.
func New(db postgres.DB) *Store { return &Store{db: db} }

// RefreshProduct copies a product's slug and name onto every cart line of it.
// Lines whose copy is newer than f.At are left alone, so a late or replayed
// event never brings an old name back; applying the same facts twice changes
// nothing.
func (s *Store) RefreshProduct(ctx context.Context, f domain.ProductFacts) (int64, error) {
	const q = `UPDATE cart_lines
		SET product_slug = $2, product_name = $3, product_synced_at = $4
		WHERE product_id = $1 AND product_synced_at < $4`
	tag, err := s.db.Exec(ctx, q, f.ProductID, f.Slug, f.Name, f.At)
	if err != nil {
		return 0, fmt.Errorf("db: refresh product %s: %w", f.ProductID, err)
	}
	return tag.RowsAffected(), nil
}
