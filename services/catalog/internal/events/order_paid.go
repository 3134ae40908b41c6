package events

import (
	"context"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
)

// OrderPaidConsumer is the durable consumer of order.paid.
var OrderPaidConsumer = events.ConsumerConfig{
	Name:     "catalog-order-paid",
	Service:  "order",
	Subjects: []string{"order.paid"},
}

// PurchaseRecorder is the use case the handler runs.
type PurchaseRecorder interface {
	RecordPurchases(ctx context.Context, purchases []domain.Purchase) error
}

// OrderPaid returns the handler that records who bought what, which is what
// allows a review and what ranks products by popularity. inTx gives the use
// cases running inside the consumer's transaction, which also writes the
// inbox row, so a redelivered event is harmless.
func OrderPaid(inTx func(tx pgx.Tx) PurchaseRecorder) events.Handler {
	return func(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
		var ev orderv1.OrderPaid
		if err := d.Decode(&ev); err != nil {
			return err
		}
		purchases := make([]domain.Purchase, 0, len(ev.GetLines()))
		for _, l := range ev.GetLines() {
			purchases = append(purchases, domain.Purchase{
				OrderID: ev.GetOrderId(), UserID: ev.GetUserId(),
				ProductID: l.GetProductId(), VariantID: l.GetVariantId(), Quantity: l.GetQuantity(),
			})
		}
		return inTx(tx).RecordPurchases(ctx, purchases)
	}
}
