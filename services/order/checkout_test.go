package order_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	"github.com/jangteo/jangteo/services/payment"
)

func TestCheckout(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	shoe := e.product(t, "Runner", 21000, 5, "260", "270")
	bag := e.product(t, "Eco bag", 4000, 10)
	v270, vbag := variantOf(t, shoe, "270"), variantOf(t, bag, "")
	b := e.newBuyer()
	e.addToCart(t, b, v270, 2)
	e.addToCart(t, b, vbag, 1)

	o := e.checkout(t, b)
	if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT {
		t.Fatalf("status = %v", o.GetStatus())
	}
	if !strings.HasPrefix(o.GetNumber(), "JT-") || len(o.GetNumber()) != len("JT-261201-7K3QF") {
		t.Fatalf("number = %q", o.GetNumber())
	}
	// ₩42,000 + ₩4,000 = ₩46,000; 2 % tax ₩920; under ₩50,000: ₩3,000 shipping.
	got := []int64{o.GetSubtotal().GetAmount(), o.GetTax().GetAmount(), o.GetShippingFee().GetAmount(), o.GetGrandTotal().GetAmount()}
	if want := []int64{46000, 920, 3000, 49920}; !equal(got, want) {
		t.Fatalf("amounts = %v, want %v", got, want)
	}
	if len(o.GetLines()) != 2 || o.GetLines()[0].GetProductName() != "Runner" || o.GetLines()[0].GetOptions()["size"] != "270" ||
		o.GetLines()[0].GetLineTotal().GetAmount() != 42000 || o.GetLines()[1].GetVariantId() != vbag || o.GetItemCount() != 3 {
		t.Fatalf("lines = %v", o.GetLines())
	}
	if o.GetShipping().GetPostalCode() != "03925" || o.GetPayableUntil().AsTime().Sub(o.GetCreateTime().AsTime()) != e.cfg.PaymentWindow {
		t.Fatalf("shipping %v, payable until %v", o.GetShipping(), o.GetPayableUntil().AsTime())
	}
	if h := o.GetHistory(); len(h) != 1 || h[0].GetTo() != orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT || h[0].GetActor() != "buyer" {
		t.Fatalf("history = %v", h)
	}
	if s := e.stock(t, v270); s != 3 {
		t.Fatalf("stock of 270 = %d after reserving 2 of 5", s)
	}
	if r := e.reservation(t, o.GetId()); r != "active" {
		t.Fatalf("reservation = %s", r)
	}
	eventually(t, "order.created", func() bool { return e.published(t, "order", "order.created") == 1 })

	// Reading it back, listing it, and nobody else seeing it.
	if got := e.order(t, b, o.GetNumber()); got.GetId() != o.GetId() {
		t.Fatalf("GetOrder = %v", got)
	}
	list := must(e.orders.ListOrders(b.ctx, &orderv1.ListOrdersRequest{}))
	if list.GetTotalCount() != 1 || len(list.GetOrders()) != 1 || list.GetOrders()[0].GetNumber() != o.GetNumber() {
		t.Fatalf("ListOrders = %v", list)
	}
	other := e.newBuyer()
	_, err := e.orders.GetOrder(other.ctx, &orderv1.GetOrderRequest{Number: o.GetNumber()})
	wantCode(t, err, codes.NotFound, "ORDER_NOT_FOUND")
	_, err = e.orders.CancelOrder(other.ctx, &orderv1.CancelOrderRequest{Number: o.GetNumber()})
	wantCode(t, err, codes.NotFound, "ORDER_NOT_FOUND")
	_, err = e.orders.PayOrder(withKey(other.ctx, "k"), &orderv1.PayOrderRequest{Number: o.GetNumber(), Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})
	wantCode(t, err, codes.NotFound, "ORDER_NOT_FOUND")
	if l := must(e.orders.ListOrders(other.ctx, &orderv1.ListOrdersRequest{})); l.GetTotalCount() != 0 || len(l.GetOrders()) != 0 {
		t.Fatalf("another buyer lists %v", l)
	}

	// Two more orders: the buyer pages through all three, newest first.
	must(e.carts.ClearCart(b.ctx, &cartv1.ClearCartRequest{}))
	for range 2 {
		e.addToCart(t, b, vbag, 1)
		e.checkout(t, b)
	}
	first := must(e.orders.ListOrders(b.ctx, &orderv1.ListOrdersRequest{PageSize: 2}))
	second := must(e.orders.ListOrders(b.ctx, &orderv1.ListOrdersRequest{PageSize: 2, PageToken: first.GetNextPageToken()}))
	if first.GetTotalCount() != 3 || len(first.GetOrders()) != 2 || len(second.GetOrders()) != 1 || second.GetNextPageToken() != "" ||
		second.GetOrders()[0].GetNumber() != o.GetNumber() || !first.GetOrders()[0].GetCreateTime().AsTime().After(o.GetCreateTime().AsTime()) {
		t.Fatalf("pages %v then %v", first, second)
	}
}

func TestCheckoutFreeShippingOverThreshold(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	v := variantOf(t, e.product(t, "Coat", 50000, 3), "")
	b := e.newBuyer()
	e.addToCart(t, b, v, 1)
	o := e.checkout(t, b)
	if o.GetShippingFee().GetAmount() != 0 || o.GetGrandTotal().GetAmount() != 51000 {
		t.Fatalf("fee %v, total %v; want free shipping from ₩50,000", o.GetShippingFee(), o.GetGrandTotal())
	}
}

func TestCheckoutEmptyCart(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	b := e.newBuyer()
	_, err := e.orders.CreateOrder(withKey(b.ctx, "k1"), &orderv1.CreateOrderRequest{Shipping: shipping("a@example.com")})
	wantCode(t, err, codes.AlreadyExists, "CART_EMPTY")
}

func TestCheckoutValidatesShipping(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	b := e.newBuyer()
	s := shipping("not-an-email")
	s.Country = "Korea"
	_, err := e.orders.CreateOrder(withKey(b.ctx, "k1"), &orderv1.CreateOrderRequest{Shipping: s})
	st := wantCode(t, err, codes.InvalidArgument, "")
	if !strings.Contains(st.Message(), "shipping.") {
		t.Fatalf("message %q does not name the field", st.Message())
	}
}

func TestCheckoutOutOfStockWritesNothing(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	bag := variantOf(t, e.product(t, "Eco bag", 4000, 10), "")
	shoe := e.product(t, "Runner", 21000, 1, "270")
	v270 := variantOf(t, shoe, "270")
	b, rival := e.newBuyer(), e.newBuyer()
	e.addToCart(t, b, bag, 2)
	e.addToCart(t, b, v270, 1)
	e.addToCart(t, rival, v270, 1)
	e.checkout(t, rival) // takes the last 270

	_, err := e.orders.CreateOrder(withKey(b.ctx, "k1"), &orderv1.CreateOrderRequest{Shipping: shipping("b@example.com")})
	st := wantCode(t, err, codes.AlreadyExists, "OUT_OF_STOCK")
	if !strings.Contains(st.Message(), v270) || !strings.Contains(st.Message(), "Runner (size 270)") {
		t.Fatalf("message %q does not name the variant", st.Message())
	}
	if s := e.stock(t, bag); s != 10 {
		t.Fatalf("bag stock = %d: the other line stayed reserved", s)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM orders WHERE user_id = $1`, b.id).Scan(&n); err != nil || n != 0 {
		t.Fatalf("orders of the buyer = %d, %v", n, err)
	}
}

// TestConcurrentCheckoutsForTheLastUnits: 200 buyers check out the last 10
// units at once; exactly 10 get an order and the stock ends at 0.
func TestConcurrentCheckoutsForTheLastUnits(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	v := variantOf(t, e.product(t, "Limited", 9000, 10), "")
	buyers := make([]buyer, 200)
	for i := range buyers {
		buyers[i] = e.newBuyer()
		e.addToCart(t, buyers[i], v, 1)
	}
	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		won, soldOut int
		other        []error
	)
	for _, b := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.orders.CreateOrder(withKey(b.ctx, uuid.NewString()), &orderv1.CreateOrderRequest{Shipping: shipping("x@example.com")})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case status.Code(err) == codes.AlreadyExists && strings.Contains(status.Convert(err).Message(), v):
				soldOut++
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if won != 10 || soldOut != 190 || len(other) > 0 {
		t.Fatalf("won %d, sold out %d, other errors %v; want 10 and 190", won, soldOut, other)
	}
	if s := e.stock(t, v); s != 0 {
		t.Fatalf("stock = %d, want 0", s)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM orders`).Scan(&n); err != nil || n != 10 {
		t.Fatalf("orders = %d, %v", n, err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCheckoutIdempotencyKey: a retried checkout returns the first order;
// the key with another body is refused; 20 at once make one order.
func TestCheckoutIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	v := variantOf(t, e.product(t, "Tumbler", 15000, 50), "")
	b := e.newBuyer()
	e.addToCart(t, b, v, 1)
	req := &orderv1.CreateOrderRequest{Shipping: shipping("k@example.com")}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		numbers = map[string]int{}
		inUse   int
		other   []error
	)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.orders.CreateOrder(withKey(b.ctx, "checkout-once"), req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				numbers[resp.GetOrder().GetNumber()]++
			case status.Code(err) == codes.AlreadyExists && strings.Contains(err.Error(), "still being processed"):
				inUse++ // the first is still running: the client retries later
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if len(numbers) != 1 || len(other) > 0 {
		t.Fatalf("orders %v, in use %d, errors %v; want one order", numbers, inUse, other)
	}
	again := must(e.orders.CreateOrder(withKey(b.ctx, "checkout-once"), req)).GetOrder()
	if numbers[again.GetNumber()] == 0 {
		t.Fatalf("the replay answered order %s, not %v", again.GetNumber(), numbers)
	}
	var n int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM orders WHERE user_id = $1`, b.id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("orders written = %d, %v", n, err)
	}
	if s := e.stock(t, v); s != 49 {
		t.Fatalf("stock = %d, want one unit held", s)
	}
	_, err := e.orders.CreateOrder(withKey(b.ctx, "checkout-once"), &orderv1.CreateOrderRequest{Shipping: shipping("other@example.com")})
	wantCode(t, err, codes.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED") // 422 at the gateway
}

// TestKeyedCallsRetriedAfterTheirRecordIsLost: checkout and payment run
// outside a keyed transaction, so a crash can leave their effect committed
// and their recorded answer missing. The retry with the same key runs the
// handler again, which finds what the first run made by the ids derived from
// the key: the same order (one reservation, one unit held, even once the
// cart is empty), the same payment (one charge).
func TestKeyedCallsRetriedAfterTheirRecordIsLost(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	payDB := e.pool(t, payment.Name)
	v := variantOf(t, e.product(t, "Kettle", 32000, 5), "")
	b := e.newBuyer()
	e.addToCart(t, b, v, 1)
	count := func(db *pgxpool.Pool, q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	req := &orderv1.CreateOrderRequest{Shipping: shipping(b.email())}
	first := must(e.orders.CreateOrder(withKey(b.ctx, "checkout-lost"), req)).GetOrder()
	e.loseRecord(t, "checkout-lost")
	again := must(e.orders.CreateOrder(withKey(b.ctx, "checkout-lost"), req)).GetOrder()
	if again.GetId() != first.GetId() || again.GetNumber() != first.GetNumber() {
		t.Fatalf("the retry placed order %s (%s), the first %s (%s)", again.GetNumber(), again.GetId(), first.GetNumber(), first.GetId())
	}
	if n := count(e.db, `SELECT count(*) FROM orders WHERE user_id = $1`, b.id); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
	if n := count(e.catDB, `SELECT count(*) FROM reservation_lines WHERE variant_id = $1`, v); n != 1 {
		t.Fatalf("%d reservation lines of the variant, want 1", n)
	}
	if s := e.stock(t, v); s != 4 {
		t.Fatalf("stock = %d, want one unit held", s)
	}
	e.loseRecord(t, "checkout-lost")
	_, err := e.orders.CreateOrder(withKey(b.ctx, "checkout-lost"), &orderv1.CreateOrderRequest{Shipping: shipping("elsewhere@example.com")})
	wantCode(t, err, codes.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED")

	payReq := &orderv1.PayOrderRequest{Number: first.GetNumber(), Provider: "sandbox", ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"}
	pay := must(e.orders.PayOrder(withKey(b.ctx, "pay-lost"), payReq)).GetPayment()
	e.loseRecord(t, "pay-lost")
	payAgain := must(e.orders.PayOrder(withKey(b.ctx, "pay-lost"), payReq)).GetPayment()
	if payAgain.GetId() != pay.GetId() {
		t.Fatalf("the retry made payment %s, the first %s", payAgain.GetId(), pay.GetId())
	}
	e.approve(t, pay.GetId())
	e.waitStatus(t, b, first.GetNumber(), paid)
	eventually(t, "the cart emptied", func() bool {
		return len(must(e.carts.GetCart(b.ctx, &cartv1.GetCartRequest{})).GetCart().GetLines()) == 0
	})

	// Once the order is paid and the cart empty, the checkout's retry still
	// answers with its order. The payment's retry cannot ask the payment
	// service for its payment without offering to make one, so it says the
	// order is paid and charges nothing.
	e.loseRecord(t, "checkout-lost")
	if o := must(e.orders.CreateOrder(withKey(b.ctx, "checkout-lost"), req)).GetOrder(); o.GetId() != first.GetId() || o.GetStatus() != paid {
		t.Fatalf("the retry after payment answered order %s in %v, want %s paid", o.GetNumber(), o.GetStatus(), first.GetNumber())
	}
	e.loseRecord(t, "pay-lost")
	_, err = e.orders.PayOrder(withKey(b.ctx, "pay-lost"), payReq)
	wantCode(t, err, codes.AlreadyExists, "ORDER_NOT_PAYABLE")
	settle()
	if n := count(payDB, `SELECT count(*) FROM payments WHERE order_id = $1`, first.GetId()); n != 1 {
		t.Fatalf("%d payments of the order, want 1", n)
	}
	if n := count(payDB, `SELECT count(*) FROM payments WHERE order_id = $1 AND status = 'approved'`, first.GetId()); n != 1 {
		t.Fatalf("%d approved payments of the order, want 1", n)
	}
	if n := e.published(t, "order", "order.paid"); n != 1 {
		t.Fatalf("order.paid published %d times", n)
	}
	if n := count(e.catDB, `SELECT count(*) FROM reservation_lines WHERE variant_id = $1`, v); n != 1 {
		t.Fatalf("%d reservation lines of the variant, want 1", n)
	}
	if s := e.stock(t, v); s != 4 {
		t.Fatalf("stock = %d, want 4 (one sold)", s)
	}
}
