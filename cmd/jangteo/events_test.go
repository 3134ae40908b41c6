package main

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// An event whose handler fails permanently shows in `jangteo events
// deadletters`, and `jangteo events replay` applies it once the handler is fixed.
func TestEventsDeadLettersAndReplay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := postgres.Connect(ctx, testkit.Database(t), "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := events.Setup(ctx, pool); err != nil {
		t.Fatal(err)
	}
	cfg := eventsConfig{NATSURL: testkit.NATS(t)}
	nc, err := nats.Connect(cfg.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)

	var id string
	err = postgres.InTx(ctx, pool, func(tx pgx.Tx) error {
		id, err = events.Enqueue(ctx, tx, "shop.order_paid", wrapperspb.String("order-1"), events.Aggregate("order-1"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	go events.NewRelay(pool, js, "shop", zap.NewNop(), events.RelayOptions{}).Run(ctx) //nolint:errcheck
	var fixed, applied atomic.Bool
	h := func(ctx context.Context, tx pgx.Tx, d events.Delivery) error {
		if !fixed.Load() {
			return events.Permanent(errors.New("warehouse unknown"))
		}
		applied.Store(true)
		return nil
	}
	go events.Consume(ctx, js, pool, zap.NewNop(), events.ConsumerConfig{Name: "mailer", Service: "shop", Subjects: []string{"shop.>"}}, h) //nolint:errcheck

	run := func(args ...string) string {
		t.Helper()
		var out strings.Builder
		if err := runEvents(ctx, cfg, args, &out); err != nil {
			t.Fatalf("jangteo events %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(run("deadletters"), id) {
		if time.Now().After(deadline) {
			t.Fatalf("dead letter never listed:\n%s", run("deadletters"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := run("deadletters", "--consumer", "mailer"); !strings.Contains(out, "shop.order_paid") || !strings.Contains(out, "warehouse unknown") {
		t.Fatalf("deadletters --consumer mailer:\n%s", out)
	}
	if out := run("deadletters", "--consumer", "other"); !strings.Contains(out, "no dead letters") {
		t.Fatalf("another consumer's dead letters:\n%s", out)
	}
	var out strings.Builder
	if err := runEvents(ctx, cfg, []string{"replay", "mailer", "--id", "not-an-event"}, &out); err == nil {
		t.Fatal("replaying an unknown id succeeded")
	}

	fixed.Store(true)
	if out := run("replay", "mailer", "--id", id); !strings.Contains(out, "replayed 1 dead letter") {
		t.Fatalf("replay: %s", out)
	}
	for !applied.Load() {
		if time.Now().After(deadline) {
			t.Fatal("replayed event not applied")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := run("deadletters"); !strings.Contains(out, "no dead letters") {
		t.Fatalf("dead letters after replay:\n%s", out)
	}
}
