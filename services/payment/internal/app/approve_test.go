package app

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/payment/internal/domain"
	"github.com/jangteo/jangteo/services/payment/internal/provider"
	"github.com/jangteo/jangteo/services/payment/internal/provider/sandbox"
	"github.com/jangteo/jangteo/services/payment/internal/store"
)

// gated holds a provider's Approve until the test lets it answer, so the
// test can put a cancel between the provider taking the money and the
// payment's row deciding.
type gated struct {
	provider.Provider
	reached, release chan struct{}
}

func (g *gated) Approve(ctx context.Context, r provider.ApproveRequest) (provider.Approval, error) {
	a, err := g.Provider.Approve(ctx, r)
	g.reached <- struct{}{}
	<-g.release
	return a, err
}

func newApp(t *testing.T) (*App, *pgxpool.Pool, *gated, *sandbox.Provider) {
	t.Helper()
	pool, err := postgres.Connect(t.Context(), testkit.Database(t), "payment")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(t.Context(), pool, postgres.MigrationSet{Name: "payment", FS: store.Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	if err := events.Setup(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(pool, "http://pay.test")
	g := &gated{Provider: sb, reached: make(chan struct{}), release: make(chan struct{})}
	return New(pool, []provider.Provider{g}, sb, zaptest.NewLogger(t)), pool, g, sb
}

// TestApprovalThatLosesToACancelGivesTheMoneyBack: the provider has taken
// the money when the order's timeout cancels the payment; the approval must
// not win, and the money goes back.
func TestApprovalThatLosesToACancelGivesTheMoneyBack(t *testing.T) {
	t.Parallel()
	a, pool, g, sb := newApp(t)
	ctx := context.Background()
	orderID := uuid.NewString()
	p, err := a.CreatePayment(ctx, CreatePayment{
		OrderID: orderID, OrderNumber: "JT-1", UserID: uuid.NewString(), OrderName: "shoes", Provider: "sandbox",
		Amount: 7000, Currency: "KRW", ReturnURL: "https://shop.example/ok", CancelURL: "https://shop.example/no", IdempotencyKey: "k",
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.ApproveSandbox(ctx, p.ID)
		done <- err
	}()
	<-g.reached // the sandbox has captured
	cancelled, err := a.CancelPayments(ctx, orderID, "payment window expired")
	if err != nil || len(cancelled) != 1 {
		t.Fatalf("CancelPayments = %v, %v", cancelled, err)
	}
	close(g.release)
	if err := <-done; err == nil || !errors.Is(err, domain.ErrStatusConflict) {
		t.Fatalf("approval after the cancel = %v, want a status conflict", err)
	}
	st, err := sb.Lookup(ctx, provider.LookupRequest{Payment: provider.Payment{ID: p.ID}, Ref: cancelled[0].ProviderRef})
	if err != nil || st.State != provider.StateApproved || st.Refunded != 7000 {
		t.Fatalf("sandbox after the lost approval = %+v, %v; want the 7000 given back", st, err)
	}
	var approvedEvents int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE subject = 'payment.approved'`).Scan(&approvedEvents); err != nil || approvedEvents != 0 {
		t.Fatalf("%d payment.approved, %v", approvedEvents, err)
	}
	var ops []string
	rows, _ := pool.Query(ctx, `SELECT operation FROM provider_calls WHERE payment_id = $1 ORDER BY id`, p.ID)
	for rows.Next() {
		var op string
		_ = rows.Scan(&op)
		ops = append(ops, op)
	}
	if len(ops) != 3 || ops[2] != "refund" {
		t.Fatalf("provider calls = %v, want prepare, approve, refund", ops)
	}
}
