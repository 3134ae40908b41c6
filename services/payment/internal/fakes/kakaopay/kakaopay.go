// Package kakaopay is a local fake of KakaoPay's online payment API: ready,
// the approval pages (pc, mobile, app) with a pg_token redirect, approve
// with the partner ids checked, the order lookup and partial cancels with
// cancel_available_amount. The real client talks to it as to KakaoPay.
package kakaopay

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/fakes"
)

// Fake is the fake KakaoPay.
type Fake struct {
	SecretKey, CID string
	// Faults are switched on per test with Faults.Next(op, fault); ops:
	// "page" (the buyer's approval), "ready", "approve", "order", "cancel".
	Faults fakes.Faults

	mu     sync.Mutex
	orders map[string]*order // tid →
	mux    *http.ServeMux
	base   string
}

type order struct {
	TID, PartnerOrderID, PartnerUserID, ItemName string
	Status                                       string
	Total, Canceled                              int64
	ApprovalURL, CancelURL, FailURL              string
	PGToken                                      string
	CreatedAt, ApprovedAt                        time.Time
	Actions                                      []action
}

type action struct {
	AID, Type, Payload string
	Amount             int64
	At                 time.Time
}

// New returns a fake that accepts secretKey for cid.
func New(secretKey, cid string) *Fake {
	f := &Fake{SecretKey: secretKey, CID: cid, orders: map[string]*order{}, mux: http.NewServeMux()}
	f.mux.HandleFunc("POST /online/v1/payment/ready", f.api("ready", f.ready))
	f.mux.HandleFunc("POST /online/v1/payment/approve", f.api("approve", f.approve))
	f.mux.HandleFunc("POST /online/v1/payment/order", f.api("order", f.order))
	f.mux.HandleFunc("POST /online/v1/payment/cancel", f.api("cancel", f.cancel))
	f.mux.HandleFunc("GET /online/v1/payment/{device}/{tid}", f.page)
	f.mux.HandleFunc("POST /online/v1/payment/{device}/{tid}/approve", f.buyerApproves)
	f.mux.HandleFunc("POST /online/v1/payment/{device}/{tid}/cancel", f.buyerCancels)
	return f
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

func id(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + strings.ToUpper(hex.EncodeToString(b))
}

func kakaoTime(t time.Time) string { return t.Format("2006-01-02T15:04:05") }

type answer struct {
	status int
	body   any
}

func refuse(code int, msg string) answer {
	return answer{http.StatusBadRequest, map[string]any{"error_code": code, "error_message": msg}}
}

// api checks the secret key and cid, decodes the JSON body and applies the
// faults of op: Fail5xx answers 500 doing nothing, LoseResponse does the
// work and drops the connection; h gets the fault for its own.
func (f *Fake) api(op string, h func(body map[string]any, fault fakes.Fault) answer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "SECRET_KEY "+f.SecretKey {
			writeJSON(w, answer{http.StatusUnauthorized, map[string]any{"error_code": -401, "error_message": "Invalid secret key"}})
			return
		}
		var body map[string]any
		d := json.NewDecoder(r.Body)
		d.UseNumber()
		if err := d.Decode(&body); err != nil {
			writeJSON(w, refuse(-2, "Invalid request body"))
			return
		}
		if body["cid"] != f.CID {
			writeJSON(w, refuse(-3, "Invalid cid"))
			return
		}
		fault := f.Faults.Take(op, r)
		if fault == fakes.Fail5xx {
			writeJSON(w, answer{http.StatusInternalServerError, map[string]any{"error_code": -9798, "error_message": "Internal Server Error"}})
			return
		}
		f.mu.Lock()
		a := h(body, fault)
		f.mu.Unlock()
		if fault == fakes.LoseResponse {
			fakes.Lose(w)
			return
		}
		writeJSON(w, a)
	}
}

func writeJSON(w http.ResponseWriter, a answer) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(a.body)
}

func str(body map[string]any, k string) string {
	switch v := body[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

func num(body map[string]any, k string) (int64, bool) {
	v, ok := body[k].(json.Number)
	if !ok {
		return 0, false
	}
	n, err := v.Int64()
	return n, err == nil
}

func (f *Fake) ready(body map[string]any, _ fakes.Fault) answer {
	total, ok := num(body, "total_amount")
	for _, k := range []string{"partner_order_id", "partner_user_id", "item_name", "approval_url", "cancel_url", "fail_url"} {
		if str(body, k) == "" {
			return refuse(-2, k+" is required")
		}
	}
	if !ok || total <= 0 {
		return refuse(-2, "total_amount is required")
	}
	o := &order{TID: id("T"), PartnerOrderID: str(body, "partner_order_id"), PartnerUserID: str(body, "partner_user_id"),
		ItemName: str(body, "item_name"), Status: "READY", Total: total, CreatedAt: time.Now(),
		ApprovalURL: str(body, "approval_url"), CancelURL: str(body, "cancel_url"), FailURL: str(body, "fail_url")}
	f.orders[o.TID] = o
	page := func(device string) string { return f.base + "/online/v1/payment/" + device + "/" + o.TID }
	return answer{http.StatusOK, map[string]any{
		"tid": o.TID, "next_redirect_pc_url": page("pc"), "next_redirect_mobile_url": page("mobile"),
		"next_redirect_app_url": page("app"), "android_app_scheme": "kakaotalk://kakaopay/pg?url=" + url.QueryEscape(page("app")),
		"ios_app_scheme": "kakaotalk://kakaopay/pg?url=" + url.QueryEscape(page("app")), "created_at": kakaoTime(o.CreatedAt),
	}}
}

// approve takes the money; with AmountMismatch it takes 1000 more than the
// ready request said (and says so), as a tampered order would.
func (f *Fake) approve(body map[string]any, fault fakes.Fault) answer {
	o := f.orders[str(body, "tid")]
	switch {
	case o == nil:
		return refuse(-780, "tid is invalid")
	case o.PartnerOrderID != str(body, "partner_order_id") || o.PartnerUserID != str(body, "partner_user_id"):
		return refuse(-780, "partner_order_id or partner_user_id does not match the ready request")
	case o.Status == "SUCCESS_PAYMENT" || o.Status == "PART_CANCEL_PAYMENT" || o.Status == "CANCEL_PAYMENT":
		return refuse(-702, "payment is already done")
	case o.Status != "AUTH_PASSWORD":
		return refuse(-780, "the buyer has not approved: "+o.Status)
	case o.PGToken == "" || o.PGToken != str(body, "pg_token"):
		return refuse(-780, "pg_token is invalid")
	}
	if total, ok := num(body, "total_amount"); ok && total != o.Total {
		return refuse(-798, "total_amount does not match the ready request")
	}
	if fault == fakes.AmountMismatch {
		o.Total += 1000
	}
	o.Status, o.ApprovedAt = "SUCCESS_PAYMENT", time.Now()
	a := action{AID: id("A"), Type: "PAYMENT", Amount: o.Total, At: o.ApprovedAt, Payload: str(body, "payload")}
	o.Actions = append(o.Actions, a)
	return answer{http.StatusOK, map[string]any{
		"aid": a.AID, "tid": o.TID, "cid": f.CID, "partner_order_id": o.PartnerOrderID, "partner_user_id": o.PartnerUserID,
		"payment_method_type": "MONEY", "item_name": o.ItemName, "quantity": 1,
		"amount":     map[string]any{"total": o.Total, "tax_free": int64(0), "vat": o.Total / 11, "point": int64(0), "discount": int64(0)},
		"created_at": kakaoTime(o.CreatedAt), "approved_at": kakaoTime(o.ApprovedAt), "payload": a.Payload,
	}}
}

func (f *Fake) order(body map[string]any, _ fakes.Fault) answer {
	o := f.orders[str(body, "tid")]
	if o == nil {
		return refuse(-780, "tid is invalid")
	}
	actions := []map[string]any{}
	for _, a := range o.Actions {
		actions = append(actions, map[string]any{"aid": a.AID, "payment_action_type": a.Type, "amount": a.Amount,
			"approved_at": kakaoTime(a.At), "payment_method_type": "MONEY", "point_amount": 0, "discount_amount": 0, "payload": a.Payload})
	}
	return answer{http.StatusOK, map[string]any{
		"tid": o.TID, "cid": f.CID, "status": o.Status, "partner_order_id": o.PartnerOrderID, "partner_user_id": o.PartnerUserID,
		"item_name": o.ItemName, "quantity": 1, "created_at": kakaoTime(o.CreatedAt),
		"amount":                  map[string]any{"total": o.Total, "tax_free": 0},
		"canceled_amount":         map[string]any{"total": o.Canceled, "tax_free": 0},
		"cancel_available_amount": map[string]any{"total": o.Total - o.Canceled, "tax_free": 0},
		"payment_action_details":  actions,
	}}
}

func (f *Fake) cancel(body map[string]any, _ fakes.Fault) answer {
	o := f.orders[str(body, "tid")]
	amount, ok := num(body, "cancel_amount")
	_, taxFree := num(body, "cancel_tax_free_amount")
	switch {
	case o == nil:
		return refuse(-780, "tid is invalid")
	case !ok || !taxFree || amount <= 0:
		return refuse(-2, "cancel_amount and cancel_tax_free_amount are required")
	case o.Status != "SUCCESS_PAYMENT" && o.Status != "PART_CANCEL_PAYMENT":
		return refuse(-721, "the payment cannot be cancelled: "+o.Status)
	case amount > o.Total-o.Canceled:
		return refuse(-782, "cancel_amount exceeds cancel_available_amount")
	}
	if avail, ok := num(body, "cancel_available_amount"); ok && avail != o.Total-o.Canceled {
		return refuse(-782, "cancel_available_amount does not match")
	}
	o.Canceled += amount
	o.Status = "PART_CANCEL_PAYMENT"
	if o.Canceled == o.Total {
		o.Status = "CANCEL_PAYMENT"
	}
	a := action{AID: id("A"), Type: "CANCEL", Amount: amount, At: time.Now(), Payload: str(body, "payload")}
	o.Actions = append(o.Actions, a)
	return answer{http.StatusOK, map[string]any{
		"aid": a.AID, "tid": o.TID, "cid": f.CID, "status": o.Status, "partner_order_id": o.PartnerOrderID,
		"partner_user_id": o.PartnerUserID, "payment_method_type": "MONEY",
		"amount":                  map[string]any{"total": o.Total, "tax_free": 0},
		"approved_cancel_amount":  map[string]any{"total": amount, "tax_free": 0},
		"canceled_amount":         map[string]any{"total": o.Canceled, "tax_free": 0},
		"cancel_available_amount": map[string]any{"total": o.Total - o.Canceled, "tax_free": 0},
		"canceled_at":             kakaoTime(a.At), "payload": a.Payload,
	}}
}

// page is the approval page the buyer is sent to (pc, mobile or app).
func (f *Fake) page(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	f.mu.Lock()
	o := f.orders[tid]
	var p fakes.Page
	if o != nil {
		base := "/online/v1/payment/" + r.PathValue("device") + "/" + tid
		p = fakes.Page{Provider: "KakaoPay", Title: "카카오페이 결제", OrderName: o.ItemName, Amount: fakes.Money(o.Total, "KRW"),
			ApproveAction: base + "/approve", DeclineAction: base + "/cancel"}
		if o.Status != "READY" {
			p.Done = "이미 처리된 결제입니다: " + o.Status
		}
	}
	f.mu.Unlock()
	if o == nil {
		http.Error(w, "unknown tid", http.StatusNotFound)
		return
	}
	p.Render(w)
}

// buyerApproves authenticates the buyer and sends the browser to
// approval_url with a fresh pg_token.
func (f *Fake) buyerApproves(w http.ResponseWriter, r *http.Request) {
	fault := f.Faults.Take("page", r)
	f.mu.Lock()
	o := f.orders[r.PathValue("tid")]
	if o == nil || o.Status != "READY" && o.Status != "AUTH_PASSWORD" {
		f.mu.Unlock()
		http.Error(w, "this payment is not waiting for the buyer", http.StatusConflict)
		return
	}
	o.Status, o.PGToken = "AUTH_PASSWORD", id("")
	target := o.ApprovalURL
	token := o.PGToken
	if fault == fakes.OtherOrder {
		for _, other := range f.orders {
			if other != o && other.PGToken != "" {
				token = other.PGToken // a pg_token of another order
				break
			}
		}
		if token == o.PGToken {
			token = id("")
		}
	}
	f.mu.Unlock()
	fakes.Redirect(w, r, with(target, "pg_token", token))
}

// buyerCancels quits the payment: the browser goes to cancel_url.
func (f *Fake) buyerCancels(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	o := f.orders[r.PathValue("tid")]
	if o == nil || o.Status != "READY" && o.Status != "AUTH_PASSWORD" {
		f.mu.Unlock()
		http.Error(w, "this payment is not waiting for the buyer", http.StatusConflict)
		return
	}
	o.Status = "QUIT_PAYMENT"
	target := o.CancelURL
	f.mu.Unlock()
	fakes.Redirect(w, r, target)
}

func with(u, k, v string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := parsed.Query()
	q.Set(k, v)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}
