// Package toss is a local fake of Toss Payments (API v1): the payment window
// a buyer pays in, confirm, lookups by paymentKey and orderId, cancels with
// Idempotency-Key replays, and PAYMENT_STATUS_CHANGED webhooks. The real
// client talks to it as to Toss.
package toss

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jangteo/jangteo/services/payment/internal/fakes"
)

// Fake is the fake Toss Payments. Set WebhookURL before payments start.
type Fake struct {
	SecretKey, ClientKey string
	// WebhookURL receives PAYMENT_STATUS_CHANGED ("" sends none).
	WebhookURL string
	// Faults are switched on per test with Faults.Next(op, fault); ops:
	// "page" (the buyer's pay click), "confirm", "cancel", "lookup".
	Faults fakes.Faults

	mu      sync.Mutex
	byKey   map[string]*payment  // paymentKey →
	byOrder map[string]*payment  // orderId →
	replays map[string]replay    // Idempotency-Key →
	lost    map[string]time.Time // Idempotency-Key → answers lost until
	mux     *http.ServeMux
}

type payment struct {
	Key, OrderID, OrderName, Status string
	Total, Balance                  int64
	RequestedAt, ApprovedAt         time.Time
	Cancels                         []cancel
}

type cancel struct {
	Key, Reason string
	Amount      int64
	At          time.Time
}

type replay struct {
	status int
	body   []byte
}

// New returns a fake that accepts secretKey and clientKey.
func New(secretKey, clientKey string) *Fake {
	f := &Fake{SecretKey: secretKey, ClientKey: clientKey,
		byKey: map[string]*payment{}, byOrder: map[string]*payment{}, replays: map[string]replay{}, lost: map[string]time.Time{}, mux: http.NewServeMux()}
	f.mux.HandleFunc("GET /checkout", f.page)
	f.mux.HandleFunc("POST /checkout/pay", f.pay)
	f.mux.HandleFunc("POST /checkout/cancel", f.quit)
	f.mux.HandleFunc("POST /v1/payments/confirm", f.authed(f.confirm))
	f.mux.HandleFunc("GET /v1/payments/{paymentKey}", f.authed(f.getByKey))
	f.mux.HandleFunc("GET /v1/payments/orders/{orderId}", f.authed(f.getByOrder))
	f.mux.HandleFunc("POST /v1/payments/{paymentKey}/cancel", f.authed(f.cancel))
	return f
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) { f.mux.ServeHTTP(w, r) }

func newKey(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *Fake) authed(h http.HandlerFunc) http.HandlerFunc {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(f.SecretKey+":"))
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			fail(w, http.StatusUnauthorized, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.")
			return
		}
		h(w, r)
	}
}

// page is the payment window: the order, its amount, pay and cancel.
func (f *Fake) page(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("clientKey") != f.ClientKey {
		http.Error(w, "unknown clientKey", http.StatusUnauthorized)
		return
	}
	amount, _ := strconv.ParseInt(q.Get("amount"), 10, 64)
	hidden := map[string]string{}
	for _, k := range []string{"orderId", "orderName", "amount", "successUrl", "failUrl"} {
		hidden[k] = q.Get(k)
	}
	p := fakes.Page{Provider: "Toss Payments", Title: "토스페이먼츠 결제", OrderName: q.Get("orderName"),
		Amount: fakes.Money(amount, "KRW"), ApproveAction: "/checkout/pay", DeclineAction: "/checkout/cancel", Hidden: hidden}
	f.mu.Lock()
	if pay := f.byOrder[q.Get("orderId")]; pay != nil && pay.Status != "IN_PROGRESS" {
		p.Done = "이미 처리된 주문입니다: " + pay.Status
	}
	f.mu.Unlock()
	p.Render(w)
}

// pay is the buyer's authentication in the window: the payment exists,
// IN_PROGRESS, and the browser goes to successUrl for the merchant to confirm.
func (f *Fake) pay(w http.ResponseWriter, r *http.Request) {
	orderID, success := r.FormValue("orderId"), r.FormValue("successUrl")
	amount, err := strconv.ParseInt(r.FormValue("amount"), 10, 64)
	if orderID == "" || err != nil || amount <= 0 {
		http.Error(w, "bad order", http.StatusBadRequest)
		return
	}
	fault := f.Faults.Take("page", r)
	if fault == fakes.AmountMismatch {
		amount -= 1000 // the buyer tampered with the amount in the browser
	}
	f.mu.Lock()
	pay := f.byOrder[orderID]
	if pay == nil || pay.Status == "IN_PROGRESS" && pay.Total != amount {
		pay = &payment{Key: newKey("tgen_"), OrderID: orderID, OrderName: r.FormValue("orderName"), Status: "IN_PROGRESS",
			Total: amount, Balance: amount, RequestedAt: time.Now()}
		f.byKey[pay.Key], f.byOrder[orderID] = pay, pay
	}
	key := pay.Key
	if fault == fakes.OtherOrder {
		other := &payment{Key: newKey("tgen_"), OrderID: newKey("other-"), Status: "IN_PROGRESS", Total: amount, Balance: amount, RequestedAt: time.Now()}
		f.byKey[other.Key], f.byOrder[other.OrderID] = other, other
		key = other.Key
	}
	body := f.notification(pay)
	f.mu.Unlock()
	if fault == fakes.WebhookBeforeReturn {
		fakes.Post(f.WebhookURL, body, nil, true)
	}
	fakes.Redirect(w, r, with(success, url.Values{
		"paymentType": {"NORMAL"}, "paymentKey": {key}, "orderId": {orderID}, "amount": {strconv.FormatInt(amount, 10)},
	}))
}

// quit is the buyer closing the window: failUrl with PAY_PROCESS_CANCELED.
func (f *Fake) quit(w http.ResponseWriter, r *http.Request) {
	orderID := r.FormValue("orderId")
	f.mu.Lock()
	if f.byOrder[orderID] == nil {
		amount, _ := strconv.ParseInt(r.FormValue("amount"), 10, 64)
		pay := &payment{Key: newKey("tgen_"), OrderID: orderID, Status: "ABORTED", Total: amount, Balance: amount, RequestedAt: time.Now()}
		f.byKey[pay.Key], f.byOrder[orderID] = pay, pay
	}
	f.mu.Unlock()
	fakes.Redirect(w, r, with(r.FormValue("failUrl"), url.Values{
		"code": {"PAY_PROCESS_CANCELED"}, "message": {"사용자에 의해 결제가 취소되었습니다."}, "orderId": {orderID},
	}))
}

func with(u string, q url.Values) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	v := parsed.Query()
	for k, x := range q {
		v[k] = x
	}
	parsed.RawQuery = v.Encode()
	return parsed.String()
}

// losing applies LoseResponse to an Idempotency-Key: its answer and those
// to the HTTP client's own automatic retries for the next moment are lost
// (Go's transport retries a request with an Idempotency-Key on a dropped
// reused connection). It drops the connection of a retry (true), or turns
// *fault into LoseResponse for the first request, which is worked and then
// dropped. f.mu is held.
func (f *Fake) losing(w http.ResponseWriter, r *http.Request, fault *fakes.Fault) bool {
	key := r.Header.Get("Idempotency-Key")
	if *fault == fakes.LoseResponse {
		f.lost[key] = time.Now().Add(150 * time.Millisecond)
	}
	if time.Now().After(f.lost[key]) {
		return false
	}
	if _, seen := f.replays[key]; seen {
		fakes.Lose(w)
		return true
	}
	*fault = fakes.LoseResponse
	return false
}

// replayed answers a request whose Idempotency-Key was seen (true), or
// returns a function that keeps the answer for the key.
func (f *Fake) replayed(w http.ResponseWriter, r *http.Request) (bool, func(int, any) []byte) {
	key := r.Header.Get("Idempotency-Key")
	if rep, ok := f.replays[key]; ok && key != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.body)
		return true, nil
	}
	return false, func(status int, v any) []byte {
		b, _ := json.Marshal(v)
		if key != "" {
			f.replays[key] = replay{status, b}
		}
		return b
	}
}

func (f *Fake) confirm(w http.ResponseWriter, r *http.Request) {
	fault := f.Faults.Take("confirm", r)
	if fault == fakes.Fail5xx {
		fail(w, http.StatusInternalServerError, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
		return
	}
	var req struct {
		PaymentKey, OrderID string
		Amount              int64
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "INVALID_REQUEST", "잘못된 요청입니다.")
		return
	}
	f.mu.Lock()
	if f.losing(w, r, &fault) {
		f.mu.Unlock()
		return
	}
	done, keep := f.replayed(w, r)
	if done {
		f.mu.Unlock()
		return
	}
	status, answer := f.confirmLocked(req.PaymentKey, req.OrderID, req.Amount)
	body := keep(status, answer)
	var note []byte
	if status == http.StatusOK {
		note = f.notification(f.byKey[req.PaymentKey])
	}
	f.mu.Unlock()
	if note != nil {
		fakes.Post(f.WebhookURL, note, nil, false)
		if fault == fakes.DuplicateWebhook {
			fakes.Post(f.WebhookURL, note, nil, false)
		}
	}
	if fault == fakes.LoseResponse {
		fakes.Lose(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (f *Fake) confirmLocked(key, orderID string, amount int64) (int, any) {
	pay := f.byKey[key]
	switch {
	case pay == nil || pay.OrderID != orderID:
		return http.StatusNotFound, map[string]string{"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}
	case pay.Status == "ABORTED" || pay.Status == "EXPIRED":
		return http.StatusForbidden, map[string]string{"code": "PAY_PROCESS_ABORTED", "message": "결제가 취소되었습니다."}
	case pay.Status != "IN_PROGRESS":
		return http.StatusBadRequest, map[string]string{"code": "ALREADY_PROCESSED_PAYMENT", "message": "이미 처리된 결제 입니다."}
	case pay.Total != amount:
		return http.StatusBadRequest, map[string]string{"code": "INVALID_REQUEST", "message": "결제 금액(amount)이 일치하지 않습니다."}
	}
	pay.Status, pay.ApprovedAt = "DONE", time.Now()
	return http.StatusOK, view(pay)
}

func (f *Fake) getByKey(w http.ResponseWriter, r *http.Request) {
	f.get(w, r, func() *payment { return f.byKey[r.PathValue("paymentKey")] })
}

func (f *Fake) getByOrder(w http.ResponseWriter, r *http.Request) {
	f.get(w, r, func() *payment { return f.byOrder[r.PathValue("orderId")] })
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request, find func() *payment) {
	if f.Faults.Take("lookup", r) == fakes.Fail5xx {
		fail(w, http.StatusInternalServerError, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pay := find()
	if pay == nil {
		fail(w, http.StatusNotFound, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
		return
	}
	writeJSON(w, http.StatusOK, view(pay))
}

func (f *Fake) cancel(w http.ResponseWriter, r *http.Request) {
	fault := f.Faults.Take("cancel", r)
	if fault == fakes.Fail5xx {
		fail(w, http.StatusInternalServerError, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
		return
	}
	var req struct {
		CancelReason string
		CancelAmount *int64
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CancelReason == "" {
		fail(w, http.StatusBadRequest, "INVALID_REQUEST", "cancelReason 은 필수입니다.")
		return
	}
	f.mu.Lock()
	if f.losing(w, r, &fault) {
		f.mu.Unlock()
		return
	}
	done, keep := f.replayed(w, r)
	if done {
		f.mu.Unlock()
		return
	}
	pay := f.byKey[r.PathValue("paymentKey")]
	status, answer := http.StatusOK, any(nil)
	switch {
	case pay == nil:
		status, answer = http.StatusNotFound, map[string]string{"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}
	case pay.Status == "CANCELED":
		status, answer = http.StatusBadRequest, map[string]string{"code": "ALREADY_CANCELED_PAYMENT", "message": "이미 취소된 결제 입니다."}
	case pay.Status != "DONE" && pay.Status != "PARTIAL_CANCELED":
		status, answer = http.StatusForbidden, map[string]string{"code": "NOT_CANCELABLE_PAYMENT", "message": "취소 할 수 없는 결제 입니다."}
	default:
		amount := pay.Balance
		if req.CancelAmount != nil {
			amount = *req.CancelAmount
		}
		if amount <= 0 || amount > pay.Balance {
			status, answer = http.StatusForbidden, map[string]string{"code": "NOT_CANCELABLE_AMOUNT",
				"message": fmt.Sprintf("취소 할 수 없는 금액 입니다. (취소 가능 금액: %d)", pay.Balance)}
			break
		}
		pay.Balance -= amount
		pay.Cancels = append(pay.Cancels, cancel{Key: newKey("tcan_"), Reason: req.CancelReason, Amount: amount, At: time.Now()})
		pay.Status = "PARTIAL_CANCELED"
		if pay.Balance == 0 {
			pay.Status = "CANCELED"
		}
		answer = view(pay)
	}
	body := keep(status, answer)
	var note []byte
	if status == http.StatusOK {
		note = f.notification(pay)
	}
	f.mu.Unlock()
	if note != nil {
		fakes.Post(f.WebhookURL, note, nil, false)
	}
	if fault == fakes.LoseResponse {
		fakes.Lose(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (f *Fake) notification(pay *payment) []byte {
	b, _ := json.Marshal(map[string]any{
		"eventType": "PAYMENT_STATUS_CHANGED", "createdAt": time.Now().Format("2006-01-02T15:04:05.000000"), "data": view(pay),
	})
	return b
}

func view(p *payment) map[string]any {
	v := map[string]any{
		"mId": "tosspayments", "version": "2022-11-16", "paymentKey": p.Key, "orderId": p.OrderID, "orderName": p.OrderName,
		"status": p.Status, "currency": "KRW", "totalAmount": p.Total, "balanceAmount": p.Balance,
		"method": "카드", "type": "NORMAL", "requestedAt": p.RequestedAt.Format(time.RFC3339), "approvedAt": nil,
	}
	if !p.ApprovedAt.IsZero() {
		v["approvedAt"] = p.ApprovedAt.Format(time.RFC3339)
	}
	cancels := []map[string]any{}
	for _, c := range p.Cancels {
		cancels = append(cancels, map[string]any{"transactionKey": c.Key, "cancelReason": c.Reason, "cancelAmount": c.Amount,
			"canceledAt": c.At.Format(time.RFC3339), "cancelStatus": "DONE"})
	}
	if len(cancels) > 0 {
		v["cancels"] = cancels
	}
	return v
}
