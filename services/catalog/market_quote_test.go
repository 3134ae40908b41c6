package catalog_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
)

const subjectQuote = "order.market.quote_changed"

// publishQuote publishes order.market.quote_changed as the order service's
// relay does: the variant is the aggregate, seq its position among the
// variant's quote events and prev the one before it (0: none). ask and bid
// 0 mean nothing stands on that side.
func publishQuote(t *testing.T, js jetstream.JetStream, eventID, variantID string, seq, prev, ask, bid int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := events.EnsureStream(ctx, js, "order"); err != nil {
		t.Fatal(err)
	}
	ev := &orderv1.QuoteChanged{VariantId: variantID}
	if ask > 0 {
		ev.LowestAsk = krw(ask)
	}
	if bid > 0 {
		ev.HighestBid = krw(bid)
	}
	msg := nats.NewMsg(subjectQuote)
	msg.Data = must(proto.Marshal(ev))
	prevs := map[string]int64{}
	if prev > 0 {
		prevs[subjectQuote] = prev
	}
	msg.Header.Set(events.HeaderMsgID, eventID)
	msg.Header.Set(events.HeaderType, string(ev.ProtoReflect().Descriptor().FullName()))
	msg.Header.Set(events.HeaderAggregateID, variantID)
	msg.Header.Set(events.HeaderAggregateSeq, strconv.FormatInt(seq, 10))
	msg.Header.Set(events.HeaderAggregatePrev, string(must(json.Marshal(prevs))))
	msg.Header.Set(events.HeaderEnqueued, time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
}

// quoteOf reads the variant's buy-now and sell-now prices from the product
// page (0 when unset).
func quoteOf(t *testing.T, e env, slug, variantID string) (buy, sell int64) {
	t.Helper()
	p := must(e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: slug})).GetProduct()
	for _, v := range p.GetVariants() {
		if v.GetId() == variantID {
			return v.GetBuyNowPrice().GetAmount(), v.GetSellNowPrice().GetAmount()
		}
	}
	t.Fatalf("variant %s not on %s", variantID, slug)
	return 0, 0
}

func TestMarketQuoteProjection(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	p := must(e.client.CreateProduct(as(e.iss.Token("staff-1", "staff")), &catalogv1.CreateProductRequest{
		Name: "Jordan 1 Chicago", CategoryId: f.sneakers.GetId(), Price: krw(199000), Stock: 0,
		Options: []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"260", "270"}}},
	})).GetProduct()
	v, marker := p.GetVariants()[0], p.GetVariants()[1]
	if v.GetBuyNowPrice() != nil || v.GetSellNowPrice() != nil {
		t.Fatalf("a variant nobody asked or bid for shows %v", v)
	}
	waitQuote := func(what string, buy, sell int64) {
		t.Helper()
		eventually(t, what, func() bool {
			b, s := quoteOf(t, e, p.GetSlug(), v.GetId())
			return b == buy && s == sell
		})
	}

	// Every stored change is announced on catalog.market_quote_changed with
	// the product, so caches of the product page drop it; a stale quote is not.
	announced := catalogEvents(t, e.js, "catalog.market_quote_changed")

	// The first quote shows; a redelivered copy (same event id) changes nothing.
	first := newID()
	publishQuote(t, e.js, first, v.GetId(), 1, 0, 180000, 0)
	waitQuote("the first quote", 180000, 0)

	// Out of order: quote 3 arrives before quote 2; the consumer holds it
	// back until 2 is applied, and 3 is what stays.
	publishQuote(t, e.js, newID(), v.GetId(), 3, 2, 175000, 160000)
	publishQuote(t, e.js, newID(), v.GetId(), 2, 1, 178000, 150000)
	waitQuote("quote 3 after quote 2", 175000, 160000)

	// An older quote re-published under a new id (so the inbox does not know
	// it) and the first one redelivered leave the newest in place.
	publishQuote(t, e.js, newID(), v.GetId(), 2, 0, 178000, 150000)
	publishQuote(t, e.js, first, v.GetId(), 1, 0, 180000, 0)
	publishQuote(t, e.js, newID(), marker.GetId(), 1, 0, 1000, 0)
	eventually(t, "the events before the marker", func() bool {
		b, _ := quoteOf(t, e, p.GetSlug(), marker.GetId())
		return b == 1000
	})
	if b, s := quoteOf(t, e, p.GetSlug(), v.GetId()); b != 175000 || s != 160000 {
		t.Fatalf("after stale events buy now %d, sell now %d; want 175000, 160000", b, s)
	}

	// The book emptied: both prices are unset again.
	publishQuote(t, e.js, newID(), v.GetId(), 4, 3, 0, 0)
	waitQuote("an empty book", 0, 0)
	for i, want := range []struct {
		variant string
		buy     int64
	}{{v.GetId(), 180000}, {v.GetId(), 178000}, {v.GetId(), 175000}, {marker.GetId(), 1000}, {v.GetId(), 0}} {
		var ev catalogv1.MarketQuoteChanged
		nextEvent(t, announced, &ev)
		if ev.GetProductId() != p.GetId() || ev.GetVariantId() != want.variant || ev.GetBuyNow().GetAmount() != want.buy {
			t.Fatalf("announcement %d = %v; want product %s, variant %s, buy now %d", i, &ev, p.GetId(), want.variant, want.buy)
		}
	}
	for _, got := range must(e.client.GetProduct(context.Background(), &catalogv1.GetProductRequest{Slug: p.GetSlug()})).GetProduct().GetVariants() {
		if got.GetId() == v.GetId() && (got.GetBuyNowPrice() != nil || got.GetSellNowPrice() != nil) {
			t.Fatalf("empty book shows %v", got)
		}
	}
}
