package order_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	cartv1 "github.com/jangteo/jangteo/gen/go/jangteo/cart/v1"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/services/order"
)

const (
	pending   = orderv1.OrderStatus_ORDER_STATUS_PENDING_PAYMENT
	paid      = orderv1.OrderStatus_ORDER_STATUS_PAID
	cancelled = orderv1.OrderStatus_ORDER_STATUS_CANCELLED
	refunded  = orderv1.OrderStatus_ORDER_STATUS_REFUNDED
)

// placed is a buyer with a checked-out order of 2 units of a ₩30,000 variant
// (stock 5): ₩60,000 + ₩1,200 tax, free shipping = ₩61,200.
type placed struct {
	b       buyer
	order   *orderv1.Order
	variant string
}

func (e *env) place(t *testing.T) placed {
	t.Helper()
	v := variantOf(t, e.product(t, "Runner "+uuid.NewString()[:6], 30000, 5, "270"), "270")
	b := e.newBuyer()
	e.addToCart(t, b, v, 2)
	return placed{b: b, order: e.checkout(t, b), variant: v}
}

func (p placed) email() string { return p.b.email() }

func TestSandboxApprovalPaysTheOrder(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	if pay.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_READY || pay.GetAmount() != 61200 || pay.GetOrderId() != p.order.GetId() ||
		!strings.Contains(pay.GetRedirectUrl(), "/v1/payments/"+pay.GetId()+"/sandbox") {
		t.Fatalf("payment = %v", pay)
	}
	e.approve(t, pay.GetId())

	o := e.waitStatus(t, p.b, p.order.GetNumber(), paid)
	if o.GetPaymentId() != pay.GetId() || o.GetPaidTime() == nil {
		t.Fatalf("paid order = %v", o)
	}
	if h := o.GetHistory(); len(h) != 2 || h[1].GetFrom() != pending || h[1].GetTo() != paid || h[1].GetActor() != "payment" {
		t.Fatalf("history = %v", h)
	}
	eventually(t, "the reservation committed", func() bool { return e.reservation(t, p.order.GetId()) == "committed" })
	eventually(t, "the cart emptied", func() bool {
		c := must(e.carts.GetCart(p.b.ctx, &cartv1.GetCartRequest{}))
		return len(c.GetCart().GetLines()) == 0
	})
	eventually(t, "the purchase recorded for reviews", func() bool {
		var n int
		_ = e.catDB.QueryRow(context.Background(), `SELECT count(*) FROM purchases WHERE user_id = $1`, p.b.id).Scan(&n)
		return n == 1
	})
	eventually(t, "the confirmation mail", func() bool { return len(e.mails(p.email())) == 1 })
	m := e.mails(p.email())[0]
	for _, want := range []string{p.order.GetNumber(), "Runner", "₩61,200", "₩1,200", "03925", "서울특별시 마포구"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Fatalf("confirmation lacks %q:\nsubject %s\n%s\n%s", want, m.Subject, m.Text, m.HTML)
		}
	}
	if s := e.stock(t, p.variant); s != 3 {
		t.Fatalf("stock = %d after selling 2 of 5", s)
	}
	// Paid orders cannot be paid again.
	_, err := e.orders.PayOrder(withKey(p.b.ctx, "again"), &orderv1.PayOrderRequest{Number: p.order.GetNumber(), Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})
	wantCode(t, err, codes.AlreadyExists, "ORDER_NOT_PAYABLE")
}

func TestApprovedTwiceAtOnceIsPaidOnce(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = e.payments.ApproveSandboxPayment(context.Background(), &paymentv1.ApproveSandboxPaymentRequest{Id: pay.GetId()})
		}()
	}
	wg.Wait()
	e.waitStatus(t, p.b, p.order.GetNumber(), paid)
	eventually(t, "the confirmation mail", func() bool { return len(e.mails(p.email())) == 1 })
	settle()
	if n := e.published(t, "order", "order.paid"); n != 1 {
		t.Fatalf("order.paid published %d times", n)
	}
	if n := len(e.mails(p.email())); n != 1 {
		t.Fatalf("%d confirmation mails", n)
	}
}

func TestPaymentIdempotencyKeyReturnsTheSamePayment(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	req := &orderv1.PayOrderRequest{Number: p.order.GetNumber(), Provider: "sandbox", ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"}
	first := must(e.orders.PayOrder(withKey(p.b.ctx, "pay-1"), req)).GetPayment()
	again := must(e.orders.PayOrder(withKey(p.b.ctx, "pay-1"), req)).GetPayment()
	if first.GetId() != again.GetId() {
		t.Fatalf("same key gave payments %s and %s", first.GetId(), again.GetId())
	}
	_, err := e.orders.PayOrder(p.b.ctx, req)
	wantCode(t, err, codes.InvalidArgument, "")
}

// TestUnpaidOrderExpires: the timer set at checkout cancels an order unpaid
// at the end of its window, releases its stock and cancels its payment.
func TestUnpaidOrderExpires(t *testing.T) {
	t.Parallel()
	e := start(t, options{configure: func(c *order.Config) { c.PaymentWindow = 2 * time.Second }})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	o := e.waitStatus(t, p.b, p.order.GetNumber(), cancelled)
	if last := o.GetHistory()[len(o.GetHistory())-1]; last.GetActor() != "system" || last.GetNote() != "payment window ended" {
		t.Fatalf("history = %v", o.GetHistory())
	}
	eventually(t, "the stock back", func() bool { return e.stock(t, p.variant) == 5 })
	eventually(t, "the payment cancelled", func() bool {
		return e.paymentStatus(t, p.b, pay.GetId()).GetStatus() == paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED
	})
	_, err := e.payments.ApproveSandboxPayment(context.Background(), &paymentv1.ApproveSandboxPaymentRequest{Id: pay.GetId()})
	if err == nil {
		t.Fatal("a cancelled payment was approved")
	}
	_, err = e.orders.PayOrder(withKey(p.b.ctx, "late"), &orderv1.PayOrderRequest{Number: p.order.GetNumber(), Provider: "sandbox",
		ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c"})
	wantCode(t, err, codes.AlreadyExists, "ORDER_NOT_PAYABLE")
}

// TestExpiryRacingApproval: the end of the window and the buyer's approval
// arrive together; each order ends either paid (stock sold) or cancelled
// with nothing kept (stock back, the payment cancelled or refunded).
func TestExpiryRacingApproval(t *testing.T) {
	t.Parallel()
	e := start(t, options{configure: func(c *order.Config) { c.PaymentWindow = 3 * time.Second }})
	type race struct {
		p   placed
		pay *paymentv1.Payment
	}
	races := make([]race, 6)
	for i := range races {
		races[i].p = e.place(t)
		races[i].pay = e.pay(t, races[i].p.b, races[i].p.order.GetNumber())
	}
	time.Sleep(time.Until(races[len(races)-1].p.order.GetPayableUntil().AsTime()))
	var wg sync.WaitGroup
	for i, r := range races {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _ = e.payments.ApproveSandboxPayment(context.Background(), &paymentv1.ApproveSandboxPaymentRequest{Id: r.pay.GetId()})
		}()
		go func() {
			defer wg.Done()
			// Staggered, so that some timers lose to the approval's event
			// and some win against the approval itself.
			time.Sleep(time.Duration(i) * 100 * time.Millisecond)
			if _, err := e.svc.App().Expire(context.Background(), r.p.order.GetId()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, r := range races {
		number := r.p.order.GetNumber()
		var o *orderv1.Order
		eventually(t, "order "+number+" settled", func() bool {
			o = e.order(t, r.p.b, number)
			pay := e.paymentStatus(t, r.p.b, r.pay.GetId()).GetStatus()
			switch o.GetStatus() {
			case paid:
				return pay == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED && e.reservation(t, o.GetId()) == "committed"
			case cancelled:
				return (pay == paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED || pay == paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED) &&
					e.stock(t, r.p.variant) == 5
			}
			return false
		})
		if o.GetStatus() == cancelled && e.paymentStatus(t, r.p.b, r.pay.GetId()).GetStatus() == paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED {
			eventually(t, "the refund mail", func() bool { return len(e.mails(r.p.email())) == 1 })
		}
		t.Logf("%s: %v", number, o.GetStatus())
	}
	settle()
	if n := e.published(t, "order", "order.paid") + e.published(t, "order", "order.cancelled"); n != uint64(len(races)) {
		t.Fatalf("%d paid + cancelled events for %d orders", n, len(races))
	}
}

// TestApprovalAfterCancelIsRefunded: an approval that arrives after the
// order was cancelled is refunded in full and the buyer is told.
func TestApprovalAfterCancelIsRefunded(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	// The approval is decided while the order service is down; then, before
	// the service reads it, the order's window ends (the timer won the race).
	e.stop()
	e.approve(t, pay.GetId())
	if _, err := e.db.Exec(context.Background(), `UPDATE orders SET payable_until = now() - interval '1 second' WHERE id = $1`, p.order.GetId()); err != nil {
		t.Fatal(err)
	}
	e.restart(t)
	if _, err := e.svc.App().Expire(context.Background(), p.order.GetId()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the payment refunded", func() bool {
		return e.paymentStatus(t, p.b, pay.GetId()).GetStatus() == paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED
	})
	eventually(t, "the mail to the buyer", func() bool { return len(e.mails(p.email())) == 1 })
	if m := e.mails(p.email())[0]; !strings.Contains(m.Subject, "refunded") || !strings.Contains(m.Text, "₩61,200") {
		t.Fatalf("mail = %s\n%s", m.Subject, m.Text)
	}
	o := e.order(t, p.b, p.order.GetNumber())
	if o.GetStatus() != cancelled || o.GetPaymentId() != "" {
		t.Fatalf("order = %v", o)
	}
	eventually(t, "the stock back", func() bool { return e.stock(t, p.variant) == 5 })
	if n := e.published(t, "order", "order.paid"); n != 0 {
		t.Fatalf("order.paid published %d times", n)
	}
}

// TestRestartBetweenApprovalAndPaid: the order service is down when the
// payment is approved; after restart the order is paid, once.
func TestRestartBetweenApprovalAndPaid(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	e.stop()
	e.approve(t, pay.GetId())
	eventually(t, "payment.approved published", func() bool { return e.published(t, "payment", "payment.approved") == 1 })
	e.restart(t)
	e.waitStatus(t, p.b, p.order.GetNumber(), paid)
	eventually(t, "the confirmation mail", func() bool { return len(e.mails(p.email())) == 1 })
	eventually(t, "the reservation committed", func() bool { return e.reservation(t, p.order.GetId()) == "committed" })
	e.restart(t) // and once more: nothing happens twice
	settle()
	if n := e.published(t, "order", "order.paid"); n != 1 {
		t.Fatalf("order.paid published %d times", n)
	}
	if n := len(e.mails(p.email())); n != 1 {
		t.Fatalf("%d mails", n)
	}
}

// TestRepublishedPaymentEventsHaveNoSecondEffect: the payment service's
// events arriving again under new event ids (a replica re-publishing) change
// nothing.
func TestRepublishedPaymentEventsHaveNoSecondEffect(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	e.approve(t, pay.GetId())
	e.waitStatus(t, p.b, p.order.GetNumber(), paid)
	must(e.orders.RefundOrder(withKey(e.staff(), "r1"), &orderv1.RefundOrderRequest{Number: p.order.GetNumber(), Amount: 10000}))
	eventually(t, "payment.refunded consumed", func() bool { return e.consumed(t, "order-payment-refunded") == 1 })
	eventually(t, "the confirmation mail", func() bool { return len(e.mails(p.email())) == 1 })

	for _, subject := range []string{"payment.approved", "payment.refunded"} {
		e.republish(t, subject)
	}
	eventually(t, "the copies consumed", func() bool {
		return e.consumed(t, "order-payment-approved") == 2 && e.consumed(t, "order-payment-refunded") == 2
	})
	settle()
	o := e.order(t, p.b, p.order.GetNumber())
	if o.GetRefundedAmount().GetAmount() != 10000 || len(o.GetHistory()) != 3 {
		t.Fatalf("order after copies = %v", o)
	}
	if n := e.published(t, "order", "order.paid"); n != 1 {
		t.Fatalf("order.paid published %d times", n)
	}
	if n := e.published(t, "order", "order.refunded"); n != 1 {
		t.Fatalf("order.refunded published %d times", n)
	}
	if n := len(e.mails(p.email())); n != 1 {
		t.Fatalf("%d mails", n)
	}
}

// republish publishes the last message on subject again under a new event id.
func (e *env) republish(t *testing.T, subject string) {
	t.Helper()
	s, err := e.js.Stream(context.Background(), events.StreamName(strings.Split(subject, ".")[0]))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.GetLastMsgForSubject(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	msg := nats.NewMsg(subject)
	msg.Data = raw.Data
	msg.Header.Set(events.HeaderMsgID, uuid.NewString())
	msg.Header.Set(events.HeaderType, raw.Header.Get(events.HeaderType))
	if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentPayments: buyers start payments at once; each keyed call
// runs outside a keyed transaction and holds no connection across its call
// to the payment service, so none waits for a connection the others hold.
func TestConcurrentPayments(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	orders := make([]placed, 12)
	for i := range orders {
		orders[i] = e.place(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(orders))
	for _, p := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.orders.PayOrder(withKey(metadataFrom(ctx, p.b), uuid.NewString()), &orderv1.PayOrderRequest{
				Number: p.order.GetNumber(), Provider: "sandbox", ReturnUrl: "https://shop.example/r", CancelUrl: "https://shop.example/c",
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// metadataFrom is the buyer's signed-in context bounded by ctx's deadline.
func metadataFrom(ctx context.Context, b buyer) context.Context {
	md, _ := metadata.FromOutgoingContext(b.ctx)
	return metadata.NewOutgoingContext(ctx, md)
}

// TestDeclinedPaymentLeavesTheOrderPayable: after a declined payment the
// buyer pays again with a new one.
func TestDeclinedPaymentLeavesTheOrderPayable(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	first := e.pay(t, p.b, p.order.GetNumber())
	must(e.payments.DeclineSandboxPayment(context.Background(), &paymentv1.DeclineSandboxPaymentRequest{Id: first.GetId()}))
	if o := e.order(t, p.b, p.order.GetNumber()); o.GetStatus() != pending {
		t.Fatalf("after a decline the order is %v", o.GetStatus())
	}
	second := e.pay(t, p.b, p.order.GetNumber())
	if second.GetId() == first.GetId() {
		t.Fatal("the new payment is the declined one")
	}
	e.approve(t, second.GetId())
	if o := e.waitStatus(t, p.b, p.order.GetNumber(), paid); o.GetPaymentId() != second.GetId() {
		t.Fatalf("paid by %s, want %s", o.GetPaymentId(), second.GetId())
	}
}
