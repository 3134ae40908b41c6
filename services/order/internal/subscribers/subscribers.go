// Package subscribers holds the order service's event consumers: the payment
// service's outcomes, and its own order.paid and order.cancelled, whose
// follow-ups (stock committed or released, refunds, mail) must happen even
// if the process stops right after the state change. Each handler runs in
// the transaction that records the event in the inbox.
package subscribers

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/order/internal/app"
	bookings "github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	orderevents "github.com/jangteo/jangteo/services/order/internal/events"
)

// Durable consumers of the order service.
var (
	PaymentApprovedConsumer = events.ConsumerConfig{
		Name: "order-payment-approved", Service: "payment", Subjects: []string{"payment.approved"},
		Alone: true, // a late payment is refunded through the payment service and mailed
	}
	PaymentRefundedConsumer = events.ConsumerConfig{
		Name: "order-payment-refunded", Service: "payment", Subjects: []string{"payment.refunded"},
	}
	CommitStockConsumer = events.ConsumerConfig{
		Name: "order-commit-stock", Service: "order", Subjects: []string{orderevents.SubjectPaid},
		Alone: true, // it calls the catalog
	}
	ConfirmationConsumer = events.ConsumerConfig{
		Name: "order-confirmation-mail", Service: "order", Subjects: []string{orderevents.SubjectPaid},
		Alone: true, // it mails
	}
	CompensateConsumer = events.ConsumerConfig{
		Name: "order-compensate", Service: "order", Subjects: []string{orderevents.SubjectCancelled},
		Alone: true, // it asks the payment service for refunds
	}
)

// Handlers apply consumed events through the use cases.
type Handlers struct{ app *app.App }

// New returns the handlers.
func New(a *app.App) *Handlers { return &Handlers{app: a} }

var errNoOrder = errors.New("event without an order_id")

// isBooking reports whether a payment paid a space booking rather than an
// order: bookings have their own consumer.
func isBooking(orderNumber string) bool { return strings.HasPrefix(orderNumber, bookings.NumberPrefix) }

// PaymentApproved marks the order paid, or refunds a payment that came too late.
func (h *Handlers) PaymentApproved(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev paymentv1.PaymentApproved
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.GetOrderId() == "" {
		return errNoOrder
	}
	if isBooking(ev.GetOrderNumber()) {
		return nil
	}
	return h.app.PaymentApproved(ctx, tx, app.Approval{
		PaymentID: ev.GetPaymentId(), OrderID: ev.GetOrderId(), Amount: ev.GetAmount(), Currency: ev.GetCurrency(),
	})
}

// PaymentRefunded records the refunded total.
func (h *Handlers) PaymentRefunded(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev paymentv1.PaymentRefunded
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if ev.GetOrderId() == "" {
		return errNoOrder
	}
	if isBooking(ev.GetOrderNumber()) {
		return nil
	}
	return h.app.PaymentRefunded(ctx, tx, ev.GetOrderId(), ev.GetPaymentId(), ev.GetRefundedTotal())
}

// CommitStock tells the catalog a paid order's stock is sold.
func (h *Handlers) CommitStock(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderPaid
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.CommitStock(ctx, tx, ev.GetOrderId())
}

// Confirmation mails the order confirmation.
func (h *Handlers) Confirmation(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderPaid
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.SendConfirmation(ctx, tx, ev.GetOrderId())
}

// Compensate gives back what a cancelled order held.
func (h *Handlers) Compensate(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.OrderCancelled
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.Compensate(ctx, tx, ev.GetOrderId(), ev.GetPaymentId(), ev.GetReason())
}
