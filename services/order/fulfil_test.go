package order_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

const (
	preparing         = orderv1.OrderStatus_ORDER_STATUS_PREPARING
	shipped           = orderv1.OrderStatus_ORDER_STATUS_SHIPPED
	delivered         = orderv1.OrderStatus_ORDER_STATUS_DELIVERED
	completed         = orderv1.OrderStatus_ORDER_STATUS_COMPLETED
	partiallyRefunded = orderv1.OrderStatus_ORDER_STATUS_PARTIALLY_REFUNDED
)

// paidOrder is a placed order paid with the sandbox.
func (e *env) paidOrder(t *testing.T) placed {
	t.Helper()
	p := e.place(t)
	e.approve(t, e.pay(t, p.b, p.order.GetNumber()).GetId())
	p.order = e.waitStatus(t, p.b, p.order.GetNumber(), paid)
	eventually(t, "the reservation committed", func() bool { return e.reservation(t, p.order.GetId()) == "committed" })
	return p
}

func TestBuyerCancelsAnUnpaidOrder(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.place(t)
	pay := e.pay(t, p.b, p.order.GetNumber())
	o := must(e.orders.CancelOrder(p.b.ctx, &orderv1.CancelOrderRequest{Number: p.order.GetNumber(), Reason: "changed my mind"})).GetOrder()
	if o.GetStatus() != cancelled {
		t.Fatalf("status = %v", o.GetStatus())
	}
	if last := o.GetHistory()[len(o.GetHistory())-1]; last.GetActor() != "buyer" || last.GetNote() != "changed my mind" || last.GetFrom() != pending {
		t.Fatalf("history = %v", o.GetHistory())
	}
	eventually(t, "the stock back", func() bool { return e.stock(t, p.variant) == 5 })
	eventually(t, "the payment cancelled", func() bool {
		return e.paymentStatus(t, p.b, pay.GetId()).GetStatus() == paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED
	})
	_, err := e.orders.CancelOrder(p.b.ctx, &orderv1.CancelOrderRequest{Number: p.order.GetNumber()})
	st := wantCode(t, err, codes.AlreadyExists, "ORDER_STATE_CONFLICT")
	if !strings.Contains(st.Message(), "is cancelled") {
		t.Fatalf("message %q does not name the current status", st.Message())
	}
}

func TestBuyerCancelsAPaidOrder(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.paidOrder(t)
	o := must(e.orders.CancelOrder(p.b.ctx, &orderv1.CancelOrderRequest{Number: p.order.GetNumber()})).GetOrder()
	if o.GetStatus() != cancelled {
		t.Fatalf("status = %v", o.GetStatus())
	}
	o = e.waitStatus(t, p.b, p.order.GetNumber(), refunded)
	if o.GetRefundedAmount().GetAmount() != 61200 {
		t.Fatalf("refunded %v", o.GetRefundedAmount())
	}
	if s := e.paymentStatus(t, p.b, o.GetPaymentId()).GetStatus(); s != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED {
		t.Fatalf("payment %v", s)
	}
	eventually(t, "the stock back", func() bool { return e.stock(t, p.variant) == 5 })
	var path []orderv1.OrderStatus
	for _, h := range o.GetHistory() {
		path = append(path, h.GetTo())
	}
	if want := []orderv1.OrderStatus{pending, paid, cancelled, refunded}; !sameStatuses(path, want) {
		t.Fatalf("history %v, want %v", path, want)
	}
}

func TestStaffFulfilAndRefund(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	p := e.paidOrder(t)
	staff, number := e.staff(), p.order.GetNumber()
	advance := func(to orderv1.OrderStatus, carrier, tracking string) (*orderv1.Order, error) {
		r, err := e.orders.AdvanceOrder(staff, &orderv1.AdvanceOrderRequest{Number: number, Status: to, Carrier: carrier, TrackingNumber: tracking})
		return r.GetOrder(), err
	}
	// A buyer is not staff; steps cannot be skipped; shipping needs tracking.
	_, err := e.orders.AdvanceOrder(p.b.ctx, &orderv1.AdvanceOrderRequest{Number: number, Status: preparing})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = advance(shipped, "CJ대한통운", "6812-3344-1200")
	if st := wantCode(t, err, codes.AlreadyExists, "ORDER_STATE_CONFLICT"); !strings.Contains(st.Message(), "is paid") {
		t.Fatalf("message %q", st.Message())
	}
	must(advance(preparing, "", ""))
	_, err = advance(shipped, "", "")
	wantCode(t, err, codes.InvalidArgument, "")
	o := must(advance(shipped, "CJ대한통운", "6812-3344-1200"))
	if o.GetCarrier() != "CJ대한통운" || o.GetTrackingNumber() != "6812-3344-1200" {
		t.Fatalf("shipped order = %v", o)
	}
	// Shipped orders cannot be cancelled by the buyer.
	_, err = e.orders.CancelOrder(p.b.ctx, &orderv1.CancelOrderRequest{Number: number})
	if st := wantCode(t, err, codes.AlreadyExists, "ORDER_STATE_CONFLICT"); !strings.Contains(st.Message(), "is shipped") {
		t.Fatalf("message %q", st.Message())
	}
	must(advance(delivered, "", ""))
	must(advance(completed, "", ""))

	// Refunds: one unit by line (₩30,000 + ₩600 tax), then an amount, then
	// more than is left, then the rest.
	refund := func(key string, r *orderv1.RefundOrderRequest) (*orderv1.Order, error) {
		r.Number = number
		resp, err := e.orders.RefundOrder(withKey(staff, key), r)
		return resp.GetOrder(), err
	}
	o = must(refund("r1", &orderv1.RefundOrderRequest{Lines: []*orderv1.RefundLine{{LineNumber: 1, Quantity: 1}}, Reason: "damaged"}))
	if o.GetStatus() != partiallyRefunded || o.GetRefundedAmount().GetAmount() != 30600 || o.GetLines()[0].GetRefundedQuantity() != 1 {
		t.Fatalf("after the line refund: %v", o)
	}
	again := must(refund("r1", &orderv1.RefundOrderRequest{Lines: []*orderv1.RefundLine{{LineNumber: 1, Quantity: 1}}, Reason: "damaged"}))
	if again.GetRefundedAmount().GetAmount() != 30600 || again.GetLines()[0].GetRefundedQuantity() != 1 {
		t.Fatalf("the same key refunded again: %v", again)
	}
	_, err = refund("r2", &orderv1.RefundOrderRequest{Lines: []*orderv1.RefundLine{{LineNumber: 1, Quantity: 2}}})
	wantCode(t, err, codes.AlreadyExists, "REFUND_LINE_INVALID")
	_, err = refund("r3", &orderv1.RefundOrderRequest{Amount: 1_000_000})
	if st := wantCode(t, err, codes.AlreadyExists, "REFUND_EXCEEDS_BALANCE"); !strings.Contains(st.Message(), "left") {
		t.Fatalf("message %q", st.Message())
	}
	o = must(refund("r4", &orderv1.RefundOrderRequest{}))
	if o.GetStatus() != refunded {
		t.Fatalf("after refunding the rest: %v", o)
	}
	if s := e.paymentStatus(t, p.b, o.GetPaymentId()); s.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED || s.GetRefundedAmount() != 61200 {
		t.Fatalf("payment = %v", s)
	}
	_, err = refund("r5", &orderv1.RefundOrderRequest{Amount: 1})
	wantCode(t, err, codes.AlreadyExists, "")

	var path []orderv1.OrderStatus
	for _, h := range e.order(t, p.b, number).GetHistory() {
		path = append(path, h.GetTo())
	}
	want := []orderv1.OrderStatus{pending, paid, preparing, shipped, delivered, completed, partiallyRefunded, refunded}
	if !sameStatuses(path, want) {
		t.Fatalf("history %v, want %v", path, want)
	}
}

func TestStaffListsAndFiltersOrders(t *testing.T) {
	t.Parallel()
	e := start(t, options{})
	a := e.paidOrder(t)
	b := e.place(t)
	c := e.place(t)
	staff := e.staff()
	list := func(r *orderv1.ListAllOrdersRequest) []string {
		var out []string
		for _, o := range must(e.orders.ListAllOrders(staff, r)).GetOrders() {
			out = append(out, o.GetNumber())
		}
		return out
	}
	if got := list(&orderv1.ListAllOrdersRequest{}); !sameStrings(got, []string{c.order.GetNumber(), b.order.GetNumber(), a.order.GetNumber()}) {
		t.Fatalf("all orders = %v", got)
	}
	if got := list(&orderv1.ListAllOrdersRequest{Status: paid}); !sameStrings(got, []string{a.order.GetNumber()}) {
		t.Fatalf("paid orders = %v", got)
	}
	if got := list(&orderv1.ListAllOrdersRequest{UserId: b.b.id}); !sameStrings(got, []string{b.order.GetNumber()}) {
		t.Fatalf("b's orders = %v", got)
	}
	if got := list(&orderv1.ListAllOrdersRequest{Number: strings.ToLower(c.order.GetNumber())}); !sameStrings(got, []string{c.order.GetNumber()}) {
		t.Fatalf("by number = %v", got)
	}
	future := timestamppb.New(time.Now().Add(time.Hour))
	if got := list(&orderv1.ListAllOrdersRequest{StartTime: future}); len(got) != 0 {
		t.Fatalf("from the future = %v", got)
	}
	// Cursor paging walks all three, newest first.
	var walked []string
	token := ""
	for {
		page := must(e.orders.ListAllOrders(staff, &orderv1.ListAllOrdersRequest{PageSize: 2, PageToken: token}))
		for _, o := range page.GetOrders() {
			walked = append(walked, o.GetNumber())
		}
		if token = page.GetNextPageToken(); token == "" {
			break
		}
	}
	if !sameStrings(walked, []string{c.order.GetNumber(), b.order.GetNumber(), a.order.GetNumber()}) {
		t.Fatalf("paged = %v", walked)
	}
	if got := must(e.orders.GetOrderAsStaff(staff, &orderv1.GetOrderAsStaffRequest{Number: b.order.GetNumber()})).GetOrder(); got.GetUserId() != b.b.id || len(got.GetHistory()) != 1 {
		t.Fatalf("GetOrderAsStaff = %v", got)
	}
	_, err := e.orders.GetOrderAsStaff(staff, &orderv1.GetOrderAsStaffRequest{Number: "JT-000000-NONE0"})
	wantCode(t, err, codes.NotFound, "ORDER_NOT_FOUND")
	_, err = e.orders.AdvanceOrder(staff, &orderv1.AdvanceOrderRequest{Number: "JT-000000-NONE0", Status: preparing})
	wantCode(t, err, codes.NotFound, "ORDER_NOT_FOUND")
	_, err = e.orders.GetOrderAsStaff(a.b.ctx, &orderv1.GetOrderAsStaffRequest{Number: a.order.GetNumber()})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.orders.ListAllOrders(staff, &orderv1.ListAllOrdersRequest{PageToken: "garbage"})
	wantCode(t, err, codes.InvalidArgument, "")
	_, err = e.orders.ListAllOrders(a.b.ctx, &orderv1.ListAllOrdersRequest{})
	wantCode(t, err, codes.PermissionDenied, "")
}

func sameStatuses(a, b []orderv1.OrderStatus) bool {
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

func sameStrings(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
