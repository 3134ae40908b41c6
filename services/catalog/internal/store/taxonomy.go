package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// CreateCategory inserts c and returns it with its id.
func (s *Store) CreateCategory(ctx context.Context, c domain.Category) (domain.Category, error) {
	c.ID = uuid.Must(uuid.NewV7()).String()
	const q = `INSERT INTO categories (id, slug, name, description, parent_id, image_url)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6)`
	_, err := s.db.Exec(ctx, q, c.ID, c.Slug, c.Name, c.Description, c.ParentID, c.ImageURL)
	if err := translate(err); err != nil {
		return domain.Category{}, err
	}
	return c, nil
}

// Categories returns every category, parents before children.
func (s *Store) Categories(ctx context.Context) ([]domain.Category, error) {
	const q = `SELECT id, slug, name, description, coalesce(parent_id::text, ''), image_url
		FROM categories ORDER BY parent_id NULLS FIRST, name`
	rows, err := s.db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("db: categories: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Category, error) {
		var c domain.Category
		err := r.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.ParentID, &c.ImageURL)
		return c, err
	})
}

// CategoryForUpdate returns the category with id, locked until the
// transaction the store runs in ends.
func (s *Store) CategoryForUpdate(ctx context.Context, id string) (domain.Category, error) {
	var c domain.Category
	const q = `SELECT id, slug, name, description, coalesce(parent_id::text, ''), image_url
		FROM categories WHERE id = $1 FOR UPDATE`
	err := s.db.QueryRow(ctx, q, id).Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.ParentID, &c.ImageURL)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, domain.ErrCategoryNotFound
	}
	if err != nil {
		return c, fmt.Errorf("db: category: %w", err)
	}
	return c, nil
}

// SaveCategory writes c. A parent that is c itself or one of its descendants
// is refused with ErrCategoryCycle.
func (s *Store) SaveCategory(ctx context.Context, c domain.Category) error {
	if c.ParentID != "" {
		const cycle = `WITH RECURSIVE up AS (
				SELECT id, parent_id FROM categories WHERE id = $1
				UNION ALL
				SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
			) SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)`
		var loops bool
		if err := s.db.QueryRow(ctx, cycle, c.ParentID, c.ID).Scan(&loops); err != nil {
			return fmt.Errorf("db: category cycle: %w", err)
		}
		if loops {
			return domain.ErrCategoryCycle
		}
	}
	const q = `UPDATE categories SET slug = $2, name = $3, description = $4,
		parent_id = NULLIF($5, '')::uuid, image_url = $6 WHERE id = $1`
	_, err := s.db.Exec(ctx, q, c.ID, c.Slug, c.Name, c.Description, c.ParentID, c.ImageURL)
	return translate(err)
}

// DeleteCategory removes a category without sub-categories or products.
func (s *Store) DeleteCategory(ctx context.Context, id string) error {
	const q = `DELETE FROM categories WHERE id = $1`
	tag, err := s.db.Exec(ctx, q, id)
	if _, ok := postgres.IsForeignKeyViolation(err); ok {
		return domain.ErrCategoryInUse
	}
	if err != nil {
		return fmt.Errorf("db: delete category: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrCategoryNotFound
	}
	return nil
}

// CreateCause inserts c and returns it with its id.
func (s *Store) CreateCause(ctx context.Context, c domain.Cause) (domain.Cause, error) {
	c.ID = uuid.Must(uuid.NewV7()).String()
	const q = `INSERT INTO causes (id, slug, name, image_url, summary, body) VALUES ($1, $2, $3, $4, $5, $6)`
	if _, err := s.db.Exec(ctx, q, c.ID, c.Slug, c.Name, c.ImageURL, c.Summary, c.Body); err != nil {
		return domain.Cause{}, translate(err)
	}
	return c, nil
}

const causeColumns = `id, slug, name, image_url, summary, body`

func scanCause(r pgx.CollectableRow) (domain.Cause, error) {
	var c domain.Cause
	err := r.Scan(&c.ID, &c.Slug, &c.Name, &c.ImageURL, &c.Summary, &c.Body)
	return c, err
}

// Causes returns every cause by name.
func (s *Store) Causes(ctx context.Context) ([]domain.Cause, error) {
	const q = `SELECT ` + causeColumns + ` FROM causes ORDER BY name, id`
	rows, _ := s.db.Query(ctx, q)
	causes, err := pgx.CollectRows(rows, scanCause)
	if err != nil {
		return nil, fmt.Errorf("db: causes: %w", err)
	}
	return causes, nil
}

// Cause returns the cause with the given slug.
func (s *Store) Cause(ctx context.Context, slug string) (domain.Cause, error) {
	const q = `SELECT ` + causeColumns + ` FROM causes WHERE slug = $1`
	rows, _ := s.db.Query(ctx, q, slug)
	c, err := pgx.CollectExactlyOneRow(rows, scanCause)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Cause{}, domain.ErrCauseNotFound
	}
	if err != nil {
		return domain.Cause{}, fmt.Errorf("db: cause: %w", err)
	}
	return c, nil
}

// CauseForUpdate returns the cause with id, locked until the transaction the
// store runs in ends.
func (s *Store) CauseForUpdate(ctx context.Context, id string) (domain.Cause, error) {
	rows, _ := s.db.Query(ctx, `SELECT `+causeColumns+` FROM causes WHERE id = $1 FOR UPDATE`, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCause)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Cause{}, domain.ErrCauseNotFound
	}
	if err != nil {
		return domain.Cause{}, fmt.Errorf("db: cause: %w", err)
	}
	return c, nil
}

// SaveCause writes c.
func (s *Store) SaveCause(ctx context.Context, c domain.Cause) error {
	const q = `UPDATE causes SET slug = $2, name = $3, image_url = $4, summary = $5, body = $6 WHERE id = $1`
	_, err := s.db.Exec(ctx, q, c.ID, c.Slug, c.Name, c.ImageURL, c.Summary, c.Body)
	return translate(err)
}

// DeleteCause removes a cause; its brands lose it.
func (s *Store) DeleteCause(ctx context.Context, id string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM causes WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("db: delete cause: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrCauseNotFound
	}
	return nil
}

// CreateBrand inserts b and returns it with its id and cause slug.
func (s *Store) CreateBrand(ctx context.Context, b domain.Brand) (domain.Brand, error) {
	b.ID = uuid.Must(uuid.NewV7()).String()
	const q = `INSERT INTO brands (id, slug, name, logo_url, homepage_url, summary, description, cause_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')::uuid)
		RETURNING coalesce((SELECT slug FROM causes WHERE id = NULLIF($8, '')::uuid), '')`
	err := s.db.QueryRow(ctx, q, b.ID, b.Slug, b.Name, b.LogoURL, b.HomepageURL, b.Summary, b.Description, b.CauseID).Scan(&b.CauseSlug)
	if err != nil {
		return domain.Brand{}, translate(err)
	}
	return b, nil
}

const brandColumns = `b.id, b.slug, b.name, b.logo_url, b.homepage_url, b.summary, b.description,
	coalesce(b.cause_id::text, ''), coalesce(k.slug, '')`

const brandFrom = ` FROM brands b LEFT JOIN causes k ON k.id = b.cause_id`

func scanBrand(r pgx.CollectableRow) (domain.Brand, error) {
	var b domain.Brand
	err := r.Scan(&b.ID, &b.Slug, &b.Name, &b.LogoURL, &b.HomepageURL, &b.Summary, &b.Description, &b.CauseID, &b.CauseSlug)
	return b, err
}

// Brands returns every brand by name, only those of causeSlug when given.
func (s *Store) Brands(ctx context.Context, causeSlug string) ([]domain.Brand, error) {
	const q = `SELECT ` + brandColumns + brandFrom + ` WHERE $1 = '' OR k.slug = $1 ORDER BY b.name, b.id`
	rows, _ := s.db.Query(ctx, q, causeSlug)
	brands, err := pgx.CollectRows(rows, scanBrand)
	if err != nil {
		return nil, fmt.Errorf("db: brands: %w", err)
	}
	return brands, nil
}

// Brand returns the brand with the given slug or id.
func (s *Store) Brand(ctx context.Context, slugOrID string) (domain.Brand, error) {
	return s.brand(ctx, slugOrID, false)
}

func (s *Store) brand(ctx context.Context, slugOrID string, lock bool) (domain.Brand, error) {
	q := `SELECT ` + brandColumns + brandFrom + ` WHERE b.slug = $1`
	args := []any{slugOrID}
	if id, err := uuid.Parse(slugOrID); err == nil {
		q += ` OR b.id = $2`
		args = append(args, id)
	}
	if lock {
		q += ` FOR UPDATE OF b`
	}
	rows, _ := s.db.Query(ctx, q, args...)
	b, err := pgx.CollectExactlyOneRow(rows, scanBrand)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Brand{}, domain.ErrBrandNotFound
	}
	if err != nil {
		return domain.Brand{}, fmt.Errorf("db: brand: %w", err)
	}
	return b, nil
}

// BrandForUpdate returns the brand with id, locked until the transaction the
// store runs in ends.
func (s *Store) BrandForUpdate(ctx context.Context, id string) (domain.Brand, error) {
	return s.brand(ctx, id, true)
}

// SaveBrand writes b and returns it with its cause's slug.
func (s *Store) SaveBrand(ctx context.Context, b domain.Brand) (domain.Brand, error) {
	const q = `UPDATE brands SET slug = $2, name = $3, logo_url = $4, homepage_url = $5, summary = $6,
		description = $7, cause_id = NULLIF($8, '')::uuid WHERE id = $1
		RETURNING coalesce((SELECT slug FROM causes WHERE id = NULLIF($8, '')::uuid), '')`
	err := s.db.QueryRow(ctx, q, b.ID, b.Slug, b.Name, b.LogoURL, b.HomepageURL, b.Summary,
		b.Description, b.CauseID).Scan(&b.CauseSlug)
	return b, translate(err)
}

// DeleteBrand removes a brand without products.
func (s *Store) DeleteBrand(ctx context.Context, id string) error {
	tag, err := s.db.Exec(ctx, `DELETE FROM brands WHERE id = $1`, id)
	if _, ok := postgres.IsForeignKeyViolation(err); ok {
		return domain.ErrBrandInUse
	}
	if err != nil {
		return fmt.Errorf("db: delete brand: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrBrandNotFound
	}
	return nil
}
