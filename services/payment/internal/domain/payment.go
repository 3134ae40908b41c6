// Package domain holds the payment service's entities and rules: a payment,
// its statuses and the transitions between them, refunds and the errors a
// client may see. It knows nothing of protobuf, SQL or providers' protocols.
package domain

import (
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Status is where a payment is in its life.
type Status string

// The statuses of a payment.
const (
	StatusCreated           Status = "created"
	StatusReady             Status = "ready"
	StatusApproved          Status = "approved"
	StatusFailed            Status = "failed"
	StatusCancelled         Status = "cancelled"
	StatusPartiallyRefunded Status = "partially_refunded"
	StatusRefunded          Status = "refunded"
)

// transitions are the legal moves. Anything else is a conflict naming the
// current status; the store turns each move into one conditional UPDATE whose
// WHERE clause allows exactly the statuses listed here as sources.
var transitions = map[Status][]Status{
	StatusCreated:           {StatusReady, StatusFailed, StatusCancelled},
	StatusReady:             {StatusApproved, StatusFailed, StatusCancelled},
	StatusApproved:          {StatusPartiallyRefunded, StatusRefunded},
	StatusPartiallyRefunded: {StatusPartiallyRefunded, StatusRefunded},
}

// Statuses lists every status in the order of a payment's life.
var Statuses = []Status{
	StatusCreated, StatusReady, StatusApproved, StatusFailed, StatusCancelled,
	StatusPartiallyRefunded, StatusRefunded,
}

// CanBecome reports whether a payment in s may move to next.
func (s Status) CanBecome(next Status) bool { return slices.Contains(transitions[s], next) }

// Sources are the statuses from which a payment may move to s.
func Sources(s Status) []Status {
	var from []Status
	for _, f := range Statuses {
		if f.CanBecome(s) {
			from = append(from, f)
		}
	}
	return from
}

// Paid reports whether the money was taken at some point (approved, or
// refunded after approval).
func (s Status) Paid() bool {
	return s == StatusApproved || s == StatusPartiallyRefunded || s == StatusRefunded
}

// Open reports whether the payment may still be approved.
func (s Status) Open() bool { return s == StatusCreated || s == StatusReady }

// words are how a status reads in messages: "the payment is cancelled".
func (s Status) words() string {
	if s == StatusPartiallyRefunded {
		return "partially refunded"
	}
	return string(s)
}

// Payment is one attempt to pay an order through one provider.
type Payment struct {
	ID          string
	OrderID     string
	OrderNumber string
	UserID      string
	// OrderName is the item summary shown at the provider.
	OrderName string
	Provider  string
	Status    Status
	Amount    int64
	Currency  string
	// RefundedAmount is what the provider confirmed given back.
	RefundedAmount int64
	// RefundPending is what refunds still in flight have reserved.
	RefundPending int64
	// ProviderRef is the provider's handle on the payment from Prepare
	// (KakaoPay tid, PayPal order id, Toss orderId, the sandbox's ref).
	ProviderRef string
	// ProviderTxID is the provider's id of the taken money from Approve
	// (KakaoPay aid, PayPal capture id, Toss paymentKey).
	ProviderTxID   string
	RedirectURL    string
	ReturnURL      string
	CancelURL      string
	FailureReason  string
	IdempotencyKey string
	CreatedAt      time.Time
	ApprovedAt     time.Time // zero before approval
	UpdatedAt      time.Time
}

// Refundable is what can still be refunded: the amount less what was
// refunded and what refunds in flight have reserved.
func (p Payment) Refundable() int64 { return p.Amount - p.RefundedAmount - p.RefundPending }

// CheckTransition returns ErrStatusConflict naming p's current status unless
// p may move to next.
func (p Payment) CheckTransition(next Status) error {
	if p.Status.CanBecome(next) {
		return nil
	}
	return ErrStatusConflict.With("the payment is %s; it cannot become %s", p.Status.words(), next.words())
}

// ReturnTo is where the buyer's browser goes after approving (approved true)
// or declining: return_url or cancel_url with payment_id and order_number
// added to the query.
func (p Payment) ReturnTo(approved bool) string {
	target := p.CancelURL
	if approved {
		target = p.ReturnURL
	}
	u, err := url.Parse(target)
	if err != nil { // checked when the payment was created
		return target
	}
	q := u.Query()
	q.Set("payment_id", p.ID)
	q.Set("order_number", p.OrderNumber)
	u.RawQuery = q.Encode()
	return u.String()
}

// CheckRedirectURL accepts an absolute http or https URL.
func CheckRedirectURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http or https URL")
	}
	return nil
}

// RefundStatus is where a refund is.
type RefundStatus string

// The statuses of a refund.
const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund is money given back on a paid payment, named by its idempotency key.
type Refund struct {
	ID               string
	PaymentID        string
	IdempotencyKey   string
	Amount           int64
	Reason           string
	Status           RefundStatus
	ProviderRefundID string
	FailureReason    string
	CreatedAt        time.Time
	CompletedAt      time.Time
}

// PlanRefund decides how much a new refund of requested (0 = everything
// left) takes from p, which must be paid and have that much left.
func (p Payment) PlanRefund(requested int64) (int64, error) {
	if !p.Status.Paid() {
		return 0, ErrStatusConflict.With("the payment is %s; only an approved payment can be refunded", p.Status.words())
	}
	left := p.Refundable()
	if left == 0 {
		return 0, ErrRefundExceedsBalance.With("nothing is left to refund: %d of %d %s is refunded or being refunded",
			p.Amount-left, p.Amount, p.Currency)
	}
	if requested == 0 {
		return left, nil
	}
	if requested > left {
		return 0, ErrRefundExceedsBalance.With("a refund of %d %s exceeds what is left to refund: %d %s",
			requested, p.Currency, left, p.Currency)
	}
	return requested, nil
}

// AfterRefund is the status once RefundedAmount reaches refunded.
func (p Payment) AfterRefund(refunded int64) Status {
	if refunded >= p.Amount {
		return StatusRefunded
	}
	return StatusPartiallyRefunded
}
