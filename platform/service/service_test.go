package service

import (
	"context"
	"net"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zaptest"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/events"
	"github.com/jangteo/jangteo/platform/natsembed"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// A service starts while NATS is down, serves, and relays the events its
// use cases committed meanwhile once NATS comes up.
func TestStartsWhileNATSIsDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()

	base := Defaults("127.0.0.1:0")
	base.DatabaseURL, base.NATSURL, base.MetricsAddr = testkit.Database(t), "nats://127.0.0.1:"+strconv.Itoa(port), ""
	migrations := Migrations{FS: fstest.MapFS{"m/0001_things.up.sql": {Data: []byte(`CREATE TABLE things (id int)`)}}, Dir: "m"}
	rt, err := Start(ctx, "svc", base, zaptest.NewLogger(t), migrations, Options{Keys: testkit.NewIssuer().Fetch(), Listener: testkit.Listen(t)})
	if err != nil {
		t.Fatalf("Start with NATS down: %v", err)
	}
	testkit.Run(t, rt)
	var id string
	err = postgres.InTx(ctx, rt.Pool, func(tx pgx.Tx) error {
		id, err = events.Enqueue(ctx, tx, "svc.thing_made", wrapperspb.String("x"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)

	ns, err := natsembed.Start(natsembed.Options{Dir: t.TempDir(), Port: port})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var sent bool
		if err := rt.Pool.QueryRow(ctx, `SELECT published_at IS NOT NULL FROM outbox WHERE id = $1`, id).Scan(&sent); err != nil {
			t.Fatal(err)
		}
		if sent {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("event not relayed after NATS came up")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
