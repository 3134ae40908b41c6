package order_test

import (
	"context"
	"fmt"
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
		code, out := restJSON(t, api, http.MethodPost, path, token, "", body)
		return code, toJSON(out)
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

// shippingJSON is a buyer's delivery address in the REST body's form.
const shippingJSON = `{"name":"김민지","phone":"010-1234-5678","email":"minji@example.com",
	"line1":"서울특별시 마포구 월드컵북로 396","postal_code":"03925","city":"서울","country":"KR"}`

// TestMarketBidShippingOverREST: bidding and buying now take the buyer's
// delivery address, validated as checkout validates it (400 naming
// shipping.<field>), and a keyed bid replays only with the same address.
func TestMarketBidShippingOverREST(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	api := serveGateway(t, e)
	p := e.product(t, "Samba OG", 139000, 0, "260")
	v := variantOf(t, p, "260")
	e.ask(t, e.newBuyer(), v, 150000)
	token := "Bearer " + e.iss.Token(uuid.NewString(), "customer")
	post := func(path, key, body string) (int, string) {
		t.Helper()
		code, raw := rest(t, api, http.MethodPost, path, token, key, body)
		return code, string(raw)
	}
	bid := func(shipping string) string {
		if shipping == "" {
			return fmt.Sprintf(`{"variant_id":%q,"price":"120000","expires_in_days":7}`, v)
		}
		return fmt.Sprintf(`{"variant_id":%q,"price":"120000","expires_in_days":7,"shipping":%s}`, v, shipping)
	}
	buyNow := func(shipping string) string {
		if shipping == "" {
			return fmt.Sprintf(`{"variant_id":%q,"expected_price":"150000"}`, v)
		}
		return fmt.Sprintf(`{"variant_id":%q,"expected_price":"150000","shipping":%s}`, v, shipping)
	}
	badPhone := strings.Replace(shippingJSON, "010-1234-5678", "call me", 1)
	badEmail := strings.Replace(shippingJSON, "minji@example.com", "minji-at-example", 1)
	noLine1 := strings.Replace(shippingJSON, `"line1":"서울특별시 마포구 월드컵북로 396",`, "", 1)
	for _, c := range []struct{ path, body, field string }{
		{"/v1/market/bids", bid(""), `"shipping"`},
		{"/v1/market/bids", bid(badPhone), `"shipping.phone"`},
		{"/v1/market/bids", bid(badEmail), `"shipping.email"`},
		{"/v1/market/bids", bid(noLine1), `"shipping.line1"`},
		{"/v1/market/buy-now", buyNow(""), `"shipping"`},
		{"/v1/market/buy-now", buyNow(badPhone), `"shipping.phone"`},
	} {
		code, out := post(c.path, uuid.NewString(), c.body)
		if code != 400 || !strings.Contains(out, c.field) {
			t.Errorf("POST %s %s: %d %s, want 400 naming %s", c.path, c.body, code, out, c.field)
		}
	}

	key := uuid.NewString()
	code, first := post("/v1/market/bids", key, bid(shippingJSON))
	if code != 201 {
		t.Fatalf("bid: %d %s", code, first)
	}
	if code, again := post("/v1/market/bids", key, bid(shippingJSON)); code != 201 || again != first {
		t.Fatalf("retry with the same body: %d %s, want the first answer %s", code, again, first)
	}
	moved := strings.Replace(shippingJSON, "월드컵북로 396", "월드컵북로 400", 1)
	if code, out := post("/v1/market/bids", key, bid(moved)); code != 422 || !strings.Contains(out, "IDEMPOTENCY_KEY_REUSED") {
		t.Fatalf("retry with another address: %d %s, want 422 IDEMPOTENCY_KEY_REUSED", code, out)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM market_offers WHERE variant_id = $1 AND side = 'bid'`, v).Scan(&n); err != nil || n != 1 {
		t.Fatalf("bids = %d, %v; want 1", n, err)
	}
}
