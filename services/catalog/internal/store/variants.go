package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// VariantForUpdate returns the variant with id, locked until the transaction
// the store runs in ends.
func (s *Store) VariantForUpdate(ctx context.Context, id string) (domain.Variant, error) {
	const q = `SELECT ` + variantColumns + ` FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.id = $1 FOR UPDATE OF v`
	rows, _ := s.db.Query(ctx, q, id)
	v, err := pgx.CollectExactlyOneRow(rows, scanVariant)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Variant{}, domain.ErrVariantNotFound
	}
	if err != nil {
		return domain.Variant{}, fmt.Errorf("db: variant: %w", err)
	}
	return v, nil
}

// SaveVariant writes v's SKU, stock and price override.
func (s *Store) SaveVariant(ctx context.Context, v domain.Variant) error {
	var override *int64
	if v.PriceOverride != nil {
		override = &v.PriceOverride.Amount
	}
	const q = `UPDATE variants SET sku = $2, stock = $3, price_override_amount = $4, updated_at = $5 WHERE id = $1`
	_, err := s.db.Exec(ctx, q, v.ID, v.SKU, v.Stock, override, now())
	return translate(err)
}

// VariantDetails returns what carts need of each variant found among ids.
func (s *Store) VariantDetails(ctx context.Context, ids []string) ([]domain.VariantDetail, error) {
	const q = `SELECT ` + variantColumns + `, p.slug, p.name, coalesce(p.image_urls[1], ''), p.price_amount,
			p.available AND p.archived_at IS NULL
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.id = ANY($1::uuid[])`
	rows, _ := s.db.Query(ctx, q, ids)
	details, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.VariantDetail, error) {
		var (
			d        domain.VariantDetail
			override *int64
			base     int64
		)
		err := r.Scan(&d.ID, &d.ProductID, &d.SKU, &d.Options, &d.Stock, &override, &d.UnitPrice.Currency,
			&d.ProductSlug, &d.ProductName, &d.ImageURL, &base, &d.Available)
		d.UnitPrice.Amount = base
		if override != nil {
			d.PriceOverride = &domain.Money{Amount: *override, Currency: d.UnitPrice.Currency}
			d.UnitPrice.Amount = *override
		}
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("db: variant details: %w", err)
	}
	return details, nil
}
