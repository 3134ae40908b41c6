// Package fakes holds what the local payment provider fakes share: faults
// switched on per test or per request, a lost response, the buyer's
// approval page and webhook delivery. Each provider's fake is in its own
// package and speaks that provider's protocol.
package fakes

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"
)

// Fault is something a fake does wrong on purpose.
type Fault string

// The faults every fake knows. The operation a fault applies to is the
// fake's own name for the call ("confirm", "capture", "approve", "cancel",
// "ready", "order", "refund", "token", "page").
const (
	// Fail5xx answers 500 without doing anything.
	Fail5xx Fault = "5xx"
	// LoseResponse does the work (captures the money) and then drops the
	// connection: the caller never learns the outcome.
	LoseResponse Fault = "lose-response"
	// DuplicateWebhook sends the webhook of the operation twice.
	DuplicateWebhook Fault = "duplicate-webhook"
	// WebhookBeforeReturn, on the approval page, notifies the merchant
	// before redirecting the buyer back.
	WebhookBeforeReturn Fault = "webhook-before-return"
	// AmountMismatch makes the provider report (or, on the return, carry)
	// another amount than the one asked.
	AmountMismatch Fault = "amount-mismatch"
	// OtherOrder sends the buyer back with another order's approval.
	OtherOrder Fault = "other-order"
)

// FaultHeader switches a fault on for one request: "X-Fake-Fault: 5xx".
const FaultHeader = "X-Fake-Fault"

// Faults is a queue of one-shot faults per operation.
type Faults struct {
	mu sync.Mutex
	q  map[string][]Fault
}

// Next makes the next call of op suffer f (calls queue up).
func (fs *Faults) Next(op string, f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.q == nil {
		fs.q = map[string][]Fault{}
	}
	fs.q[op] = append(fs.q[op], f)
}

// Take returns the fault of this call of op: the request's header, else
// the next queued one, else "".
func (fs *Faults) Take(op string, r *http.Request) Fault {
	if f := r.Header.Get(FaultHeader); f != "" {
		return Fault(f)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	q := fs.q[op]
	if len(q) == 0 {
		return ""
	}
	fs.q[op] = q[1:]
	return q[0]
}

// Lose drops the connection without an answer, as a response lost on the
// way back would.
func Lose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("fakes: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// Post delivers a webhook (JSON body, extra headers) to url, in the
// background unless wait; failures are ignored, as a provider retries later.
func Post(url string, body []byte, header http.Header, wait bool) {
	if url == "" {
		return
	}
	send := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err == nil {
			_ = res.Body.Close()
		}
	}
	if wait {
		send()
		return
	}
	go send()
}

// Page is the buyer's approval page at a provider.
type Page struct {
	Provider, Title string
	OrderName       string
	Amount          string
	// ApproveAction and DeclineAction are where the two forms POST; Hidden
	// are their fields.
	ApproveAction, DeclineAction string
	Hidden                       map[string]string
	// Done says the page was used already.
	Done string
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}} <small>(local fake of {{.Provider}})</small></h1>
<p>{{.OrderName}}</p>
<p><strong>{{.Amount}}</strong></p>
{{if .Done}}<p>{{.Done}}</p>{{else}}
<form method="post" action="{{.ApproveAction}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<button type="submit">결제하기 / Pay</button></form>
<form method="post" action="{{.DeclineAction}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<button type="submit">취소 / Cancel</button></form>{{end}}
</body></html>
`))

// Render writes p as HTML.
func (p Page) Render(w http.ResponseWriter) {
	var b bytes.Buffer
	if err := page.Execute(&b, p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// Redirect sends the browser to u with 302, as the providers do.
func Redirect(w http.ResponseWriter, r *http.Request, u string) {
	http.Redirect(w, r, u, http.StatusFound)
}

// Money formats minor units of currency for a page.
func Money(amount int64, currency string) string {
	if currency == "KRW" {
		return fmt.Sprintf("%d원", amount)
	}
	return fmt.Sprintf("%d.%02d %s", amount/100, amount%100, currency)
}
