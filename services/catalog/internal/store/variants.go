package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// UpdateVariant runs fn on the locked variant (with its product) and stores
// the result; a stock change is published as catalog.stock_changed.
func (s *Store) UpdateVariant(ctx context.Context, id string, fn func(p domain.Product, v *domain.Variant) error) (domain.Product, error) {
	var p domain.Product
	err := postgres.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		const get = `SELECT ` + variantColumns + ` FROM variants v JOIN products p ON p.id = v.product_id
			WHERE v.id = $1 FOR UPDATE OF v`
		rows, _ := tx.Query(ctx, get, id)
		v, err := pgx.CollectExactlyOneRow(rows, scanVariant)
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.ErrVariantNotFound
		}
		if err != nil {
			return fmt.Errorf("db: variant: %w", err)
		}
		if p, err = s.product(ctx, tx, v.ProductID, false); err != nil {
			return err
		}
		before := v.Stock
		if err := fn(p, &v); err != nil {
			return err
		}
		var override *int64
		if v.PriceOverride != nil {
			override = &v.PriceOverride.Amount
		}
		at := now()
		const q = `UPDATE variants SET sku = $2, stock = $3, price_override_amount = $4, updated_at = $5 WHERE id = $1`
		if _, err := tx.Exec(ctx, q, v.ID, v.SKU, v.Stock, override, at); err != nil {
			return translate(err)
		}
		if v.Stock != before {
			if err := enqueueStockChanged(ctx, tx, domain.StockChange{
				VariantID: v.ID, ProductID: v.ProductID, Reason: domain.StockAdjusted,
				Delta: v.Stock - before, Stock: v.Stock,
			}, at); err != nil {
				return err
			}
		}
		p, err = s.product(ctx, tx, v.ProductID, false)
		return err
	})
	return p, err
}

// VariantDetails returns what carts need of each variant found among ids.
func (s *Store) VariantDetails(ctx context.Context, ids []string) ([]domain.VariantDetail, error) {
	const q = `SELECT ` + variantColumns + `, p.slug, p.name, coalesce(p.image_urls[1], ''), p.price_amount,
			p.available AND p.archived_at IS NULL
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.id = ANY($1::uuid[])`
	rows, _ := s.pool.Query(ctx, q, ids)
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
