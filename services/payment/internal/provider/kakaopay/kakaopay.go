// Package kakaopay is the KakaoPay provider (the online payment API at
// open-api.kakaopay.com: Authorization: SECRET_KEY …, JSON bodies).
//
// Ready registers the payment (tid) and returns the approval pages for pc,
// mobile and app; the buyer approves there and KakaoPay sends the browser to
// approval_url with a one-time pg_token, which approve needs together with
// the tid and the partner_order_id/partner_user_id given to ready. KakaoPay
// has no idempotency keys: ready is made idempotent by remembering its answer
// per payment (Readies), approve by looking the payment up before and after,
// and cancels by the request's payload (the refund's key), which the order
// lookup reports on each cancellation.
package kakaopay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/wire"
)

// Name is KakaoPay's provider name.
const Name = "kakaopay"

// Config says where KakaoPay is and who we are there.
type Config struct {
	// BaseURL is the API root (https://open-api.kakaopay.com).
	BaseURL string
	// SecretKey is the secret key (SECRET_KEY …; DEV… keys for the test CID).
	SecretKey string
	// CID is the merchant code (TC0ONETIME for tests).
	CID string
	// Timeout bounds each call (default 10s).
	Timeout time.Duration
}

// Readies remembers each payment's ready answer, so a retried Prepare
// returns the same tid instead of registering the payment twice.
type Readies interface {
	// Ready returns the remembered answer for paymentID, if any.
	Ready(ctx context.Context, paymentID string) (provider.Prepared, bool, error)
	// SaveReady remembers p for paymentID unless one is remembered already,
	// and returns the one that is.
	SaveReady(ctx context.Context, paymentID string, p provider.Prepared) (provider.Prepared, error)
}

// Provider is the KakaoPay client.
type Provider struct {
	cfg     Config
	api     wire.Client
	readies Readies
}

var _ provider.Provider = (*Provider)(nil)

// New returns the client; rec records every exchange (secrets redacted).
func New(cfg Config, readies Readies, rec provider.Recorder) *Provider {
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Provider{cfg: cfg, api: wire.New(Name, cfg.BaseURL, rec, cfg.Timeout), readies: readies}
}

// Name implements provider.Provider.
func (*Provider) Name() string { return Name }

// Error is KakaoPay's error body.
type Error struct {
	Code    int    `json:"error_code"`
	Message string `json:"error_message"`
	Status  int    `json:"-"`
}

func (e *Error) Error() string { return fmt.Sprintf("kakaopay: %d %s", e.Code, e.Message) }

func (p *Provider) call(ctx context.Context, paymentID, path string, body map[string]any, out any) error {
	body["cid"] = p.cfg.CID
	res, err := p.api.Do(ctx, paymentID, http.MethodPost, "/online/v1/payment/"+path, body,
		map[string]string{"Authorization": "SECRET_KEY " + p.cfg.SecretKey})
	if err != nil {
		return err
	}
	if !res.OK() {
		e := &Error{Status: res.Status}
		if json.Unmarshal(res.Body, e) != nil || e.Code == 0 {
			e.Code, e.Message = -res.Status, string(res.Body)
		}
		return e
	}
	return res.Decode(out)
}

// definite reports a refusal of the request itself (KakaoPay answered and
// did nothing): a 4xx other than our credentials being refused, which is an
// outage of ours, not the payment's fault.
func definite(err error) *Error {
	if e, ok := err.(*Error); ok && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		return e
	}
	return nil
}

// Prepare calls ready once per payment.
func (p *Provider) Prepare(ctx context.Context, r provider.PrepareRequest) (provider.Prepared, error) {
	if got, ok, err := p.readies.Ready(ctx, r.ID); err != nil || ok {
		return got, err
	}
	var res struct {
		TID        string `json:"tid"`
		PC         string `json:"next_redirect_pc_url"`
		Mobile     string `json:"next_redirect_mobile_url"`
		App        string `json:"next_redirect_app_url"`
		AndroidApp string `json:"android_app_scheme"`
		IOSApp     string `json:"ios_app_scheme"`
		CreatedAt  string `json:"created_at"`
	}
	err := p.call(ctx, r.ID, "ready", map[string]any{
		"partner_order_id": r.ID, "partner_user_id": r.UserID, "item_name": r.OrderName, "quantity": 1,
		"total_amount": r.Amount, "tax_free_amount": 0,
		"approval_url": r.ApproveURL, "cancel_url": r.CancelURL, "fail_url": r.FailURL,
	}, &res)
	if e := definite(err); e != nil {
		return provider.Prepared{}, fmt.Errorf("%w: %w", provider.ErrDeclined, e)
	}
	if err != nil {
		return provider.Prepared{}, err
	}
	return p.readies.SaveReady(ctx, r.ID, provider.Prepared{
		Ref: res.TID, RedirectURL: res.PC, MobileURL: res.Mobile, AppURL: res.App,
	})
}

// Order is KakaoPay's order lookup answer (the fields Jangteo reads).
type Order struct {
	TID            string `json:"tid"`
	Status         string `json:"status"`
	PartnerOrderID string `json:"partner_order_id"`
	PartnerUserID  string `json:"partner_user_id"`
	Amount         Amount `json:"amount"`
	CanceledAmount Amount `json:"canceled_amount"`
	Actions        []struct {
		AID        string `json:"aid"`
		Type       string `json:"payment_action_type"`
		Amount     int64  `json:"amount"`
		ApprovedAt string `json:"approved_at"`
		Payload    string `json:"payload"`
	} `json:"payment_action_details"`
}

// Amount is KakaoPay's amount object.
type Amount struct {
	Total   int64 `json:"total"`
	TaxFree int64 `json:"tax_free"`
}

func (p *Provider) order(ctx context.Context, pay provider.Payment, tid string) (Order, error) {
	var o Order
	if err := p.call(ctx, pay.ID, "order", map[string]any{"tid": tid}, &o); err != nil {
		return o, err
	}
	if o.TID != tid || o.PartnerOrderID != pay.ID {
		return o, fmt.Errorf("kakaopay: asked for %s of %s, got %s of %s", tid, pay.ID, o.TID, o.PartnerOrderID)
	}
	return o, nil
}

// KakaoPay's order statuses.
var (
	pending  = map[string]bool{"READY": true, "SEND_TMS": true, "OPEN_PAYMENT": true, "SELECT_METHOD": true, "ARS_WAITING": true, "ISSUED_SID": true}
	approved = map[string]bool{"SUCCESS_PAYMENT": true, "PART_CANCEL_PAYMENT": true, "CANCEL_PAYMENT": true}
	failed   = map[string]bool{"FAIL_AUTH_PASSWORD": true, "QUIT_PAYMENT": true, "FAIL_PAYMENT": true}
)

func status(o Order) provider.Status {
	st := provider.Status{Amount: o.Amount.Total}
	switch {
	case approved[o.Status]:
		st.State, st.Refunded = provider.StateApproved, o.CanceledAmount.Total
		for _, a := range o.Actions {
			if a.Type == "PAYMENT" {
				st.TxID = a.AID
				st.ApprovedAt, _ = time.Parse("2006-01-02T15:04:05", a.ApprovedAt)
			}
		}
	case failed[o.Status]:
		st.State = provider.StateFailed
	case o.Status == "AUTH_PASSWORD":
		st.State = provider.StateAuthorized // only the buyer's return carries the pg_token
	default:
		st.State = provider.StatePending
	}
	return st
}

// Lookup reads the order.
func (p *Provider) Lookup(ctx context.Context, r provider.LookupRequest) (provider.Status, error) {
	o, err := p.order(ctx, r.Payment, r.Ref)
	if err != nil {
		return provider.Status{}, err
	}
	return status(o), nil
}

// Approve takes the money with the buyer's pg_token. The order is looked up
// first: an approved order answers as it is (approving again), one of
// another amount is refused before anything is taken, one the buyer quit is
// declined. The approval's answer must name this payment and its amount.
func (p *Provider) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	o, err := p.order(ctx, r.Payment, r.Ref)
	if err != nil {
		return provider.Approval{}, err
	}
	if a, done, err := p.settled(r.Payment, o); done {
		return a, err
	}
	token := r.Callback.Get("pg_token")
	if o.Status != "AUTH_PASSWORD" || token == "" {
		return provider.Approval{}, provider.ErrNotApproved
	}
	var res struct {
		AID            string `json:"aid"`
		TID            string `json:"tid"`
		PartnerOrderID string `json:"partner_order_id"`
		PartnerUserID  string `json:"partner_user_id"`
		Amount         Amount `json:"amount"`
		ApprovedAt     string `json:"approved_at"`
	}
	err = p.call(ctx, r.ID, "approve", map[string]any{
		"tid": r.Ref, "partner_order_id": r.ID, "partner_user_id": r.UserID, "pg_token": token, "payload": r.IdempotencyKey,
	}, &res)
	if definite(err) != nil {
		// Approved meanwhile by a concurrent call, or refused: the order tells.
		if o, lerr := p.order(ctx, r.Payment, r.Ref); lerr == nil {
			if a, done, serr := p.settled(r.Payment, o); done {
				return a, serr
			}
		}
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrNotApproved, err)
	}
	if err != nil {
		return provider.Approval{}, wire.Uncertain(err)
	}
	if res.TID != r.Ref || res.PartnerOrderID != r.ID || res.PartnerUserID != r.UserID {
		return provider.Approval{}, fmt.Errorf("kakaopay: approval of %s/%s, not %s/%s: %w", res.TID, res.PartnerOrderID, r.Ref, r.ID, provider.ErrUncertain)
	}
	at, _ := time.Parse("2006-01-02T15:04:05", res.ApprovedAt)
	return provider.Approval{TxID: res.AID, Amount: res.Amount.Total, Currency: "KRW", ApprovedAt: at}, nil
}

// settled answers an approval from an order that needs none: taken already,
// failed, or of another amount.
func (p *Provider) settled(pay provider.Payment, o Order) (provider.Approval, bool, error) {
	st := status(o)
	switch {
	case st.State == provider.StateApproved:
		return provider.Approval{TxID: st.TxID, Amount: st.Amount, Currency: "KRW", ApprovedAt: st.ApprovedAt}, true, nil
	case st.State == provider.StateFailed:
		return provider.Approval{}, true, fmt.Errorf("kakaopay: the order is %s: %w", o.Status, provider.ErrDeclined)
	case o.Amount.Total != pay.Amount || pay.Currency != "KRW":
		return provider.Approval{}, true, fmt.Errorf("kakaopay: the order is %d KRW, the payment %d %s: %w",
			o.Amount.Total, pay.Amount, pay.Currency, provider.ErrAmountMismatch)
	}
	return provider.Approval{}, false, nil
}

// Refund cancels r.Amount (all tax-bearing), at most once per idempotency
// key: a cancellation whose payload is the key is found by the lookup.
// cancel_available_amount is r.Balance, so a cancel racing another is refused.
func (p *Provider) Refund(ctx context.Context, r provider.RefundRequest) (provider.Refunded, error) {
	o, err := p.order(ctx, r.Payment, r.Ref)
	if err != nil {
		return provider.Refunded{}, err
	}
	for _, a := range o.Actions {
		if a.Type == "CANCEL" && a.Payload == r.IdempotencyKey {
			return provider.Refunded{ID: a.AID, Amount: a.Amount}, nil
		}
	}
	var res struct {
		AID                  string `json:"aid"`
		TID                  string `json:"tid"`
		ApprovedCancelAmount Amount `json:"approved_cancel_amount"`
	}
	err = p.call(ctx, r.ID, "cancel", map[string]any{
		"tid": r.Ref, "cancel_amount": r.Amount, "cancel_tax_free_amount": 0,
		"cancel_available_amount": r.Balance, "payload": r.IdempotencyKey,
	}, &res)
	if e := definite(err); e != nil {
		return provider.Refunded{}, fmt.Errorf("%w: %w", provider.ErrRefundRejected, e)
	}
	if err != nil {
		return provider.Refunded{}, wire.Uncertain(err)
	}
	if res.TID != r.Ref {
		return provider.Refunded{}, fmt.Errorf("kakaopay: cancel answered for %s: %w", res.TID, provider.ErrUncertain)
	}
	return provider.Refunded{ID: res.AID, Amount: res.ApprovedCancelAmount.Total}, nil
}
