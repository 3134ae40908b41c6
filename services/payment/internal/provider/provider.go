// Package provider is the boundary between the payment service and the
// payment providers. Every provider takes a payment through the same four
// steps, which map onto each protocol like this:
//
//	step     sandbox             KakaoPay               PayPal Orders v2        Toss Payments
//	Prepare  ledger row + page   POST …/ready (tid)     POST /v2/checkout/…     (nothing remote; orderId)
//	Approve  capture             POST …/approve         POST …/{id}/capture     POST /v1/payments/confirm
//	                             (pg_token)             (token, PayerID)        (paymentKey, orderId, amount)
//	Lookup   ledger row          POST …/order           GET …/orders/{id}       GET /v1/payments/orders/{id}
//	Refund   ledger refund       POST …/cancel          POST …/captures/…/refund POST …/{paymentKey}/cancel
//
// The buyer approves between Prepare and Approve, at Prepared.RedirectURL;
// the provider then sends the buyer back with query parameters (Callback)
// that Approve needs. Every call is idempotent by its key, so the payment
// service may retry any of them after a timeout.
package provider

import (
	"context"
	"errors"
	"net/url"
	"time"
)

// Provider is one payment provider.
type Provider interface {
	// Name is the provider's name on payments: "sandbox", "kakaopay", "paypal", "toss".
	Name() string
	// Prepare registers a payment with the provider and returns where the
	// buyer approves it. ErrDeclined when the provider refuses it.
	Prepare(ctx context.Context, r PrepareRequest) (Prepared, error)
	// Approve takes the money after the buyer approved at the provider. It
	// checks the provider's answer (order and amount) against r and is
	// idempotent: approving an approved payment again returns the same
	// Approval. ErrDeclined when the buyer or provider declined,
	// ErrAmountMismatch when the provider reports another amount, ErrUncertain
	// when the outcome is not known (Lookup settles it).
	Approve(ctx context.Context, r ApproveRequest) (Approval, error)
	// Lookup asks the provider where a payment stands.
	Lookup(ctx context.Context, r LookupRequest) (Status, error)
	// Refund gives back part of a captured payment, idempotent by
	// r.IdempotencyKey. ErrRefundRejected when the provider refuses it.
	Refund(ctx context.Context, r RefundRequest) (Refunded, error)
}

// Payment is what every call knows about the payment it is about.
type Payment struct {
	// ID is the payment's UUID (partner_order_id at KakaoPay, custom_id at
	// PayPal, orderId at Toss).
	ID          string
	OrderID     string
	OrderNumber string
	UserID      string
	Amount      int64
	Currency    string
}

// PrepareRequest registers a payment.
type PrepareRequest struct {
	Payment
	// OrderName is the item summary shown at the provider.
	OrderName string
	// ApproveURL is where the provider sends the buyer after approving,
	// CancelURL after cancelling, FailURL after a failure: the payment
	// service's callbacks, not the shop's return URLs.
	ApproveURL, CancelURL, FailURL string
	// IdempotencyKey makes a retried Prepare return the same registration.
	IdempotencyKey string
}

// Prepared is a payment registered at the provider.
type Prepared struct {
	// Ref is the provider's handle on the payment (tid, PayPal order id, …).
	Ref string
	// RedirectURL is where the buyer approves the payment.
	RedirectURL string
}

// ApproveRequest takes the money of a payment the buyer approved.
type ApproveRequest struct {
	Payment
	// Ref is Prepared.Ref.
	Ref string
	// Callback is the query the provider sent the buyer back with
	// (pg_token; token and PayerID; paymentKey, orderId and amount).
	Callback url.Values
	// IdempotencyKey makes a retried Approve return the same Approval.
	IdempotencyKey string
}

// Approval is money taken.
type Approval struct {
	// TxID is the provider's id of the taken money (aid, capture id, paymentKey).
	TxID       string
	Amount     int64
	Currency   string
	ApprovedAt time.Time
}

// LookupRequest names a payment at the provider.
type LookupRequest struct {
	Payment
	Ref string
}

// State is where a payment stands at the provider.
type State string

// The states a lookup reports.
const (
	// StatePending: registered, the buyer has not finished approving.
	StatePending State = "pending"
	// StateAuthorized: the buyer approved; Approve has not taken the money yet.
	StateAuthorized State = "authorized"
	// StateApproved: the money is taken (refunds, if any, in Refunded).
	StateApproved State = "approved"
	// StateFailed: declined, cancelled or expired before the money was taken.
	StateFailed State = "failed"
)

// Status is a lookup's answer.
type Status struct {
	State    State
	TxID     string
	Amount   int64
	Refunded int64
}

// RefundRequest gives money back.
type RefundRequest struct {
	Payment
	Ref  string
	TxID string
	// Amount is what to give back now; Balance is what was left before this
	// refund (KakaoPay's cancel_available_amount check, PayPal's final capture).
	Amount, Balance int64
	Reason          string
	// IdempotencyKey names the refund (PayPal-Request-Id, Toss Idempotency-Key).
	IdempotencyKey string
}

// Refunded is a refund the provider made.
type Refunded struct {
	// ID is the provider's refund id.
	ID     string
	Amount int64
}

// The outcomes a provider reports besides success. Any other error is
// transient: nothing happened, and the call may be retried.
var (
	// ErrDeclined: the buyer or the provider declined; the payment failed for good.
	ErrDeclined = errors.New("provider: declined")
	// ErrNotApproved: the buyer has not approved at the provider (yet).
	ErrNotApproved = errors.New("provider: not approved by the buyer")
	// ErrAmountMismatch: the provider's amount is not the payment's.
	ErrAmountMismatch = errors.New("provider: amount does not match")
	// ErrUncertain: the request may or may not have taken effect (a timeout
	// after sending it); Lookup tells.
	ErrUncertain = errors.New("provider: outcome unknown")
	// ErrRefundRejected: the provider refused the refund.
	ErrRefundRejected = errors.New("provider: refund rejected")
)
