// Package toss is the Toss Payments provider (API v1, https://docs.tosspayments.com).
//
// Nothing is registered remotely before the buyer pays: the buyer pays in
// Toss's payment window (opened by the checkout page with the client key),
// and Toss sends the browser to the success URL with paymentKey, orderId
// and amount. Those are only claims: Approve checks orderId and amount
// against the payment, then confirms (POST /v1/payments/confirm), and trusts
// the confirmed payment Toss answers. Calls use HTTP Basic auth with the
// secret key and an Idempotency-Key on confirm and cancel. Webhooks are not
// signed: a webhook only names a payment to look up.
package toss

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/wire"
)

// Name is Toss Payments' provider name.
const Name = "toss"

// Config says where Toss Payments is and who we are there.
type Config struct {
	// BaseURL is the API root (https://api.tosspayments.com).
	BaseURL string
	// SecretKey authenticates server calls; ClientKey opens the payment window.
	SecretKey, ClientKey string
	// CheckoutURL is the page that opens Toss's payment window for a payment
	// (the shop's checkout page with the Toss SDK; the local fake's page in
	// development). The payment's redirect_url is this with the payment's
	// clientKey, orderId, amount, orderName, successUrl and failUrl.
	CheckoutURL string
	// Timeout bounds each call (default 10s).
	Timeout time.Duration
}

// Provider is the Toss Payments client.
type Provider struct {
	cfg  Config
	api  wire.Client
	auth string
}

var _ provider.Provider = (*Provider)(nil)

// New returns the client; rec records every exchange (secrets redacted).
func New(cfg Config, rec provider.Recorder) *Provider {
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Provider{
		cfg:  cfg,
		api:  wire.New(Name, cfg.BaseURL, rec, cfg.Timeout),
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.SecretKey+":")),
	}
}

// Name implements provider.Provider.
func (*Provider) Name() string { return Name }

// Prepare registers nothing at Toss: the orderId is the payment's id, and the
// buyer is sent to the checkout page that opens the payment window.
func (p *Provider) Prepare(_ context.Context, r provider.PrepareRequest) (provider.Prepared, error) {
	q := url.Values{
		"clientKey":  {p.cfg.ClientKey},
		"orderId":    {r.ID},
		"orderName":  {r.OrderName},
		"amount":     {strconv.FormatInt(r.Amount, 10)},
		"successUrl": {r.ApproveURL},
		"failUrl":    {r.FailURL},
	}
	return provider.Prepared{Ref: r.ID, RedirectURL: p.cfg.CheckoutURL + "?" + q.Encode()}, nil
}

// Payment is Toss's payment object (the fields Jangteo reads).
type Payment struct {
	PaymentKey         string   `json:"paymentKey"`
	OrderID            string   `json:"orderId"`
	OrderName          string   `json:"orderName"`
	Status             string   `json:"status"`
	Currency           string   `json:"currency"`
	TotalAmount        int64    `json:"totalAmount"`
	BalanceAmount      int64    `json:"balanceAmount"`
	Method             string   `json:"method,omitempty"`
	RequestedAt        string   `json:"requestedAt"`
	ApprovedAt         string   `json:"approvedAt,omitempty"`
	Cancels            []Cancel `json:"cancels,omitempty"`
	LastTransactionKey string   `json:"lastTransactionKey,omitempty"`
}

// Cancel is one cancellation (refund) of a payment.
type Cancel struct {
	TransactionKey string `json:"transactionKey"`
	CancelAmount   int64  `json:"cancelAmount"`
	CancelReason   string `json:"cancelReason"`
	CanceledAt     string `json:"canceledAt"`
	CancelStatus   string `json:"cancelStatus"`
}

// Error is Toss's error body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e Error) Error() string { return "toss: " + e.Code + ": " + e.Message }

// Codes of definite refusals.
var declined = map[string]bool{
	"REJECT_CARD_PAYMENT": true, "REJECT_CARD_COMPANY": true, "INVALID_CARD_EXPIRATION": true,
	"EXCEED_MAX_DAILY_PAYMENT_COUNT": true, "NOT_AVAILABLE_PAYMENT": true, "PAY_PROCESS_ABORTED": true,
	"PAY_PROCESS_CANCELED": true, "NOT_FOUND_PAYMENT_SESSION": true, "REJECT_ACCOUNT_PAYMENT": true,
}

func (p *Provider) call(ctx context.Context, paymentID, method, path string, body any, key string) (Payment, error) {
	h := map[string]string{"Authorization": p.auth}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	res, err := p.api.Do(ctx, paymentID, method, path, body, h)
	if err != nil {
		return Payment{}, err
	}
	if !res.OK() {
		var e Error
		if json.Unmarshal(res.Body, &e) != nil || e.Code == "" {
			e = Error{Code: "HTTP_" + strconv.Itoa(res.Status), Message: strings.TrimSpace(string(res.Body))}
		}
		if res.Status >= 500 {
			return Payment{}, fmt.Errorf("toss: %s %s answered %d: %w", method, path, res.Status, e)
		}
		return Payment{}, e
	}
	var out Payment
	return out, res.Decode(&out)
}

func code(err error) string {
	var e Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Approve confirms the payment the buyer made in the payment window.
// paymentKey, orderId and amount come from the success redirect: orderId
// must be this payment's and amount its amount before anything is sent, and
// the confirmed payment must say the same. Without a paymentKey it answers
// from a lookup (an approval asked again).
func (p *Provider) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	key := r.Callback.Get("paymentKey")
	if key == "" {
		return p.approvedAlready(ctx, r.Payment)
	}
	if got := r.Callback.Get("orderId"); got != r.ID {
		return provider.Approval{}, fmt.Errorf("toss: the return names order %q, not this payment: %w", got, provider.ErrNotApproved)
	}
	if got := r.Callback.Get("amount"); got != strconv.FormatInt(r.Amount, 10) {
		return provider.Approval{}, fmt.Errorf("toss: the return says %q, the payment is %d: %w", got, r.Amount, provider.ErrAmountMismatch)
	}
	body := map[string]any{"paymentKey": key, "orderId": r.ID, "amount": r.Amount}
	pay, err := p.call(ctx, r.ID, http.MethodPost, "/v1/payments/confirm", body, r.IdempotencyKey)
	switch c := code(err); {
	case c == "ALREADY_PROCESSED_PAYMENT":
		return p.approvedAlready(ctx, r.Payment)
	case declined[c]:
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrDeclined, err)
	case c == "INVALID_REQUEST" && strings.Contains(err.Error(), "amount"):
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrAmountMismatch, err)
	case c == "NOT_FOUND_PAYMENT":
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrNotApproved, err)
	case err != nil:
		return provider.Approval{}, wire.Uncertain(err)
	}
	return approval(r.Payment, pay)
}

// approvedAlready answers an approval from Toss's record of the order.
func (p *Provider) approvedAlready(ctx context.Context, pay provider.Payment) (provider.Approval, error) {
	st, err := p.Lookup(ctx, provider.LookupRequest{Payment: pay, Ref: pay.ID})
	if err != nil {
		return provider.Approval{}, err
	}
	switch st.State {
	case provider.StateApproved:
		// Another amount is reported as it is: the payment service gives it back.
		return provider.Approval{TxID: st.TxID, Amount: st.Amount, Currency: "KRW", ApprovedAt: st.ApprovedAt}, nil
	case provider.StateFailed:
		return provider.Approval{}, fmt.Errorf("toss: the payment window was not completed: %w", provider.ErrDeclined)
	}
	return provider.Approval{}, provider.ErrNotApproved
}

// approval reads a confirmed payment. Its amount is reported as Toss says:
// another amount than the payment's (money taken) is given back by the
// payment service.
func approval(want provider.Payment, pay Payment) (provider.Approval, error) {
	if pay.OrderID != want.ID {
		return provider.Approval{}, fmt.Errorf("toss: confirmed order %q, not %q: %w", pay.OrderID, want.ID, provider.ErrNotApproved)
	}
	if pay.Status != "DONE" && pay.Status != "PARTIAL_CANCELED" && pay.Status != "CANCELED" {
		return provider.Approval{}, fmt.Errorf("toss: confirmed payment is %s: %w", pay.Status, provider.ErrDeclined)
	}
	at, _ := time.Parse(time.RFC3339, pay.ApprovedAt)
	return provider.Approval{TxID: pay.PaymentKey, Amount: pay.TotalAmount, Currency: pay.Currency, ApprovedAt: at}, nil
}

// Lookup reads the payment by orderId (the payment's id).
func (p *Provider) Lookup(ctx context.Context, r provider.LookupRequest) (provider.Status, error) {
	pay, err := p.call(ctx, r.ID, http.MethodGet, "/v1/payments/orders/"+url.PathEscape(r.ID), nil, "")
	if code(err) == "NOT_FOUND_PAYMENT" {
		return provider.Status{State: provider.StatePending, Amount: r.Amount}, nil
	}
	if err != nil {
		return provider.Status{}, err
	}
	if pay.OrderID != r.ID {
		return provider.Status{}, fmt.Errorf("toss: asked for order %s, got %s", r.ID, pay.OrderID)
	}
	return status(pay), nil
}

func status(pay Payment) provider.Status {
	st := provider.Status{Amount: pay.TotalAmount, Refunded: pay.TotalAmount - pay.BalanceAmount}
	switch pay.Status {
	case "DONE", "PARTIAL_CANCELED", "CANCELED":
		st.State, st.TxID = provider.StateApproved, pay.PaymentKey
		st.ApprovedAt, _ = time.Parse(time.RFC3339, pay.ApprovedAt)
	case "IN_PROGRESS":
		// Authenticated, not confirmed: Toss's own answer is what confirming needs.
		st.State = provider.StateAuthorized
		st.Callback = url.Values{"paymentKey": {pay.PaymentKey}, "orderId": {pay.OrderID}, "amount": {strconv.FormatInt(pay.TotalAmount, 10)}}
	case "ABORTED", "EXPIRED":
		st.State = provider.StateFailed
	default: // READY, WAITING_FOR_DEPOSIT
		st.State = provider.StatePending
	}
	if st.State != provider.StateApproved {
		st.Refunded = 0
	}
	return st
}

// Refund cancels r.Amount of the payment (a partial cancel unless it is all
// that is left), once per idempotency key.
func (p *Provider) Refund(ctx context.Context, r provider.RefundRequest) (provider.Refunded, error) {
	reason := r.Reason
	if reason == "" {
		reason = "refund"
	}
	body := map[string]any{"cancelReason": reason, "cancelAmount": r.Amount}
	pay, err := p.call(ctx, r.ID, http.MethodPost, "/v1/payments/"+url.PathEscape(r.TxID)+"/cancel", body, r.IdempotencyKey)
	switch c := code(err); {
	case c == "NOT_CANCELABLE_AMOUNT" || c == "ALREADY_CANCELED_PAYMENT" || c == "NOT_CANCELABLE_PAYMENT" || c == "NOT_FOUND_PAYMENT":
		return provider.Refunded{}, fmt.Errorf("%w: %w", provider.ErrRefundRejected, err)
	case err != nil:
		return provider.Refunded{}, wire.Uncertain(err)
	}
	if pay.OrderID != r.ID || len(pay.Cancels) == 0 {
		return provider.Refunded{}, fmt.Errorf("toss: cancel answered order %q with %d cancels", pay.OrderID, len(pay.Cancels))
	}
	last := pay.Cancels[len(pay.Cancels)-1]
	return provider.Refunded{ID: last.TransactionKey, Amount: last.CancelAmount}, nil
}

// Webhook reads a PAYMENT_STATUS_CHANGED notification. Toss does not sign
// them, so it only names the payment (its orderId) to look up; nothing in
// it is trusted.
func (p *Provider) Webhook(_ context.Context, _ http.Header, body []byte) (string, error) {
	var n struct {
		EventType string `json:"eventType"`
		Data      struct {
			OrderID string `json:"orderId"`
		} `json:"data"`
		// OrderID is where DEPOSIT_CALLBACK (virtual accounts) names it.
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(body, &n); err != nil || n.Data.OrderID == "" && n.OrderID == "" {
		return "", fmt.Errorf("toss: not a payment notification: %w", provider.ErrUnverified)
	}
	if n.Data.OrderID != "" {
		return n.Data.OrderID, nil
	}
	return n.OrderID, nil
}
