package clients

import (
	"context"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/services/order/internal/app"
	"github.com/jangteo/jangteo/services/order/internal/domain"
)

// Payments is app.Payments over the payment service.
type Payments struct {
	api paymentv1.PaymentServiceClient
}

// NewPayments returns the payment client.
func NewPayments(api paymentv1.PaymentServiceClient) *Payments { return &Payments{api: api} }

// Create implements app.Payments. The payment service's client-facing
// errors (an unknown provider, a bad URL) pass through as they are.
func (p *Payments) Create(ctx context.Context, r app.PaymentRequest) (*paymentv1.Payment, error) {
	o := r.Order
	resp, err := p.api.CreatePayment(ctx, &paymentv1.CreatePaymentRequest{
		OrderId: o.ID, OrderNumber: o.Number, UserId: o.UserID, Amount: o.Amounts.GrandTotal,
		Currency: o.Amounts.Currency, OrderName: truncate(o.Summary(), 100), Provider: r.Provider,
		ReturnUrl: r.ReturnURL, CancelUrl: r.CancelURL, IdempotencyKey: r.IdempotencyKey,
	})
	if err != nil {
		if _, clientFacing := errs.ToStatus(err); clientFacing && reason(err) != "" {
			return nil, err
		}
		return nil, unavailable(err, domain.ErrPaymentDown, "payment: create")
	}
	return resp.GetPayment(), nil
}

// Refund implements app.Payments.
func (p *Payments) Refund(ctx context.Context, paymentID string, amount int64, reasonText, key string) (int64, error) {
	resp, err := p.api.RefundPayment(ctx, &paymentv1.RefundPaymentRequest{
		PaymentId: paymentID, Amount: amount, Reason: truncate(reasonText, 500), IdempotencyKey: truncate(key, 255),
	})
	if reason(err) == "REFUND_EXCEEDS_BALANCE" {
		return 0, domain.ErrRefundExceeds.With("%s", message(err))
	}
	if err != nil {
		return 0, unavailable(err, domain.ErrPaymentDown, "payment: refund")
	}
	return resp.GetPayment().GetRefundedAmount(), nil
}

// CancelAll implements app.Payments.
func (p *Payments) CancelAll(ctx context.Context, orderID, reasonText string) error {
	if _, err := p.api.CancelPayments(ctx, &paymentv1.CancelPaymentsRequest{OrderId: orderID, Reason: truncate(reasonText, 500)}); err != nil {
		return unavailable(err, domain.ErrPaymentDown, "payment: cancel")
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
