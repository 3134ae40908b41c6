package payment_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/jangteo/jangteo/gateway"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment"
	"github.com/jangteo/jangteo/services/payment/internal/fakes"
	fakeKakao "github.com/jangteo/jangteo/services/payment/internal/fakes/kakaopay"
	fakePayPal "github.com/jangteo/jangteo/services/payment/internal/fakes/paypal"
	fakeToss "github.com/jangteo/jangteo/services/payment/internal/fakes/toss"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
)

// world is the payment service behind the real gateway, with every
// provider enabled against its local fake, and a shop the buyer lands on.
type world struct {
	*env
	api   string // the gateway, as browsers reach it (PUBLIC_URL)
	shop  string
	toss  *fakeToss.Fake
	kakao *fakeKakao.Fake
	pp    *fakePayPal.Fake
}

func startWorld(t *testing.T, tune ...func(*payment.Config)) *world {
	t.Helper()
	w := &world{env: &env{iss: testkit.NewIssuer()}}
	shop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(rw, "shop") }))
	t.Cleanup(shop.Close)
	w.shop = shop.URL

	w.toss = fakeToss.New("test_sk_jangteo", "test_ck_jangteo")
	tossSrv := httptest.NewServer(w.toss)
	t.Cleanup(tossSrv.Close)

	w.kakao = fakeKakao.New("DEVSECRETKEY", "TC0ONETIME")
	kakaoSrv := httptest.NewServer(w.kakao)
	t.Cleanup(kakaoSrv.Close)

	w.pp = fakePayPal.New("client-id", "client-secret", "WH-ID")
	ppSrv := httptest.NewServer(w.pp)
	t.Cleanup(ppSrv.Close)

	gwLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.api = "http://" + gwLis.Addr().String()
	w.toss.WebhookURL = w.api + "/v1/webhooks/toss"
	w.pp.WebhookURL = w.api + "/v1/webhooks/paypal"

	cfg := payment.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = testkit.Database(t), testkit.NATS(t), ""
	cfg.PublicURL = w.api
	cfg.ReconcileDelay = 200 * time.Millisecond
	cfg.KakaoPay = payment.KakaoPayConfig{BaseURL: kakaoSrv.URL, SecretKey: "DEVSECRETKEY", CID: "TC0ONETIME"}
	cfg.PayPal = payment.PayPalConfig{BaseURL: ppSrv.URL, ClientID: "client-id", ClientSecret: "client-secret", WebhookID: "WH-ID",
		Currency: "USD", KRWRate: "1400", BrandName: "Jangteo"}
	cfg.Toss = payment.TossConfig{BaseURL: tossSrv.URL, SecretKey: "test_sk_jangteo", ClientKey: "test_ck_jangteo", CheckoutURL: tossSrv.URL + "/checkout"}
	for _, f := range tune {
		f(&cfg)
	}
	lis := testkit.Listen(t)
	svc, err := payment.New(t.Context(), cfg, zaptest.NewLogger(t).Named("payment"), service.Options{Keys: w.iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)
	w.addr = lis.Addr().String()
	w.client = paymentv1.NewPaymentServiceClient(testkit.Dial(t, w.addr))
	if w.db, err = postgres.Connect(context.Background(), cfg.DatabaseURL, payment.Name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.db.Close)

	gcfg := gateway.DefaultConfig()
	down := "127.0.0.1:1"
	gcfg.IdentityEndpoint, gcfg.CatalogEndpoint, gcfg.CartEndpoint, gcfg.OrderEndpoint, gcfg.CommunityEndpoint = down, down, down, down, down
	gcfg.PaymentEndpoint = w.addr
	gw, err := gateway.New(t.Context(), gcfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: gw.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(gwLis) }()
	t.Cleanup(func() { _ = srv.Close(); gw.Close() })
	return w
}

// create makes a READY payment of o with provider.
func (w *world) create(t *testing.T, o order, prov string) *paymentv1.Payment {
	t.Helper()
	req := o.request(uuid.NewString())
	req.Provider, req.ReturnUrl, req.CancelUrl = prov, w.shop+"/done", w.shop+"/checkout"
	p := must(w.client.CreatePayment(w.service(), req)).GetPayment()
	if p.GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_READY {
		t.Fatalf("new %s payment = %v", prov, p)
	}
	return p
}

// follow opens u (the provider's redirect back to the gateway) as the
// browser does and returns where the gateway sends it (not followed).
func follow(t *testing.T, u string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s = %d %s", u, res.StatusCode, body)
	}
	return res.Header.Get("Location")
}

func (w *world) status(t *testing.T, id string) paymentv1.PaymentStatus {
	t.Helper()
	var s string
	if err := w.db.QueryRow(context.Background(), `SELECT status FROM payments WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return paymentv1.PaymentStatus(paymentv1.PaymentStatus_value["PAYMENT_STATUS_"+strings.ToUpper(s)])
}

func (w *world) approvedEvents(t *testing.T, id string) int {
	t.Helper()
	return len(outbox(t, w.env, "payment.approved", id, func() *paymentv1.PaymentApproved { return &paymentv1.PaymentApproved{} }))
}

func (w *world) eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// driver is how a test plays one provider: its fake's faults, the names of
// its operations and buttons.
type driver struct {
	name         string
	faults       *fakes.Faults
	pay, decline string // the approval page's buttons
	takeOp       string // the call that takes the money
	refundOp     string // the call that gives it back
	webhooks     bool
}

func (w *world) drivers() []driver {
	return []driver{
		{name: "toss", faults: &w.toss.Faults, pay: "pay", decline: "cancel", takeOp: "confirm", refundOp: "cancel", webhooks: true},
		{name: "kakaopay", faults: &w.kakao.Faults, pay: "approve", decline: "cancel", takeOp: "approve", refundOp: "cancel"},
		{name: "paypal", faults: &w.pp.Faults, pay: "approve", decline: "cancel", takeOp: "capture", refundOp: "refund", webhooks: true},
	}
}

// TestProvidersThroughTheGateway plays each provider's flows as a browser
// does, through the real gateway, against its local fake.
func TestProvidersThroughTheGateway(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	for _, d := range w.drivers() {
		t.Run(d.name, func(t *testing.T) { providerFlows(t, w, d) })
	}
	t.Run("a Toss webhook claiming DONE changes nothing Toss does not confirm", func(t *testing.T) {
		p := w.create(t, newOrder(25000), "toss")
		body := `{"eventType":"PAYMENT_STATUS_CHANGED","data":{"orderId":"` + p.GetId() + `","status":"DONE","totalAmount":25000,"paymentKey":"forged"}}`
		res, err := http.Post(w.api+"/v1/webhooks/toss", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		if s := w.status(t, p.GetId()); s != paymentv1.PaymentStatus_PAYMENT_STATUS_READY {
			t.Fatalf("a forged webhook moved the payment to %v", s)
		}
	})
	for prov, body := range map[string]string{
		"toss":   `{"hello":"world"}`,
		"paypal": `{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"custom_id":"` + uuid.NewString() + `"}}`,
	} {
		t.Run("an unverifiable "+prov+" webhook is 401", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, w.api+"/v1/webhooks/"+prov, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("PayPal-Transmission-Id", "forged")
			req.Header.Set("PayPal-Transmission-Sig", "forged")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d", res.StatusCode)
			}
		})
	}
}

func providerFlows(t *testing.T, w *world, d driver) {
	buyerPays := func(t *testing.T, p *paymentv1.Payment) string {
		back := providertest.Click(t, p.GetRedirectUrl(), d.pay)
		if !strings.HasPrefix(back.String(), w.api+"/v1/payments/"+p.GetId()+"/"+d.name+"/approve?") {
			t.Fatalf("%s sent the buyer to %s", d.name, back)
		}
		return back.String()
	}
	approvedOnce := func(t *testing.T, p *paymentv1.Payment) {
		t.Helper()
		if s := w.status(t, p.GetId()); s != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
			t.Fatalf("status %v", s)
		}
		if n := w.approvedEvents(t, p.GetId()); n != 1 {
			t.Fatalf("%d payment.approved", n)
		}
	}

	t.Run("the buyer pays and lands on the shop", func(t *testing.T) {
		p := w.create(t, newOrder(25000), d.name)
		if got := follow(t, buyerPays(t, p)); !strings.HasPrefix(got, w.shop+"/done?") {
			t.Fatalf("landed on %s", got)
		}
		approvedOnce(t, p)
	})

	t.Run("every call is in the audit log without secrets", func(t *testing.T) {
		p := w.create(t, newOrder(25000), d.name)
		follow(t, buyerPays(t, p))
		rows, err := w.db.Query(context.Background(), `SELECT operation, request || response FROM provider_calls WHERE payment_id = $1`, p.GetId())
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		ops := map[string]bool{}
		for rows.Next() {
			var op, text string
			if err := rows.Scan(&op, &text); err != nil {
				t.Fatal(err)
			}
			ops[op] = true
			for _, secret := range []string{"test_sk_jangteo", "DEVSECRETKEY", "client-secret", "A21AA", "pg_token=", "dGVzdF9za"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s kept %q:\n%s", op, secret, text)
				}
			}
		}
		wire := map[string]string{"toss": "POST /v1/payments/confirm", "kakaopay": "POST /online/v1/payment/approve", "paypal": "POST /v2/checkout/orders/"}[d.name]
		found := false
		for op := range ops {
			found = found || strings.HasPrefix(op, wire)
		}
		if !ops["approve"] || !found {
			t.Fatalf("operations recorded: %v", ops)
		}
	})

	t.Run("the buyer cancels", func(t *testing.T) {
		p := w.create(t, newOrder(25000), d.name)
		back := providertest.Click(t, p.GetRedirectUrl(), d.decline)
		if got := follow(t, back.String()); !strings.HasPrefix(got, w.shop+"/checkout?") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
			t.Fatal("not failed")
		}
	})

	t.Run("a forged cancel link does not undo a paid payment", func(t *testing.T) {
		p := w.create(t, newOrder(25000), d.name)
		follow(t, buyerPays(t, p))
		follow(t, w.api+"/v1/payments/"+p.GetId()+"/"+d.name+"/cancel")
		approvedOnce(t, p)
	})

	t.Run("the answer to taking the money is lost: reconciliation finds it, once", func(t *testing.T) {
		p := w.create(t, newOrder(41000), d.name)
		back := buyerPays(t, p)
		d.faults.Next(d.takeOp, fakes.LoseResponse)
		if got := follow(t, back); !strings.Contains(got, "pending=true") {
			t.Fatalf("landed on %s", got)
		}
		w.eventually(t, "approved by reconciliation", func() bool {
			return w.status(t, p.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED
		})
		approvedOnce(t, p)
	})

	t.Run("the provider fails with 5xx: the buyer's retry approves", func(t *testing.T) {
		p := w.create(t, newOrder(41000), d.name)
		back := buyerPays(t, p)
		d.faults.Next(d.takeOp, fakes.Fail5xx)
		if got := follow(t, back); !strings.Contains(got, "pending=true") {
			t.Fatalf("landed on %s", got)
		}
		if got := follow(t, back); !strings.HasPrefix(got, w.shop+"/done?") {
			t.Fatalf("the retry landed on %s", got)
		}
		approvedOnce(t, p)
	})

	if d.webhooks {
		t.Run("the verified webhook alone settles the payment the buyer never returned from", func(t *testing.T) {
			p := w.create(t, newOrder(27000), d.name)
			d.faults.Next("page", fakes.WebhookBeforeReturn)
			buyerPays(t, p) // the browser is closed before it follows the redirect
			approvedOnce(t, p)
		})
	}

	t.Run("double clicks, the return racing reconciliation", func(t *testing.T) {
		p := w.create(t, newOrder(33000), d.name)
		if d.webhooks {
			d.faults.Next("page", fakes.WebhookBeforeReturn)
			d.faults.Next(d.takeOp, fakes.DuplicateWebhook)
		}
		back := buyerPays(t, p)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if got := follow(t, back); !strings.HasPrefix(got, w.shop+"/done?") {
					t.Errorf("landed on %s", got)
				}
			})
		}
		wg.Go(func() {
			if _, err := w.client.RefundPayment(w.service(), &paymentv1.RefundPaymentRequest{}); err == nil {
				t.Error("an empty refund passed")
			}
		})
		wg.Wait()
		time.Sleep(300 * time.Millisecond) // late webhooks arrive
		approvedOnce(t, p)
	})

	t.Run("another amount is never approved", func(t *testing.T) {
		p := w.create(t, newOrder(50000), d.name)
		fault := map[string]string{"toss": "page", "kakaopay": "approve", "paypal": "capture"}[d.name]
		d.faults.Next(fault, fakes.AmountMismatch)
		if got := follow(t, buyerPays(t, p)); !strings.HasPrefix(got, w.shop+"/checkout?") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
			t.Fatal("not failed")
		}
	})

	t.Run("another order's approval is not taken for this one", func(t *testing.T) {
		p := w.create(t, newOrder(50000), d.name)
		d.faults.Next("page", fakes.OtherOrder)
		follow(t, buyerPays(t, p))
		if w.status(t, p.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
			t.Fatal("approved with another order's approval")
		}
	})

	t.Run("a refund whose answer is lost is finished by its job, once", func(t *testing.T) {
		p := w.create(t, newOrder(30000), d.name)
		follow(t, buyerPays(t, p))
		d.faults.Next(d.refundOp, fakes.LoseResponse)
		_, err := w.client.RefundPayment(w.service(), &paymentv1.RefundPaymentRequest{PaymentId: p.GetId(), Amount: 12000, Reason: "test", IdempotencyKey: "lost"})
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("refund with a lost answer = %v", err)
		}
		w.eventually(t, "the refund finished", func() bool {
			return w.status(t, p.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED
		})
		refunds := outbox(t, w.env, "payment.refunded", p.GetId(), func() *paymentv1.PaymentRefunded { return &paymentv1.PaymentRefunded{} })
		if len(refunds) != 1 || refunds[0].GetRefundAmount() != 12000 {
			t.Fatalf("payment.refunded = %v", refunds)
		}
	})

	t.Run("refunds, partial then the rest; more than is left is 409", func(t *testing.T) {
		p := w.create(t, newOrder(30000), d.name)
		follow(t, buyerPays(t, p))
		refund := func(amount int64, key string) (*paymentv1.RefundPaymentResponse, error) {
			return w.client.RefundPayment(w.service(), &paymentv1.RefundPaymentRequest{PaymentId: p.GetId(), Amount: amount, Reason: "test", IdempotencyKey: key})
		}
		if r, err := refund(10000, "r1"); err != nil || r.GetPayment().GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED {
			t.Fatalf("partial refund = %v, %v", r, err)
		}
		if _, err := refund(25000, "r2"); status.Code(err) != codes.AlreadyExists || !strings.Contains(err.Error(), "20000") {
			t.Fatalf("refund over the balance = %v", err)
		}
		if r, err := refund(0, "r3"); err != nil || r.GetPayment().GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED {
			t.Fatalf("refund of the rest = %v, %v", r, err)
		}
	})
}

// TestAbandonedPaymentsAreSettled: a buyer who approved at the provider and
// closed the browser is charged once by the deadline's lookup (where the
// provider lets the merchant finish alone); one who never paid is failed.
func TestAbandonedPaymentsAreSettled(t *testing.T) {
	t.Parallel()
	w := startWorld(t, func(c *payment.Config) { c.PendingTimeout = 500 * time.Millisecond })
	w.pp.WebhookURL, w.toss.WebhookURL = "", "" // no notifications: only the deadline

	approvedAtPayPal := w.create(t, newOrder(25000), "paypal")
	providertest.Click(t, approvedAtPayPal.GetRedirectUrl(), "approve") // and the browser is closed
	paidAtToss := w.create(t, newOrder(25000), "toss")
	providertest.Click(t, paidAtToss.GetRedirectUrl(), "pay")
	neverPaid := w.create(t, newOrder(25000), "kakaopay")

	w.eventually(t, "settled by the deadline", func() bool {
		return w.status(t, approvedAtPayPal.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED &&
			w.status(t, paidAtToss.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED &&
			w.status(t, neverPaid.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED
	})
	for _, p := range []*paymentv1.Payment{approvedAtPayPal, paidAtToss} {
		if n := w.approvedEvents(t, p.GetId()); n != 1 {
			t.Fatalf("%d payment.approved for %s", n, p.GetProvider())
		}
	}
}

// TestGiveBackWithALostAnswerIsFinishedByItsJob: KakaoPay took another
// amount, the payment fails and the money is given back; the give-back's
// answer is lost, and its job settles it (it finds the cancel by its key
// and sends no second one).
func TestGiveBackWithALostAnswerIsFinishedByItsJob(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	p := w.create(t, newOrder(50000), "kakaopay")
	back := providertest.Click(t, p.GetRedirectUrl(), "approve")
	w.kakao.Faults.Next("approve", fakes.AmountMismatch)
	w.kakao.Faults.Next("cancel", fakes.LoseResponse)
	if got := follow(t, back.String()); !strings.HasPrefix(got, w.shop+"/checkout?") {
		t.Fatalf("landed on %s", got)
	}
	if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
		t.Fatal("not failed")
	}
	w.eventually(t, "given back by the job", func() bool {
		var n int
		err := w.db.QueryRow(context.Background(), `SELECT count(*) FROM provider_calls
			WHERE payment_id = $1 AND operation = 'refund' AND error = ''`, p.GetId()).Scan(&n)
		return err == nil && n == 1
	})
	var cancels int
	if err := w.db.QueryRow(context.Background(), `SELECT count(*) FROM provider_calls
		WHERE payment_id = $1 AND operation = 'POST /online/v1/payment/cancel'`, p.GetId()).Scan(&cancels); err != nil || cancels != 1 {
		t.Fatalf("%d cancels sent (%v): the job finds the lost one by its key", cancels, err)
	}
}

// TestMoneyTakenForACancelledPaymentIsGivenBack: the confirm's answer is lost,
// the order cancels the payment meanwhile, and reconciliation finds the money
// taken at Toss and gives it back.
func TestMoneyTakenForACancelledPaymentIsGivenBack(t *testing.T) {
	t.Parallel()
	// The order's cancel comes before the lookup.
	w := startWorld(t, func(c *payment.Config) { c.ReconcileDelay = 2 * time.Second })
	w.toss.WebhookURL = "" // Toss's notification would settle it first
	o := newOrder(45000)
	p := w.create(t, o, "toss")
	back := providertest.Click(t, p.GetRedirectUrl(), "pay")
	w.toss.Faults.Next("confirm", fakes.LoseResponse)
	if got := follow(t, back.String()); !strings.Contains(got, "pending=true") {
		t.Fatalf("landed on %s", got)
	}
	cancelled := must(w.client.CancelPayments(w.service(), &paymentv1.CancelPaymentsRequest{OrderId: o.id, Reason: "order cancelled"}))
	if len(cancelled.GetPayments()) != 1 {
		t.Fatalf("cancelled %v", cancelled)
	}
	w.eventually(t, "given back", func() bool {
		var n int
		err := w.db.QueryRow(context.Background(), `SELECT count(*) FROM provider_calls
			WHERE payment_id = $1 AND operation = 'refund' AND error = ''`, p.GetId()).Scan(&n)
		return err == nil && n == 1
	})
	if s := w.status(t, p.GetId()); s != paymentv1.PaymentStatus_PAYMENT_STATUS_CANCELLED || w.approvedEvents(t, p.GetId()) != 0 {
		t.Fatalf("status %v", s)
	}
}
