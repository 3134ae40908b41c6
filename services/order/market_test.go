package order_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/order"
)

func (e *env) ask(t *testing.T, b buyer, variantID string, price int64) *orderv1.PlaceAskResponse {
	t.Helper()
	return must(e.market.PlaceAsk(withKey(b.ctx, uuid.NewString()), &orderv1.PlaceAskRequest{VariantId: variantID, Price: price, ExpiresInDays: 7}))
}

func (e *env) bid(t *testing.T, b buyer, variantID string, price int64) *orderv1.PlaceBidResponse {
	t.Helper()
	return must(e.market.PlaceBid(withKey(b.ctx, uuid.NewString()), &orderv1.PlaceBidRequest{VariantId: variantID, Price: price, ExpiresInDays: 7, Shipping: shipping(b.email())}))
}

func (e *env) ledger(t *testing.T, b buyer) []*orderv1.LedgerEntry {
	t.Helper()
	return must(e.market.ListMyLedger(b.ctx, &orderv1.ListMyLedgerRequest{})).GetEntries()
}

func (e *env) offerStatus(t *testing.T, id string) string {
	t.Helper()
	var s string
	if err := e.db.QueryRow(context.Background(), `SELECT status FROM market_offers WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMarketMatching(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Jordan 1 Retro High", 219000, 0, "260", "270")
	v, other := variantOf(t, p, "260"), variantOf(t, p, "270")
	a, b, c, buyer1 := e.newBuyer(), e.newBuyer(), e.newBuyer(), e.newBuyer()

	// Asks stand in the book; a bid below the lowest ask stands too.
	first := e.ask(t, a, v, 190000).GetAsk()
	e.ask(t, b, v, 200000)
	later := e.ask(t, c, v, 190000).GetAsk()
	if first.GetStatus() != orderv1.OfferStatus_OFFER_STATUS_OPEN {
		t.Fatalf("ask = %v", first)
	}
	low := e.bid(t, buyer1, v, 185000)
	if low.GetTrade() != nil || low.GetBid().GetStatus() != orderv1.OfferStatus_OFFER_STATUS_OPEN {
		t.Fatalf("a bid below the lowest ask traded: %v", low)
	}

	// A seller whose own bid or ask would be hit is refused.
	_, err := e.market.PlaceBid(withKey(a.ctx, uuid.NewString()), &orderv1.PlaceBidRequest{VariantId: v, Price: 195000, ExpiresInDays: 1, Shipping: shipping(a.email())})
	wantCode(t, err, codes.AlreadyExists, "SELF_TRADE")

	// A crossing bid trades at the standing ask's price, earliest first.
	buyer2 := e.newBuyer()
	res := e.bid(t, buyer2, v, 195000)
	tr := res.GetTrade()
	if tr.GetAskId() != first.GetId() || tr.GetPrice().GetAmount() != 190000 || tr.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_PENDING_PAYMENT {
		t.Fatalf("trade = %v, want the first ask at 190000", tr)
	}
	// Fees: buyer 3 % = 5,700; seller 5 % = 9,500 (more than the 2,500 minimum).
	if tr.GetBuyerFee().GetAmount() != 5700 || tr.GetSellerFee().GetAmount() != 9500 || tr.GetSellerPayout().GetAmount() != 180500 {
		t.Fatalf("fees = %v", tr)
	}
	if res.GetBid().GetStatus() != orderv1.OfferStatus_OFFER_STATUS_MATCHED || e.offerStatus(t, first.GetId()) != "matched" {
		t.Fatal("the trade's offers are not matched")
	}
	o := e.order(t, buyer2, tr.GetOrderNumber())
	if o.GetKind() != orderv1.OrderKind_ORDER_KIND_MARKET || o.GetGrandTotal().GetAmount() != 195700 ||
		o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || len(o.GetLines()) != 2 {
		t.Fatalf("order = %v", o)
	}
	eventually(t, "market.trade_executed", func() bool { return e.published(t, "order", "order.market.trade_executed") == 1 })
	if e.published(t, "order", "order.market.quote_changed") < 4 {
		t.Fatal("no market.quote_changed for each placement")
	}

	// The next best ask is the later one at the same price; an ask at or
	// below the highest bid trades at the bid's price.
	nextBuyer := e.newBuyer()
	if got := e.bid(t, nextBuyer, v, 190000).GetTrade().GetAskId(); got != later.GetId() {
		t.Fatalf("second trade hit %s, want the later ask %s", got, later.GetId())
	}
	seller := e.newBuyer()
	sold := e.ask(t, seller, v, 180000).GetTrade()
	if sold.GetPrice().GetAmount() != 185000 || sold.GetBidId() != low.GetBid().GetId() || sold.GetSide() != orderv1.OfferSide_OFFER_SIDE_ASK || sold.GetOrderNumber() != "" {
		t.Fatalf("sell into the bid = %v", sold)
	}

	// Buy now / sell now at the expected price, 409 when it moved or nothing stands.
	_, err = e.market.BuyNow(withKey(nextBuyer.ctx, uuid.NewString()), &orderv1.BuyNowRequest{VariantId: v, ExpectedPrice: 190000, Shipping: shipping(nextBuyer.email())})
	wantCode(t, err, codes.AlreadyExists, "PRICE_MOVED")
	bought := must(e.market.BuyNow(withKey(nextBuyer.ctx, uuid.NewString()), &orderv1.BuyNowRequest{VariantId: v, ExpectedPrice: 200000, Shipping: shipping(nextBuyer.email())})).GetTrade()
	if bought.GetPrice().GetAmount() != 200000 || bought.GetOrderNumber() == "" {
		t.Fatalf("buy now = %v", bought)
	}
	_, err = e.market.SellNow(withKey(seller.ctx, uuid.NewString()), &orderv1.SellNowRequest{VariantId: other, ExpectedPrice: 1000})
	wantCode(t, err, codes.AlreadyExists, "NO_OFFER")
	standing := e.bid(t, buyer1, other, 150000).GetBid()
	if got := must(e.market.SellNow(withKey(seller.ctx, uuid.NewString()), &orderv1.SellNowRequest{VariantId: other, ExpectedPrice: 150000})).GetTrade(); got.GetBidId() != standing.GetId() {
		t.Fatalf("sell now = %v", got)
	}

	// Cancel: one's own open offer; again is OFFER_NOT_OPEN; another user's is 404.
	mine := e.ask(t, a, other, 300000).GetAsk()
	_, err = e.market.CancelAsk(b.ctx, &orderv1.CancelAskRequest{Id: mine.GetId()})
	wantCode(t, err, codes.NotFound, "OFFER_NOT_FOUND")
	if got := must(e.market.CancelAsk(a.ctx, &orderv1.CancelAskRequest{Id: mine.GetId()})).GetAsk(); got.GetStatus() != orderv1.OfferStatus_OFFER_STATUS_CANCELLED {
		t.Fatalf("cancelled = %v", got)
	}
	_, err = e.market.CancelAsk(a.ctx, &orderv1.CancelAskRequest{Id: mine.GetId()})
	wantCode(t, err, codes.AlreadyExists, "OFFER_NOT_OPEN")
	_, err = e.market.CancelBid(a.ctx, &orderv1.CancelBidRequest{Id: mine.GetId()})
	wantCode(t, err, codes.NotFound, "OFFER_NOT_FOUND")

	// Bad input is 400; an unknown variant 404.
	_, err = e.market.PlaceAsk(withKey(a.ctx, uuid.NewString()), &orderv1.PlaceAskRequest{VariantId: v, Price: 1000, ExpiresInDays: 2})
	wantCode(t, err, codes.InvalidArgument, "")
	_, err = e.market.PlaceAsk(withKey(a.ctx, uuid.NewString()), &orderv1.PlaceAskRequest{VariantId: uuid.NewString(), Price: 1000, ExpiresInDays: 1})
	wantCode(t, err, codes.NotFound, "VARIANT_NOT_FOUND")

	// The same Idempotency-Key places one ask.
	key := uuid.NewString()
	r1 := must(e.market.PlaceAsk(withKey(b.ctx, key), &orderv1.PlaceAskRequest{VariantId: other, Price: 400000, ExpiresInDays: 30}))
	r2 := must(e.market.PlaceAsk(withKey(b.ctx, key), &orderv1.PlaceAskRequest{VariantId: other, Price: 400000, ExpiresInDays: 30}))
	if r1.GetAsk().GetId() != r2.GetAsk().GetId() {
		t.Fatal("a replayed key placed a second ask")
	}

	// Own lists, with status, and the ledger explaining each fee.
	asks := must(e.market.ListMyAsks(a.ctx, &orderv1.ListMyAsksRequest{PageSize: 1})).GetAsks()
	if len(asks) != 1 || asks[0].GetId() != mine.GetId() {
		t.Fatalf("a's newest ask = %v", asks)
	}
	page := must(e.market.ListMyAsks(a.ctx, &orderv1.ListMyAsksRequest{PageSize: 1}))
	rest := must(e.market.ListMyAsks(a.ctx, &orderv1.ListMyAsksRequest{PageSize: 5, PageToken: page.GetNextPageToken()})).GetAsks()
	if len(rest) != 1 || rest[0].GetId() != first.GetId() || rest[0].GetStatus() != orderv1.OfferStatus_OFFER_STATUS_MATCHED {
		t.Fatalf("a's second page = %v", rest)
	}
	trades := must(e.market.ListMyTrades(buyer2.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()
	if len(trades) != 1 || trades[0].GetOrderNumber() != tr.GetOrderNumber() || trades[0].GetSide() != orderv1.OfferSide_OFFER_SIDE_BID {
		t.Fatalf("buyer's trades = %v", trades)
	}
	led := e.ledger(t, a)
	if len(led) != 1 || led[0].GetKind() != orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_SELLER_FEE || led[0].GetAmount().GetAmount() != 9500 || led[0].GetReason() == "" {
		t.Fatalf("seller's ledger = %v", led)
	}
	prev := must(e.market.PreviewAsk(a.ctx, &orderv1.PreviewAskRequest{VariantId: v, Price: 30000}))
	if prev.GetSellerFee().GetAmount() != 2500 || prev.GetPayout().GetAmount() != 27500 {
		t.Fatalf("preview = %v (the minimum fee applies)", prev)
	}
}

func TestMarketTradeSettles(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Dunk Low Panda", 139000, 0, "250")
	v := variantOf(t, p, "250")
	seller, payer, quitter, next := e.newBuyer(), e.newBuyer(), e.newBuyer(), e.newBuyer()

	// Paid: the sale awaits the seller's shipment to inspection; shipped,
	// received and passed, the item ships to the buyer and the seller's
	// payout is recorded.
	e.ask(t, seller, v, 150000)
	tr := e.bid(t, payer, v, 150000).GetTrade()
	ship := func(b buyer, id string) (*orderv1.ShipSaleResponse, error) {
		return e.market.ShipSale(b.ctx, &orderv1.ShipSaleRequest{Id: id, Carrier: "CJ대한통운", TrackingNumber: "5521-0098-7710"})
	}
	_, err := ship(seller, tr.GetId())
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is pending_payment")
	pay := e.pay(t, payer, tr.GetOrderNumber())
	e.approve(t, pay.GetId())
	e.waitStatus(t, payer, tr.GetOrderNumber(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	eventually(t, "trade paid", func() bool {
		ts := must(e.market.ListMyTrades(seller.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()
		return ts[0].GetStatus() == orderv1.TradeStatus_TRADE_STATUS_PAID
	})
	verdict := &orderv1.InspectTradeRequest{Id: tr.GetId(), Passed: true, Note: "genuine, deadstock", Carrier: "CJ대한통운", TrackingNumber: "6812-3344-1200"}
	_, err = e.market.InspectTrade(e.staff(), verdict)
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is paid")
	_, err = e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: tr.GetId()})
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is paid")
	// Only the seller ships it: to the buyer and anyone else the sale does not exist.
	for _, other := range []buyer{payer, e.newBuyer()} {
		_, err = ship(other, tr.GetId())
		wantCode(t, err, codes.NotFound, "TRADE_NOT_FOUND")
	}
	_, err = ship(seller, uuid.NewString())
	wantCode(t, err, codes.NotFound, "TRADE_NOT_FOUND")
	_, err = e.market.ShipSale(seller.ctx, &orderv1.ShipSaleRequest{Id: tr.GetId(), TrackingNumber: "1"})
	wantField(t, err, "carrier")
	_, err = e.market.ShipSale(seller.ctx, &orderv1.ShipSaleRequest{Id: tr.GetId(), Carrier: "CJ대한통운"})
	wantField(t, err, "tracking_number")
	_, err = e.market.ShipSale(seller.ctx, &orderv1.ShipSaleRequest{Id: "nope", Carrier: "CJ대한통운", TrackingNumber: "1"})
	wantField(t, err, "id")
	shipped := must(ship(seller, tr.GetId())).GetTrade()
	if shipped.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_SHIPPED_TO_INSPECTION || shipped.GetInspectionCarrier() != "CJ대한통운" ||
		shipped.GetInspectionTrackingNumber() != "5521-0098-7710" || shipped.GetShipTime() == nil || shipped.GetSide() != orderv1.OfferSide_OFFER_SIDE_ASK {
		t.Fatalf("shipped = %v", shipped)
	}
	_, err = ship(seller, tr.GetId())
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is shipped_to_inspection")
	_, err = e.market.InspectTrade(e.staff(), verdict)
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is shipped_to_inspection")
	_, err = e.market.ReceiveTrade(seller.ctx, &orderv1.ReceiveTradeRequest{Id: tr.GetId()})
	wantCode(t, err, codes.PermissionDenied, "")
	received := must(e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: tr.GetId()})).GetTrade()
	if received.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_AT_INSPECTION || received.GetReceiveTime() == nil {
		t.Fatalf("received = %v", received)
	}
	_, err = e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: tr.GetId()})
	wantMessage(t, wantCode(t, err, codes.AlreadyExists, "TRADE_STATE_CONFLICT"), "is at_inspection")
	_, err = e.market.InspectTrade(seller.ctx, verdict)
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.market.InspectTrade(e.staff(), &orderv1.InspectTradeRequest{Id: tr.GetId(), Passed: true, TrackingNumber: "1"})
	wantField(t, err, "carrier")
	_, err = e.market.InspectTrade(e.staff(), &orderv1.InspectTradeRequest{Id: tr.GetId(), Passed: true, Carrier: "CJ대한통운"})
	wantField(t, err, "tracking_number")
	passed := must(e.market.InspectTrade(e.staff(), verdict)).GetTrade()
	if passed.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_INSPECTION_PASSED || passed.GetDeliveryTrackingNumber() != "6812-3344-1200" {
		t.Fatalf("inspected = %v", passed)
	}
	if l := e.ledger(t, seller)[0]; l.GetKind() != orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PAYOUT || l.GetAmount().GetAmount() != 142500 || l.GetTradeId() != tr.GetId() {
		t.Fatalf("seller's last entry = %v", l)
	}
	settle()
	if n := e.consumed(t, "order-commit-stock"); n != 1 {
		t.Fatalf("order-commit-stock consumed %d", n)
	}
	if got := e.order(t, payer, tr.GetOrderNumber()); got.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_SHIPPED ||
		got.GetCarrier() != "CJ대한통운" || got.GetTrackingNumber() != "6812-3344-1200" {
		t.Fatalf("the buyer's order after inspection = %v, want shipped with the tracking number", got)
	}

	// Failed inspection: the buyer's order is cancelled and refunded in full,
	// the seller penalised, and the ask does not return to the book.
	failedAsk := e.ask(t, seller, v, 170000).GetAsk()
	fb := e.newBuyer()
	ft := e.bid(t, fb, v, 170000).GetTrade()
	e.approve(t, e.pay(t, fb, ft.GetOrderNumber()).GetId())
	e.waitStatus(t, fb, ft.GetOrderNumber(), orderv1.OrderStatus_ORDER_STATUS_PAID)
	eventually(t, "trade paid", func() bool {
		ts := must(e.market.ListMyTrades(fb.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()
		return ts[0].GetStatus() == orderv1.TradeStatus_TRADE_STATUS_PAID
	})
	must(ship(seller, ft.GetId()))
	must(e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: ft.GetId()}))
	must(e.market.InspectTrade(e.staff(), &orderv1.InspectTradeRequest{Id: ft.GetId(), Passed: false, Note: "replica"}))
	e.waitStatus(t, fb, ft.GetOrderNumber(), orderv1.OrderStatus_ORDER_STATUS_REFUNDED)
	if l := e.ledger(t, seller)[0]; l.GetKind() != orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PENALTY || l.GetAmount().GetAmount() != 25500 {
		t.Fatalf("seller's last entry = %v", l)
	}
	if s := e.offerStatus(t, failedAsk.GetId()); s != "matched" {
		t.Fatalf("the failed ask is %s", s)
	}
	if n := len(e.ledger(t, fb)); n != 1 {
		t.Fatalf("the refunded buyer has %d entries, want only the fee", n)
	}

	// Unpaid (cancelled): the trade is voided, the ask returns with its time
	// priority ahead of a later ask at the same price, the buyer is penalised.
	early := e.ask(t, seller, v, 160000).GetAsk()
	lateSeller := e.newBuyer()
	e.ask(t, lateSeller, v, 160000)
	voided := e.bid(t, quitter, v, 160000).GetTrade()
	if voided.GetAskId() != early.GetId() {
		t.Fatalf("traded %s, want %s", voided.GetAskId(), early.GetId())
	}
	must(e.orders.CancelOrder(quitter.ctx, &orderv1.CancelOrderRequest{Number: voided.GetOrderNumber(), Reason: "changed my mind"}))
	eventually(t, "ask back in the book", func() bool { return e.offerStatus(t, early.GetId()) == "open" })
	if s := e.offerStatus(t, voided.GetBidId()); s != "voided" {
		t.Fatalf("bid %s", s)
	}
	led := e.ledger(t, quitter)
	if len(led) != 2 || led[0].GetKind() != orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PENALTY || led[0].GetAmount().GetAmount() != 24000 {
		t.Fatalf("buyer's ledger = %v, want a 15 %% penalty first", led)
	}
	if got := e.bid(t, next, v, 160000).GetTrade().GetAskId(); got != early.GetId() {
		t.Fatalf("after the void the next bid hit %s, want the returned ask %s", got, early.GetId())
	}

	// The public market pages: the later ask stands; the voided trade is left out.
	m := must(e.market.GetProductMarket(context.Background(), &orderv1.GetProductMarketRequest{Slug: p.GetSlug()}))
	q := m.GetVariants()[0]
	if len(m.GetVariants()) != 1 || q.GetVariantId() != v || q.GetOptions()["size"] != "250" || q.GetLowestAsk().GetAmount() != 160000 ||
		q.GetAskCount() != 1 || q.GetHighestBid() != nil || q.GetBidCount() != 0 || q.GetLastPrice().GetAmount() != 160000 {
		t.Fatalf("market = %v", m)
	}
	first := must(e.market.ListProductTrades(context.Background(), &orderv1.ListProductTradesRequest{Slug: p.GetSlug(), PageSize: 1}))
	rest := must(e.market.ListProductTrades(context.Background(), &orderv1.ListProductTradesRequest{Slug: p.GetSlug(), PageToken: first.GetNextPageToken()}))
	if len(first.GetTrades()) != 1 || first.GetTrades()[0].GetPrice().GetAmount() != 160000 ||
		len(rest.GetTrades()) != 1 || rest.GetTrades()[0].GetPrice().GetAmount() != 150000 || rest.GetNextPageToken() != "" {
		t.Fatalf("trades = %v then %v", first, rest)
	}
	h := must(e.market.GetProductPriceHistory(context.Background(), &orderv1.GetProductPriceHistoryRequest{Slug: p.GetSlug(), Interval: "day"})).GetCandles()
	if len(h) != 1 || h[0].GetOpen().GetAmount() != 150000 || h[0].GetHigh().GetAmount() != 160000 || h[0].GetLow().GetAmount() != 150000 ||
		h[0].GetClose().GetAmount() != 160000 || h[0].GetVolume() != 2 {
		t.Fatalf("history = %v", h)
	}
	_, err = e.market.GetProductMarket(context.Background(), &orderv1.GetProductMarketRequest{Slug: "no-such-product"})
	wantCode(t, err, codes.NotFound, "PRODUCT_NOT_FOUND")
}

// wantMessage fails unless st's message contains part.
func wantMessage(t *testing.T, st *status.Status, part string) {
	t.Helper()
	if !strings.Contains(st.Message(), part) {
		t.Fatalf("message %q does not say %q", st.Message(), part)
	}
}

func TestMarketExpiry(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Yeezy 350", 289000, 0, "280")
	v := variantOf(t, p, "280")
	seller := e.newBuyer()
	a := e.ask(t, seller, v, 300000).GetAsk()
	// Bring its end forward: the timer scheduled in the placing transaction ends it.
	if _, err := e.db.Exec(context.Background(), `UPDATE market_offers SET expires_at = now() WHERE id = $1`, a.GetId()); err != nil {
		t.Fatal(err)
	}
	if tag, err := e.db.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() WHERE kind = 'market.expire' AND args->>'offer_id' = $1`, a.GetId()); err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("timer: %v, %d", err, tag.RowsAffected())
	}
	eventually(t, "expired", func() bool { return e.offerStatus(t, a.GetId()) == "expired" })
	_, err := e.market.BuyNow(withKey(e.newBuyer().ctx, uuid.NewString()), &orderv1.BuyNowRequest{VariantId: v, ExpectedPrice: 300000, Shipping: shipping("late@example.com")})
	wantCode(t, err, codes.AlreadyExists, "NO_OFFER")
}

// replica starts a second order service on the same database and NATS.
func (e *env) replica(t *testing.T) orderv1.MarketServiceClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	lis := testkit.Listen(t)
	svc, err := order.New(ctx, e.cfg, zaptest.NewLogger(t).Named("order-2"), service.Options{Keys: e.iss.Fetch(), Tokens: e.iss.Tokens(order.Name), Listener: lis})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return orderv1.NewMarketServiceClient(testkit.Dial(t, lis.Addr().String()))
}

func TestMarketConcurrentMatching(t *testing.T) {
	e := start(t, options{})
	second := e.replica(t)
	p := e.product(t, "Air Force 1", 129000, 0, "270")
	v := variantOf(t, p, "270")
	for range 10 {
		e.ask(t, e.newBuyer(), v, 100000)
	}
	var trades atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, client := e.newBuyer(), e.market
			if i%2 == 1 {
				client = second
			}
			res, err := client.PlaceBid(withKey(b.ctx, uuid.NewString()), &orderv1.PlaceBidRequest{VariantId: v, Price: 100000 + int64(i), ExpiresInDays: 1, Shipping: shipping(b.email())})
			if err != nil {
				t.Error(err)
				return
			}
			if res.GetTrade() != nil {
				trades.Add(1)
			}
		}()
	}
	wg.Wait()
	var n, asks, bids, openAsks, openBids int
	err := e.db.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT ask_id), count(DISTINCT bid_id),
		(SELECT count(*) FROM market_offers WHERE side = 'ask' AND status = 'open'),
		(SELECT count(*) FROM market_offers WHERE side = 'bid' AND status = 'open') FROM market_trades`).Scan(&n, &asks, &bids, &openAsks, &openBids)
	if err != nil {
		t.Fatal(err)
	}
	if trades.Load() != 10 || n != 10 || asks != 10 || bids != 10 || openAsks != 0 || openBids != 190 {
		t.Fatalf("answered %d trades; %d trades of %d asks and %d bids; %d asks and %d bids open", trades.Load(), n, asks, bids, openAsks, openBids)
	}
	var orders int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM orders WHERE kind = 'market'`).Scan(&orders); err != nil || orders != 10 {
		t.Fatalf("%d market orders (%v)", orders, err)
	}
}

func TestMarketCancelRacingMatch(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "New Balance 990", 259000, 0, "265")
	v := variantOf(t, p, "265")
	outcomes := map[string]int{}
	for i := range 20 {
		seller, buyer := e.newBuyer(), e.newBuyer()
		a := e.ask(t, seller, v, int64(100000+i))
		var wg sync.WaitGroup
		var cancelErr, bidErr error
		var res *orderv1.PlaceBidResponse
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, cancelErr = e.market.CancelAsk(seller.ctx, &orderv1.CancelAskRequest{Id: a.GetAsk().GetId()})
		}()
		go func() {
			defer wg.Done()
			res, bidErr = e.market.PlaceBid(withKey(buyer.ctx, uuid.NewString()), &orderv1.PlaceBidRequest{VariantId: v, Price: int64(100000 + i), ExpiresInDays: 1, Shipping: shipping(buyer.email())})
		}()
		wg.Wait()
		if bidErr != nil {
			t.Fatal(bidErr)
		}
		traded := res.GetTrade() != nil
		switch {
		case cancelErr == nil && !traded:
			outcomes["cancel"]++
			must(e.market.CancelBid(buyer.ctx, &orderv1.CancelBidRequest{Id: res.GetBid().GetId()}))
		case cancelErr != nil && traded:
			wantCode(t, cancelErr, codes.AlreadyExists, "OFFER_NOT_OPEN")
			outcomes["trade"]++
		default:
			t.Fatalf("round %d: cancel error %v, traded %v", i, cancelErr, traded)
		}
	}
	t.Log(fmt.Sprint(outcomes))
}

func TestMarketUnpaidTradeIsVoided(t *testing.T) {
	e := start(t, options{configure: func(c *order.Config) { c.PaymentWindow = 2 * time.Second }})
	p := e.product(t, "Samba OG", 139000, 0, "240")
	v := variantOf(t, p, "240")
	seller, buyer := e.newBuyer(), e.newBuyer()
	ask := e.ask(t, seller, v, 120000).GetAsk()
	tr := e.bid(t, buyer, v, 125000).GetTrade()
	if tr.GetPrice().GetAmount() != 120000 {
		t.Fatalf("trade = %v", tr)
	}
	// The order's own timer ends the window; order.cancelled voids the trade.
	e.waitStatus(t, buyer, tr.GetOrderNumber(), orderv1.OrderStatus_ORDER_STATUS_CANCELLED)
	eventually(t, "trade voided", func() bool {
		ts := must(e.market.ListMyTrades(seller.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()
		return ts[0].GetStatus() == orderv1.TradeStatus_TRADE_STATUS_VOIDED
	})
	if s := e.offerStatus(t, ask.GetId()); s != "open" {
		t.Fatalf("ask %s, want open again", s)
	}
	led := e.ledger(t, buyer)
	if led[0].GetKind() != orderv1.LedgerEntryKind_LEDGER_ENTRY_KIND_PENALTY || led[0].GetAmount().GetAmount() != 18000 || led[0].GetTradeId() != tr.GetId() {
		t.Fatalf("buyer's ledger = %v", led)
	}
	// Nothing more follows: one fee, one penalty.
	settle()
	if n := len(e.ledger(t, buyer)); n != 2 {
		t.Fatalf("buyer's ledger has %d entries, want fee and penalty", n)
	}
	q := must(e.market.GetProductMarket(context.Background(), &orderv1.GetProductMarketRequest{Slug: p.GetSlug()})).GetVariants()[0]
	if q.GetLowestAsk().GetAmount() != 120000 || q.GetLastPrice() != nil {
		t.Fatalf("quote after the void = %v", q)
	}
}

// The product page's buy-now and sell-now prices follow the book through the
// market's quote events, the outbox relay and the catalog's consumer.
func TestMarketQuoteOnProductPage(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Samba OG", 139000, 0, "260", "270")
	v, other := variantOf(t, p, "260"), variantOf(t, p, "270")
	seller, buyerA := e.newBuyer(), e.newBuyer()
	page := func(what string, buy, sell int64) {
		t.Helper()
		eventually(t, what, func() bool {
			for _, pv := range must(e.catalog.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})).GetProduct().GetVariants() {
				if pv.GetId() == v {
					return pv.GetBuyNowPrice().GetAmount() == buy && pv.GetSellNowPrice().GetAmount() == sell &&
						(buy == 0) == (pv.GetBuyNowPrice() == nil) && (sell == 0) == (pv.GetSellNowPrice() == nil)
				}
			}
			return false
		})
	}
	page("no market yet", 0, 0)
	e.ask(t, seller, v, 200000)
	page("the first ask", 200000, 0)
	low := e.ask(t, seller, v, 190000).GetAsk()
	page("a lower ask", 190000, 0)
	e.bid(t, buyerA, v, 150000)
	page("a bid", 190000, 150000)
	must(e.market.CancelAsk(seller.ctx, &orderv1.CancelAskRequest{Id: low.GetId()}))
	page("the lower ask cancelled", 200000, 150000)
	e.bid(t, e.newBuyer(), v, 210000) // trades with the 200000 ask
	page("the last ask traded", 0, 150000)
	for _, pv := range must(e.catalog.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})).GetProduct().GetVariants() {
		if pv.GetId() == other && (pv.GetBuyNowPrice() != nil || pv.GetSellNowPrice() != nil) {
			t.Fatalf("the untraded size shows %v", pv)
		}
	}
}

// TestMarketTradeShipsToTheBidsAddress: the bid's delivery address becomes
// the buyer's order's shipping whichever side stood in the book, the
// confirmation mail reaches it once paid, staff ship the passed item to it,
// and none of the seller's views shows it.
func TestMarketTradeShipsToTheBidsAddress(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Air Force 1", 139000, 0, "265")
	v := variantOf(t, p, "265")
	seller, buyerA, buyerB := e.newBuyer(), e.newBuyer(), e.newBuyer()
	secret := []string{"010-1234-5678", "월드컵북로", "03925", "김민지"}
	sellerSees := func(what string, m proto.Message) {
		t.Helper()
		raw := prototext.Format(m)
		for _, s := range secret {
			if strings.Contains(raw, s) {
				t.Fatalf("the seller's %s shows the buyer's %q:\n%s", what, s, raw)
			}
		}
	}
	wantShipping := func(what string, got *orderv1.ShippingDetails, b buyer) {
		t.Helper()
		if want := shipping(b.email()); !proto.Equal(got, want) {
			t.Fatalf("%s shipping = %v, want %v", what, got, want)
		}
	}

	// The ask stands, the bid comes in.
	e.ask(t, seller, v, 150000)
	ta := e.bid(t, buyerA, v, 150000).GetTrade()
	wantShipping("the buyer's trade", ta.GetShipping(), buyerA)
	// The bid stands, the ask comes in.
	e.bid(t, buyerB, v, 140000)
	placed := e.ask(t, seller, v, 140000)
	sellerSees("placed ask", placed)
	tb := placed.GetTrade()
	for _, c := range []struct {
		b      buyer
		number string
	}{{buyerA, ta.GetOrderNumber()}, {buyerB, must(e.market.ListMyTrades(buyerB.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()[0].GetOrderNumber()}} {
		wantShipping("the buyer's order", e.order(t, c.b, c.number).GetShipping(), c.b)
		e.approve(t, e.pay(t, c.b, c.number).GetId())
		e.waitStatus(t, c.b, c.number, orderv1.OrderStatus_ORDER_STATUS_PAID)
		eventually(t, "the confirmation mail", func() bool { return len(e.mails(c.b.email())) == 1 })
		if m := e.mails(c.b.email())[0]; !strings.Contains(m.Text, c.number) || !strings.Contains(m.Text, "03925") {
			t.Fatalf("confirmation to %s:\n%s", c.b.email(), m.Text)
		}
	}
	bt := must(e.market.ListMyTrades(buyerB.ctx, &orderv1.ListMyTradesRequest{})).GetTrades()[0]
	if bt.GetId() != tb.GetId() {
		t.Fatalf("buyer B's trade %s, want %s", bt.GetId(), tb.GetId())
	}
	wantShipping("buyer B's trade", bt.GetShipping(), buyerB)
	eventually(t, "trades paid", func() bool {
		for _, tr := range must(e.market.ListMyTrades(seller.ctx, &orderv1.ListMyTradesRequest{})).GetTrades() {
			if tr.GetStatus() != orderv1.TradeStatus_TRADE_STATUS_PAID {
				return false
			}
		}
		return true
	})

	// The seller ships A's item to inspection; staff pass it and ship it to
	// the buyer's address.
	sellerSees("shipped sale", must(e.market.ShipSale(seller.ctx, &orderv1.ShipSaleRequest{Id: ta.GetId(), Carrier: "CJ대한통운", TrackingNumber: "5521"})))
	received := must(e.market.ReceiveTrade(e.staff(), &orderv1.ReceiveTradeRequest{Id: ta.GetId()})).GetTrade()
	wantShipping("staff's received trade", received.GetShipping(), buyerA)
	passed := must(e.market.InspectTrade(e.staff(), &orderv1.InspectTradeRequest{Id: ta.GetId(), Passed: true, Carrier: "CJ대한통운", TrackingNumber: "6812"})).GetTrade()
	wantShipping("staff's passed trade", passed.GetShipping(), buyerA)
	o := e.order(t, buyerA, ta.GetOrderNumber())
	if h := o.GetHistory()[len(o.GetHistory())-1]; o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_SHIPPED || !strings.Contains(h.GetNote(), "shipped to 김민지, 03925") {
		t.Fatalf("the buyer's order after inspection: %v, last event %v", o.GetStatus(), h)
	}
	sellerSees("trades", must(e.market.ListMyTrades(seller.ctx, &orderv1.ListMyTradesRequest{})))
	sellerSees("asks", must(e.market.ListMyAsks(seller.ctx, &orderv1.ListMyAsksRequest{})))
	sellerSees("ledger", must(e.market.ListMyLedger(seller.ctx, &orderv1.ListMyLedgerRequest{})))
	sellerSees("product trades", must(e.market.ListProductTrades(seller.ctx, &orderv1.ListProductTradesRequest{Slug: p.GetSlug()})))
	_, err := e.orders.GetOrder(seller.ctx, &orderv1.GetOrderRequest{Number: ta.GetOrderNumber()})
	wantCode(t, err, codes.NotFound, "")
}

// Placements run outside the key's transaction: a retry whose first run
// committed but whose answer was never recorded (the process died between
// the two) finds the offer by its id, derived from the key, and answers
// with it and its trade; the same key for another price is refused.
func TestMarketPlacementRetriedAfterItsRecordWasLost(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Gel-Kayano 14", 189000, 0, "275")
	v := variantOf(t, p, "275")
	seller, buyer := e.newBuyer(), e.newBuyer()
	e.ask(t, seller, v, 170000)
	key := uuid.NewString()
	req := &orderv1.PlaceBidRequest{VariantId: v, Price: 175000, ExpiresInDays: 3, Shipping: shipping(buyer.email())}
	first := must(e.market.PlaceBid(withKey(buyer.ctx, key), req))
	if first.GetTrade() == nil {
		t.Fatalf("the bid did not trade: %v", first)
	}
	e.loseRecord(t, key)
	again := must(e.market.PlaceBid(withKey(buyer.ctx, key), req))
	if again.GetBid().GetId() != first.GetBid().GetId() || again.GetTrade().GetId() != first.GetTrade().GetId() ||
		again.GetTrade().GetOrderNumber() != first.GetTrade().GetOrderNumber() {
		t.Fatalf("the retry answered %v, the first run %v", again, first)
	}
	var trades, bids int
	if err := e.db.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM market_trades), (SELECT count(*) FROM market_offers WHERE side = 'bid')`).Scan(&trades, &bids); err != nil {
		t.Fatal(err)
	}
	if trades != 1 || bids != 1 {
		t.Fatalf("%d trades and %d bids after the retry, want 1 and 1", trades, bids)
	}
	e.loseRecord(t, key)
	other := proto.Clone(req).(*orderv1.PlaceBidRequest)
	other.Price = 176000
	_, err := e.market.PlaceBid(withKey(buyer.ctx, key), other)
	wantCode(t, err, codes.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED")
}

// A batch that fails is decided again one placement at a time, so one
// placement that cannot be written never fails the others waiting with it.
func TestMarketBatchFailureFailsOnlyItsPlacement(t *testing.T) {
	e := start(t, options{})
	p := e.product(t, "Salomon XT-6", 199000, 0, "265")
	v := variantOf(t, p, "265")
	// Offers of this seller cannot be written (a rule the store enforces).
	banned := e.newBuyer()
	if _, err := e.db.Exec(context.Background(), `ALTER TABLE market_offers ADD CONSTRAINT no_banned CHECK (user_id <> '`+banned.id+`')`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errsByUser := make([]error, 20)
	for i := range errsByUser {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := e.newBuyer()
			if i == 7 {
				b = banned
			}
			_, errsByUser[i] = e.market.PlaceAsk(withKey(b.ctx, uuid.NewString()), &orderv1.PlaceAskRequest{VariantId: v, Price: 300000 + int64(i), ExpiresInDays: 1})
		}()
	}
	wg.Wait()
	for i, err := range errsByUser {
		if (i == 7) != (err != nil) {
			t.Fatalf("placement %d: %v", i, err)
		}
	}
	var open int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM market_offers WHERE status = 'open'`).Scan(&open); err != nil || open != 19 {
		t.Fatalf("%d open asks (%v), want 19", open, err)
	}
}
