package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
	catalogevents "github.com/jangteo/jangteo/services/catalog/internal/events"
)

// publishProductChanged writes catalog.product_changed for p to tx's outbox.
func publishProductChanged(ctx context.Context, tx pgx.Tx, p domain.Product, change domain.ProductChange) error {
	_, err := events.Enqueue(ctx, tx, catalogevents.SubjectProductChanged, catalogevents.ProductChanged(p, change, p.UpdatedAt), events.Aggregate(p.ID))
	return err
}

// publishStockChanged writes one catalog.stock_changed per movement to tx's
// outbox.
func publishStockChanged(ctx context.Context, tx pgx.Tx, changes ...domain.StockChange) error {
	at := time.Now().UTC()
	for _, c := range changes {
		if _, err := events.Enqueue(ctx, tx, catalogevents.SubjectStockChanged, catalogevents.StockChanged(c, at), events.Aggregate(c.ProductID)); err != nil {
			return err
		}
	}
	return nil
}
