package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zaptest"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/postgres"
)

// A backlog is applied in batches (one transaction for the deliveries
// waiting in a queue); one handler failing rolls its batch back and every
// event is applied alone again, so each still has exactly one effect, the
// failing one after its retry, and each aggregate's events in order.
func TestBatchedDeliveriesFailAlone(t *testing.T) {
	t.Parallel()
	// Calls beyond n + 2 (the two failures) are events re-applied alone
	// after their batch rolled back: proof that batches formed.
	if calls := applyBacklogWithTwoFailures(t, false); calls <= backlog+2 {
		t.Errorf("%d handler calls for %d events with two failures: no batch was rolled back", calls, backlog)
	}
}

// A consumer configured Alone (its handler sends mail or calls another
// service) applies each event in its own transaction: a neighbour's failure
// never runs a handler a second time.
func TestAloneConsumerNeverRepeatsAHandler(t *testing.T) {
	t.Parallel()
	if calls := applyBacklogWithTwoFailures(t, true); calls != backlog+2 {
		t.Errorf("%d handler calls for %d events with two failures, want %d", calls, backlog, backlog+2)
	}
}

// backlog is how many events applyBacklogWithTwoFailures enqueues.
const backlog = 400

// applyBacklogWithTwoFailures puts a backlog of events of four aggregates in
// the stream, two of which fail at their first attempt, consumes it (alone or
// batched), checks that every event had exactly one effect and each
// aggregate's events were applied in order, and returns how many times the
// handler ran.
func applyBacklogWithTwoFailures(t *testing.T, alone bool) int {
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := r.pool.Exec(ctx, `CREATE TABLE applied (aggregate text, seq bigint, n serial)`); err != nil {
		t.Fatal(err)
	}
	const n, aggregates = backlog, 4
	err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error {
		for i := range n {
			if _, err := Enqueue(ctx, tx, "svc.thing_happened", wrapperspb.String(fmt.Sprint(i)), Aggregate(fmt.Sprint(i%aggregates))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The whole backlog is in the stream before the consumer starts, so
	// its queues fill up and batch.
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	relay := NewRelay(r.pool, r.js, "svc", zaptest.NewLogger(t), RelayOptions{})
	for sent := 0; sent < n; {
		k, err := relay.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent += k
	}

	var calls atomic.Int32
	var failedOnce sync.Map // value → true once it has failed
	h := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		calls.Add(1)
		var v wrapperspb.StringValue
		if err := d.Decode(&v); err != nil {
			return err
		}
		if v.GetValue() == "150" || v.GetValue() == "151" {
			if _, failed := failedOnce.LoadOrStore(v.GetValue(), true); !failed {
				return errors.New("first attempt fails")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO effects VALUES ($1, $2)`, d.ID, v.GetValue()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO applied (aggregate, seq) VALUES ($1, $2)`, d.AggregateID, d.AggregateSeq)
		return err
	}
	go Consume(ctx, r.js, r.pool, zaptest.NewLogger(t), ConsumerConfig{ //nolint:errcheck
		Name: "batch", Service: "svc", Subjects: []string{"svc.>"}, Concurrency: 2, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Alone: alone,
	}, h)
	waitFor(t, "every event applied", func() bool { return r.effects(t) >= n })

	var rows, distinct int
	if err := r.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT event_id) FROM effects`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != n || distinct != n {
		t.Errorf("%d effects of %d events, want %d of %d", rows, distinct, n, n)
	}
	const q = `SELECT aggregate, array_agg(seq ORDER BY n) FROM applied GROUP BY aggregate`
	got, err := r.pool.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := pgx.CollectRows(got, pgx.RowToStructByPos[struct {
		Aggregate string
		Seqs      []int64
	}])
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seqs {
		for i, v := range s.Seqs {
			if v != int64(i+1) {
				t.Fatalf("aggregate %s applied %v, want 1, 2, … in order", s.Aggregate, s.Seqs)
			}
		}
	}
	return int(calls.Load())
}
