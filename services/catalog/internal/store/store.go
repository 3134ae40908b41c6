// Package store keeps the catalog in PostgreSQL.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
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

// SlugTaken reports whether a product or category already uses slug.
func (s *Store) SlugTaken(ctx context.Context, table, slug string) (bool, error) {
	q := `SELECT EXISTS (SELECT 1 FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE slug = $1)`
	var taken bool
	if err := s.pool.QueryRow(ctx, q, slug).Scan(&taken); err != nil {
		return false, fmt.Errorf("db: slug taken: %w", err)
	}
	return taken, nil
}

// CreateCategory inserts c and returns it with its id.
func (s *Store) CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error) {
	c.ID = uuid.Must(uuid.NewV7()).String()
	const q = `INSERT INTO categories (id, slug, name, description, parent_id, image_url)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6)`
	_, err := s.pool.Exec(ctx, q, c.ID, c.Slug, c.Name, c.Description, c.ParentID, c.ImageURL)
	if err := translate(err); err != nil {
		return domain.Category{}, err
	}
	return c, nil
}

// Categories returns every category, parents before children.
func (s *Store) Categories(ctx context.Context) ([]domain.Category, error) {
	const q = `SELECT id, slug, name, description, coalesce(parent_id::text, ''), image_url
		FROM categories ORDER BY parent_id NULLS FIRST, name`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("db: categories: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Category, error) {
		var c domain.Category
		err := r.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.ParentID, &c.ImageURL)
		return c, err
	})
}

// CreateProduct inserts p and, in the same transaction, the
// catalog.product_changed event announcing it.
func (s *Store) CreateProduct(ctx context.Context, p domain.Product) (domain.Product, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	p.ID = uuid.Must(uuid.NewV7()).String()
	p.CreatedAt, p.UpdatedAt = now, now
	if p.ImageURLs == nil {
		p.ImageURLs = []string{} // the column is NOT NULL; nil would be sent as NULL
	}
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		const q = `INSERT INTO products (id, slug, name, description, category_id, price_amount, currency, available, image_urls, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
			RETURNING (SELECT slug FROM categories WHERE id = $5)`
		if err := tx.QueryRow(ctx, q, p.ID, p.Slug, p.Name, p.Description, p.CategoryID,
			p.Price.Amount, p.Price.Currency, p.Available, p.ImageURLs, now).Scan(&p.CategorySlug); err != nil {
			return translate(err)
		}
		_, err := events.Enqueue(ctx, tx, catalogevents.SubjectProductChanged,
			catalogevents.ProductChanged(p, catalogv1.ProductChanged_CHANGE_CREATED, now))
		return err
	})
	if err != nil {
		return domain.Product{}, err
	}
	return p, nil
}

const productColumns = `p.id, p.slug, p.name, p.description, p.category_id, c.slug, p.price_amount, p.currency,
	p.available, p.archived_at IS NOT NULL, p.image_urls, p.created_at, p.updated_at`

func scanProduct(r pgx.CollectableRow) (domain.Product, error) {
	var p domain.Product
	err := r.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.CategoryID, &p.CategorySlug, &p.Price.Amount,
		&p.Price.Currency, &p.Available, &p.Archived, &p.ImageURLs, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// Product returns the product with the given slug or id, archived or not, so
// old orders keep their links.
func (s *Store) Product(ctx context.Context, slugOrID string) (domain.Product, error) {
	q := `SELECT ` + productColumns + ` FROM products p JOIN categories c ON c.id = p.category_id WHERE p.slug = $1`
	args := []any{slugOrID}
	if id, err := uuid.Parse(slugOrID); err == nil {
		q += ` OR p.id = $2`
		args = append(args, id)
	}
	rows, _ := s.pool.Query(ctx, q, args...)
	p, err := pgx.CollectExactlyOneRow(rows, scanProduct)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Product{}, domain.ErrProductNotFound
	}
	if err != nil {
		return domain.Product{}, fmt.Errorf("db: product: %w", err)
	}
	return p, nil
}

// Products returns one page of products that are not archived, newest first,
// and how many match in all.
func (s *Store) Products(ctx context.Context, f domain.ProductFilter) ([]domain.Product, int64, error) {
	// The category filter includes every sub-category.
	const q = `WITH RECURSIVE tree AS (
			SELECT id FROM categories WHERE slug = $1
			UNION ALL
			SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
		)
		SELECT ` + productColumns + `, count(*) OVER ()
		FROM products p JOIN categories c ON c.id = p.category_id
		WHERE p.archived_at IS NULL AND ($1 = '' OR p.category_id IN (SELECT id FROM tree))
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $2 OFFSET $3`
	rows, err := s.pool.Query(ctx, q, f.CategorySlug, f.Page.Size, f.Page.Offset())
	if err != nil {
		return nil, 0, fmt.Errorf("db: products: %w", err)
	}
	var total int64
	products, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Product, error) {
		var p domain.Product
		err := r.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.CategoryID, &p.CategorySlug, &p.Price.Amount,
			&p.Price.Currency, &p.Available, &p.Archived, &p.ImageURLs, &p.CreatedAt, &p.UpdatedAt, &total)
		return p, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("db: products: %w", err)
	}
	if len(products) == 0 && f.Page.Offset() > 0 {
		// Past the last page the window count is not seen; count directly.
		total, err = s.countProducts(ctx, f)
	}
	return products, total, err
}

func (s *Store) countProducts(ctx context.Context, f domain.ProductFilter) (int64, error) {
	const q = `WITH RECURSIVE tree AS (
			SELECT id FROM categories WHERE slug = $1
			UNION ALL
			SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id
		)
		SELECT count(*) FROM products p
		WHERE p.archived_at IS NULL AND ($1 = '' OR p.category_id IN (SELECT id FROM tree))`
	var n int64
	if err := s.pool.QueryRow(ctx, q, f.CategorySlug).Scan(&n); err != nil {
		return 0, fmt.Errorf("db: count products: %w", err)
	}
	return n, nil
}

// translate turns constraint violations into the catalog's sentinels.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if c, ok := postgres.IsUniqueViolation(err); ok {
		return fmt.Errorf("db: %s: %w", c, domain.ErrSlugTaken)
	}
	if _, ok := postgres.IsForeignKeyViolation(err); ok {
		return fmt.Errorf("db: %w", domain.ErrCategoryNotFound)
	}
	return fmt.Errorf("db: %w", err)
}
