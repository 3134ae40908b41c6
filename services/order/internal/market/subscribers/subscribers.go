// Package subscribers settles trades from their orders' events: order.paid
// moves a trade to paid, order.cancelled voids it. Each handler runs in the
// transaction that records the event in the inbox.
package subscribers

import (
	"context"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
	orderevents "github.com/jangteo/jangteo/services/order/internal/events"
	"github.com/jangteo/jangteo/services/order/internal/market/app"
)

// Durable consumers of the market.
var (
	OrderPaidConsumer = events.ConsumerConfig{
		Name: "market-order-paid", Service: "order", Subjects: []string{orderevents.SubjectPaid},
	}
	OrderCancelledConsumer = events.ConsumerConfig{
		Name: "market-order-cancelled", Service: "order", Subjects: []string{orderevents.SubjectCancelled},
	}
)

// Handlers apply the events through the market's use cases.
type Handlers struct{ app *app.App }

// New returns the handlers.
func New(a *app.App) *Handlers { return &Handlers{app: a} }

// OrderPaid settles the trade a paid order pays, if any.
func (h *Handlers) OrderPaid(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderPaid
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.OrderPaid(ctx, tx, ev.GetOrderId())
}

// OrderCancelled voids the trade a cancelled order paid, if any.
func (h *Handlers) OrderCancelled(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderCancelled
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.OrderCancelled(ctx, tx, ev.GetOrderId(), ev.GetReason())
}
