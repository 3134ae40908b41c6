package events

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/natsembed"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// TestCluster runs the event path as production does: a three-server NATS
// JetStream cluster with streams at three replicas, two replicas of a
// producer ("catalog": use cases writing product changes and a relay each)
// and two of a consumer ("cart") on one database, and a steady flow of
// product changes. Mid-flow one NATS server, one producer replica and one
// consumer replica die. Every change is then applied exactly once, and in
// order per product. (make test-cluster)
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test: run without -short (make test-cluster)")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zap.NewNop()
	nc, err := natsembed.StartCluster(3, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Shutdown()
	db := testkit.Database(t)
	if _, err := connectSchema(t, ctx, db, "cart").Exec(ctx, `CREATE TABLE applied (n bigint GENERATED ALWAYS AS IDENTITY, product text, seq bigint)`); err != nil {
		t.Fatal(err)
	}

	// A replica is a process: its own pool, NATS connection and context.
	type replica struct {
		pool *pgxpool.Pool
		js   jetstream.JetStream
		conn *nats.Conn
		stop context.CancelFunc
		ctx  context.Context
	}
	start := func(schema string) *replica {
		r := &replica{pool: connectSchema(t, ctx, db, schema)}
		r.conn, err = nats.Connect(nc.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond), nats.RetryOnFailedConnect(true))
		if err != nil {
			t.Fatal(err)
		}
		r.js, _ = jetstream.New(r.conn)
		r.ctx, r.stop = context.WithCancel(ctx)
		return r
	}
	// kill ends a replica as a crash would: its connections drop first, so
	// it cannot hand its work over cleanly.
	kill := func(r *replica) {
		r.conn.Close()
		r.pool.Close()
		r.stop()
	}
	var producers, consumers []*replica
	var handled atomic.Int64
	apply := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		handled.Add(1)
		_, err := tx.Exec(ctx, `INSERT INTO applied (product, seq) VALUES ($1, $2)`, d.AggregateID, d.AggregateSeq)
		return err
	}
	for range 2 {
		p := start("catalog")
		producers = append(producers, p)
		go NewRelay(p.pool, p.js, "catalog", log, RelayOptions{StreamReplicas: 3, Lease: 2 * time.Second, AckWait: 3 * time.Second}).Run(p.ctx) //nolint:errcheck
		c := start("cart")
		consumers = append(consumers, c)
		cfg := ConsumerConfig{Name: "cart-product-changed", Service: "catalog", Subjects: []string{"catalog.product_changed"},
			StreamReplicas: 3, AckWait: 3 * time.Second, Backoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
		go Consume(c.ctx, c.js, c.pool, log, cfg, apply) //nolint:errcheck
	}

	// The flow: each producer replica changes random products, one change a
	// transaction, for a few seconds; mid-flow the failures happen.
	const products, flow = 25, 8 * time.Second
	var wg sync.WaitGroup
	var changes, next atomic.Int64
	for _, p := range producers {
		wg.Go(func() {
			for t0 := time.Now(); time.Since(t0) < flow && p.ctx.Err() == nil; {
				// Round robin, so every product changes however slow the machine.
				product := fmt.Sprintf("product-%02d", next.Add(1)%products)
				err := postgres.InTx(p.ctx, p.pool, func(tx pgx.Tx) error {
					_, err := Enqueue(p.ctx, tx, "catalog.product_changed", wrapperspb.String(product), Aggregate(product))
					return err
				})
				if err == nil {
					changes.Add(1)
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	time.Sleep(flow / 3)
	nc.Servers[0].Shutdown()
	kill(producers[1])
	kill(consumers[1])
	t.Logf("killed NATS server n1, producer replica 2 and consumer replica 2 after %d changes", changes.Load())
	wg.Wait()

	check := connectSchema(t, ctx, db, "cart")
	var committed int64
	if err := check.QueryRow(ctx, `SELECT count(*) FROM catalog.outbox`).Scan(&committed); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var applied int64
		if err := check.QueryRow(ctx, `SELECT count(*) FROM applied`).Scan(&applied); err != nil {
			t.Fatal(err)
		}
		if applied >= committed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("applied %d of %d committed changes", applied, committed)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // a change applied twice would show now

	// Per product, the applied sequence is exactly 1, 2, … n: every change
	// once, in the order it was committed.
	const q = `SELECT o.aggregate_id, array_agg(o.aggregate_seq ORDER BY o.aggregate_seq),
			coalesce((SELECT array_agg(a.seq ORDER BY a.n) FROM applied a WHERE a.product = o.aggregate_id), '{}')
		FROM catalog.outbox o GROUP BY o.aggregate_id`
	rows, err := check.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var product string
		var want, got []int64
		if err := rows.Scan(&product, &want, &got); err != nil {
			t.Fatal(err)
		}
		seen++
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: applied %v, want %v", product, got, want)
		}
	}
	if seen != products {
		t.Errorf("%d products changed, want %d", seen, products)
	}
	t.Logf("%d changes committed, each applied once and in order; %d handler calls", committed, handled.Load())
}

func connectSchema(t *testing.T, ctx context.Context, url, schema string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := Setup(ctx, pool); err != nil {
		t.Fatal(err)
	}
	return pool
}
