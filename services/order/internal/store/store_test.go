package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/order/internal/domain"
	"github.com/jangteo/jangteo/services/order/internal/store"
)

func newOrder(number string) domain.Order {
	now := time.Now().UTC().Truncate(time.Microsecond)
	o := domain.Order{
		ID: uuid.NewString(), Number: number, UserID: uuid.NewString(), Kind: domain.KindGoods,
		Lines: []domain.Line{
			{Number: 1, ProductID: uuid.NewString(), VariantID: uuid.NewString(), ProductName: "Runner", SKU: "R-1", Options: map[string]string{"size": "270"}, UnitPrice: 21000, Quantity: 1},
			{Number: 2, ProductID: uuid.NewString(), VariantID: uuid.NewString(), ProductName: "Eco bag", SKU: "B-1", UnitPrice: 4000, Quantity: 2},
		},
		Amounts:      domain.Amounts{Currency: "KRW", Subtotal: 29000, GrandTotal: 29000},
		Shipping:     domain.Shipping{Name: "김민지", Email: "m@example.com"},
		PayableUntil: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now,
	}
	o.Place(now)
	return o
}

// A number already taken is drawn again in the same transaction (no
// savepoint); an id already taken is ErrOrderExists; an order reads back
// whole, by id and by number, in one round trip.
func TestInsertDrawsAgainWithoutASavepoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "order")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool, postgres.MigrationSet{Name: "order", FS: store.Migrations, Dir: "migrations"}); err != nil {
		t.Fatal(err)
	}
	insert := func(o *domain.Order, redraw func(*domain.Order)) error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var p postgres.Pipeline
			if err := store.InsertMany(ctx, tx, &p, []*domain.Order{o}, redraw); err != nil {
				return err
			}
			return p.Send(ctx, tx)
		})
	}
	never := func(o *domain.Order) { t.Errorf("order %s drew again", o.ID) }
	first := newOrder("JT-261202-AAAAA")
	if err := insert(&first, never); err != nil {
		t.Fatal(err)
	}
	second := newOrder("JT-261202-AAAAA")
	draws := 0
	if err := insert(&second, func(o *domain.Order) { draws++; o.Number = "JT-261202-BBBBB" }); err != nil || draws != 1 || second.Number != "JT-261202-BBBBB" {
		t.Fatalf("same number: %v after %d draws, number %s", err, draws, second.Number)
	}
	again := first
	again.Number = "JT-261202-CCCCC"
	if err := insert(&again, never); !errors.Is(err, store.ErrOrderExists) {
		t.Fatalf("same id: %v, want ErrOrderExists", err)
	}
	for _, k := range []store.Key{{ID: second.ID}, {Number: second.Number}} {
		got, err := store.Read(ctx, pool, k)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != second.ID || got.Number != second.Number || len(got.Lines) != 2 || got.Lines[0].Options["size"] != "270" ||
			got.Lines[1].Quantity != 2 || len(got.History) != 1 || got.History[0].To != domain.StatusPendingPayment {
			t.Fatalf("read %+v", got)
		}
	}
	if _, err := store.Read(ctx, pool, store.Key{Number: "JT-261202-ZZZZZ"}); !errors.Is(err, domain.ErrOrderNotFound) {
		t.Fatalf("unknown number: %v, want ErrOrderNotFound", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d orders (%v), want 2", n, err)
	}
}
