package payment_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/gateway"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

// serveGateway puts the real gateway in front of the payment service.
func serveGateway(t *testing.T, e *env) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	cfg := gateway.DefaultConfig()
	cfg.IdentityEndpoint, cfg.CatalogEndpoint, cfg.CartEndpoint, cfg.OrderEndpoint, cfg.CommunityEndpoint = down, down, down, down, down
	cfg.PaymentEndpoint = e.addr
	gw, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })
	return srv.URL
}

// TestSandboxInABrowser walks the buyer's path over HTTP as a browser (or
// curl -L) does: the page, the Approve form's POST, the 303 to the shop.
func TestSandboxInABrowser(t *testing.T) {
	t.Parallel()
	e := start(t)
	api := serveGateway(t, e)
	var landed atomic.Value
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		landed.Store(r.Method + " " + r.URL.RequestURI())
		_, _ = io.WriteString(w, "thanks")
	}))
	t.Cleanup(shop.Close)

	o := newOrder(1234500)
	req := o.request("browser")
	req.ReturnUrl, req.CancelUrl = shop.URL+"/done", shop.URL+"/checkout"
	p := must(e.client.CreatePayment(e.service(), req)).GetPayment()
	page := api + strings.TrimPrefix(p.GetRedirectUrl(), "http://shop.test")

	res, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	html := string(body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("page = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{o.number, "₩1,234,500", "승인 · Approve", "거절 · Decline",
		`action="/v1/payments/` + p.GetId() + `/sandbox:approve"`, `action="/v1/payments/` + p.GetId() + `/sandbox:decline"`} {
		if !strings.Contains(html, want) {
			t.Fatalf("page lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script") {
		t.Fatal("the page carries a script")
	}

	// Without following: 303 See Other to the shop with the payment's ids.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{}
	res, err = noFollow.PostForm(api+"/v1/payments/"+p.GetId()+"/sandbox:approve", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	want := shop.URL + "/done?order_number=" + url.QueryEscape(o.number) + "&payment_id=" + p.GetId()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("approve = %d Location %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), want)
	}
	for k := range res.Header {
		if strings.HasPrefix(strings.ToLower(k), "grpc-metadata-x-http") {
			t.Fatalf("internal header leaked: %s", k)
		}
	}
	if got := e.get(t, p.GetId()); got.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
		t.Fatalf("payment = %v", got)
	}

	// Following (curl -L): the browser lands on the shop with a GET. The
	// page now says the payment is done.
	res, err = http.PostForm(api+"/v1/payments/"+p.GetId()+"/sandbox:approve", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "thanks" || landed.Load() != "GET /done?order_number="+url.QueryEscape(o.number)+"&payment_id="+p.GetId() {
		t.Fatalf("followed = %d %q, shop saw %v", res.StatusCode, body, landed.Load())
	}
	res, _ = http.Get(page)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(body), "<form") || !strings.Contains(string(body), "승인 완료") {
		t.Fatalf("page after approval:\n%s", body)
	}

	// A decline now is a 409 naming the status, as JSON.
	res, err = noFollow.PostForm(api+"/v1/payments/"+p.GetId()+"/sandbox:decline", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusConflict || !strings.Contains(string(body), "approved") {
		t.Fatalf("decline after approval = %d %s", res.StatusCode, body)
	}
}

func TestSandboxDeclineInABrowser(t *testing.T) {
	t.Parallel()
	e := start(t)
	api := serveGateway(t, e)
	o := newOrder(5000)
	p := e.pay(t, o)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Post(api+"/v1/payments/"+p.GetId()+"/sandbox:decline", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "https://shop.example/checkout?") || !strings.Contains(loc, "payment_id="+p.GetId()) {
		t.Fatalf("decline = %d %q", res.StatusCode, loc)
	}
	// GetPayment over REST: the buyer with a token; nobody else.
	get := func(token string) int {
		req, _ := http.NewRequest("GET", api+"/v1/payments/"+p.GetId(), nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if a, b, c := get(e.iss.Token(o.buyer, "customer")), get(e.iss.Token("someone-else", "customer")), get(""); a != 200 || b != 404 || c != 401 {
		t.Fatalf("GET payment: buyer %d, other %d, anonymous %d", a, b, c)
	}
}
