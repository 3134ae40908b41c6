package order_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/metadata"

	"github.com/jangteo/jangteo/gateway"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

// BenchmarkMarketMatch measures the market's match path on one hot variant
// with a deep book (10,000 resting asks): crossing bids placed by distinct
// buyers at once, each trading with the lowest ask. It prints matched
// orders/s and the p50/p99 latency from placement to the trade persisted
// (the 201 answer comes after the trade's transaction commits), through the
// REST gateway and straight over gRPC. The work is the same whatever b.N is.
func BenchmarkMarketMatch(b *testing.B) {
	const resting, bids, clients, alone = 10000, 1000, 32, 200
	e := start(b, options{})
	api := serveGateway(b, e, func(c *gateway.Config) { c.RateLimits = gateway.RateLimits{} })
	p := e.product(b, "Hot Sneaker", 150000, 0, "270")
	v := variantOf(b, p, "270")
	// The deep book: resting asks from 100 sellers at 500 price levels.
	const seed = `INSERT INTO market_offers (id, side, user_id, variant_id, price, currency, status, expires_at, created_at, updated_at)
		SELECT gen_random_uuid(), 'ask', 'bench-seller-' || (g % 100), $1, 150000 + (g % 500) * 100, 'KRW', 'open',
			now() + interval '30 days', now(), now()
		FROM generate_series(1, $2::int) g`
	if _, err := e.db.Exec(context.Background(), seed, v, resting); err != nil {
		b.Fatal(err)
	}
	rest := func(i int) error {
		body := fmt.Sprintf(`{"variant_id":%q,"price":"300000","expires_in_days":1,"shipping":%s}`, v, shippingJSON)
		req, _ := http.NewRequest(http.MethodPost, api+"/v1/market/bids", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.iss.Token(uuid.NewString(), "customer"))
		req.Header.Set("Idempotency-Key", uuid.NewString())
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusCreated || !strings.Contains(string(raw), `"trade"`) {
			return fmt.Errorf("bid %d: %d %s", i, res.StatusCode, raw)
		}
		return nil
	}
	grpcBid := func(i int) error {
		ctx := metadata.AppendToOutgoingContext(context.Background(),
			"authorization", "Bearer "+e.iss.Token(uuid.NewString(), "customer"), "idempotency-key", uuid.NewString())
		res, err := e.market.PlaceBid(ctx, &orderv1.PlaceBidRequest{VariantId: v, Price: 300000, ExpiresInDays: 1, Shipping: shipping("bench@example.com")})
		if err == nil && res.GetTrade() == nil {
			err = fmt.Errorf("bid %d did not trade", i)
		}
		return err
	}
	run(b, "warm-up", 100, clients, rest)
	b.ResetTimer()
	waiting := sampleLockWaits(e)
	viaREST := run(b, "REST", bids, clients, rest)
	viaREST.waiting = waiting()
	waiting = sampleLockWaits(e)
	viaGRPC := run(b, "gRPC", bids, clients, grpcBid)
	viaGRPC.waiting = waiting()
	single := run(b, "gRPC", alone, 1, grpcBid)
	b.StopTimer()
	b.ReportMetric(viaREST.rate, "matched/s")
	b.ReportMetric(ms(viaREST.p50), "p50-ms")
	b.ReportMetric(ms(viaREST.p99), "p99-ms")
	var trades int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM market_trades WHERE variant_id = $1`, v).Scan(&trades); err != nil {
		b.Fatal(err)
	}
	if want := 100 + 2*bids + alone; trades != want {
		b.Fatalf("%d trades, want %d", trades, want)
	}
	fmt.Fprintf(os.Stdout, "market match, one variant, %d resting asks, %d clients at once (matching in SQL under the variant's lock):\n", resting, clients)
	for _, r := range []result{viaREST, viaGRPC} {
		fmt.Fprintf(os.Stdout, "  %-4s %d crossing bids: %.0f matched orders/s, placement → trade persisted p50 %.1f ms, p99 %.1f ms; on average %.1f placements waiting for the variant's lock\n",
			r.what, r.n, r.rate, ms(r.p50), ms(r.p99), r.waiting)
	}
	fmt.Fprintf(os.Stdout, "  gRPC %d crossing bids one after another: %.0f matched orders/s, p50 %.1f ms, p99 %.1f ms\n",
		single.n, single.rate, ms(single.p50), ms(single.p99))
}

// sampleLockWaits counts, every 20 ms until the returned func is called, the
// order service's sessions waiting for an advisory lock, and returns their
// average: how many placements queue for the hot variant's lock.
func sampleLockWaits(e *env) func() float64 {
	ctx, cancel := context.WithCancel(context.Background())
	var sum, n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			var w int64
			const q = `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`
			if err := e.db.QueryRow(ctx, q).Scan(&w); err == nil {
				sum.Add(w)
				n.Add(1)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() float64 {
		cancel()
		<-done
		return float64(sum.Load()) / float64(max(n.Load(), 1))
	}
}

type result struct {
	what     string
	n        int
	rate     float64
	p50, p99 time.Duration
	waiting  float64 // placements waiting for the variant's lock, on average
}

// run places n orders from clients goroutines and measures each one.
func run(b *testing.B, what string, n, clients int, place func(i int) error) result {
	b.Helper()
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Value
	began := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := place(i); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	took := time.Since(began)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	slices.Sort(lat)
	return result{what: what, n: n, rate: float64(n) / took.Seconds(), p50: lat[n/2], p99: lat[n*99/100]}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
