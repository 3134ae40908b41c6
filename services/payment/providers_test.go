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

	"github.com/jangteo/jangteo/gateway"
	paymentv1 "github.com/jangteo/jangteo/gen/go/jangteo/payment/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment"
	"github.com/jangteo/jangteo/services/payment/internal/fakes"
	fakeToss "github.com/jangteo/jangteo/services/payment/internal/fakes/toss"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
)

// world is the payment service behind the real gateway, with every
// provider enabled against its local fake, and a shop the buyer lands on.
type world struct {
	*env
	api  string // the gateway, as browsers reach it (PUBLIC_URL)
	shop string
	toss *fakeToss.Fake
}

func startWorld(t *testing.T) *world {
	t.Helper()
	w := &world{env: &env{iss: testkit.NewIssuer()}}
	shop := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(rw, "shop") }))
	t.Cleanup(shop.Close)
	w.shop = shop.URL

	w.toss = fakeToss.New("test_sk_jangteo", "test_ck_jangteo")
	tossSrv := httptest.NewServer(w.toss)
	t.Cleanup(tossSrv.Close)

	gwLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w.api = "http://" + gwLis.Addr().String()
	w.toss.WebhookURL = w.api + "/v1/webhooks/toss"

	cfg := payment.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = testkit.Database(t), testkit.NATS(t), ""
	cfg.PublicURL = w.api
	cfg.ReconcileDelay = 200 * time.Millisecond
	cfg.Toss = payment.TossConfig{BaseURL: tossSrv.URL, SecretKey: "test_sk_jangteo", ClientKey: "test_ck_jangteo", CheckoutURL: tossSrv.URL + "/checkout"}
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

func TestTossThroughTheGateway(t *testing.T) {
	t.Parallel()
	w := startWorld(t)
	buyerPays := func(t *testing.T, p *paymentv1.Payment) string {
		back := providertest.Click(t, p.GetRedirectUrl(), "pay")
		if !strings.HasPrefix(back.String(), w.api+"/v1/payments/"+p.GetId()+"/toss/approve?") {
			t.Fatalf("Toss sent the buyer to %s", back)
		}
		return back.String()
	}

	t.Run("the buyer pays and lands on the shop", func(t *testing.T) {
		p := w.create(t, newOrder(25000), "toss")
		if got := follow(t, buyerPays(t, p)); !strings.HasPrefix(got, w.shop+"/done?") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED || w.approvedEvents(t, p.GetId()) != 1 {
			t.Fatal("not approved once")
		}
	})

	t.Run("the buyer cancels", func(t *testing.T) {
		p := w.create(t, newOrder(25000), "toss")
		back := providertest.Click(t, p.GetRedirectUrl(), "cancel")
		if got := follow(t, back.String()); !strings.HasPrefix(got, w.shop+"/checkout?") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
			t.Fatal("not failed")
		}
	})

	t.Run("the confirm's answer is lost: reconciliation finds the money, once", func(t *testing.T) {
		p := w.create(t, newOrder(41000), "toss")
		back := buyerPays(t, p)
		w.toss.Faults.Next("confirm", fakes.LoseResponse)
		if got := follow(t, back); !strings.Contains(got, "pending=true") {
			t.Fatalf("landed on %s", got)
		}
		w.eventually(t, "approved by reconciliation", func() bool {
			return w.status(t, p.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED
		})
		if n := w.approvedEvents(t, p.GetId()); n != 1 {
			t.Fatalf("%d payment.approved", n)
		}
	})

	t.Run("a webhook before the buyer returns, duplicated, and double clicks", func(t *testing.T) {
		p := w.create(t, newOrder(33000), "toss")
		w.toss.Faults.Next("page", fakes.WebhookBeforeReturn)
		w.toss.Faults.Next("confirm", fakes.DuplicateWebhook)
		back := buyerPays(t, p)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if got := follow(t, back); !strings.HasPrefix(got, w.shop+"/done?") {
					t.Errorf("landed on %s", got)
				}
			})
		}
		wg.Wait()
		time.Sleep(300 * time.Millisecond) // the duplicate webhooks arrive
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED || w.approvedEvents(t, p.GetId()) != 1 {
			t.Fatal("not approved once")
		}
	})

	t.Run("a tampered amount fails the payment without confirming", func(t *testing.T) {
		p := w.create(t, newOrder(50000), "toss")
		w.toss.Faults.Next("page", fakes.AmountMismatch)
		if got := follow(t, buyerPays(t, p)); !strings.HasPrefix(got, w.shop+"/checkout?") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) != paymentv1.PaymentStatus_PAYMENT_STATUS_FAILED {
			t.Fatal("not failed")
		}
	})

	t.Run("another order's paymentKey is not confirmed for this one", func(t *testing.T) {
		p := w.create(t, newOrder(50000), "toss")
		w.toss.Faults.Next("page", fakes.OtherOrder)
		back := buyerPays(t, p)
		if got := follow(t, back); strings.HasPrefix(got, w.shop+"/done?") && !strings.Contains(got, "pending") {
			t.Fatalf("landed on %s", got)
		}
		if w.status(t, p.GetId()) == paymentv1.PaymentStatus_PAYMENT_STATUS_APPROVED {
			t.Fatal("approved with another order's payment")
		}
	})

	t.Run("refunds, partial then the rest; more than is left is 409", func(t *testing.T) {
		p := w.create(t, newOrder(30000), "toss")
		follow(t, buyerPays(t, p))
		refund := func(amount int64, key string) (*paymentv1.RefundPaymentResponse, error) {
			return w.client.RefundPayment(w.service(), &paymentv1.RefundPaymentRequest{PaymentId: p.GetId(), Amount: amount, Reason: "test", IdempotencyKey: key})
		}
		if r, err := refund(10000, "r1"); err != nil || r.GetPayment().GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED {
			t.Fatalf("partial refund = %v, %v", r, err)
		}
		if _, err := refund(25000, "r2"); err == nil || !strings.Contains(err.Error(), "20000") {
			t.Fatalf("refund over the balance = %v", err)
		}
		if r, err := refund(0, "r3"); err != nil || r.GetPayment().GetStatus() != paymentv1.PaymentStatus_PAYMENT_STATUS_REFUNDED {
			t.Fatalf("refund of the rest = %v, %v", r, err)
		}
	})

	t.Run("a webhook that is not Toss's is 401", func(t *testing.T) {
		res, err := http.Post(w.api+"/v1/webhooks/toss", "application/json", strings.NewReader(`{"hello":"world"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
