package paypal_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/services/payment/internal/fakes"
	"github.com/jangteo/jangteo/services/payment/internal/fakes/paypal"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	client "github.com/jangteo/jangteo/services/payment/internal/provider/paypal"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
)

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newPayPal(t *testing.T) (*paypal.Fake, *client.Provider, *clock) {
	fake := paypal.New("client-id", "client-secret", "WH-ID")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	rate, err := client.ParseRate("1400")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Now()}
	return fake, client.New(client.Config{BaseURL: srv.URL, ClientID: "client-id", ClientSecret: "client-secret",
		WebhookID: "WH-ID", Currency: "USD", Rate: rate, BrandName: "Jangteo", Now: c.Now}, nil), c
}

func TestPayPalPassesTheProviderSuite(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		_, p, _ := newPayPal(t)
		return providertest.Harness{
			Provider: p, Currency: "KRW",
			BuyerApproves: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) url.Values {
				return providertest.Click(t, prepared.RedirectURL, "approve").Query()
			},
			BuyerDeclines: func(t *testing.T, _ provider.Payment, prepared provider.Prepared) {
				providertest.Click(t, prepared.RedirectURL, "cancel")
			},
		}
	})
}

func TestPayPalQuirks(t *testing.T) {
	fake, p, clk := newPayPal(t)
	ctx := context.Background()
	prepare := func(t *testing.T, amount int64) (provider.Payment, provider.Prepared) {
		pay := provider.Payment{ID: uuid.NewString(), OrderID: uuid.NewString(), OrderNumber: "JT-1", UserID: uuid.NewString(), Amount: amount, Currency: "KRW"}
		prepared, err := p.Prepare(ctx, provider.PrepareRequest{Payment: pay, OrderName: "러닝화", IdempotencyKey: "prepare-" + pay.ID,
			ApproveURL: "https://api.example/a", CancelURL: "https://api.example/c"})
		if err != nil {
			t.Fatal(err)
		}
		pay.Charge = prepared.Charge
		return pay, prepared
	}

	t.Run("KRW is charged in USD at the rate, fixed on the payment", func(t *testing.T) {
		_, prepared := prepare(t, 70000)
		if c := prepared.Charge; c.Currency != "USD" || c.Amount != 5000 || c.Rate != "1400" {
			t.Fatalf("charge = %+v", c)
		}
	})

	t.Run("the token is cached and refreshed before it expires", func(t *testing.T) {
		before := fake.TokensIssued()
		prepare(t, 1000)
		prepare(t, 1000)
		if n := fake.TokensIssued() - before; n != 0 {
			t.Fatalf("%d new tokens for cached calls", n)
		}
		clk.now = clk.now.Add(9*time.Hour - 4*time.Minute)
		prepare(t, 1000)
		if n := fake.TokensIssued() - before; n != 1 {
			t.Fatalf("%d new tokens near expiry", n)
		}
	})

	t.Run("refunds convert at the payment's rate; the rest is refunded exactly", func(t *testing.T) {
		pay, prepared := prepare(t, 10000) // 7.14 USD
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		a, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb, IdempotencyKey: "approve-" + pay.ID})
		if err != nil || a.Amount != 10000 || a.Currency != "KRW" {
			t.Fatalf("Approve = %+v, %v", a, err)
		}
		refund := func(amount, balance int64, key string) error {
			_, err := p.Refund(ctx, provider.RefundRequest{Payment: pay, Ref: prepared.Ref, TxID: a.TxID, Amount: amount, Balance: balance, IdempotencyKey: key})
			return err
		}
		if err := refund(3333, 10000, "r1"); err != nil {
			t.Fatal(err)
		}
		if err := refund(6667, 6667, "r2"); err != nil {
			t.Fatal(err)
		}
		st, err := p.Lookup(ctx, provider.LookupRequest{Payment: pay, Ref: prepared.Ref})
		if err != nil || st.Refunded != 10000 {
			t.Fatalf("Lookup = %+v, %v", st, err)
		}
	})

	t.Run("a lost capture is uncertain; the lookup finds it", func(t *testing.T) {
		pay, prepared := prepare(t, 20000)
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		fake.Faults.Next("capture", fakes.LoseResponse)
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb, IdempotencyKey: "approve-" + pay.ID}); !errors.Is(err, provider.ErrUncertain) {
			t.Fatalf("Approve = %v, want ErrUncertain", err)
		}
		if st, err := p.Lookup(ctx, provider.LookupRequest{Payment: pay, Ref: prepared.Ref}); err != nil || st.State != provider.StateApproved || st.Amount != 20000 {
			t.Fatalf("Lookup = %+v, %v", st, err)
		}
	})

	t.Run("another order's token is not captured for this one", func(t *testing.T) {
		pay, prepared := prepare(t, 20000)
		fake.Faults.Next("page", fakes.OtherOrder)
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb}); !errors.Is(err, provider.ErrNotApproved) {
			t.Fatalf("Approve = %v, want ErrNotApproved", err)
		}
	})

	t.Run("a webhook without a valid signature is unverified", func(t *testing.T) {
		_, err := p.Webhook(ctx, map[string][]string{"paypal-transmission-id": {"x"}, "paypal-transmission-sig": {"forged"}},
			[]byte(`{"id":"WH-1","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"custom_id":"x"}}`))
		if !errors.Is(err, provider.ErrUnverified) {
			t.Fatalf("Webhook = %v", err)
		}
	})
}
