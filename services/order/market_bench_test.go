package order_test

import (
	"cmp"
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
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/metadata"

	"github.com/jangteo/jangteo/gateway"
	orderv1 "github.com/jangteo/jangteo/gen/go/jangteo/order/v1"
)

// BenchmarkMarketMatch measures the market's match path on one hot variant
// with a deep book (10,000 resting asks): crossing bids placed at once by
// 1,024 signed-in buyers, each trading with the lowest ask. It prints
// matched orders/s and the p50/p99 latency from placement to the trade
// persisted (the 201 comes after the batch holding the trade committed),
// through the REST gateway (32, 256 and 1,024 clients), straight over gRPC
// (256 clients), and one at a time; and the placements per matcher batch.
// The work is the same whatever b.N is.
func BenchmarkMarketMatch(b *testing.B) {
	const resting = 10000
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
	body := fmt.Sprintf(`{"variant_id":%q,"price":"300000","expires_in_days":1,"shipping":%s}`, v, shippingJSON)
	// 1,024 buyers, each signed in once, as clients keep their access token
	// for its lifetime (a buyer's bids trade with different asks).
	tokens := make([]string, 1024)
	for i := range tokens {
		tokens[i] = "Bearer " + e.iss.Token(uuid.NewString(), "customer")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512}}
	rest := func(i int) error {
		req, _ := http.NewRequest(http.MethodPost, api+"/v1/market/bids", strings.NewReader(body))
		req.Header.Set("Authorization", tokens[i%len(tokens)])
		req.Header.Set("Idempotency-Key", uuid.NewString())
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
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
			"authorization", tokens[i%len(tokens)], "idempotency-key", uuid.NewString())
		res, err := e.market.PlaceBid(ctx, &orderv1.PlaceBidRequest{VariantId: v, Price: 300000, ExpiresInDays: 1, Shipping: shipping("bench@example.com")})
		if err == nil && res.GetTrade() == nil {
			err = fmt.Errorf("bid %d did not trade", i)
		}
		return err
	}
	run(b, "warm-up", 100, 32, rest)
	b.ResetTimer()
	var results []result
	for _, r := range []struct {
		what          string
		bids, clients int
		place         func(int) error
	}{
		{"REST", 1000, 32, rest}, {"REST", 3000, 256, rest}, {"REST", 3000, 1024, rest}, {"gRPC", 2500, 256, grpcBid}, {"gRPC", 200, 1, grpcBid}, {"REST", 200, 1, rest},
	} {
		batched := sampleBatches()
		res := run(b, r.what, r.bids, r.clients, r.place)
		res.clients, res.batch = r.clients, batched()
		results = append(results, res)
	}
	b.StopTimer()
	best := slices.MaxFunc(results[:3], func(x, y result) int { return cmp.Compare(x.rate, y.rate) })
	b.ReportMetric(best.rate, "matched/s")
	b.ReportMetric(ms(best.p50), "p50-ms")
	b.ReportMetric(ms(best.p99), "p99-ms")
	var trades, want int
	if err := e.db.QueryRow(context.Background(), `SELECT count(*) FROM market_trades WHERE variant_id = $1`, v).Scan(&trades); err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		want += r.n
	}
	if want += 100; trades != want {
		b.Fatalf("%d trades, want %d", trades, want)
	}
	fmt.Fprintf(os.Stdout, "market match, one variant, %d resting asks (the matcher decides waiting placements in batches, one transaction each):\n", resting)
	fmt.Fprintf(os.Stdout, "  %-4s %7s %7s %12s %9s %9s %14s\n", "via", "clients", "bids", "matched/s", "p50 ms", "p99 ms", "per batch")
	for _, r := range results {
		fmt.Fprintf(os.Stdout, "  %-4s %7d %7d %12.0f %9.1f %9.1f %14.1f\n", r.what, r.clients, r.n, r.rate, ms(r.p50), ms(r.p99), r.batch)
	}
}

// sampleBatches returns a func that reports the placements per batch the
// matcher decided since sampleBatches was called.
func sampleBatches() func() float64 {
	count := func() (n uint64, sum float64) {
		mfs, _ := prometheus.DefaultGatherer.Gather()
		for _, mf := range mfs {
			if mf.GetName() == "jangteo_market_batch_placements" {
				h := mf.GetMetric()[0].GetHistogram()
				return h.GetSampleCount(), h.GetSampleSum()
			}
		}
		return 0, 0
	}
	n0, s0 := count()
	return func() float64 {
		n, s := count()
		return (s - s0) / float64(max(n-n0, 1))
	}
}

type result struct {
	what     string
	n        int
	clients  int
	rate     float64
	p50, p99 time.Duration
	batch    float64 // placements per matcher batch, on average
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
