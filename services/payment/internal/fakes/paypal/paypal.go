// Package paypal is a local fake of PayPal's REST API: OAuth2 client
// credentials, Orders v2 (create with an approve link, the buyer's approval
// page, capture, get), refunds on captures, PayPal-Request-Id replays,
// webhooks with signature headers and verify-webhook-signature. The real
// client talks to it as to PayPal.
package paypal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/fakes"
)

// Fake is the fake PayPal.
type Fake struct {
	ClientID, ClientSecret, WebhookID string
	// WebhookURL receives the webhooks ("" sends none). NotifyApprovals also
	// sends CHECKOUT.ORDER.APPROVED when a buyer approves.
	WebhookURL      string
	NotifyApprovals bool
	// TokenTTL is how long access tokens live (default 9h, as PayPal's).
	TokenTTL time.Duration
	// Faults are switched on per test with Faults.Next(op, fault); ops:
	// "page", "token", "create", "capture", "get", "refund".
	Faults fakes.Faults

	mu       sync.Mutex
	tokens   map[string]time.Time // access token → expiry
	issued   int
	orders   map[string]*order
	captures map[string]*order // capture id → order
	replays  map[string]replay // PayPal-Request-Id + path →
	sent     map[string]string // transmission id → event id
	mux      *http.ServeMux
	base     string
}

type order struct {
	ID, Status, ReferenceID, CustomID, InvoiceID, Description string
	Currency, Value                                           string
	ReturnURL, CancelURL, PayerID                             string
	Capture                                                   *capture
	Refunds                                                   []refund
	Created                                                   time.Time
}

type capture struct {
	ID, Status, Value string
	Created           time.Time
}

type refund struct {
	ID, Value string
}

type replay struct {
	status int
	body   []byte
}

// New returns a fake accepting clientID and secret, whose webhooks verify
// against webhookID.
func New(clientID, secret, webhookID string) *Fake {
	f := &Fake{ClientID: clientID, ClientSecret: secret, WebhookID: webhookID, TokenTTL: 9 * time.Hour,
		tokens: map[string]time.Time{}, orders: map[string]*order{}, captures: map[string]*order{},
		replays: map[string]replay{}, sent: map[string]string{}, mux: http.NewServeMux()}
	f.mux.HandleFunc("POST /v1/oauth2/token", f.token)
	f.mux.HandleFunc("POST /v2/checkout/orders", f.authed("create", f.create))
	f.mux.HandleFunc("GET /v2/checkout/orders/{id}", f.authed("get", f.get))
	f.mux.HandleFunc("POST /v2/checkout/orders/{id}/capture", f.authed("capture", f.capture))
	f.mux.HandleFunc("POST /v2/payments/captures/{id}/refund", f.authed("refund", f.refund))
	f.mux.HandleFunc("POST /v1/notifications/verify-webhook-signature", f.authed("verify", f.verify))
	f.mux.HandleFunc("GET /checkoutnow", f.page)
	f.mux.HandleFunc("POST /checkoutnow/approve", f.buyerApproves)
	f.mux.HandleFunc("POST /checkoutnow/cancel", f.buyerCancels)
	return f
}

// TokensIssued counts the access tokens handed out.
func (f *Fake) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.base == "" {
		f.base = "http://" + r.Host
	}
	f.mu.Unlock()
	f.mux.ServeHTTP(w, r)
}

// newID is a PayPal-like id of 2n upper-case hex digits.
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func writeJSON(w http.ResponseWriter, status int, v any) []byte {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Paypal-Debug-Id", newID(6))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return b
}

func problem(status int, name, issue, desc string) (int, any) {
	return status, map[string]any{"name": name, "message": desc, "debug_id": newID(6),
		"details": []map[string]string{{"issue": issue, "description": desc}}}
}

func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if f.Faults.Take("token", r) == fakes.Fail5xx {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"name": "INTERNAL_SERVER_ERROR"})
		return
	}
	if !ok || id != f.ClientID || secret != f.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	f.mu.Lock()
	tok := "A21AA" + newID(24)
	f.tokens[tok] = time.Now().Add(f.TokenTTL)
	f.issued++
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"scope": "https://uri.paypal.com/services/payments/payment", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-80W284485P519543T", "expires_in": int64(f.TokenTTL.Seconds()), "nonce": newID(10)})
}

// authed checks the bearer token, applies op's faults and replays a
// request whose PayPal-Request-Id was seen.
func (f *Fake) authed(op string, h func(r *http.Request, body map[string]any) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		exp, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		f.mu.Unlock()
		if !ok || time.Now().After(exp) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "Token signature verification failed"})
			return
		}
		fault := f.Faults.Take(op, r)
		if fault == fakes.Fail5xx {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred."})
			return
		}
		body := map[string]any{}
		if r.Method == http.MethodPost && r.ContentLength != 0 {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				status, v := problem(http.StatusBadRequest, "INVALID_REQUEST", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
				writeJSON(w, status, v)
				return
			}
		}
		key := r.Header.Get("PayPal-Request-Id")
		if key != "" {
			key += " " + r.URL.Path
		}
		f.mu.Lock()
		if rep, seen := f.replays[key]; seen && key != "" {
			f.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rep.status)
			_, _ = w.Write(rep.body)
			return
		}
		if fault == fakes.AmountMismatch && op == "capture" {
			if o := f.orders[r.PathValue("id")]; o != nil {
				o.Value = addOne(o.Value) // the capture takes another amount
			}
		}
		status, v := h(r, body)
		b, _ := json.Marshal(v)
		if key != "" && status < 500 {
			f.replays[key] = replay{status, b}
		}
		var notes [][]byte
		if status < 300 {
			notes = f.events(op, r)
		}
		f.mu.Unlock()
		for _, n := range notes {
			f.notify(n, fault == fakes.DuplicateWebhook, false)
		}
		if fault == fakes.LoseResponse {
			fakes.Lose(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

func addOne(v string) string {
	r, _ := new(big.Rat).SetString(v)
	return r.Add(r, big.NewRat(1, 1)).FloatString(2)
}

func (f *Fake) create(_ *http.Request, body map[string]any) (int, any) {
	units, _ := body["purchase_units"].([]any)
	if body["intent"] != "CAPTURE" || len(units) != 1 {
		return problem(http.StatusBadRequest, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE", "intent CAPTURE with one purchase unit")
	}
	u, _ := units[0].(map[string]any)
	amount, _ := u["amount"].(map[string]any)
	cur, _ := amount["currency_code"].(string)
	val, _ := amount["value"].(string)
	if cur == "KRW" {
		return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "CURRENCY_NOT_SUPPORTED", "Currency code is not currently supported.")
	}
	if r, ok := new(big.Rat).SetString(val); !ok || r.Sign() <= 0 {
		return problem(http.StatusBadRequest, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE", "amount.value")
	}
	ctx, _ := body["application_context"].(map[string]any)
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	o := &order{ID: newID(12), Status: "CREATED", ReferenceID: str(u, "reference_id"), CustomID: str(u, "custom_id"),
		InvoiceID: str(u, "invoice_id"), Description: str(u, "description"), Currency: cur, Value: val,
		ReturnURL: str(ctx, "return_url"), CancelURL: str(ctx, "cancel_url"), Created: time.Now()}
	f.orders[o.ID] = o
	return http.StatusCreated, f.view(o)
}

func (f *Fake) get(r *http.Request, _ map[string]any) (int, any) {
	o := f.orders[r.PathValue("id")]
	if o == nil {
		return problem(http.StatusNotFound, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
	}
	return http.StatusOK, f.view(o)
}

func (f *Fake) capture(r *http.Request, _ map[string]any) (int, any) {
	o := f.orders[r.PathValue("id")]
	switch {
	case o == nil:
		return problem(http.StatusNotFound, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
	case o.Status == "COMPLETED":
		return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED", "Order already captured.")
	case o.Status != "APPROVED":
		return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment.")
	}
	o.Status = "COMPLETED"
	o.Capture = &capture{ID: newID(9), Status: "COMPLETED", Value: o.Value, Created: time.Now()}
	f.captures[o.Capture.ID] = o
	return http.StatusCreated, f.view(o)
}

func (f *Fake) refund(r *http.Request, body map[string]any) (int, any) {
	o := f.captures[r.PathValue("id")]
	if o == nil {
		return problem(http.StatusNotFound, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist.")
	}
	left, _ := new(big.Rat).SetString(o.Capture.Value)
	for _, rf := range o.Refunds {
		v, _ := new(big.Rat).SetString(rf.Value)
		left.Sub(left, v)
	}
	if left.Sign() == 0 {
		return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
	}
	amount := new(big.Rat).Set(left)
	if a, ok := body["amount"].(map[string]any); ok {
		if a["currency_code"] != o.Currency {
			return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "REFUND_CURRENCY_MISMATCH", "Refund currency must match the capture's.")
		}
		v, ok := new(big.Rat).SetString(fmt.Sprint(a["value"]))
		if !ok || v.Sign() <= 0 {
			return problem(http.StatusBadRequest, "INVALID_REQUEST", "INVALID_PARAMETER_VALUE", "amount.value")
		}
		amount = v
	}
	if amount.Cmp(left) > 0 {
		return problem(http.StatusUnprocessableEntity, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
	}
	rf := refund{ID: newID(9), Value: amount.FloatString(2)}
	o.Refunds = append(o.Refunds, rf)
	o.Capture.Status = "PARTIALLY_REFUNDED"
	if amount.Cmp(left) == 0 {
		o.Capture.Status = "REFUNDED"
	}
	return http.StatusCreated, map[string]any{"id": rf.ID, "status": "COMPLETED",
		"amount": map[string]string{"currency_code": o.Currency, "value": rf.Value},
		"links":  []map[string]string{{"href": f.base + "/v2/payments/refunds/" + rf.ID, "rel": "self", "method": "GET"}}}
}

// verify is verify-webhook-signature: SUCCESS for a notification this fake
// sent (its transmission id, signature and event id) to this webhook id.
func (f *Fake) verify(_ *http.Request, body map[string]any) (int, any) {
	event, _ := body["webhook_event"].(map[string]any)
	id, _ := body["transmission_id"].(string)
	sig, _ := body["transmission_sig"].(string)
	status := "FAILURE"
	if want, ok := f.sent[id]; ok && body["webhook_id"] == f.WebhookID && event != nil && event["id"] == want && sig == "sig-"+id {
		status = "SUCCESS"
	}
	return http.StatusOK, map[string]string{"verification_status": status}
}

// events are the webhooks a successful op sends (called with f.mu held).
func (f *Fake) events(op string, r *http.Request) [][]byte {
	switch op {
	case "capture":
		o := f.orders[r.PathValue("id")]
		return [][]byte{f.event("PAYMENT.CAPTURE.COMPLETED", f.captureView(o))}
	case "refund":
		o := f.captures[r.PathValue("id")]
		return [][]byte{f.event("PAYMENT.CAPTURE.REFUNDED", f.captureView(o))}
	}
	return nil
}

func (f *Fake) event(kind string, resource any) []byte {
	b, _ := json.Marshal(map[string]any{"id": "WH-" + newID(10), "event_version": "1.0", "create_time": time.Now().UTC().Format(time.RFC3339),
		"resource_type": strings.ToLower(strings.Split(kind, ".")[1]), "event_type": kind, "summary": kind, "resource": resource})
	return b
}

// notify posts an event with signature headers (twice when dup; waiting
// for the merchant's answer when wait).
func (f *Fake) notify(event []byte, dup, wait bool) {
	if f.WebhookURL == "" {
		return
	}
	var e struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &e)
	tid := newID(10)
	f.mu.Lock()
	f.sent[tid] = e.ID
	f.mu.Unlock()
	h := http.Header{}
	h.Set("PAYPAL-TRANSMISSION-ID", tid)
	h.Set("PAYPAL-TRANSMISSION-TIME", time.Now().UTC().Format(time.RFC3339))
	h.Set("PAYPAL-TRANSMISSION-SIG", "sig-"+tid)
	h.Set("PAYPAL-CERT-URL", f.base+"/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270")
	h.Set("PAYPAL-AUTH-ALGO", "SHA256withRSA")
	fakes.Post(f.WebhookURL, event, h, wait)
	if dup {
		fakes.Post(f.WebhookURL, event, h, wait)
	}
}

func (f *Fake) captureView(o *order) map[string]any {
	if o == nil || o.Capture == nil {
		return nil
	}
	return map[string]any{"id": o.Capture.ID, "status": o.Capture.Status, "custom_id": o.CustomID, "invoice_id": o.InvoiceID,
		"amount": map[string]string{"currency_code": o.Currency, "value": o.Capture.Value}, "final_capture": true,
		"create_time":        o.Capture.Created.UTC().Format(time.RFC3339),
		"supplementary_data": map[string]any{"related_ids": map[string]string{"order_id": o.ID}}}
}

func (f *Fake) view(o *order) map[string]any {
	unit := map[string]any{"reference_id": o.ReferenceID, "custom_id": o.CustomID, "invoice_id": o.InvoiceID,
		"description": o.Description, "amount": map[string]string{"currency_code": o.Currency, "value": o.Value}}
	if o.Capture != nil {
		payments := map[string]any{"captures": []any{f.captureView(o)}}
		var refunds []any
		for _, rf := range o.Refunds {
			refunds = append(refunds, map[string]any{"id": rf.ID, "status": "COMPLETED", "amount": map[string]string{"currency_code": o.Currency, "value": rf.Value}})
		}
		if refunds != nil {
			payments["refunds"] = refunds
		}
		unit["payments"] = payments
	}
	v := map[string]any{"id": o.ID, "intent": "CAPTURE", "status": o.Status, "purchase_units": []any{unit},
		"create_time": o.Created.UTC().Format(time.RFC3339),
		"links": []map[string]string{
			{"href": f.base + "/v2/checkout/orders/" + o.ID, "rel": "self", "method": "GET"},
			{"href": f.base + "/checkoutnow?token=" + o.ID, "rel": "approve", "method": "GET"},
			{"href": f.base + "/v2/checkout/orders/" + o.ID, "rel": "update", "method": "PATCH"},
			{"href": f.base + "/v2/checkout/orders/" + o.ID + "/capture", "rel": "capture", "method": "POST"},
		}}
	if o.PayerID != "" {
		v["payer"] = map[string]any{"payer_id": o.PayerID, "email_address": "buyer@example.com"}
	}
	return v
}

// page is PayPal's approval page (checkoutnow?token=ORDER).
func (f *Fake) page(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	f.mu.Lock()
	o := f.orders[tok]
	var p fakes.Page
	if o != nil {
		p = fakes.Page{Provider: "PayPal", Title: "PayPal Checkout", OrderName: o.Description, Amount: o.Value + " " + o.Currency,
			ApproveAction: "/checkoutnow/approve?token=" + url.QueryEscape(tok), DeclineAction: "/checkoutnow/cancel?token=" + url.QueryEscape(tok)}
		if o.Status != "CREATED" {
			p.Done = "This order is " + o.Status
		}
	}
	f.mu.Unlock()
	if o == nil {
		http.Error(w, "unknown token", http.StatusNotFound)
		return
	}
	p.Render(w)
}

func (f *Fake) buyerApproves(w http.ResponseWriter, r *http.Request) {
	fault := f.Faults.Take("page", r)
	f.mu.Lock()
	o := f.orders[r.URL.Query().Get("token")]
	if o == nil || o.Status != "CREATED" && o.Status != "APPROVED" {
		f.mu.Unlock()
		http.Error(w, "this order is not waiting for the buyer", http.StatusConflict)
		return
	}
	o.Status, o.PayerID = "APPROVED", newID(8)
	token, payer := o.ID, o.PayerID
	if fault == fakes.OtherOrder {
		other := &order{ID: newID(12), Status: "APPROVED", Currency: o.Currency, Value: o.Value, CustomID: "someone-else", PayerID: newID(8), Created: time.Now()}
		f.orders[other.ID] = other
		token = other.ID
	}
	note := f.event("CHECKOUT.ORDER.APPROVED", f.view(o))
	target := o.ReturnURL
	f.mu.Unlock()
	if fault == fakes.WebhookBeforeReturn {
		f.notify(note, false, true)
	} else if f.NotifyApprovals {
		f.notify(note, false, false)
	}
	u, _ := url.Parse(target)
	q := u.Query()
	q.Set("token", token)
	q.Set("PayerID", payer)
	u.RawQuery = q.Encode()
	fakes.Redirect(w, r, u.String())
}

func (f *Fake) buyerCancels(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	o := f.orders[r.URL.Query().Get("token")]
	if o == nil || o.Status != "CREATED" {
		f.mu.Unlock()
		http.Error(w, "this order is not waiting for the buyer", http.StatusConflict)
		return
	}
	o.Status = "VOIDED"
	target := o.CancelURL
	f.mu.Unlock()
	u, _ := url.Parse(target)
	q := u.Query()
	q.Set("token", o.ID)
	u.RawQuery = q.Encode()
	fakes.Redirect(w, r, u.String())
}
