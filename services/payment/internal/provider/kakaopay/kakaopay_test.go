package kakaopay_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment/internal/fakes"
	"github.com/jangteo/jangteo/services/payment/internal/fakes/kakaopay"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	client "github.com/jangteo/jangteo/services/payment/internal/provider/kakaopay"
	"github.com/jangteo/jangteo/services/payment/internal/provider/providertest"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

func readies(t *testing.T) store.KakaoPayReadies {
	pool, err := postgres.Connect(t.Context(), testkit.Database(t), "payment")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(t.Context(), pool, postgres.MigrationSet{Name: "payment", FS: store.Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	return store.KakaoPayReadies{Pool: pool}
}

func newKakaoPay(t *testing.T, r store.KakaoPayReadies) (*kakaopay.Fake, *client.Provider) {
	fake := kakaopay.New("DEVSECRETKEY", "TC0ONETIME")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, client.New(client.Config{BaseURL: srv.URL, SecretKey: "DEVSECRETKEY", CID: "TC0ONETIME"}, r, nil)
}

func TestKakaoPayPassesTheProviderSuite(t *testing.T) {
	r := readies(t)
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		_, p := newKakaoPay(t, r)
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

func TestKakaoPayQuirks(t *testing.T) {
	r := readies(t)
	fake, p := newKakaoPay(t, r)
	ctx := context.Background()
	prepare := func(t *testing.T) (provider.Payment, provider.Prepared) {
		pay := provider.Payment{ID: uuid.NewString(), OrderID: uuid.NewString(), OrderNumber: "JT-1", UserID: uuid.NewString(), Amount: 25000, Currency: "KRW"}
		prepared, err := p.Prepare(ctx, provider.PrepareRequest{Payment: pay, OrderName: "러닝화", ApproveURL: "https://api.example/a", CancelURL: "https://api.example/c", FailURL: "https://api.example/f"})
		if err != nil {
			t.Fatal(err)
		}
		return pay, prepared
	}

	t.Run("pc, mobile and app pages are returned", func(t *testing.T) {
		_, prepared := prepare(t)
		if prepared.MobileURL == "" || prepared.AppURL == "" || prepared.MobileURL == prepared.RedirectURL {
			t.Fatalf("prepared = %+v", prepared)
		}
	})

	t.Run("another buyer's approval is refused", func(t *testing.T) {
		pay, prepared := prepare(t)
		cb := providertest.Click(t, prepared.MobileURL, "approve").Query()
		other := pay
		other.UserID = uuid.NewString()
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: other, Ref: prepared.Ref, Callback: cb}); err == nil {
			t.Fatal("approved for another partner_user_id")
		}
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb}); err != nil {
			t.Fatalf("the buyer's own approval: %v", err)
		}
	})

	t.Run("a pg_token of another order is not approved", func(t *testing.T) {
		pay, prepared := prepare(t)
		fake.Faults.Next("page", fakes.OtherOrder)
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb}); !errors.Is(err, provider.ErrNotApproved) {
			t.Fatalf("Approve = %v, want ErrNotApproved", err)
		}
	})

	t.Run("a lost approval is uncertain and the lookup finds it", func(t *testing.T) {
		pay, prepared := prepare(t)
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		fake.Faults.Next("approve", fakes.LoseResponse)
		if _, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb}); !errors.Is(err, provider.ErrUncertain) {
			t.Fatalf("Approve = %v, want ErrUncertain", err)
		}
		st, err := p.Lookup(ctx, provider.LookupRequest{Payment: pay, Ref: prepared.Ref})
		if err != nil || st.State != provider.StateApproved || st.TxID == "" {
			t.Fatalf("Lookup = %+v, %v", st, err)
		}
	})

	t.Run("a lost cancel's retry does not cancel twice", func(t *testing.T) {
		pay, prepared := prepare(t)
		cb := providertest.Click(t, prepared.RedirectURL, "approve").Query()
		a, err := p.Approve(ctx, provider.ApproveRequest{Payment: pay, Ref: prepared.Ref, Callback: cb})
		if err != nil {
			t.Fatal(err)
		}
		req := provider.RefundRequest{Payment: pay, Ref: prepared.Ref, TxID: a.TxID, Amount: 5000, Balance: 25000, IdempotencyKey: "refund-x"}
		fake.Faults.Next("cancel", fakes.LoseResponse)
		if _, err := p.Refund(ctx, req); !errors.Is(err, provider.ErrUncertain) {
			t.Fatalf("Refund = %v, want ErrUncertain", err)
		}
		if r, err := p.Refund(ctx, req); err != nil || r.Amount != 5000 {
			t.Fatalf("Refund again = %+v, %v", r, err)
		}
		if st, _ := p.Lookup(ctx, provider.LookupRequest{Payment: pay, Ref: prepared.Ref}); st.Refunded != 5000 {
			t.Fatalf("refunded %d", st.Refunded)
		}
	})
}

func TestKakaoPayWithAWrongKeyIsAnOutageNotADecline(t *testing.T) {
	fake := kakaopay.New("DEVSECRETKEY", "TC0ONETIME")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	p := client.New(client.Config{BaseURL: srv.URL, SecretKey: "WRONG", CID: "TC0ONETIME"}, readies(t), nil)
	pay := provider.Payment{ID: uuid.NewString(), UserID: uuid.NewString(), Amount: 1000, Currency: "KRW"}
	_, err := p.Prepare(context.Background(), provider.PrepareRequest{Payment: pay, OrderName: "x", ApproveURL: "https://a.example", CancelURL: "https://a.example", FailURL: "https://a.example"})
	if err == nil || errors.Is(err, provider.ErrDeclined) {
		t.Fatalf("Prepare with a wrong key = %v, want a transient error", err)
	}
}
