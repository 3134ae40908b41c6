package app

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// VariantPatch lists the variant fields an update changes; nil leaves a field.
type VariantPatch struct {
	SKU                *string
	Stock              *int64
	PriceOverride      *domain.Money
	ClearPriceOverride bool
}

// UpdateVariant sets a variant's SKU, stock or price override and returns
// its product. Setting stock is an absolute count from a stocktake; orders
// move stock only through reservations.
func (a *App) UpdateVariant(ctx context.Context, id string, patch VariantPatch) (domain.Product, error) {
	if patch.PriceOverride != nil && patch.ClearPriceOverride {
		return domain.Product{}, errs.InvalidFields(errs.Field("clear_price_override", "cannot be set with price_override"))
	}
	var p domain.Product
	err := postgres.InTx(ctx, a.db, func(tx pgx.Tx) error {
		s := a.stores(tx)
		v, err := s.VariantForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if p, err = s.Product(ctx, v.ProductID); err != nil {
			return err
		}
		before := v.Stock
		if err := patch.apply(p, &v); err != nil {
			return err
		}
		if err := s.SaveVariant(ctx, v); err != nil {
			return err
		}
		if v.Stock != before {
			if err := publishStockChanged(ctx, tx, domain.StockChange{
				VariantID: v.ID, ProductID: v.ProductID, Reason: domain.StockAdjusted,
				Delta: v.Stock - before, Stock: v.Stock,
			}); err != nil {
				return err
			}
		}
		p, err = s.Product(ctx, v.ProductID)
		return err
	})
	return p, err
}

// apply sets the fields patch names on v, a variant of p.
func (patch VariantPatch) apply(p domain.Product, v *domain.Variant) error {
	if patch.SKU != nil {
		v.SKU = *patch.SKU
	}
	if patch.Stock != nil {
		v.Stock = *patch.Stock
	}
	if patch.ClearPriceOverride {
		v.PriceOverride = nil
	}
	if o := patch.PriceOverride; o != nil {
		if o.Currency == "" {
			o.Currency = p.Price.Currency
		}
		if o.Currency != p.Price.Currency {
			return errs.InvalidFields(errs.Field("price_override.currency", "must be the product's currency "+p.Price.Currency))
		}
		v.PriceOverride = o
	}
	return nil
}
