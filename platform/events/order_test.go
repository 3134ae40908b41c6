package events

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Three relays and three consumer replicas, with handlers that fail
// transiently and acks that get lost, apply every aggregate's events once and
// in order — also for a consumer that reads only one of the subjects.
func TestThreeRelaysThreeConsumersKeepAggregateOrder(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zap.NewNop()
	if _, err := r.pool.Exec(ctx, `CREATE TABLE applied (n bigint GENERATED ALWAYS AS IDENTITY, consumer text, aggregate text, seq bigint, subject text)`); err != nil {
		t.Fatal(err)
	}

	var stops []context.CancelFunc
	for i := range 3 {
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		if i == 0 {
			stops = append(stops, stop)
		}
		go NewRelay(r.pool, r.js, "svc", log, RelayOptions{Lease: time.Second, Batch: 50}).Run(rctx) //nolint:errcheck
	}
	record := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		if rand.IntN(10) == 0 {
			return context.DeadlineExceeded // transient: retried, never dead-lettered
		}
		_, err := tx.Exec(ctx, `INSERT INTO applied (consumer, aggregate, seq, subject) VALUES ($1, $2, $3, $4)`,
			consumerOf(ctx), d.AggregateID, d.AggregateSeq, d.Subject)
		return err
	}
	for i := range 3 {
		for _, c := range []ConsumerConfig{
			{Name: "all", Subjects: []string{"svc.>"}},
			{Name: "b-only", Subjects: []string{"svc.b"}},
		} {
			c.Service, c.Backoff, c.MaxBackoff, c.AckWait, c.Concurrency = "svc", 10*time.Millisecond, 50*time.Millisecond, time.Second, 4
			c.skipAck = func(Delivery) bool { return rand.IntN(20) == 0 } // a lost ack: redelivered
			cctx, stop := context.WithCancel(withConsumer(ctx, c.Name))
			defer stop()
			if i == 0 {
				stops = append(stops, stop)
			}
			go Consume(cctx, r.js, r.pool, log, c, record) //nolint:errcheck
		}
	}

	const producers, perProducer, aggregates = 6, 60, 12
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range perProducer {
				if p == 0 && i == perProducer/2 {
					for _, stop := range stops {
						stop() // one relay and one replica of each consumer die mid-flow
					}
				}
				agg := fmt.Sprintf("agg-%d", rand.IntN(aggregates))
				err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error {
					for range 1 + rand.IntN(2) {
						subject := []string{"svc.a", "svc.b"}[rand.IntN(2)]
						if _, err := Enqueue(ctx, tx, subject, wrapperspb.String(agg), Aggregate(agg)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()

	var total, bs int
	if err := r.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE subject = 'svc.b') FROM outbox`).Scan(&total, &bs); err != nil {
		t.Fatal(err)
	}
	count := func(consumer string) (n int) {
		_ = r.pool.QueryRow(ctx, `SELECT count(*) FROM applied WHERE consumer = $1`, consumer).Scan(&n)
		return n
	}
	deadline := time.Now().Add(40 * time.Second)
	for count("all") < total || count("b-only") < bs {
		if time.Now().After(deadline) {
			var unsent int
			_ = r.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&unsent)
			rows, _ := r.pool.Query(ctx, `SELECT partition, owner, lease_until > now() FROM outbox_partitions ORDER BY 1`)
			parts, _ := pgx.CollectRows(rows, func(rw pgx.CollectableRow) (string, error) {
				var p int
				var o string
				var live bool
				err := rw.Scan(&p, &o, &live)
				return fmt.Sprintf("%d:%.4s:%v", p, o, live), err
			})
			t.Fatalf("applied %d of %d (all) and %d of %d (b-only); %d unsent; partitions %v", count("all"), total, count("b-only"), bs, unsent, parts)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("all applied %s after the last commit", time.Until(deadline.Add(-40*time.Second)).Abs().Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond) // anything applied twice would show now

	// Each consumer applied exactly the events it reads, each once, in the
	// order of the aggregate's sequence.
	for consumer, subjects := range map[string][]string{"all": {"svc.a", "svc.b"}, "b-only": {"svc.b"}} {
		const q = `SELECT o.aggregate_id, coalesce(array_agg(o.aggregate_seq ORDER BY o.aggregate_seq), '{}'),
				coalesce((SELECT array_agg(a.seq ORDER BY a.n) FROM applied a WHERE a.consumer = $1 AND a.aggregate = o.aggregate_id), '{}')
			FROM outbox o WHERE o.subject = ANY($2) GROUP BY o.aggregate_id`
		rows, err := r.pool.Query(ctx, q, consumer, subjects)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var agg string
			var want, got []int64
			if err := rows.Scan(&agg, &want, &got); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s applied %s's events as %v, want %v", consumer, agg, got, want)
			}
		}
		rows.Close()
	}
	var dead int
	if letters, err := DeadLetters(ctx, r.js, ""); err == nil {
		dead = len(letters)
	}
	if dead != 0 {
		t.Errorf("%d dead letters; transient failures must never dead-letter", dead)
	}
}

type consumerKey struct{}

func withConsumer(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, consumerKey{}, name)
}

func consumerOf(ctx context.Context) string { s, _ := ctx.Value(consumerKey{}).(string); return s }
