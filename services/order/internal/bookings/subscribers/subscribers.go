// Package subscribers confirms bookings on the payment service's approvals
// and mails guests and hosts about confirmed and cancelled bookings.
package subscribers

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/order/internal/bookings/app"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	bookingevents "github.com/jangteo/jangteo/services/order/internal/bookings/events"
)

// PaymentApprovedConsumer is the bookings' durable consumer of payment.approved.
var PaymentApprovedConsumer = events.ConsumerConfig{
	Name: "booking-payment-approved", Service: "payment", Subjects: []string{"payment.approved"},
	Alone: true, // a late payment is refunded through the payment service
}

// MailConsumer mails guests and hosts about confirmed and cancelled bookings.
var MailConsumer = events.ConsumerConfig{
	Name: "booking-mail", Service: "order", Subjects: []string{bookingevents.SubjectConfirmed, bookingevents.SubjectReleased},
	Alone: true, // it mails
}

// isBooking reports whether a payment's order number is a booking's.
func isBooking(orderNumber string) bool { return strings.HasPrefix(orderNumber, domain.NumberPrefix) }

// Handlers apply consumed events through the use cases.
type Handlers struct{ app *app.App }

// New returns the handlers.
func New(a *app.App) *Handlers { return &Handlers{app: a} }

// PaymentApproved confirms the booking a payment paid; payments of orders are not its business.
func (h *Handlers) PaymentApproved(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev paymentv1.PaymentApproved
	if err := d.Decode(&ev); err != nil {
		return err
	}
	if !isBooking(ev.GetOrderNumber()) {
		return nil
	}
	return h.app.PaymentApproved(ctx, tx, app.Approval{
		PaymentID: ev.GetPaymentId(), BookingID: ev.GetOrderId(), Amount: ev.GetAmount(), Currency: ev.GetCurrency(),
	})
}

// Mail sends the mail of a booking's change.
func (h *Handlers) Mail(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
	var ev orderv1.BookingSlotChanged
	if err := d.Decode(&ev); err != nil {
		return err
	}
	return h.app.MailChange(ctx, tx, ev.GetBookingId(), domain.Status(ev.GetStatus()))
}
