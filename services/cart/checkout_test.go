package cart_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// service is the context of another service calling an ACCESS_INTERNAL RPC:
// no user token.
func (e *env) service() context.Context {
	return context.Background()
}

func TestGetCartForCheckout(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	v260, bag := variant(t, s.shoe, "260").GetId(), variant(t, s.bag, "").GetId()
	must(e.client.AddCartItem(e.user("buyer"), &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 2}))
	added := must(e.client.AddCartItem(e.user("buyer"), &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 1}))

	got := must(e.client.GetCartForCheckout(e.service(), &cartv1.GetCartForCheckoutRequest{UserId: "buyer"}))
	want := &cartv1.GetCartForCheckoutResponse{CartId: added.GetCart().GetId(), Lines: []*cartv1.CheckoutLine{
		{LineId: added.GetCart().GetLines()[0].GetId(), ProductId: s.shoe.GetId(), VariantId: v260, Quantity: 2},
		{LineId: added.GetLineId(), ProductId: s.bag.GetId(), VariantId: bag, Quantity: 1},
	}}
	if !proto.Equal(got, want) {
		t.Fatalf("GetCartForCheckout = %v, want %v", got, want)
	}
	if none := must(e.client.GetCartForCheckout(e.service(), &cartv1.GetCartForCheckoutRequest{UserId: "nobody"})); none.GetCartId() != "" || len(none.GetLines()) != 0 {
		t.Fatalf("a user without a cart = %v", none)
	}
}

func publishOrderPaid(t *testing.T, e *env, id string, ev *orderv1.OrderPaid) {
	t.Helper()
	data, err := proto.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg("order.paid")
	msg.Data = data
	msg.Header.Set(events.HeaderMsgID, id)
	msg.Header.Set(events.HeaderType, string(ev.ProtoReflect().Descriptor().FullName()))
	if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

func consumed(t *testing.T, e *env, consumer, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var seen bool
		if err := e.db.QueryRow(context.Background(),
			`SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2)`, consumer, id).Scan(&seen); err != nil {
			t.Fatal(err)
		}
		if seen {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("event %s was not consumed by %s", id, consumer)
}

func TestOrderPaidEmptiesTheCart(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	v260, v270, bag := variant(t, s.shoe, "260").GetId(), variant(t, s.shoe, "270").GetId(), variant(t, s.bag, "").GetId()
	buy := e.user("payer")
	must(e.client.AddCartItem(buy, &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 2}))
	must(e.client.AddCartItem(buy, &cartv1.AddCartItemRequest{VariantId: v270, Quantity: 1}))
	checkout := must(e.client.GetCartForCheckout(e.service(), &cartv1.GetCartForCheckoutRequest{UserId: "payer"}))
	// After checkout, before payment, the buyer adds another thing and one more 260.
	must(e.client.AddCartItem(buy, &cartv1.AddCartItemRequest{VariantId: bag, Quantity: 1}))
	must(e.client.AddCartItem(buy, &cartv1.AddCartItemRequest{VariantId: v260, Quantity: 1}))

	paid := &orderv1.OrderPaid{OrderId: uuid.NewString(), UserId: "payer", CartId: checkout.GetCartId(), PaidTime: timestamppb.Now()}
	for _, l := range checkout.GetLines() {
		paid.Lines = append(paid.Lines, &orderv1.OrderPaid_Line{ProductId: l.GetProductId(), VariantId: l.GetVariantId(), Quantity: l.GetQuantity()})
	}
	// An order.paid naming the cart but another buyer changes nothing.
	stranger := proto.Clone(paid).(*orderv1.OrderPaid)
	stranger.UserId = "someone-else"
	strangerID := uuid.NewString()
	publishOrderPaid(t, e, strangerID, stranger)
	id := uuid.NewString()
	publishOrderPaid(t, e, id, paid)
	consumed(t, e, "cart-order-paid", id)

	want := map[string]int32{v260: 1, bag: 1} // what was added after checkout stays
	if got := quantities(must(e.client.GetCart(buy, &cartv1.GetCartRequest{})).GetCart()); len(got) != 2 || got[v260] != 1 || got[bag] != 1 {
		t.Fatalf("cart after order.paid = %v, want %v", got, want)
	}

	// Redelivery: a fresh durable consumer replays every event; the inbox
	// skips them, so the 260 line is not reduced again.
	e.stop()
	if err := e.js.DeleteConsumer(context.Background(), "ORDER", "cart-order-paid"); err != nil {
		t.Fatal(err)
	}
	e = e.restart(t)
	marker := uuid.NewString()
	publishOrderPaid(t, e, marker, &orderv1.OrderPaid{OrderId: uuid.NewString(), UserId: "x"})
	consumed(t, e, "cart-order-paid", marker)
	if got := quantities(must(e.client.GetCart(buy, &cartv1.GetCartRequest{})).GetCart()); len(got) != 2 || got[v260] != 1 || got[bag] != 1 {
		t.Fatalf("cart after replay = %v, want %v", got, want)
	}
}

// TestCatalogRenameReachesLines renames a product through the real catalog:
// its product_changed event refreshes the name stored on the line, which is
// what a cart shows when the catalog cannot be reached.
func TestCatalogRenameReachesLines(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{})
	s := newShop(t, e)
	added := must(e.client.AddCartItem(e.user("u-rename"), &cartv1.AddCartItemRequest{Product: s.bag.GetSlug(), Quantity: 1}))
	name := "Eco bag, recycled"
	must(e.catalog.UpdateProduct(e.staff(), &catalogv1.UpdateProductRequest{Id: s.bag.GetId(), Name: &name}))
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, stored := lineNames(t, e, added.GetLineId())
		if stored == name {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored name is still %q", stored)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.front.down.Store(true)
	if c := must(e.client.GetCart(e.user("u-rename"), &cartv1.GetCartRequest{})).GetCart(); c.GetLines()[0].GetProductName() != name {
		t.Fatalf("unpriced line name = %q", c.GetLines()[0].GetProductName())
	}
}
