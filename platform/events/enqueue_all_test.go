package events

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zaptest"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/postgres"
)

// Events written at once arrive as events written one by one do, each with
// its own context's correlation.
func TestEnqueueAllPublishesEachEvent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	var evs []Pending
	for i := range 50 {
		evs = append(evs, Pending{Ctx: WithCorrelation(ctx, fmt.Sprint("corr-", i), ""), Subject: "svc.thing_happened", Msg: wrapperspb.String(fmt.Sprint("v", i))})
	}
	err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error { return EnqueueAll(ctx, tx, evs) })
	if err != nil {
		t.Fatal(err)
	}
	if err := EnqueueAll(ctx, r.pool, nil); err != nil {
		t.Fatal(err)
	}
	var n, correlated int
	if err := r.pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE correlation_id = 'corr-' || substr(convert_from(substr(payload, 3), 'UTF8'), 2))
		FROM outbox`).Scan(&n, &correlated); err != nil {
		t.Fatal(err)
	}
	if n != 50 || correlated != 50 {
		t.Fatalf("%d rows, %d with their own correlation; want 50 and 50", n, correlated)
	}
	relay := NewRelay(r.pool, r.js, "svc", zaptest.NewLogger(t), RelayOptions{})
	if n, err := relay.Flush(ctx); err != nil || n != 50 {
		t.Fatalf("Flush = %d, %v; want 50", n, err)
	}
	var calls atomic.Int32
	go Consume(ctx, r.js, r.pool, zaptest.NewLogger(t), ConsumerConfig{Name: "test-all", Service: "svc", Subjects: []string{"svc.thing_happened"}}, record(&calls)) //nolint:errcheck
	waitFor(t, "every effect", func() bool { return r.effects(t) == 50 })
}
