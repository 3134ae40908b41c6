// Package events defines what the order service publishes: the subjects and
// the payloads of order.created, order.paid, order.cancelled, order.refunded
// and order.status_changed, written to the outbox in the use case's
// transaction.
package events

import (
	"context"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	typev1 "github.com/jangteo/jangteo/gen/go/jangteo/type/v1"
	"github.com/jangteo/jangteo/platform/events"
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
func Created(ctx context.Context, tx pgx.Tx, o domain.Order) error {
	return enqueue(ctx, tx, SubjectCreated, &orderv1.OrderCreated{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID,
		GrandTotal:   money(o.Amounts.GrandTotal, o.Amounts.Currency),
		PayableUntil: timestamppb.New(o.PayableUntil), CreateTime: timestamppb.New(o.CreatedAt),
	})
}

// Paid announces a paid order; the cart and the catalog consume it.
func Paid(ctx context.Context, tx pgx.Tx, o domain.Order) error {
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
func Cancelled(ctx context.Context, tx pgx.Tx, o domain.Order) error {
	last := o.LastEvent()
	return enqueue(ctx, tx, SubjectCancelled, &orderv1.OrderCancelled{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID, From: Statuses[last.From],
		PaymentId: o.PaymentID, Reason: last.Note, CancelTime: timestamppb.New(last.At),
	})
}

// Refunded announces money given back.
func Refunded(ctx context.Context, tx pgx.Tx, o domain.Order) error {
	return enqueue(ctx, tx, SubjectRefunded, &orderv1.OrderRefunded{
		OrderId: o.ID, Number: o.Number, UserId: o.UserID,
		RefundedAmount: money(o.RefundedAmount, o.Amounts.Currency),
		FullyRefunded:  o.RefundedAmount == o.Amounts.GrandTotal,
		RefundTime:     timestamppb.New(o.UpdatedAt),
	})
}

// StatusChanged announces each history entry from index since on.
func StatusChanged(ctx context.Context, tx pgx.Tx, o domain.Order, since int) error {
	for _, e := range o.History[since:] {
		if e.From == e.To {
			continue
		}
		err := enqueue(ctx, tx, SubjectStatusChanged, &orderv1.OrderStatusChanged{
			OrderId: o.ID, Number: o.Number, UserId: o.UserID, From: Statuses[e.From], To: Statuses[e.To],
			Actor: e.Actor, Note: e.Note, ChangeTime: timestamppb.New(e.At),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func enqueue(ctx context.Context, tx pgx.Tx, subject string, msg proto.Message) error {
	_, err := events.Enqueue(ctx, tx, subject, msg)
	return err
}
