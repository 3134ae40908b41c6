// Package events holds the handlers of the events the cart consumes: product
// changes from the catalog and paid orders from the order service. Each runs
// inside the transaction that records the event in the inbox, so a redelivered
// event has no second effect.
package events

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/cart/internal/domain"
)

// Subjects and durable consumers of the cart.
const (
	SubjectProductChanged = "catalog.product_changed"
	SubjectOrderPaid      = "order.paid"
)

// ProductChangedConsumer keeps line names fresh.
var ProductChangedConsumer = events.ConsumerConfig{
	Name:     "cart-product-changed",
	Service:  "catalog",
	Subjects: []string{SubjectProductChanged},
}

// OrderPaidConsumer empties the cart an order was placed from.
var OrderPaidConsumer = events.ConsumerConfig{
	Name:     "cart-order-paid",
	Service:  "order",
	Subjects: []string{SubjectOrderPaid},
}

// UseCases are what the handlers run.
type UseCases interface {
	RefreshProduct(ctx context.Context, f domain.ProductFacts) (int64, error)
	RemovePaid(ctx context.Context, cartID, userID string, paid []domain.PaidLine) error
}

// Handlers apply consumed events by running use cases inside the consumer's
// transaction, which also records the event in the inbox.
type Handlers struct {
	inTx func(tx pgx.Tx) UseCases
	log  *zap.Logger
}

// NewHandlers returns the event handlers; inTx gives the use cases running
// inside a consumer's transaction.
func NewHandlers(inTx func(tx pgx.Tx) UseCases, log *zap.Logger) *Handlers {
	return &Handlers{inTx: inTx, log: log}
}

// ProductChanged copies the product's new slug and name onto its cart lines.
func (h *Handlers) ProductChanged(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev catalogv1.ProductChanged
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if _, err := uuid.Parse(ev.GetProductId()); err != nil {
		return events.Permanent(errors.New("product_changed without a valid product_id"))
	}
	if ev.GetName() == "" || ev.GetOccurTime() == nil {
		return nil // nothing to copy
	}
	n, err := h.inTx(tx).RefreshProduct(ctx, domain.ProductFacts{
		ProductID: ev.GetProductId(), Slug: ev.GetSlug(), Name: ev.GetName(), At: ev.GetOccurTime().AsTime(),
	})
	if err != nil {
		return err
	}
	if n > 0 {
		h.log.Debug("refreshed cart lines", zap.String("product_id", ev.GetProductId()), zap.Int64("lines", n))
	}
	return nil
}

// OrderPaid takes what the order bought out of the cart it was placed from
// (see app.RemovePaid). Orders not placed from a cart (market trades,
// bookings) carry no cart id and change nothing.
func (h *Handlers) OrderPaid(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderPaid
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.GetCartId() == "" {
		return nil
	}
	if _, err := uuid.Parse(ev.GetCartId()); err != nil {
		return events.Permanent(errors.New("order.paid with a malformed cart_id"))
	}
	var paid []domain.PaidLine
	for _, l := range ev.GetLines() {
		if _, err := uuid.Parse(l.GetVariantId()); err != nil || l.GetQuantity() <= 0 {
			continue // not a cart line (no variant) or nothing bought
		}
		paid = append(paid, domain.PaidLine{VariantID: l.GetVariantId(), Quantity: l.GetQuantity()})
	}
	if len(ev.GetLines()) > 0 && len(paid) == 0 {
		return nil
	}
	return h.inTx(tx).RemovePaid(ctx, ev.GetCartId(), ev.GetUserId(), paid)
}
