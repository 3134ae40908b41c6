// Package events defines what the order service publishes: the subjects and
// the payloads of order.created, order.paid, order.cancelled, order.refunded
// and order.status_changed, written to the outbox in the use case's
// transaction.
package events

import (
	"context"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Subjects the order service publishes on (stream ORDER).
const (
	SubjectCreated       = "order.created"
	SubjectPaid          = "order.paid"
	SubjectCancelled     = "order.cancelled"
	SubjectRefunded      = "order.refunded"
	SubjectStatusChanged = "order.status_changed"
)

// Statuses maps domain statuses to the API's enum.
var Statuses = map[domain.Status]orderv1.OrderStatus{
	domain.StatusPendingPayment:    orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT,
	domain.StatusPaid:              orderv1.OrderStatus_ORDER_STATUS_PAID,
	domain.StatusPreparing:         orderv1.OrderStatus_ORDER_STATUS_PREPARING,
	domain.StatusShipped:           orderv1.OrderStatus_ORDER_STATUS_SHIPPED,
	domain.StatusDelivered:         orderv1.OrderStatus_ORDER_STATUS_DELIVERED,
	domain.StatusCompleted:         orderv1.OrderStatus_ORDER_STATUS_COMPLETED,
	domain.StatusCancelled:         orderv1.OrderStatus_ORDER_STATUS_CANCELLED,
	domain.StatusRefunded:          orderv1.OrderStatus_ORDER_STATUS_REFUNDED,
	domain.StatusPartiallyRefunded: orderv1.OrderStatus_ORDER_STATUS_PARTIALLY_REFUNDED,
}

func money(amount int64, currency string) *typev1.Money {
	return &typev1.Money{Amount: amount, Currency: currency}
}

// Created announces a new order.
func Created(ctx context.Context, tx postgres.DB, o domain.Order) error {
	return enqueue(ctx, tx, SubjectCreated, created(o))
}

func created(o domain.Order) *orderv1.OrderCreated {
	return &orderv1.OrderCreated{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID,
		GrandTotal:   money(o.Amounts.GrandTotal, o.Amounts.Currency),
		PayableUntil: timestamppb.New(o.PayableUntil), CreateTime: timestamppb.New(o.CreatedAt),
	}
}

// Placed are a new order's events, Created's and StatusChanged's, for
// events.EnqueueAll: the market writes a batch of orders at once.
func Placed(ctx context.Context, o domain.Order) []events.Pending {
	out := []events.Pending{{Ctx: ctx, Subject: SubjectCreated, Msg: created(o)}}
	for _, msg := range statusChanges(o, 0) {
		out = append(out, events.Pending{Ctx: ctx, Subject: SubjectStatusChanged, Msg: msg})
	}
	return out
}

// Paid announces a paid order; the cart and the catalog consume it.
func Paid(ctx context.Context, tx postgres.DB, o domain.Order) error {
	ev := &orderv1.OrderPaid{
		OrderId: o.ID, UserId: o.UserID, CartId: o.CartID, PaidTime: timestamppb.New(o.PaidAt),
		Number: o.Number, PaymentId: o.PaymentID, GrandTotal: money(o.Amounts.GrandTotal, o.Amounts.Currency),
	}
	for _, l := range o.Lines {
		ev.Lines = append(ev.Lines, &orderv1.OrderPaid_Line{ProductId: l.ProductID, VariantId: l.VariantID, Quantity: int64(l.Quantity)})
	}
	return enqueue(ctx, tx, SubjectPaid, ev)
}

// Cancelled announces a cancelled order; the order service's own consumer
// gives back what it held.
func Cancelled(ctx context.Context, tx postgres.DB, o domain.Order) error {
	last := o.LastEvent()
	return enqueue(ctx, tx, SubjectCancelled, &orderv1.OrderCancelled{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID, From: Statuses[last.From],
		PaymentId: o.PaymentID, Reason: last.Note, CancelTime: timestamppb.New(last.At),
	})
}

// Refunded announces money given back.
func Refunded(ctx context.Context, tx postgres.DB, o domain.Order) error {
	return enqueue(ctx, tx, SubjectRefunded, &orderv1.OrderRefunded{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID,
		RefundedAmount: money(o.RefundedAmount, o.Amounts.Currency),
		FullyRefunded:  o.RefundedAmount == o.Amounts.GrandTotal,
		RefundTime:     timestamppb.New(o.UpdatedAt),
	})
}

// StatusChanged announces each history entry from index since on.
func StatusChanged(ctx context.Context, tx postgres.DB, o domain.Order, since int) error {
	for _, msg := range statusChanges(o, since) {
		if err := enqueue(ctx, tx, SubjectStatusChanged, msg); err != nil {
			return err
		}
	}
	return nil
}

func statusChanges(o domain.Order, since int) []*orderv1.OrderStatusChanged {
	var out []*orderv1.OrderStatusChanged
	for _, e := range o.History[since:] {
		if e.From == e.To {
			continue
		}
		out = append(out, &orderv1.OrderStatusChanged{
			OrderId: o.ID, Number: o.Number, UserId: o.UserID, From: Statuses[e.From], To: Statuses[e.To],
			Actor: e.Actor, Note: e.Note, ChangeTime: timestamppb.New(e.At),
		})
	}
	return out
}

func enqueue(ctx context.Context, tx postgres.DB, subject string, msg proto.Message) error {
	_, err := events.Enqueue(ctx, tx, subject, msg)
	return err
}
