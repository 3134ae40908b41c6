// Package paypal is the PayPal provider (REST API: OAuth2 client
// credentials, Orders v2, Payments v2 refunds, webhooks).
//
// Prepare creates an order with intent CAPTURE and returns its approve link;
// the buyer approves at PayPal and comes back to the return URL with token
// (the order id) and PayerID; Approve captures the order. Every
// state-changing call carries PayPal-Request-Id (the payment's or refund's
// key), so PayPal answers a retry with the first outcome. Webhooks are
// verified with verify-webhook-signature and only name a payment to look up.
//
// PayPal does not take KRW: a payment is charged in the configured currency
// at the configured rate, both fixed on the payment when it is prepared
// (provider.Payment.Charge), and refunds are converted at that same rate; a
// refund of everything left refunds the rest of the capture exactly.
package paypal

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/wire"
)

// Name is PayPal's provider name.
const Name = "paypal"

// Config says where PayPal is, who we are there and how KRW is charged.
type Config struct {
	// BaseURL is the API root (https://api-m.paypal.com; sandbox
	// https://api-m.sandbox.paypal.com).
	BaseURL                string
	ClientID, ClientSecret string
	// WebhookID is the id PayPal gave the webhook registered for
	// /v1/webhooks/paypal; notifications are verified against it.
	WebhookID string
	// Currency is what payments are charged in (USD); Rate is how many KRW
	// one unit of it costs.
	Currency string
	Rate     Rate
	// BrandName is shown on PayPal's pages.
	BrandName string
	// Timeout bounds each call (default 15s).
	Timeout time.Duration
	// Now is the clock (tokens' expiry); time.Now when nil.
	Now func() time.Time
}

// Provider is the PayPal client.
type Provider struct {
	cfg Config
	api wire.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

var (
	_ provider.Provider = (*Provider)(nil)
	_ provider.Webhooks = (*Provider)(nil)
)

// New returns the client; rec records every exchange (secrets redacted).
func New(cfg Config, rec provider.Recorder) *Provider {
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Provider{cfg: cfg, api: wire.New(Name, cfg.BaseURL, rec, cfg.Timeout)}
}

// Name implements provider.Provider.
func (*Provider) Name() string { return Name }

// tokenSlack is how long before its expiry a token is replaced.
const tokenSlack = 5 * time.Minute

// accessToken returns the cached OAuth2 token, fetching a new one with the
// client credentials when there is none or it expires within tokenSlack.
func (p *Provider) accessToken(ctx context.Context, paymentID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.token != "" && p.cfg.Now().Add(tokenSlack).Before(p.expires) {
		return p.token, nil
	}
	basic := base64.StdEncoding.EncodeToString([]byte(p.cfg.ClientID + ":" + p.cfg.ClientSecret))
	res, err := p.api.Do(ctx, paymentID, http.MethodPost, "/v1/oauth2/token", "grant_type=client_credentials",
		map[string]string{"Authorization": "Basic " + basic})
	if err != nil {
		return "", err
	}
	if !res.OK() {
		return "", fmt.Errorf("paypal: token: %d %s", res.Status, res.Body)
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := res.Decode(&t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("paypal: token: %v", err)
	}
	p.token, p.expires = t.AccessToken, p.cfg.Now().Add(time.Duration(t.ExpiresIn)*time.Second)
	return p.token, nil
}

// Error is PayPal's error body.
type Error struct {
	Status  int    `json:"-"`
	Name    string `json:"name"`
	Message string `json:"message"`
	Details []struct {
		Issue       string `json:"issue"`
		Description string `json:"description"`
	} `json:"details"`
}

func (e *Error) Error() string {
	issues := make([]string, 0, len(e.Details))
	for _, d := range e.Details {
		issues = append(issues, d.Issue)
	}
	return fmt.Sprintf("paypal: %d %s %s %s", e.Status, e.Name, strings.Join(issues, ","), e.Message)
}

// issue is the first detail's issue of a PayPal error ("" for other errors).
func issue(err error) string {
	var e *Error
	if errors.As(err, &e) && len(e.Details) > 0 {
		return e.Details[0].Issue
	}
	return ""
}

// call sends an authorized request; requestID ("" for reads) becomes
// PayPal-Request-Id. A 401 (a revoked token) fetches a new token once.
func (p *Provider) call(ctx context.Context, paymentID, method, path string, body any, requestID string, out any) error {
	for attempt := 0; ; attempt++ {
		token, err := p.accessToken(ctx, paymentID)
		if err != nil {
			return err
		}
		h := map[string]string{"Authorization": "Bearer " + token, "Prefer": "return=representation"}
		if requestID != "" {
			h["PayPal-Request-Id"] = requestID
		}
		res, err := p.api.Do(ctx, paymentID, method, path, body, h)
		if err != nil {
			return err
		}
		if res.Status == http.StatusUnauthorized && attempt == 0 {
			p.mu.Lock()
			p.token = ""
			p.mu.Unlock()
			continue
		}
		if !res.OK() {
			e := &Error{Status: res.Status}
			_ = json.Unmarshal(res.Body, e)
			return e
		}
		if out == nil {
			return nil
		}
		return res.Decode(out)
	}
}

// charge is what the payment is charged at PayPal: its snapshot, or (before
// one was taken) the configured currency and rate now.
func (p *Provider) charge(pay provider.Payment) domain.Charge {
	if pay.Charge.Currency != "" {
		return pay.Charge
	}
	return domain.Charge{Currency: p.cfg.Currency, Amount: p.cfg.Rate.Charge(pay.Amount, p.cfg.Currency), Rate: p.cfg.Rate.String()}
}

// Money is PayPal's amount.
type Money struct {
	CurrencyCode string `json:"currency_code"`
	Value        string `json:"value"`
}

// Order is PayPal's order (the fields Jangteo reads).
type Order struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	PurchaseUnits []struct {
		ReferenceID string `json:"reference_id"`
		CustomID    string `json:"custom_id"`
		Amount      Money  `json:"amount"`
		Payments    struct {
			Captures []Capture `json:"captures"`
			Refunds  []Refund  `json:"refunds"`
		} `json:"payments"`
	} `json:"purchase_units"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

// Capture is money taken for an order.
type Capture struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Amount     Money  `json:"amount"`
	CustomID   string `json:"custom_id"`
	CreateTime string `json:"create_time"`
}

// Refund is money given back from a capture.
type Refund struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Amount Money  `json:"amount"`
}

// Prepare creates the order (once per key: PayPal-Request-Id) and returns
// its approve link and the charge.
func (p *Provider) Prepare(ctx context.Context, r provider.PrepareRequest) (provider.Prepared, error) {
	c := p.charge(r.Payment)
	body := map[string]any{
		"intent": "CAPTURE",
		"purchase_units": []map[string]any{{
			"reference_id": r.OrderNumber, "custom_id": r.ID, "invoice_id": r.ID,
			"description": r.OrderName,
			"amount":      Money{CurrencyCode: c.Currency, Value: value(c.Amount, c.Currency)},
		}},
		"application_context": map[string]any{
			"return_url": r.ApproveURL, "cancel_url": r.CancelURL, "brand_name": p.cfg.BrandName,
			"user_action": "PAY_NOW", "shipping_preference": "NO_SHIPPING",
		},
	}
	var o Order
	err := p.call(ctx, r.ID, http.MethodPost, "/v2/checkout/orders", body, r.IdempotencyKey, &o)
	var e *Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		return provider.Prepared{}, fmt.Errorf("%w: %w", provider.ErrDeclined, err)
	}
	if err != nil {
		return provider.Prepared{}, err
	}
	for _, l := range o.Links {
		if l.Rel == "approve" || l.Rel == "payer-action" {
			return provider.Prepared{Ref: o.ID, RedirectURL: l.Href, Charge: c}, nil
		}
	}
	return provider.Prepared{}, fmt.Errorf("paypal: order %s has no approve link", o.ID)
}

// order reads an order and checks it is the payment's.
func (p *Provider) order(ctx context.Context, pay provider.Payment, id string) (Order, error) {
	var o Order
	if err := p.call(ctx, pay.ID, http.MethodGet, "/v2/checkout/orders/"+url.PathEscape(id), nil, "", &o); err != nil {
		return o, err
	}
	if o.ID != id || len(o.PurchaseUnits) == 0 || o.PurchaseUnits[0].CustomID != pay.ID {
		return o, fmt.Errorf("paypal: order %s is not payment %s's", id, pay.ID)
	}
	return o, nil
}

// Approve captures the order the buyer approved. The return's token must be
// this payment's order; the capture must be of the charged amount (another
// amount is reported in the charged currency, so the payment service gives
// it back).
func (p *Provider) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	if tok := r.Callback.Get("token"); tok != "" && tok != r.Ref {
		return provider.Approval{}, fmt.Errorf("paypal: the return names order %q, not %q: %w", tok, r.Ref, provider.ErrNotApproved)
	}
	c := p.charge(r.Payment)
	o, err := p.order(ctx, r.Payment, r.Ref)
	if err != nil {
		return provider.Approval{}, err
	}
	if want := value(c.Amount, c.Currency); o.PurchaseUnits[0].Amount != (Money{c.Currency, want}) {
		return provider.Approval{}, fmt.Errorf("paypal: the order is %s %s, the payment %s %s: %w",
			o.PurchaseUnits[0].Amount.Value, o.PurchaseUnits[0].Amount.CurrencyCode, want, c.Currency, provider.ErrAmountMismatch)
	}
	switch o.Status {
	case "COMPLETED":
		return p.approval(r.Payment, c, o)
	case "VOIDED":
		return provider.Approval{}, fmt.Errorf("paypal: the order was voided: %w", provider.ErrDeclined)
	case "APPROVED":
	default:
		return provider.Approval{}, provider.ErrNotApproved
	}
	err = p.call(ctx, r.ID, http.MethodPost, "/v2/checkout/orders/"+url.PathEscape(r.Ref)+"/capture", map[string]any{}, r.IdempotencyKey, &o)
	switch is := issue(err); {
	case is == "ORDER_ALREADY_CAPTURED":
		if o, err = p.order(ctx, r.Payment, r.Ref); err != nil {
			return provider.Approval{}, err
		}
	case is == "ORDER_NOT_APPROVED" || is == "PAYER_ACTION_REQUIRED":
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrNotApproved, err)
	case is != "":
		return provider.Approval{}, fmt.Errorf("%w: %w", provider.ErrDeclined, err)
	case err != nil:
		return provider.Approval{}, wire.Uncertain(err)
	}
	return p.approval(r.Payment, c, o)
}

// approval reads the capture of a completed order: in the payment's
// currency when it is the charge, in the charged currency otherwise.
func (p *Provider) approval(pay provider.Payment, c domain.Charge, o Order) (provider.Approval, error) {
	if len(o.PurchaseUnits) == 0 || len(o.PurchaseUnits[0].Payments.Captures) == 0 {
		return provider.Approval{}, fmt.Errorf("paypal: order %s is %s without a capture: %w", o.ID, o.Status, provider.ErrUncertain)
	}
	capture := o.PurchaseUnits[0].Payments.Captures[0]
	switch capture.Status {
	case "DECLINED", "FAILED":
		return provider.Approval{}, fmt.Errorf("paypal: capture %s %s: %w", capture.ID, capture.Status, provider.ErrDeclined)
	case "PENDING":
		return provider.Approval{}, fmt.Errorf("paypal: capture %s pending: %w", capture.ID, provider.ErrUncertain)
	}
	at, _ := time.Parse(time.RFC3339, capture.CreateTime)
	taken, err := minor(capture.Amount.Value, capture.Amount.CurrencyCode)
	if err != nil {
		return provider.Approval{}, err
	}
	if capture.Amount.CurrencyCode != c.Currency || taken != c.Amount {
		return provider.Approval{TxID: capture.ID, Amount: taken, Currency: capture.Amount.CurrencyCode, ApprovedAt: at}, nil
	}
	return provider.Approval{TxID: capture.ID, Amount: pay.Amount, Currency: pay.Currency, ApprovedAt: at}, nil
}

// Lookup reads the order: CREATED (or waiting for the payer) is pending,
// APPROVED is authorized (capturing needs only the order id), COMPLETED is
// approved with its refunds converted back at the payment's rate.
func (p *Provider) Lookup(ctx context.Context, r provider.LookupRequest) (provider.Status, error) {
	o, err := p.order(ctx, r.Payment, r.Ref)
	if err != nil {
		return provider.Status{}, err
	}
	st := provider.Status{Amount: r.Amount}
	switch o.Status {
	case "APPROVED":
		st.State, st.Callback = provider.StateAuthorized, url.Values{"token": {o.ID}}
	case "VOIDED":
		st.State = provider.StateFailed
	case "COMPLETED":
		c := p.charge(r.Payment)
		a, err := p.approval(r.Payment, c, o)
		if errors.Is(err, provider.ErrDeclined) {
			st.State = provider.StateFailed
			return st, nil
		}
		if err != nil {
			return st, err
		}
		st.State, st.TxID, st.ApprovedAt, st.Amount = provider.StateApproved, a.TxID, a.ApprovedAt, a.Amount
		if o.PurchaseUnits[0].Payments.Captures[0].Status == "REFUNDED" {
			st.Refunded = st.Amount
			break
		}
		var refunded int64
		for _, rf := range o.PurchaseUnits[0].Payments.Refunds {
			v, err := minor(rf.Amount.Value, rf.Amount.CurrencyCode)
			if err == nil && rf.Status != "FAILED" && rf.Status != "CANCELLED" {
				refunded += v
			}
		}
		st.Refunded = p.back(r.Payment, c, refunded)
	default:
		st.State = provider.StatePending
	}
	return st, nil
}

// back converts minor units of the charge back to the payment's currency
// at the payment's rate.
func (p *Provider) back(pay provider.Payment, c domain.Charge, charged int64) int64 {
	if c.Amount == 0 {
		return 0
	}
	return (charged*pay.Amount + c.Amount/2) / c.Amount
}

// Refund gives back r.Amount from the capture, converted at the payment's
// rate; a refund of all that is left (Amount == Balance) sends no amount, so
// PayPal refunds the rest of the capture exactly. PayPal-Request-Id is the
// refund's key.
func (p *Provider) Refund(ctx context.Context, r provider.RefundRequest) (provider.Refunded, error) {
	if r.Amount <= 0 || r.Amount > r.Balance {
		return provider.Refunded{}, fmt.Errorf("paypal: a refund of %d with %d left: %w", r.Amount, r.Balance, provider.ErrRefundRejected)
	}
	c := p.charge(r.Payment)
	body := map[string]any{"invoice_id": r.ID + "-" + r.IdempotencyKey, "note_to_payer": r.Reason}
	if r.Currency == c.Currency && r.Amount != r.Balance {
		body["amount"] = Money{CurrencyCode: c.Currency, Value: value(r.Amount, c.Currency)}
	} else if r.Amount != r.Balance {
		body["amount"] = Money{CurrencyCode: c.Currency, Value: value(p.cfg.rateOf(c).Charge(r.Amount, c.Currency), c.Currency)}
	}
	if len(body["invoice_id"].(string)) > 127 {
		body["invoice_id"] = body["invoice_id"].(string)[:127]
	}
	var rf Refund
	err := p.call(ctx, r.ID, http.MethodPost, "/v2/payments/captures/"+url.PathEscape(r.TxID)+"/refund", body, r.IdempotencyKey, &rf)
	if is := issue(err); is != "" {
		return provider.Refunded{}, fmt.Errorf("%w: %w", provider.ErrRefundRejected, err)
	}
	if err != nil {
		return provider.Refunded{}, wire.Uncertain(err)
	}
	if rf.Status == "FAILED" || rf.Status == "CANCELLED" {
		return provider.Refunded{}, fmt.Errorf("paypal: refund %s %s: %w", rf.ID, rf.Status, provider.ErrRefundRejected)
	}
	return provider.Refunded{ID: rf.ID, Amount: r.Amount}, nil
}

// rateOf is the payment's fixed rate (the configured one if it has none).
func (c Config) rateOf(ch domain.Charge) Rate {
	if r, err := ParseRate(ch.Rate); err == nil {
		return r
	}
	return c.Rate
}

// Webhook verifies a notification with verify-webhook-signature and names
// the payment it is about (the custom_id set on the order and its capture).
func (p *Provider) Webhook(ctx context.Context, header http.Header, body []byte) (string, error) {
	get := func(k string) string {
		for name, v := range header {
			if strings.EqualFold(name, k) && len(v) > 0 {
				return v[0]
			}
		}
		return ""
	}
	var event struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
		Resource  struct {
			ID            string `json:"id"`
			CustomID      string `json:"custom_id"`
			PurchaseUnits []struct {
				CustomID string `json:"custom_id"`
			} `json:"purchase_units"`
		} `json:"resource"`
	}
	if err := json.Unmarshal(body, &event); err != nil || event.ID == "" {
		return "", fmt.Errorf("paypal: not a webhook event: %w", provider.ErrUnverified)
	}
	req := map[string]any{
		"auth_algo": get("PayPal-Auth-Algo"), "cert_url": get("PayPal-Cert-Url"),
		"transmission_id": get("PayPal-Transmission-Id"), "transmission_sig": get("PayPal-Transmission-Sig"),
		"transmission_time": get("PayPal-Transmission-Time"), "webhook_id": p.cfg.WebhookID,
		"webhook_event": json.RawMessage(body),
	}
	if req["transmission_id"] == "" || req["transmission_sig"] == "" {
		return "", fmt.Errorf("paypal: no signature headers: %w", provider.ErrUnverified)
	}
	var v struct {
		Status string `json:"verification_status"`
	}
	if err := p.call(ctx, "", http.MethodPost, "/v1/notifications/verify-webhook-signature", req, "", &v); err != nil {
		return "", err
	}
	if v.Status != "SUCCESS" {
		return "", fmt.Errorf("paypal: event %s: verification %s: %w", event.ID, v.Status, provider.ErrUnverified)
	}
	switch event.EventType {
	case "CHECKOUT.ORDER.APPROVED", "CHECKOUT.ORDER.COMPLETED":
		if len(event.Resource.PurchaseUnits) > 0 {
			return event.Resource.PurchaseUnits[0].CustomID, nil
		}
	case "PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED":
		return event.Resource.CustomID, nil
	}
	return "", nil
}
