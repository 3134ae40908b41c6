package events

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/natsembed"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// A database outage longer than MaxAttempts retries dead-letters nothing:
// the consumer waits it out and applies every event once.
func TestConsumerRidesOutDatabaseOutage(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)

	// The consumer reaches PostgreSQL through a proxy the test cuts.
	u, _ := url.Parse(r.url)
	proxy := testkit.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	cpool, err := postgres.Connect(ctx, u.String(), "svc")
	if err != nil {
		t.Fatal(err)
	}
	defer cpool.Close()

	for i := range 5 {
		r.enqueue(t, "v"+strconv.Itoa(i))
	}
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRelay(r.pool, r.js, "svc", log, RelayOptions{}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	proxy.Cut()
	// A relay that cannot reach the database either logs that once.
	core, logs := observer.New(zap.InfoLevel)
	go NewRelay(cpool, r.js, "svc", zap.New(core), RelayOptions{}).Run(ctx) //nolint:errcheck
	var calls atomic.Int32
	cfg := ConsumerConfig{Name: "test-outage", Service: "svc", Subjects: []string{"svc.>"},
		MaxAttempts: 2, Backoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	go Consume(ctx, r.js, cpool, zap.New(core), cfg, record(&calls)) //nolint:errcheck
	time.Sleep(2 * time.Second)                                      // many more deliveries than MaxAttempts fail
	proxy.Restore()
	waitFor(t, "every effect", func() bool { return r.effects(t) == 5 })
	if letters, _ := DeadLetters(ctx, r.js, "test-outage"); len(letters) != 0 {
		t.Fatalf("%d dead letters after an outage; want none", len(letters))
	}
	waitFor(t, "the relay's all-clear", func() bool { return logs.FilterMessage("outbox relay publishing again").Len() == 1 })
	for _, msg := range []string{
		"outbox relay cannot publish; retrying until it can", "outbox relay publishing again",
		"consumer cannot apply events; retrying until it can", "consumer applying events again",
	} {
		if n := logs.FilterMessage(msg).Len(); n != 1 {
			t.Errorf("%q logged %d times over one outage, want once", msg, n)
		}
	}
}

// Transient errors from a handler (a deadline, a refused connection) retry
// past MaxAttempts; a permanent one dead-letters at once, lets the
// aggregate's later events go on, and can be replayed.
func TestPoisonDeadLettersAtOnceAndReplays(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)

	enqueue := func(v string) string {
		var id string
		err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error {
			var err error
			id, err = Enqueue(ctx, tx, "svc.thing_happened", wrapperspb.String(v), Aggregate("thing"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	flaky := enqueue("flaky")
	poison := enqueue("poison")
	enqueue("after")
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRelay(r.pool, r.js, "svc", log, RelayOptions{}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var fixed atomic.Bool
	// handled is, per event, the deliveries its handler ran in (a handler
	// may run twice in one: in a batch, then alone when the batch failed).
	var mu sync.Mutex
	handled := map[string]map[int]bool{flaky: {}, poison: {}}
	deliveries := func(id string) int { mu.Lock(); defer mu.Unlock(); return len(handled[id]) }
	var effects atomic.Int32
	h := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		mu.Lock()
		if handled[d.ID] != nil {
			handled[d.ID][d.Attempt] = true
		}
		mu.Unlock()
		var v wrapperspb.StringValue
		if err := d.Decode(&v); err != nil {
			return err
		}
		switch {
		case v.GetValue() == "flaky" && d.Attempt <= 4:
			return []error{context.DeadlineExceeded, &net.OpError{Op: "dial", Err: errors.New("connection refused")}}[d.Attempt%2]
		case v.GetValue() == "poison" && !fixed.Load():
			return Permanent(errors.New("no such warehouse"))
		}
		return record(&effects)(ctx, tx, d)
	}
	cfg := ConsumerConfig{Name: "test-poison", Service: "svc", Subjects: []string{"svc.>"}, MaxAttempts: 2, Backoff: 10 * time.Millisecond}
	go Consume(ctx, r.js, r.pool, log, cfg, h) //nolint:errcheck

	waitFor(t, "flaky and after applied", func() bool { return r.effects(t) == 2 })
	letters, err := DeadLetters(ctx, r.js, "test-poison")
	if err != nil {
		t.Fatal(err)
	}
	if len(letters) != 1 || letters[0].EventID != poison || letters[0].Subject != "svc.thing_happened" || letters[0].Error != "no such warehouse" {
		t.Fatalf("dead letters = %+v; want only the poison event", letters)
	}
	if n := deliveries(poison); n != 1 {
		t.Fatalf("poison delivered %d times; a permanent error must not be retried", n)
	}
	if n := deliveries(flaky); n != 5 {
		t.Fatalf("flaky delivered %d times; want 4 transient failures and a success", n)
	}

	fixed.Store(true)
	if n, err := Replay(ctx, r.js, "test-poison", poison); err != nil || n != 1 {
		t.Fatalf("Replay = %d, %v", n, err)
	}
	waitFor(t, "the replayed event", func() bool { return r.effects(t) == 3 })
	if letters, _ := DeadLetters(ctx, r.js, "test-poison"); len(letters) != 0 {
		t.Fatalf("dead letters after replay = %+v", letters)
	}
}

// A relay and a consumer started while NATS is down connect when it comes
// up, and each says so once, not on every retry.
func TestStartWhileNATSIsDown(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	core, logs := observer.New(zap.InfoLevel)
	log := zap.New(core)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	nc, err := nats.Connect("nats://127.0.0.1:"+strconv.Itoa(port), nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	go NewRelay(r.pool, js, "svc", log, RelayOptions{}).Run(ctx)                                                                     //nolint:errcheck
	go Consume(ctx, js, r.pool, log, ConsumerConfig{Name: "test-late", Service: "svc", Subjects: []string{"svc.>"}}, record(&calls)) //nolint:errcheck
	r.enqueue(t, "early")
	time.Sleep(time.Second)

	srv, err := natsembed.Start(natsembed.Options{Dir: t.TempDir(), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	waitFor(t, "the effect", func() bool { return r.effects(t) == 1 })
	for _, msg := range []string{"outbox relay cannot publish; retrying until it can", "consumer cannot apply events; retrying until it can"} {
		if n := logs.FilterMessage(msg).Len(); n > 1 {
			t.Errorf("%q logged %d times, want at most once", msg, n)
		}
	}
}

// A committed event reaches the consumer at once: the relay is woken by
// pg_notify, not by its (here hour-long) fallback tick.
func TestRelayWakesOnCommit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)
	go NewRelay(r.pool, r.js, "svc", log, RelayOptions{Fallback: time.Hour, Lease: time.Hour}).Run(ctx) //nolint:errcheck
	var calls atomic.Int32
	go Consume(ctx, r.js, r.pool, log, ConsumerConfig{Name: "test-wake", Service: "svc", Subjects: []string{"svc.>"}}, record(&calls)) //nolint:errcheck
	time.Sleep(500 * time.Millisecond)                                                                                                 // both are idle now
	start := time.Now()
	r.enqueue(t, "now")
	waitFor(t, "the effect", func() bool { return r.effects(t) == 1 })
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("event took %s to arrive", d)
	}
}

// A relay and a consumer ride out a NATS restart: events committed while NATS
// is down are published and applied once it is back.
func TestRideOutNATSRestart(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := zaptest.NewLogger(t)

	dir := t.TempDir()
	srv, err := natsembed.Start(natsembed.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	url := srv.ClientURL()
	port, _ := strconv.Atoi(url[strings.LastIndex(url, ":")+1:])
	nc, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	var calls atomic.Int32
	go NewRelay(r.pool, js, "svc", log, RelayOptions{}).Run(ctx) //nolint:errcheck
	cfg := ConsumerConfig{Name: "test-restart", Service: "svc", Subjects: []string{"svc.>"}, MaxAttempts: 1, Backoff: 20 * time.Millisecond}
	go Consume(ctx, js, r.pool, log, cfg, record(&calls)) //nolint:errcheck
	r.enqueue(t, "before")
	waitFor(t, "the first effect", func() bool { return r.effects(t) == 1 })

	srv.Shutdown()
	for i := range 3 {
		r.enqueue(t, "during"+strconv.Itoa(i))
	}
	time.Sleep(time.Second)
	if srv, err = natsembed.Start(natsembed.Options{Dir: dir, Port: port}); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	waitFor(t, "every effect", func() bool { return r.effects(t) == 4 })
	if letters, _ := DeadLetters(ctx, js, "test-restart"); len(letters) != 0 {
		t.Fatalf("%d dead letters after a NATS restart", len(letters))
	}
}
