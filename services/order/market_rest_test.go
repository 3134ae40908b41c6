package order_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestMarketSaleOverREST walks the sale's shipment routes through the real
// gateway as a stranger would: no token, bad input, someone else's or an
// unknown sale, a customer on staff routes.
func TestMarketSaleOverREST(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	api := serveGateway(t, e)
	p := e.product(t, "Gazelle Indoor", 129000, 0, "270")
	v := variantOf(t, p, "270")
	seller, buyerB := e.newBuyer(), e.newBuyer()
	e.ask(t, seller, v, 140000)
	trade := e.bid(t, buyerB, v, 140000).GetTrade().GetId()
	bearer := func(b buyer) string { return "Bearer " + e.iss.Token(b.id, "customer") }
	post := func(path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, api+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatalf("%s: %d, not JSON: %v", path, res.StatusCode, err)
		}
		raw, _ := json.Marshal(out)
		return res.StatusCode, string(raw)
	}
	ship := "/v1/market/sales/" + trade + ":ship"
	full := `{"carrier":"CJ대한통운","tracking_number":"5521-0098-7710"}`
	for _, c := range []struct {
		path, token, body string
		code              int
		says              string
	}{
		{ship, "", full, 401, ""},
		{ship, bearer(seller), `{"tracking_number":"1"}`, 400, `"carrier"`},
		{ship, bearer(seller), `{"carrier":"CJ대한통운"}`, 400, `"tracking_number"`},
		{ship, bearer(seller), `{"carrier":1}`, 400, ""},
		{"/v1/market/sales/not-a-uuid:ship", bearer(seller), full, 400, `"id"`},
		{"/v1/market/sales/" + uuid.NewString() + ":ship", bearer(seller), full, 404, "TRADE_NOT_FOUND"},
		{ship, bearer(buyerB), full, 404, "TRADE_NOT_FOUND"},
		{ship, bearer(seller), full, 409, "is pending_payment"},
		{"/v1/admin/market/trades/" + trade + ":receive", bearer(seller), `{}`, 403, ""},
		{"/v1/admin/market/trades/" + trade + ":inspect", bearer(seller), `{"passed":true}`, 403, ""},
	} {
		code, out := post(c.path, c.token, c.body)
		if code != c.code || !strings.Contains(out, c.says) {
			t.Errorf("POST %s %s: %d %s, want %d saying %s", c.path, c.body, code, out, c.code, c.says)
		}
	}
}
