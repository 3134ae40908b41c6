package events

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

type rig struct {
	url  string
	pool *pgxpool.Pool
	js   jetstream.JetStream
}

func newRig(t testing.TB) rig {
	t.Helper()
	ctx := context.Background()
	url := testkit.Database(t) + "&pool_max_conns=16"
	pool, err := postgres.Connect(ctx, url, "svc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := Setup(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE effects (event_id text, value text)`); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(testkit.NATS(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return rig{url: url, pool: pool, js: js}
}

func (r rig) enqueue(t *testing.T, value string) string {
	t.Helper()
	var id string
	err := postgres.InTx(context.Background(), r.pool, func(tx pgx.Tx) error {
		var err error
		id, err = Enqueue(context.Background(), tx, "svc.thing_happened", wrapperspb.String(value))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// record is a handler whose effect is one row per applied event.
func record(calls *atomic.Int32) Handler {
	return func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		calls.Add(1)
		var v wrapperspb.StringValue
		if err := d.Decode(&v); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO effects VALUES ($1, $2)`, d.ID, v.GetValue())
		return err
	}
}

func (r rig) effects(t *testing.T) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(context.Background(), `SELECT count(*) FROM effects`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRelayPublishingTwiceHasOneEffect(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	id := r.enqueue(t, "hello")
	relay := NewRelay(r.pool, r.js, "svc", log, RelayOptions{})
	if n, err := relay.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("Flush = %d, %v; want 1", n, err)
	}
	// A relay that crashed after publishing but before marking the row sent
	// publishes it again; JetStream drops the duplicate by Nats-Msg-Id.
	if _, err := r.pool.Exec(ctx, `UPDATE outbox SET published_at = NULL WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if n, err := relay.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("second Flush = %d, %v; want 1", n, err)
	}
	stream, _ := r.js.Stream(ctx, StreamName("svc"))
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Fatalf("stream holds %d messages, want 1", info.State.Msgs)
	}

	var calls atomic.Int32
	go Consume(ctx, r.js, r.pool, log, ConsumerConfig{Name: "test-once", Service: "svc", Subjects: []string{"svc.thing_happened"}}, record(&calls)) //nolint:errcheck
	waitFor(t, "the effect", func() bool { return r.effects(t) == 1 })
	time.Sleep(300 * time.Millisecond)
	if n := r.effects(t); n != 1 || calls.Load() != 1 {
		t.Fatalf("effects = %d, handler calls = %d; want 1 and 1", n, calls.Load())
	}
}

func TestRedeliveredEventHasOneEffect(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)
	r.enqueue(t, "again")
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRelay(r.pool, r.js, "svc", log, RelayOptions{}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var calls, deliveries atomic.Int32
	cfg := ConsumerConfig{
		Name: "test-redeliver", Service: "svc", Subjects: []string{"svc.>"},
		AckWait: 500 * time.Millisecond,
		// The first delivery's ack is lost, as when a consumer dies after
		// committing: JetStream redelivers the message.
		skipAck: func(d Delivery) bool { deliveries.Add(1); return d.Attempt == 1 },
	}
	go Consume(ctx, r.js, r.pool, log, cfg, record(&calls)) //nolint:errcheck
	waitFor(t, "the redelivery", func() bool { return deliveries.Load() >= 2 })
	if n := r.effects(t); n != 1 || calls.Load() != 1 {
		t.Fatalf("effects = %d, handler calls = %d after %d deliveries; want 1 and 1", n, calls.Load(), deliveries.Load())
	}
}

func TestFailingEventGoesToDeadLetter(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)
	id := r.enqueue(t, "poison")
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRelay(r.pool, r.js, "svc", log, RelayOptions{}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	failing := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		calls.Add(1)
		_, _ = tx.Exec(ctx, `INSERT INTO effects VALUES ($1, 'half-written')`, d.ID)
		return errors.New("no such thing") // neither transient nor permanent
	}
	cfg := ConsumerConfig{Name: "test-poison", Service: "svc", Subjects: []string{"svc.>"}, MaxAttempts: 3, Backoff: 10 * time.Millisecond}
	go Consume(ctx, r.js, r.pool, log, cfg, failing) //nolint:errcheck

	var dead jetstream.Stream
	waitFor(t, "the dead letter", func() bool {
		var err error
		if dead, err = r.js.Stream(ctx, DeadLetterStream); err != nil {
			return false
		}
		info, err := dead.Info(ctx)
		return err == nil && info.State.Msgs == 1
	})
	msg, err := dead.GetLastMsgForSubject(ctx, "deadletter.test-poison")
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Jangteo-Event-Id"); got != id {
		t.Fatalf("dead letter event id = %q, want %q", got, id)
	}
	if calls.Load() != 3 {
		t.Fatalf("handler calls = %d, want 3", calls.Load())
	}
	if n := r.effects(t); n != 0 {
		t.Fatalf("effects = %d; a failed handler must leave nothing behind", n)
	}
}

func TestPurgePublishedKeepsRecentAndUnsent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	old, recent, unsent := r.enqueue(t, "old"), r.enqueue(t, "recent"), r.enqueue(t, "unsent")
	_, err := r.pool.Exec(ctx, `UPDATE outbox SET published_at = CASE id WHEN $1 THEN now() - interval '8 days' ELSE now() END WHERE id IN ($1, $2)`, old, recent)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := PurgePublished(ctx, r.pool); err != nil || n != 1 {
		t.Fatalf("PurgePublished = %d, %v; want 1", n, err)
	}
	var left []string
	rows, _ := r.pool.Query(ctx, `SELECT id::text FROM outbox ORDER BY position`)
	left, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(left) != 2 || left[0] != recent || left[1] != unsent {
		t.Fatalf("outbox after purge = %v, %v; want the recent and the unsent event", left, err)
	}
}
