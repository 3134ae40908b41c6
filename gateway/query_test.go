package gateway_test

import (
	"net/http"
	"strings"
	"testing"
)

// A bare unknown query parameter is a 400 naming it, on every operation;
// declared filters, their JSON names and map-style filters keep working.
func TestUnknownQueryParameterIsA400(t *testing.T) {
	t.Parallel()
	s := start(t)
	for _, c := range []struct {
		name, method, path string
		status             int
		field              string
	}{
		{"an unknown filter", "GET", "/v1/products?size=270", 400, "size"},
		{"an unknown one beside known ones", "GET", "/v1/products?page=1&sort=price_asc&color=red", 400, "color"},
		{"HEAD like GET", "HEAD", "/v1/products?size=270", 400, ""},
		{"a path parameter given in the query", "GET", "/v1/products/x?slug=y", 400, "slug"},
		{"a map filter without its key", "GET", "/v1/products?options=270", 400, "options"},
		{"a body operation's query", "POST", "/v1/categories?name=x", 400, "name"},
		{"declared filters", "GET", "/v1/products?page=1&page_size=5&sort=price_asc&in_stock=true&q=x", 200, ""},
		{"a declared filter's JSON name", "GET", "/v1/products?pageSize=5&inStock=true", 200, ""},
		{"a map filter", "GET", "/v1/products?options[size]=270", 200, ""},
		{"a map filter, encoded brackets", "GET", "/v1/products?options%5Bsize%5D=270&options%5Bcolor%5D=red", 200, ""},
		{"no query", "GET", "/v1/products", 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, c.method, c.path, "", "")
			if c.method == "POST" && r.status == 401 {
				t.Fatalf("%s %s answered 401 before the query was checked", c.method, c.path)
			}
			if r.status != c.status {
				t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, r.status, r.raw, c.status)
			}
			if c.field != "" {
				if got := r.field(); got != c.field {
					t.Errorf("field = %q, want %q (%s)", got, c.field, r.raw)
				}
				if !strings.Contains(r.raw, "not a query parameter") {
					t.Errorf("message does not say what is wrong: %s", r.raw)
				}
			}
		})
	}
	// The message lists what the operation takes.
	if r := s.do(t, "GET", "/v1/products?size=270", "", ""); !strings.Contains(r.raw, "options[key]") || !strings.Contains(r.raw, "page_size") {
		t.Errorf("the error does not list the filters: %s", r.raw)
	}
}

// Provider callbacks keep every parameter the provider adds: the return
// from a payment provider and its webhooks are exempt; so are the
// gateway's own pages, which are not API operations.
func TestCallbacksTakeAnyQuery(t *testing.T) {
	t.Parallel()
	s := start(t)
	for _, path := range []string{
		"/v1/payments/0190a5e0-0000-7000-8000-000000000001/paypal/approve?token=EC-1&PayerID=P1&utm_source=paypal&ba_token=x",
		"/v1/payments/0190a5e0-0000-7000-8000-000000000001/kakaopay/approve?pg_token=abc&extra=1",
		"/v1/payments/0190a5e0-0000-7000-8000-000000000001/toss/fail?code=USER_CANCEL&message=x&orderId=o&paymentType=NORMAL",
	} {
		// The payment service is down in this stack: anything but a 400 shows
		// the query got through to it.
		if r := s.do(t, "GET", path, "", ""); r.status == http.StatusBadRequest {
			t.Errorf("GET %s = 400 %s", path, r.raw)
		}
	}
	if r := s.do(t, "POST", "/v1/webhooks/toss?source=ops&attempt=2", "", `{"eventType":"PAYMENT_STATUS_CHANGED"}`); r.status == http.StatusBadRequest {
		t.Errorf("webhook with a query = 400 %s", r.raw)
	}
	if r := s.do(t, "GET", "/verify-email?token=abc&utm_campaign=x", "", ""); r.status == http.StatusBadRequest {
		t.Errorf("mail page with a query = 400 %s", r.raw)
	}
}
