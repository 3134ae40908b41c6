// Package clients implements the booking use cases' ports over the payment service.
package clients

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/order/internal/bookings/app"
	"github.com/jangteo/jangteo/services/order/internal/bookings/domain"
)

// ErrPaymentDown is a 503 the client may retry.
var ErrPaymentDown = errs.New(errs.Unavailable, "PAYMENT_UNAVAILABLE", "the payment service cannot be reached; try again shortly")

// Payments is app.Payments over the payment service. A booking's id is the
// payment's order id and its number the order number.
type Payments struct {
	api paymentv1.PaymentServiceClient
}

// NewPayments returns the payment client.
func NewPayments(api paymentv1.PaymentServiceClient) *Payments { return &Payments{api: api} }

// Create implements app.Payments; the payment service's client-facing errors pass through.
func (p *Payments) Create(ctx context.Context, b domain.Booking, r app.PaymentRequest) (*paymentv1.Payment, error) {
	resp, err := p.api.CreatePayment(ctx, &paymentv1.CreatePaymentRequest{
		OrderId: b.ID, OrderNumber: b.Number, UserId: b.UserID, Amount: b.Price, Currency: b.Currency,
		OrderName: truncate(fmt.Sprintf("%s %s %s", b.SpaceName, b.Date.Format("2006-01-02"), b.Option), 100),
		Provider:  r.Provider, ReturnUrl: r.ReturnURL, CancelUrl: r.CancelURL, IdempotencyKey: r.IdempotencyKey,
	})
	if err != nil {
		if _, clientFacing := errs.ToStatus(err); clientFacing && reason(err) != "" {
			return nil, err
		}
		return nil, down(err, "payment: create")
	}
	return resp.GetPayment(), nil
}

// Refund implements app.Payments.
func (p *Payments) Refund(ctx context.Context, paymentID string, amount int64, why, key string) (int64, error) {
	resp, err := p.api.RefundPayment(ctx, &paymentv1.RefundPaymentRequest{
		PaymentId: paymentID, Amount: amount, Reason: truncate(why, 500), IdempotencyKey: truncate(key, 255),
	})
	if reason(err) == "REFUND_EXCEEDS_BALANCE" {
		return 0, app.ErrNothingToRefund
	}
	if err != nil {
		return 0, down(err, "payment: refund")
	}
	return resp.GetPayment().GetRefundedAmount(), nil
}

func reason(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func down(err error, call string) error {
	switch status.Code(err) {
	case codes.Unavailable, codes.DeadlineExceeded:
		return fmt.Errorf("%s: %w", call, errors.Join(ErrPaymentDown, err))
	}
	return fmt.Errorf("%s: %w", call, err)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
