package events

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"go.uber.org/zap"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/jangteo/jangteo/platform/postgres"
)

// BenchmarkRelay measures how fast relays drain a backlog of committed
// events into JetStream (events/s, with one and with three relay replicas),
// and the latency from a producer's commit to a consumer's handler at a
// light and at a busy steady rate (p50, p99, and both legs: commit → stream,
// stream → handler). It prints a table; the work is the same whatever b.N is.
func BenchmarkRelay(b *testing.B) {
	const backlog, aggregates = 20000, 1000
	type row struct{ what, result string }
	var table []row
	for _, relays := range []int{1, 3} {
		rate := drain(b, relays, backlog, aggregates)
		b.ReportMetric(rate, fmt.Sprintf("events/s/%drelays", relays))
		table = append(table, row{fmt.Sprintf("relay: %d committed events, %d relay(s)", backlog, relays), fmt.Sprintf("%.0f events/s", rate)})
	}
	const seconds = 3
	for _, steady := range []int{100, 1000} {
		l := latency(b, steady, seconds)
		b.ReportMetric(ms(l.total.p50), fmt.Sprintf("p50-ms@%d/s", steady))
		b.ReportMetric(ms(l.total.p99), fmt.Sprintf("p99-ms@%d/s", steady))
		table = append(table,
			row{fmt.Sprintf("commit → consumer at %d events/s for %ds", steady, seconds), l.total.String()},
			row{"  of which commit → in the stream (notify, relay)", l.relay.String()},
			row{"  of which stream → consumer's handler", l.consume.String()})
	}

	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "\nevents relay and consumer (PostgreSQL outbox → JetStream → inbox)")
	for _, r := range table {
		fmt.Fprintf(w, "  %s\t%s\n", r.what, r.result)
	}
	_ = w.Flush()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drain enqueues n events, then runs relays replicas until all are published
// and returns the rate.
func drain(b *testing.B, relays, n, aggregates int) float64 {
	r := newRig(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := EnsureStream(ctx, r.js, "svc"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 1000 {
		err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error {
			for j := i; j < min(i+1000, n); j++ {
				if _, err := Enqueue(ctx, tx, "svc.thing_happened", wrapperspb.String("x"), Aggregate(strconv.Itoa(j%aggregates))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	for range relays {
		go NewRelay(r.pool, r.js, "svc", zap.NewNop(), RelayOptions{}).Run(ctx) //nolint:errcheck
	}
	// Watch the stream, not the outbox: polling the table would slow the relays.
	stream, err := r.js.Stream(ctx, StreamName("svc"))
	if err != nil {
		b.Fatal(err)
	}
	for {
		info, err := stream.Info(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if info.State.Msgs >= uint64(n) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	return float64(n) / elapsed.Seconds()
}

// percentiles are a latency's 50th and 99th percentiles.
type percentiles struct{ p50, p99 time.Duration }

func (p percentiles) String() string {
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms", ms(p.p50), ms(p.p99))
}

func percentilesOf(lat []time.Duration) percentiles {
	if len(lat) == 0 {
		return percentiles{}
	}
	slices.Sort(lat)
	return percentiles{lat[len(lat)/2], lat[len(lat)*99/100]}
}

// latencies split the way from a commit to a consumer's handler.
type latencies struct{ total, relay, consume percentiles }

// latency commits rate events a second (in transactions of ten) for the
// given seconds with a relay and a consumer running, and returns the
// commit-to-handler latency's 50th and 99th percentiles, and those of its
// two legs (when the stream stored each event is seen by a plain NATS
// subscriber). The producers have their own pool, as another service would.
func latency(b *testing.B, rate, seconds int) latencies {
	r := newRig(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	producers, err := postgres.Connect(ctx, r.url, "svc")
	if err != nil {
		b.Fatal(err)
	}
	defer producers.Close()
	var committed, streamed, received sync.Map // event id → time
	var n atomic.Int64
	sub, err := r.js.Conn().Subscribe("svc.>", func(m *nats.Msg) {
		streamed.LoadOrStore(m.Header.Get(HeaderEventID), time.Now())
	})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Unsubscribe() //nolint:errcheck
	h := func(ctx context.Context, tx pgx.Tx, d Delivery) error {
		if _, loaded := received.LoadOrStore(d.ID, time.Now()); !loaded {
			n.Add(1)
		}
		return nil
	}
	go NewRelay(r.pool, r.js, "svc", zap.NewNop(), RelayOptions{}).Run(ctx)                                                    //nolint:errcheck
	go Consume(ctx, r.js, r.pool, zap.NewNop(), ConsumerConfig{Name: "bench", Service: "svc", Subjects: []string{"svc.>"}}, h) //nolint:errcheck
	time.Sleep(500 * time.Millisecond)

	const perTx = 10
	total := rate * seconds
	tick := time.NewTicker(time.Second / time.Duration(rate/perTx))
	defer tick.Stop()
	var wg sync.WaitGroup
	for i := 0; i < total; i += perTx {
		<-tick.C
		wg.Go(func() {
			ids := make([]string, 0, perTx)
			err := postgres.InTx(ctx, producers, func(tx pgx.Tx) error {
				ids = ids[:0]
				for j := range perTx {
					id, err := Enqueue(ctx, tx, "svc.thing_happened", wrapperspb.String("x"), Aggregate(strconv.Itoa((i+j)%500)))
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
			now := time.Now()
			for _, id := range ids {
				committed.Store(id, now)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for n.Load() < int64(total) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d events reached the consumer", n.Load(), total)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var all, relay, consume []time.Duration
	committed.Range(func(id, at any) bool {
		c := at.(time.Time)
		got, ok := received.Load(id)
		if !ok {
			return true
		}
		all = append(all, max(got.(time.Time).Sub(c), 0))
		if s, ok := streamed.Load(id); ok {
			relay = append(relay, max(s.(time.Time).Sub(c), 0))
			consume = append(consume, max(got.(time.Time).Sub(s.(time.Time)), 0))
		}
		return true
	})
	return latencies{percentilesOf(all), percentilesOf(relay), percentilesOf(consume)}
}
