package clients

import (
	"context"
	"fmt"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/errs"
	bookingapp "github.com/jangteo/jangteo/services/order/internal/bookings/app"
	bookings "github.com/jangteo/jangteo/services/order/internal/bookings/domain"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// BookingPayments is space rental's bookingapp.Payments over the payment
// service. A booking's id is the payment's order id and its number the
// order number.
type BookingPayments struct {
	api paymentv1.PaymentServiceClient
}

// NewBookingPayments returns the payment client of space rental.
func NewBookingPayments(api paymentv1.PaymentServiceClient) *BookingPayments {
	return &BookingPayments{api: api}
}

// Create implements bookingapp.Payments; the payment service's client-facing errors pass through.
func (p *BookingPayments) Create(ctx context.Context, b bookings.Booking, r bookingapp.PaymentRequest) (*paymentv1.Payment, error) {
	resp, err := p.api.CreatePayment(ctx, &paymentv1.CreatePaymentRequest{
		OrderId: b.ID, OrderNumber: b.Number, UserId: b.UserID, Amount: b.Price, Currency: b.Currency,
		OrderName: truncate(fmt.Sprintf("%s %s %s", b.SpaceName, b.Date.Format("2006-01-02"), b.Option), 100),
		Provider:  r.Provider, ReturnUrl: r.ReturnURL, CancelUrl: r.CancelURL, IdempotencyKey: r.IdempotencyKey,
	})
	if err != nil {
		if _, clientFacing := errs.ToStatus(err); clientFacing && reason(err) != "" {
			return nil, err
		}
		return nil, unavailable(err, domain.ErrPaymentDown, "payment: create")
	}
	return resp.GetPayment(), nil
}

// Refund implements bookingapp.Payments.
func (p *BookingPayments) Refund(ctx context.Context, paymentID string, amount int64, why, key string) (int64, error) {
	resp, err := p.api.RefundPayment(ctx, &paymentv1.RefundPaymentRequest{
		PaymentId: paymentID, Amount: amount, Reason: truncate(why, 500), IdempotencyKey: truncate(key, 255),
	})
	if reason(err) == "REFUND_EXCEEDS_BALANCE" {
		return 0, bookingapp.ErrNothingToRefund
	}
	if err != nil {
		return 0, unavailable(err, domain.ErrPaymentDown, "payment: refund")
	}
	return resp.GetPayment().GetRefundedAmount(), nil
}
