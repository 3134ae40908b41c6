package payment_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
)

func TestCreatePaymentIsReadyWithTheSandboxPage(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(129000)
	p := must(e.client.CreatePayment(e.service(), o.request("key-1"))).GetPayment()
	if p.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_READY || p.GetAmount() != 129000 || p.GetCurrency() != "KRW" ||
		p.GetOrderId() != o.id || p.GetOrderNumber() != o.number || p.GetUserId() != o.buyer || p.GetProvider() != "sandbox" {
		t.Fatalf("payment = %v", p)
	}
	if want := "http://shop.test/v1/payments/" + p.GetId() + "/sandbox"; p.GetRedirectUrl() != want {
		t.Fatalf("redirect_url = %q, want %q", p.GetRedirectUrl(), want)
	}
	if p.GetCreateTime() == nil || p.GetApproveTime() != nil {
		t.Fatalf("times = %v, %v", p.GetCreateTime(), p.GetApproveTime())
	}
}

func TestCreatePaymentIsIdempotentByKey(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(50000)
	// Twenty retries of one request at once: one payment.
	var wg sync.WaitGroup
	ids := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			p, err := e.client.CreatePayment(e.service(), o.request("same-key"))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- p.GetPayment().GetId()
		})
	}
	wg.Wait()
	close(ids)
	first := ""
	for id := range ids {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("two payments for one key: %s and %s", first, id)
		}
	}
	again := must(e.client.CreatePayment(e.service(), o.request("same-key"))).GetPayment()
	if !proto.Equal(again, e.get(t, first)) {
		t.Fatalf("replay = %v, stored %v", again, e.get(t, first))
	}
	var n int
	if err := e.db.QueryRow(t.Context(), `SELECT count(*) FROM payments WHERE order_id = $1`, o.id).Scan(&n); err != nil || n != 1 {
		t.Fatalf("payments of the order = %d, %v", n, err)
	}

	// The same key for another amount or order is refused; another buyer's key is their own.
	other := o.request("same-key")
	other.Amount = 1
	_, err := e.client.CreatePayment(e.service(), other)
	wantCode(t, err, codes.InvalidArgument, "IDEMPOTENCY_KEY_REUSED")
	stranger := newOrder(50000).request("same-key")
	if p := must(e.client.CreatePayment(e.service(), stranger)).GetPayment(); p.GetId() == first {
		t.Fatal("another buyer's key returned the first buyer's payment")
	}
}

func TestCreatePaymentRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := start(t)
	for name, tc := range map[string]struct {
		edit   func(*paymentv1.CreatePaymentRequest)
		reason string
	}{
		"unknown provider":    {func(r *paymentv1.CreatePaymentRequest) { r.Provider = "bitcoin" }, "UNKNOWN_PROVIDER"},
		"javascript return":   {func(r *paymentv1.CreatePaymentRequest) { r.ReturnUrl = "javascript:alert(1)" }, ""},
		"relative cancel url": {func(r *paymentv1.CreatePaymentRequest) { r.CancelUrl = "/checkout" }, ""},
		"zero amount":         {func(r *paymentv1.CreatePaymentRequest) { r.Amount = 0 }, ""},
		"lower-case currency": {func(r *paymentv1.CreatePaymentRequest) { r.Currency = "krw" }, ""},
		"no key":              {func(r *paymentv1.CreatePaymentRequest) { r.IdempotencyKey = "" }, ""},
	} {
		t.Run(name, func(t *testing.T) {
			req := newOrder(1000).request(uuid.NewString())
			tc.edit(req)
			_, err := e.client.CreatePayment(e.service(), req)
			wantCode(t, err, codes.InvalidArgument, tc.reason)
		})
	}
}

func TestGetPaymentIsForTheBuyerAndStaff(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(10000)
	p := e.pay(t, o)
	got := must(e.client.GetPayment(e.user(o.buyer), &paymentv1.GetPaymentRequest{Id: p.GetId()})).GetPayment()
	if !proto.Equal(got, p) {
		t.Fatalf("buyer sees %v, want %v", got, p)
	}
	if got := e.get(t, p.GetId()); !proto.Equal(got, p) {
		t.Fatalf("staff sees %v", got)
	}
	_, err := e.client.GetPayment(e.user(uuid.NewString()), &paymentv1.GetPaymentRequest{Id: p.GetId()})
	wantCode(t, err, codes.NotFound, "PAYMENT_NOT_FOUND")
	_, err = e.client.GetPayment(e.user(o.buyer), &paymentv1.GetPaymentRequest{Id: uuid.NewString()})
	wantCode(t, err, codes.NotFound, "PAYMENT_NOT_FOUND")
	_, err = e.client.GetPayment(e.service(), &paymentv1.GetPaymentRequest{Id: p.GetId()})
	wantCode(t, err, codes.Unauthenticated, "")
}

func TestListPaymentsForStaff(t *testing.T) {
	t.Parallel()
	e := start(t)
	o := newOrder(10000)
	first := e.pay(t, o)
	second := e.approve(t, o)
	e.pay(t, newOrder(777))

	page := must(e.client.ListPayments(e.staff(), &paymentv1.ListPaymentsRequest{OrderId: o.id}))
	if page.GetTotalCount() != 2 || len(page.GetPayments()) != 2 || page.GetPayments()[0].GetId() != second.GetId() || page.GetPayments()[1].GetId() != first.GetId() {
		t.Fatalf("order's payments = %v", page)
	}
	approved := must(e.client.ListPayments(e.staff(), &paymentv1.ListPaymentsRequest{Status: paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED}))
	if approved.GetTotalCount() != 1 || approved.GetPayments()[0].GetId() != second.GetId() {
		t.Fatalf("approved payments = %v", approved)
	}
	all := must(e.client.ListPayments(e.staff(), &paymentv1.ListPaymentsRequest{PageSize: 2, Page: 2}))
	if all.GetTotalCount() != 3 || len(all.GetPayments()) != 1 || all.GetTotalPages() != 2 || all.GetPage() != 2 {
		t.Fatalf("page 2 = %v", all)
	}
	_, err := e.client.ListPayments(e.user(o.buyer), &paymentv1.ListPaymentsRequest{})
	wantCode(t, err, codes.PermissionDenied, "")
	_, err = e.client.ListPayments(e.staff(), &paymentv1.ListPaymentsRequest{OrderId: "JT-1"})
	if !strings.Contains(err.Error(), "order_id") {
		t.Fatalf("bad order id = %v", err)
	}
}
