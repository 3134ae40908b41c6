package cart_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// publishProductChanged publishes ev on catalog.product_changed with event id id,
// the way the catalog's outbox relay does.
func publishProductChanged(t *testing.T, e *env, id string, ev *catalogv1.ProductChanged) {
	t.Helper()
	data, err := proto.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	msg := &nats.Msg{Subject: "catalog.product_changed", Data: data, Header: nats.Header{}}
	msg.Header.Set(events.HeaderMsgID, id)
	msg.Header.Set(events.HeaderType, string(ev.ProtoReflect().Descriptor().FullName()))
	if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
}

// insertLine puts a line for productID named name into a new anonymous cart,
// as synced at syncedAt, and returns the line's id.
func insertLine(t *testing.T, e *env, productID, name string, syncedAt time.Time) string {
	t.Helper()
	ctx := context.Background()
	cartID, lineID := uuid.NewString(), uuid.NewString()
	hash := uuid.New() // any unique bytes stand in for a token hash
	if _, err := e.db.Exec(ctx, `INSERT INTO carts (id, token_hash) VALUES ($1, $2)`, cartID, hash[:]); err != nil {
		t.Fatal(err)
	}
	const q = `INSERT INTO cart_lines (id, cart_id, variant_id, product_id, product_slug, product_name, quantity, product_synced_at)
		VALUES ($1, $2, $3, $4, 'old-slug', $5, 1, $6)`
	if _, err := e.db.Exec(ctx, q, lineID, cartID, uuid.NewString(), productID, name, syncedAt); err != nil {
		t.Fatal(err)
	}
	return lineID
}

func lineNames(t *testing.T, e *env, lineID string) (slug, name string) {
	t.Helper()
	if err := e.db.QueryRow(context.Background(), `SELECT product_slug, product_name FROM cart_lines WHERE id = $1`, lineID).Scan(&slug, &name); err != nil {
		t.Fatal(err)
	}
	return slug, name
}

// processed waits until the cart's product_changed consumer has recorded event id.
func processed(t *testing.T, e *env, id string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		var seen bool
		err := e.db.QueryRow(context.Background(),
			`SELECT EXISTS (SELECT 1 FROM inbox WHERE consumer = 'cart-product-changed' AND event_id = $1)`, id).Scan(&seen)
		if err != nil {
			t.Fatal(err)
		}
		if seen {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("event %s was not consumed", id)
}

func TestProductChangedRefreshesLineNames(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{noCatalog: true})
	product, other := uuid.NewString(), uuid.NewString()
	t0 := time.Now().Add(-time.Hour).UTC()
	line := insertLine(t, e, product, "Old name", t0)
	untouched := insertLine(t, e, other, "Other", t0)

	renamed := &catalogv1.ProductChanged{
		ProductId: product, Change: catalogv1.ProductChanged_CHANGE_UPDATED,
		Slug: "new-slug", Name: "New name", Available: true, OccurTime: timestamppb.New(t0.Add(time.Minute)),
	}
	id := uuid.NewString()
	publishProductChanged(t, e, id, renamed)
	processed(t, e, id)
	if slug, name := lineNames(t, e, line); slug != "new-slug" || name != "New name" {
		t.Fatalf("after rename: %q %q", slug, name)
	}
	if _, name := lineNames(t, e, untouched); name != "Other" {
		t.Fatalf("another product's line was renamed to %q", name)
	}

	// An older change arriving late (a new event id, an earlier occur_time)
	// does not bring the old name back.
	stale := proto.Clone(renamed).(*catalogv1.ProductChanged)
	stale.Name, stale.Slug, stale.OccurTime = "Stale name", "stale-slug", timestamppb.New(t0.Add(30*time.Second))
	staleID := uuid.NewString()
	publishProductChanged(t, e, staleID, stale)
	processed(t, e, staleID)
	if slug, name := lineNames(t, e, line); slug != "new-slug" || name != "New name" {
		t.Fatalf("after a stale event: %q %q", slug, name)
	}
}

// TestProductChangedRedeliveryChangesNothing replays every event to a fresh
// durable consumer, which is what JetStream does after a crash between the
// handler's commit and its ack: the inbox recognises each event and skips it.
func TestProductChangedRedeliveryChangesNothing(t *testing.T) {
	t.Parallel()
	e := start(t, startOptions{noCatalog: true})
	product := uuid.NewString()
	t0 := time.Now().Add(-time.Hour).UTC()
	line := insertLine(t, e, product, "Old name", t0)
	id := uuid.NewString()
	publishProductChanged(t, e, id, &catalogv1.ProductChanged{
		ProductId: product, Change: catalogv1.ProductChanged_CHANGE_UPDATED,
		Slug: "v2", Name: "Version 2", OccurTime: timestamppb.New(t0.Add(time.Minute)),
	})
	processed(t, e, id)

	// Mark the line so that a second application of the event would show:
	// without the inbox, the replayed event would overwrite this.
	if _, err := e.db.Exec(context.Background(),
		`UPDATE cart_lines SET product_name = 'marker', product_synced_at = '-infinity' WHERE id = $1`, line); err != nil {
		t.Fatal(err)
	}
	// The same event published again is dropped by JetStream's dedupe window.
	publishProductChanged(t, e, id, &catalogv1.ProductChanged{
		ProductId: product, Slug: "v2", Name: "Version 2", OccurTime: timestamppb.New(t0.Add(time.Minute)),
	})

	// Stop the service, forget the consumer's position and start again: every
	// event is delivered anew.
	e.stop()
	if err := e.js.DeleteConsumer(context.Background(), "CATALOG", "cart-product-changed"); err != nil {
		t.Fatal(err)
	}
	e = e.restart(t)
	marker := uuid.NewString()
	publishProductChanged(t, e, marker, &catalogv1.ProductChanged{
		ProductId: uuid.NewString(), Name: "x", OccurTime: timestamppb.Now(),
	})
	processed(t, e, marker) // events are handled in order: the replay is done
	cons, err := e.js.Consumer(context.Background(), "CATALOG", "cart-product-changed")
	if err != nil {
		t.Fatal(err)
	}
	if info := cons.CachedInfo(); info.Delivered.Consumer < 2 {
		t.Fatalf("the new consumer delivered %d messages; want the replayed event and the marker", info.Delivered.Consumer)
	}

	if _, name := lineNames(t, e, line); name != "marker" {
		t.Fatalf("redelivered event was applied again: name = %q", name)
	}
	var count int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM inbox WHERE event_id = $1`, id).Scan(&count); err != nil || count != 1 {
		t.Fatalf("inbox rows for the event = %d, %v", count, err)
	}
}
