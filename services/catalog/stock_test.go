package catalog_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/services/catalog"
)

// stockOf reads one variant's stock through BatchGetVariants.
func stockOf(t *testing.T, e env, variantID string) int64 {
	t.Helper()
	resp := must(e.client.BatchGetVariants(internal(e), &catalogv1.BatchGetVariantsRequest{VariantIds: []string{variantID}}))
	if len(resp.GetVariants()) != 1 {
		t.Fatalf("variant %s not found", variantID)
	}
	return resp.GetVariants()[0].GetStock()
}

func product(t *testing.T, e env, categoryID string, stock int32) *catalogv1.Product {
	t.Helper()
	staff := as(e.iss.Token("staff-1", "staff"))
	return must(e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "한정판 스니커즈", CategoryId: categoryID, Price: krw(150000), Stock: stock,
	})).GetProduct()
}

func TestConcurrentReservationsNeverOversell(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	variant := product(t, e, f.sneakers.GetId(), 10).GetVariants()[0].GetId()

	const buyers = 200
	var (
		wg      sync.WaitGroup
		ok, out atomic.Int32
		orders  = make([]string, buyers)
	)
	for i := range buyers {
		orders[i] = newID()
		wg.Go(func() {
			_, err := e.client.ReserveStock(internal(e), &catalogv1.ReserveStockRequest{
				OrderId: orders[i], Lines: []*catalogv1.ReserveLine{{VariantId: variant, Quantity: 1}},
			})
			switch status.Code(err) {
			case codes.OK:
				ok.Add(1)
			case codes.FailedPrecondition:
				out.Add(1)
			default:
				t.Errorf("reserve: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 || out.Load() != buyers-10 {
		t.Fatalf("%d reserved, %d out of stock; want 10 and %d", ok.Load(), out.Load(), buyers-10)
	}
	if s := stockOf(t, e, variant); s != 0 {
		t.Fatalf("stock = %d, want 0", s)
	}
	// Repeating every call changes nothing: winners get their reservation
	// back, losers still fail, stock stays 0.
	for _, id := range orders {
		_, err := e.client.ReserveStock(internal(e), &catalogv1.ReserveStockRequest{
			OrderId: id, Lines: []*catalogv1.ReserveLine{{VariantId: variant, Quantity: 1}},
		})
		if c := status.Code(err); c != codes.OK && c != codes.FailedPrecondition {
			t.Fatalf("repeat: %v", err)
		}
	}
	if s := stockOf(t, e, variant); s != 0 {
		t.Fatalf("stock after repeats = %d, want 0", s)
	}
}

func TestReservationLifecycle(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	stockEvents := catalogEvents(t, e.js, "catalog.stock_changed")
	a := product(t, e, f.sneakers.GetId(), 5).GetVariants()[0].GetId()
	b := product(t, e, f.bags.GetId(), 3).GetVariants()[0].GetId()
	ctx := internal(e)
	order := newID()
	req := &catalogv1.ReserveStockRequest{OrderId: order, Lines: []*catalogv1.ReserveLine{
		{VariantId: a, Quantity: 2}, {VariantId: b, Quantity: 1}, {VariantId: a, Quantity: 1},
	}}

	first := must(e.client.ReserveStock(ctx, req)).GetReservation()
	if first.GetStatus() != catalogv1.Reservation_STATUS_ACTIVE || len(first.GetLines()) != 2 {
		t.Fatalf("reservation = %v", first)
	}
	again := must(e.client.ReserveStock(ctx, req)).GetReservation()
	if !proto.Equal(first, again) {
		t.Fatalf("repeat = %v, want %v", again, first)
	}
	if stockOf(t, e, a) != 2 || stockOf(t, e, b) != 2 {
		t.Fatalf("stock = %d, %d; want 2, 2", stockOf(t, e, a), stockOf(t, e, b))
	}
	var ev catalogv1.StockChanged
	nextEvent(t, stockEvents, &ev)
	if ev.GetReason() != catalogv1.StockChanged_REASON_RESERVED || ev.GetOrderId() != order || ev.GetDelta() >= 0 {
		t.Fatalf("stock event = %v", &ev)
	}

	// The same order with other lines is a conflict.
	_, err := e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: order, Lines: []*catalogv1.ReserveLine{{VariantId: a, Quantity: 1}}})
	wantCode(t, err, codes.AlreadyExists, "")

	// All or nothing: one short line leaves the other untouched.
	_, err = e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: newID(), Lines: []*catalogv1.ReserveLine{
		{VariantId: a, Quantity: 1}, {VariantId: b, Quantity: 3},
	}})
	wantCode(t, err, codes.FailedPrecondition, "")
	if stockOf(t, e, a) != 2 {
		t.Fatal("a failed reservation took stock")
	}

	for range 2 {
		c := must(e.client.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: order})).GetReservation()
		if c.GetStatus() != catalogv1.Reservation_STATUS_COMMITTED {
			t.Fatalf("commit = %v", c)
		}
	}
	// Releasing a committed order (cancelled before shipping) returns its units, once.
	for range 2 {
		r := must(e.client.ReleaseReservation(ctx, &catalogv1.ReleaseReservationRequest{OrderId: order})).GetReservation()
		if r.GetStatus() != catalogv1.Reservation_STATUS_RELEASED {
			t.Fatalf("release = %v", r)
		}
	}
	if stockOf(t, e, a) != 5 || stockOf(t, e, b) != 3 {
		t.Fatalf("stock after release = %d, %d; want 5, 3", stockOf(t, e, a), stockOf(t, e, b))
	}
	_, err = e.client.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: order})
	wantCode(t, err, codes.FailedPrecondition, "")
	_, err = e.client.ReserveStock(ctx, req)
	wantCode(t, err, codes.FailedPrecondition, "")

	// Release before reserve (a cancel overtaking a slow reserve): the late
	// reserve takes nothing.
	late := newID()
	must(e.client.ReleaseReservation(ctx, &catalogv1.ReleaseReservationRequest{OrderId: late}))
	_, err = e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: late, Lines: []*catalogv1.ReserveLine{{VariantId: a, Quantity: 1}}})
	wantCode(t, err, codes.FailedPrecondition, "")
	if stockOf(t, e, a) != 5 {
		t.Fatal("a released order reserved stock")
	}

	_, err = e.client.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: newID()})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: newID(), Lines: []*catalogv1.ReserveLine{{VariantId: newID(), Quantity: 1}}})
	wantCode(t, err, codes.NotFound, "")
	_, err = e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: "nope", Lines: []*catalogv1.ReserveLine{{VariantId: a, Quantity: 0}}})
	wantCode(t, err, codes.InvalidArgument, "order_id")
	wantCode(t, err, codes.InvalidArgument, "lines[0].quantity")

	// Archived products cannot be reserved.
	staff := as(e.iss.Token("staff-1", "staff"))
	gone := product(t, e, f.bags.GetId(), 3)
	must(e.client.ArchiveProduct(staff, &catalogv1.ArchiveProductRequest{Id: gone.GetId()}))
	_, err = e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: newID(), Lines: []*catalogv1.ReserveLine{{VariantId: gone.GetVariants()[0].GetId(), Quantity: 1}}})
	wantCode(t, err, codes.FailedPrecondition, "")
}

func TestReservationExpiresOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	// No sweeps: only each reservation's own expiry job releases it.
	e := start(t, func(c *catalog.Config) { c.SweepInterval = time.Hour })
	clients := []catalogv1.CatalogServiceClient{e.client, replica(t, e)}
	f := newFixture(t, e)
	v := product(t, e, f.sneakers.GetId(), 5).GetVariants()[0].GetId()
	ctx := internal(e)
	stock := catalogEvents(t, e.js, "catalog.stock_changed")
	const orders = 4
	for i := range orders {
		must(clients[i%2].ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: newID(), Ttl: durationpb.New(time.Second),
			Lines: []*catalogv1.ReserveLine{{VariantId: v, Quantity: 1}}}))
	}
	if s := stockOf(t, e, v); s != 5-orders {
		t.Fatalf("stock = %d, want %d", s, 5-orders)
	}
	eventually(t, "the expiry jobs", func() bool { return stockOf(t, e, v) == 5 })

	released := 0
	for range 2 * orders {
		var ev catalogv1.StockChanged
		nextEvent(t, stock, &ev)
		if ev.GetReason() == catalogv1.StockChanged_REASON_RELEASED {
			released++
		}
	}
	if released != orders {
		t.Fatalf("%d released events, want %d", released, orders)
	}
	if msg, err := stock.Next(jetstream.FetchMaxWait(time.Second)); err == nil {
		t.Fatalf("unexpected event after every release: %s", msg.Subject())
	}
	if s := stockOf(t, e, v); s != 5 {
		t.Fatalf("stock after expiry = %d, want 5", s)
	}
}

func TestSweeperReleasesExpiredReservations(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *catalog.Config) { c.SweepInterval = 100 * time.Millisecond })
	f := newFixture(t, e)
	v := product(t, e, f.sneakers.GetId(), 4).GetVariants()[0].GetId()
	ctx := internal(e)
	short, long := newID(), newID()
	must(e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: short, Ttl: durationpb.New(time.Second),
		Lines: []*catalogv1.ReserveLine{{VariantId: v, Quantity: 1}}}))
	must(e.client.ReserveStock(ctx, &catalogv1.ReserveStockRequest{OrderId: long,
		Lines: []*catalogv1.ReserveLine{{VariantId: v, Quantity: 2}}}))
	if s := stockOf(t, e, v); s != 1 {
		t.Fatalf("stock = %d, want 1", s)
	}
	eventually(t, "the sweeper", func() bool { return stockOf(t, e, v) == 2 })
	_, err := e.client.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: short})
	wantCode(t, err, codes.FailedPrecondition, "")
	if c := must(e.client.CommitReservation(ctx, &catalogv1.CommitReservationRequest{OrderId: long})); c.GetReservation().GetStatus() != catalogv1.Reservation_STATUS_COMMITTED {
		t.Fatalf("long = %v", c)
	}
	time.Sleep(300 * time.Millisecond)
	if s := stockOf(t, e, v); s != 2 {
		t.Fatalf("stock after sweeps = %d, want 2", s)
	}
}

func TestBatchGetVariants(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	p := must(e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
		Name: "Tee", CategoryId: f.bags.GetId(), Price: krw(30000), Stock: 2, ImageUrls: []string{"https://img/1.jpg"},
		Options:  []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"M", "L"}}},
		Variants: []*catalogv1.VariantInput{{Options: map[string]string{"size": "L"}, PriceOverride: krw(32000), Stock: 1, Sku: "TEE-L"}},
	})).GetProduct()
	ids := []string{p.GetVariants()[1].GetId(), newID(), p.GetVariants()[0].GetId()}
	resp := must(e.client.BatchGetVariants(internal(e), &catalogv1.BatchGetVariantsRequest{VariantIds: ids}))
	if len(resp.GetVariants()) != 2 || len(resp.GetMissingIds()) != 1 || resp.GetMissingIds()[0] != ids[1] {
		t.Fatalf("resp = %v", resp)
	}
	l, m := resp.GetVariants()[0], resp.GetVariants()[1]
	if l.GetVariantId() != ids[0] || l.GetUnitPrice().GetAmount() != 32000 || l.GetOptions()["size"] != "L" || l.GetStock() != 1 ||
		!l.GetAvailable() || l.GetProductSlug() != p.GetSlug() || l.GetImageUrl() != "https://img/1.jpg" || l.GetSku() != "TEE-L" {
		t.Fatalf("L = %v", l)
	}
	if m.GetUnitPrice().GetAmount() != 30000 || m.GetStock() != 2 {
		t.Fatalf("M = %v", m)
	}
	_, err := e.client.BatchGetVariants(internal(e), &catalogv1.BatchGetVariantsRequest{VariantIds: []string{"x"}})
	wantCode(t, err, codes.InvalidArgument, "variant_ids[0]")
}
