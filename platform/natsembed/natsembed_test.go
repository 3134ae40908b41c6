package natsembed

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap/zaptest"
)

func TestPublishConsumeAndKeepStreamsAcrossRestart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()

	s, err := Start(Options{Dir: dir, Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Shutdown()
	if !strings.HasPrefix(s.ClientURL(), "nats://127.0.0.1:") {
		t.Errorf("ClientURL() = %q, want nats://127.0.0.1:<port>", s.ClientURL())
	}
	js := connect(t, s.ClientURL())
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDER", Subjects: []string{"order.>"}})
	if err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	// The outbox relay relies on Nats-Msg-Id dedupe; a second publish of the
	// same id must not add a message.
	for range 2 {
		if _, err := js.Publish(ctx, "order.created", []byte("order-1"), jetstream.WithMsgID("evt-1")); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "payment", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		t.Fatalf("CreateOrUpdateConsumer: %v", err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if got := string(msg.Data()); got != "order-1" {
		t.Errorf("consumed %q, want %q", got, "order-1")
	}
	if err := msg.DoubleAck(ctx); err != nil {
		t.Fatalf("ack: %v", err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("stream holds %d messages, want 1 (duplicate Nats-Msg-Id must be dropped)", info.State.Msgs)
	}
	s.Shutdown()

	// `jangteo dev` keeps Dir between runs, so streams must survive.
	s, err = Start(Options{Dir: dir, Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatalf("second Start: %v", err)
	}
	defer s.Shutdown()
	js = connect(t, s.ClientURL())
	stream, err = js.Stream(ctx, "ORDER")
	if err != nil {
		t.Fatalf("stream after restart: %v", err)
	}
	if info, err := stream.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Errorf("after restart: info %+v, err %v, want 1 message", info, err)
	}
}

func TestTempStoreRemovedOnShutdown(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	tmp := s.tempDir
	if tmp == "" {
		t.Fatal("no temporary store directory")
	}
	s.Shutdown()
	s.Shutdown() // must be safe to call twice
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("stat %s after Shutdown: %v, want not exist", tmp, err)
	}
}

func TestStartFailsWhenPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	began := time.Now()
	_, err = Start(Options{Port: port})
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(port)) {
		t.Fatalf("Start on taken port %d: err = %v, want an error naming the port", port, err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("failing Start took %s, want it to fail fast", took)
	}
}

func connect(t *testing.T, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream: %v", err)
	}
	return js
}

// A three-server cluster keeps a stream at three replicas, and the stream
// keeps taking messages when a server is lost.
func TestClusterSurvivesLosingAServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := StartCluster(3, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	nc, err := nats.Connect(c.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ORDER", Subjects: []string{"order.>"}, Replicas: 3})
	if err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	if _, err := js.Publish(ctx, "order.created", []byte("1")); err != nil {
		t.Fatal(err)
	}
	c.Servers[0].Shutdown()
	deadline := time.Now().Add(30 * time.Second)
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.Publish(attempt, "order.created", []byte("2"), jetstream.WithMsgID("2"))
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("publish after losing a server: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || info.Config.Replicas != 3 {
		t.Fatalf("stream holds %d messages at %d replicas, want 2 at 3", info.State.Msgs, info.Config.Replicas)
	}
}
