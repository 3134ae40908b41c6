package order_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

// staffTrades lists the trades staff see with req, failing on an error.
func (e *env) staffTrades(t *testing.T, req *orderv1.ListTradesRequest) *orderv1.ListTradesResponse {
	t.Helper()
	res, err := e.market.ListTrades(e.staff(), req)
	if err != nil {
		t.Fatalf("ListTrades(%v): %v", req, err)
	}
	return res
}

// tradeIDs are the ids of a page's trades, in its order.
func tradeIDs(res *orderv1.ListTradesResponse) []string {
	var ids []string
	for _, st := range res.GetTrades() {
		ids = append(ids, st.GetTrade().GetId())
	}
	return ids
}

// TestMarketStaffListsTrades: staff find every user's trades, newest first,
// by status (the ones waiting to be received or inspected) and by variant,
// page by page, each naming its seller and buyer; customers may not list.
func TestMarketStaffListsTrades(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Yeezy Boost 350", 289000, 0, "260", "270")
	v, w := variantOf(t, p, "260"), variantOf(t, p, "270")
	type made struct {
		trade         *orderv1.Trade
		seller, buyer buyer
	}
	trade := func(variantID string, price int64) made {
		t.Helper()
		s, b := e.newBuyer(), e.newBuyer()
		e.ask(t, s, variantID, price)
		return made{e.bid(t, b, variantID, price).GetTrade(), s, b}
	}
	a, b, c, d := trade(v, 300000), trade(w, 310000), trade(v, 320000), trade(w, 330000)
	byStatus := func(status string) *orderv1.ListTradesRequest { return &orderv1.ListTradesRequest{Status: status} }

	// a is paid and shipped to inspection: it waits for staff.
	e.approve(t, e.pay(t, a.buyer, a.trade.GetOrderNumber()).GetId())
	eventually(t, "trade a paid", func() bool {
		return slices.Equal(tradeIDs(e.staffTrades(t, byStatus("paid"))), []string{a.trade.GetId()})
	})
	must(e.market.ShipSale(a.seller.ctx, &orderv1.ShipSaleRequest{Id: a.trade.GetId(), Carrier: "CJ대한통운", TrackingNumber: "5521-0098-7710"}))
	waiting := e.staffTrades(t, byStatus("shipped_to_inspection"))
	if got := tradeIDs(waiting); !slices.Equal(got, []string{a.trade.GetId()}) || waiting.GetNextPageToken() != "" {
		t.Fatalf("shipped to inspection: %v (next %q), want only a %s", got, waiting.GetNextPageToken(), a.trade.GetId())
	}
	st := waiting.GetTrades()[0]
	tr := st.GetTrade()
	if st.GetSellerId() != a.seller.id || st.GetBuyerId() != a.buyer.id {
		t.Fatalf("seller %s, buyer %s; want %s, %s", st.GetSellerId(), st.GetBuyerId(), a.seller.id, a.buyer.id)
	}
	if tr.GetVariantId() != v || tr.GetPrice().GetAmount() != 300000 || tr.GetBuyerFee().GetAmount() != 9000 ||
		tr.GetSellerFee().GetAmount() != 15000 || tr.GetSellerPayout().GetAmount() != 285000 ||
		tr.GetAskId() != a.trade.GetAskId() || tr.GetBidId() != a.trade.GetBidId() || tr.GetOrderNumber() != a.trade.GetOrderNumber() ||
		tr.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_SHIPPED_TO_INSPECTION || tr.GetSide() != orderv1.OfferSide_OFFER_SIDE_UNSPECIFIED ||
		tr.GetInspectionCarrier() != "CJ대한통운" || tr.GetInspectionTrackingNumber() != "5521-0098-7710" ||
		tr.GetShipTime() == nil || tr.GetReceiveTime() != nil || !tr.GetCreateTime().AsTime().Equal(a.trade.GetCreateTime().AsTime()) {
		t.Fatalf("staff's trade = %v", tr)
	}
	if want := shipping(a.buyer.email()); !proto.Equal(tr.GetShipping(), want) {
		t.Fatalf("staff's trade ships to %v, want the bid's %v", tr.GetShipping(), want)
	}

	// Received, it moves to the at_inspection list.
	must(e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: a.trade.GetId()}))
	if got := tradeIDs(e.staffTrades(t, byStatus("shipped_to_inspection"))); len(got) != 0 {
		t.Fatalf("shipped to inspection after receiving: %v", got)
	}
	at := e.staffTrades(t, byStatus("at_inspection")).GetTrades()
	if len(at) != 1 || at[0].GetTrade().GetId() != a.trade.GetId() || at[0].GetTrade().GetReceiveTime() == nil {
		t.Fatalf("at inspection = %v", at)
	}
	want := []string{d.trade.GetId(), c.trade.GetId(), b.trade.GetId()}
	if got := tradeIDs(e.staffTrades(t, byStatus("pending_payment"))); !slices.Equal(got, want) {
		t.Fatalf("pending payment = %v, want newest first %v", got, want)
	}
	// Every status of a trade is a filter (the API's list and the domain's agree).
	for _, s := range []string{"pending_payment", "paid", "shipped_to_inspection", "at_inspection", "voided", "inspection_passed", "inspection_failed"} {
		e.staffTrades(t, byStatus(s))
	}

	// By variant, alone and with a status.
	for _, tc := range []struct {
		req  *orderv1.ListTradesRequest
		want []string
	}{
		{&orderv1.ListTradesRequest{VariantId: w}, []string{d.trade.GetId(), b.trade.GetId()}},
		{&orderv1.ListTradesRequest{VariantId: v}, []string{c.trade.GetId(), a.trade.GetId()}},
		{&orderv1.ListTradesRequest{VariantId: v, Status: "pending_payment"}, []string{c.trade.GetId()}},
		{&orderv1.ListTradesRequest{VariantId: w, Status: "at_inspection"}, nil},
		{&orderv1.ListTradesRequest{VariantId: uuid.NewString()}, nil},
	} {
		if got := tradeIDs(e.staffTrades(t, tc.req)); !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, want %v", tc.req, got, tc.want)
		}
	}

	// Pages: every trade once, newest first, the last page without a token.
	for _, tc := range []struct {
		req   *orderv1.ListTradesRequest
		pages [][]string
	}{
		{&orderv1.ListTradesRequest{PageSize: 2}, [][]string{{d.trade.GetId(), c.trade.GetId()}, {b.trade.GetId(), a.trade.GetId()}}},
		{&orderv1.ListTradesRequest{PageSize: 3}, [][]string{{d.trade.GetId(), c.trade.GetId(), b.trade.GetId()}, {a.trade.GetId()}}},
		{&orderv1.ListTradesRequest{PageSize: 2, Status: "pending_payment"}, [][]string{{d.trade.GetId(), c.trade.GetId()}, {b.trade.GetId()}}},
		{&orderv1.ListTradesRequest{PageSize: 1, VariantId: w}, [][]string{{d.trade.GetId()}, {b.trade.GetId()}}},
		{&orderv1.ListTradesRequest{}, [][]string{{d.trade.GetId(), c.trade.GetId(), b.trade.GetId(), a.trade.GetId()}}},
	} {
		req := proto.Clone(tc.req).(*orderv1.ListTradesRequest)
		for i, want := range tc.pages {
			res := e.staffTrades(t, req)
			if got := tradeIDs(res); !slices.Equal(got, want) {
				t.Fatalf("%v page %d: %v, want %v", tc.req, i+1, got, want)
			}
			if last := i == len(tc.pages)-1; last != (res.GetNextPageToken() == "") {
				t.Fatalf("%v page %d of %d: next_page_token %q", tc.req, i+1, len(tc.pages), res.GetNextPageToken())
			}
			req.PageToken = res.GetNextPageToken()
		}
	}

	_, err := e.market.ListTrades(e.staff(), &orderv1.ListTradesRequest{PageToken: "not-a-token"})
	wantField(t, err, "page_token")
	_, err = e.market.ListTrades(e.staff(), &orderv1.ListTradesRequest{Status: "shipped"})
	wantField(t, err, "status")
	_, err = e.market.ListTrades(a.buyer.ctx, &orderv1.ListTradesRequest{})
	wantCode(t, err, codes.PermissionDenied, "")
}

// TestMarketStaffTradesOverREST: GET /v1/admin/market/trades through the real
// gateway: staff and admins list, customers are 403, strangers 401, bad
// filters and page tokens a 400 naming the parameter.
func TestMarketStaffTradesOverREST(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	api := serveGateway(t, e)
	p := e.product(t, "New Balance 990v6", 259000, 0, "275")
	v := variantOf(t, p, "275")
	seller, first, second := e.newBuyer(), e.newBuyer(), e.newBuyer()
	e.ask(t, seller, v, 260000)
	e.ask(t, seller, v, 270000)
	older := e.bid(t, first, v, 260000).GetTrade()
	newer := e.bid(t, second, v, 270000).GetTrade()
	staff := "Bearer " + e.iss.Token(uuid.NewString(), "staff")
	get := func(query url.Values, token string) (int, map[string]any, string) {
		t.Helper()
		code, out := restJSON(t, api, http.MethodGet, "/v1/admin/market/trades?"+query.Encode(), token, "", "")
		return code, out, toJSON(out)
	}

	// Staff page through them, newest first, each with seller and buyer.
	q := url.Values{"status": {"pending_payment"}, "variant_id": {v}, "page_size": {"1"}}
	seen := []string{}
	for _, want := range []*orderv1.Trade{newer, older} {
		code, out, raw := get(q, staff)
		if code != 200 {
			t.Fatalf("page %d: %d %s", len(seen)+1, code, raw)
		}
		items := out["trades"].([]any)
		item := items[0].(map[string]any)
		tr := item["trade"].(map[string]any)
		buyerID := first.id
		if want == newer {
			buyerID = second.id
		}
		if len(items) != 1 || tr["id"] != want.GetId() || tr["order_number"] != want.GetOrderNumber() ||
			tr["status"] != "TRADE_STATUS_PENDING_PAYMENT" || item["seller_id"] != seller.id || item["buyer_id"] != buyerID {
			t.Fatalf("page %d: %s, want trade %s bought by %s", len(seen)+1, raw, want.GetId(), buyerID)
		}
		seen = append(seen, tr["id"].(string))
		next, _ := out["next_page_token"].(string)
		if (want == newer) == (next == "") {
			t.Fatalf("page %d: next_page_token %q", len(seen), next)
		}
		q.Set("page_token", next)
	}
	if code, out, raw := get(url.Values{"status": {"pending_payment"}}, "Bearer "+e.iss.Token(uuid.NewString(), "admin")); code != 200 || len(out["trades"].([]any)) != 2 {
		t.Fatalf("as admin: %d %s", code, raw)
	}

	for _, c := range []struct {
		query url.Values
		token string
		code  int
		says  string
	}{
		{url.Values{}, "", 401, ""},
		{url.Values{}, "Bearer " + e.iss.Token(seller.id, "customer"), 403, ""},
		{url.Values{"status": {"at_inspection"}}, "Bearer " + e.iss.Token(first.id, "customer"), 403, ""},
		{url.Values{"status": {"shipped"}}, staff, 400, `"status"`},
		{url.Values{"status": {"TRADE_STATUS_PAID"}}, staff, 400, `"status"`},
		{url.Values{"page_token": {"not-a-token"}}, staff, 400, `"page_token"`},
		{url.Values{"page_token": {"-5"}}, staff, 400, `"page_token"`},
		{url.Values{"page_token": {strings.Repeat("9", 101)}}, staff, 400, `"page_token"`},
		{url.Values{"page_size": {"101"}}, staff, 400, `"page_size"`},
		{url.Values{"page_size": {"-1"}}, staff, 400, `"page_size"`},
		{url.Values{"page_token": {"9223372036854775808"}}, staff, 400, `"page_token"`},
		{url.Values{"status": {"\x00"}}, staff, 400, `"status"`},
		{url.Values{"variant_id": {"270"}}, staff, 400, `"variant_id"`},
		{url.Values{"variant_id": {"\xff"}}, staff, 400, ""},
		{url.Values{"size": {"270"}}, staff, 400, `"size"`},
	} {
		if code, _, raw := get(c.query, c.token); code != c.code || !strings.Contains(raw, c.says) {
			t.Errorf("GET /v1/admin/market/trades?%s: %d %s, want %d naming %s", c.query.Encode(), code, raw, c.code, c.says)
		}
	}
}
