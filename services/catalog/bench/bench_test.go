// Package bench measures the catalog's public reads end to end — HTTP client →
// gateway → gRPC → catalog → PostgreSQL — beside a floor: a minimal
// net/http handler calling the same store methods (the same SQL through the
// same pgx pool settings) in one process. `make bench` runs it; it prints a
// table of throughput and p50/p99 latency and the gateway/floor ratio.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/jangteo/jangteo/gateway"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog"
	"github.com/jangteo/jangteo/services/catalog/internal/domain"
	"github.com/jangteo/jangteo/services/catalog/internal/store"
)

// Products is how many products the catalog holds during the benchmark.
const Products = 10_000

// Concurrency is how many clients send requests at once.
const Concurrency = 16

// searchTerm is a two-syllable Korean word that one product in five
// contains (served by the bigram index); searchTerm3 a three-syllable one
// (served by the trigram indexes).
const (
	searchTerm  = "러너"
	searchTerm3 = "티셔츠"
)

// BenchmarkCatalogREST loads Products products, then measures each scenario
// through the gateway and through the floor, and prints the comparison.
func BenchmarkCatalogREST(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbURL, drop, err := testkit.CreateDatabase(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer drop()

	bases, slugs := setup(ctx, b, dbURL)
	scenarios := []struct{ name, path string }{
		{"GET /v1/products", "/v1/products?page_size=20"},
		{"GET /v1/products?q=" + searchTerm, "/v1/products?page_size=20&q=" + url.QueryEscape(searchTerm)},
		{"GET /v1/products?q=" + searchTerm3, "/v1/products?page_size=20&q=" + url.QueryEscape(searchTerm3)},
		{"GET /v1/products/{slug}", ""},
	}
	warm(b, bases, scenarios, slugs)
	results := map[string]*result{}
	for _, sc := range scenarios {
		targets := []string{"gateway", "uncached", "floor"}
		if sc.name == "GET /v1/products" {
			targets = append(targets, "reference")
		}
		for _, name := range targets {
			target := struct{ name, base string }{name, bases[name]}
			key := target.name + " " + sc.name
			b.Run(target.name+"/"+sc.name, func(b *testing.B) {
				r := &result{}
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: Concurrency * 2}}
				b.SetParallelism(max(1, Concurrency/runtime.GOMAXPROCS(0)))
				b.ResetTimer()
				start := time.Now()
				var mu sync.Mutex
				var n int
				b.RunParallel(func(pb *testing.PB) {
					var local []time.Duration
					i := rand.IntN(len(slugs)) // clients read different products, not in lockstep
					for pb.Next() {
						path := sc.path
						if path == "" {
							path = "/v1/products/" + slugs[i%len(slugs)]
						}
						i++
						t0 := time.Now()
						get(b, client, target.base+path)
						local = append(local, time.Since(t0))
					}
					mu.Lock()
					r.latencies = append(r.latencies, local...)
					n += len(local)
					mu.Unlock()
				})
				r.elapsed = time.Since(start)
				r.summarize()
				b.ReportMetric(r.rps, "req/s")
				b.ReportMetric(float64(r.p50.Microseconds()), "p50-µs")
				b.ReportMetric(float64(r.p99.Microseconds()), "p99-µs")
				results[key] = r // the last (largest) run of each sub-benchmark wins
			})
		}
	}
	printTable(os.Stdout, scenarios, results)
}

// warm reads every scenario's URLs once on every target, 16 at a time,
// before anything is measured: PostgreSQL's buffers, the connection pools
// and the gateway's response cache start as they are in a running system.
func warm(b *testing.B, bases map[string]string, scenarios []struct{ name, path string }, slugs []string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: Concurrency}}
	var paths []string
	for _, sc := range scenarios {
		if sc.path != "" {
			paths = append(paths, sc.path)
		}
	}
	for _, s := range slugs {
		paths = append(paths, "/v1/products/"+s)
	}
	for _, base := range bases {
		work := make(chan string)
		var wg sync.WaitGroup
		for range Concurrency {
			wg.Go(func() {
				for p := range work {
					get(b, client, base+p)
				}
			})
		}
		for _, p := range paths {
			if !strings.HasSuffix(base, "/reference") || strings.HasPrefix(p, "/v1/products?") {
				work <- p
			}
		}
		close(work)
		wg.Wait()
	}
}

type result struct {
	latencies []time.Duration
	elapsed   time.Duration
	rps       float64
	p50, p99  time.Duration
}

func (r *result) summarize() {
	slices.Sort(r.latencies)
	if len(r.latencies) == 0 {
		return
	}
	r.rps = float64(len(r.latencies)) / r.elapsed.Seconds()
	r.p50 = r.latencies[len(r.latencies)*50/100]
	r.p99 = r.latencies[min(len(r.latencies)-1, len(r.latencies)*99/100)]
}

// printTable prints, per scenario, the gateway (with its response cache, as
// deployed), the same gateway without the cache, and the floor; then the
// list through the gateway against today's list query.
func printTable(w io.Writer, scenarios []struct{ name, path string }, results map[string]*result) {
	fmt.Fprintf(w, "\ncatalog REST with %d products, %d concurrent clients\n", Products, Concurrency)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tpath\treq/s\tp50\tp99\tfloor req/s\tfloor p50\tfloor p99\tratio to floor\t")
	for _, sc := range scenarios {
		f := results["floor "+sc.name]
		for _, target := range []string{"gateway", "uncached"} {
			g := results[target+" "+sc.name]
			if g == nil || f == nil || f.rps == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.2f×\t\n", sc.name, target,
				g.rps, g.p50.Round(time.Microsecond), g.p99.Round(time.Microsecond),
				f.rps, f.p50.Round(time.Microsecond), f.p99.Round(time.Microsecond), g.rps/f.rps)
		}
	}
	_ = tw.Flush()
	list := "GET /v1/products"
	if ref, g, u := results["reference "+list], results["gateway "+list], results["uncached "+list]; ref != nil && g != nil && u != nil && ref.rps > 0 {
		fmt.Fprintf(w, "\ntoday's list query (EXISTS per row, count rescan) in the floor handler: %.0f req/s, p50 %s, p99 %s\n",
			ref.rps, ref.p50.Round(time.Microsecond), ref.p99.Round(time.Microsecond))
		fmt.Fprintf(w, "list through the gateway: %.1f× that; without the response cache %.1f×\n", g.rps/ref.rps, u.rps/ref.rps)
	}
}

func get(b *testing.B, client *http.Client, u string) {
	resp, err := client.Get(u)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("GET %s: %d", u, resp.StatusCode)
	}
}

// setup starts the catalog, two gateways in front of it (with the response
// cache, and without) and the floor, loads the products, and returns the base
// URL of each target and the product slugs.
func setup(ctx context.Context, b *testing.B, dbURL string) (bases map[string]string, slugs []string) {
	iss := testkit.NewIssuer()
	cfg := catalog.DefaultConfig()
	natsURL := testkit.NATS(b)
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = dbURL, natsURL, ""
	cfg.Images.Dir = b.TempDir()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	svc, err := catalog.New(ctx, cfg, zap.NewNop(), service.Options{Keys: iss.Fetch(), Listener: lis})
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = svc.Run(ctx) }()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	slugs = load(ctx, b, catalogv1.NewCatalogServiceClient(conn), iss, dbURL)

	gcfg := gateway.DefaultConfig()
	down := closedPort(b)
	gcfg.IdentityEndpoint, gcfg.CartEndpoint, gcfg.OrderEndpoint = down, down, down
	gcfg.PaymentEndpoint, gcfg.CommunityEndpoint = down, down
	gcfg.CatalogEndpoint = lis.Addr().String()
	gcfg.RateLimits = gateway.RateLimits{} // measure the API, not the limiter
	gcfg.NATSURL = natsURL
	bases = map[string]string{}
	for name, cacheBytes := range map[string]int64{"gateway": gcfg.ResponseCacheBytes, "uncached": 0} {
		c := gcfg
		c.ResponseCacheBytes = cacheBytes
		gw, err := gateway.New(ctx, c, zap.NewNop())
		if err != nil {
			b.Fatal(err)
		}
		gwSrv := httptest.NewServer(gw.Handler())
		b.Cleanup(func() { gwSrv.Close(); gw.Close() })
		bases[name] = gwSrv.URL
	}

	pool, err := postgres.Connect(ctx, dbURL, catalog.Name)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	floorSrv := httptest.NewServer(floorHandler(store.New(pool), pool))
	b.Cleanup(floorSrv.Close)
	bases["floor"] = floorSrv.URL
	bases["reference"] = floorSrv.URL + "/reference"
	return bases, slugs
}

// load creates a category and brands through the API, then bulk-inserts the
// products with one default variant each (the API would take minutes).
func load(ctx context.Context, b *testing.B, client catalogv1.CatalogServiceClient, iss *testkit.Issuer, dbURL string) []string {
	staff := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+iss.Token("bench", "staff"))
	cat, err := client.CreateCategory(staff, &catalogv1.CreateCategoryRequest{Name: "벤치마크"})
	if err != nil {
		b.Fatal(err)
	}
	var brands []string
	for _, name := range []string{"바다살림", "Greenstep", "함께짓다", "Makers Guild", "비건하우스"} {
		br, err := client.CreateBrand(staff, &catalogv1.CreateBrandRequest{Name: name})
		if err != nil {
			b.Fatal(err)
		}
		brands = append(brands, br.GetBrand().GetId())
	}
	pool, err := postgres.Connect(ctx, dbURL, catalog.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	const products = `INSERT INTO products (id, slug, name, description, category_id, brand_id, price_amount, currency, created_at, updated_at)
		SELECT gen_random_uuid(), 'bench-' || i,
			(ARRAY['에어 러너', '코튼 티셔츠', '캔버스 토트', 'Wool Sweater', 'Trail Boot'])[1 + i % 5] || ' ' || i,
			'편안한 착용감의 데일리 아이템 ' || i || '. Made to last.',
			$1, ($2::uuid[])[1 + i % 5], 10000 + (i % 200) * 1000, 'KRW',
			now() - i * interval '1 second', now()
		FROM generate_series(1, $3::int) i`
	if _, err := pool.Exec(ctx, products, cat.GetCategory().GetId(), brands, Products); err != nil {
		b.Fatal(err)
	}
	const variants = `INSERT INTO variants (id, product_id, stock) SELECT gen_random_uuid(), id, (random() * 5)::int FROM products`
	if _, err := pool.Exec(ctx, variants); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	slugs := make([]string, 0, 1000)
	for i := 1; i <= 1000; i++ {
		slugs = append(slugs, "bench-"+strconv.Itoa(i*Products/1000))
	}
	return slugs
}

// floorHandler is the floor: net/http and encoding/json around the store.
// Under /reference it serves the list with the store query the catalog used
// before the maintained stock count and the bigram index (referenceProducts).
func floorHandler(st *store.Store, pool *pgxpool.Pool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reference/v1/products", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		page := domain.NewPage(1, size)
		products, total, err := referenceProducts(r.Context(), pool, page)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"products": products, "total_count": total, "total_pages": page.TotalPages(total)})
	})
	mux.HandleFunc("GET /v1/products", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		f := domain.ProductFilter{Query: r.URL.Query().Get("q"), Sort: domain.SortNewest, Page: domain.NewPage(1, size)}
		products, total, err := st.Products(r.Context(), f)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, map[string]any{"products": products, "total_count": total, "total_pages": f.Page.TotalPages(total)})
	})
	mux.HandleFunc("GET /v1/products/{slug}", func(w http.ResponseWriter, r *http.Request) {
		p, err := st.Product(r.Context(), r.PathValue("slug"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		writeJSON(w, map[string]any{"product": p})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func closedPort(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// referenceProducts is the newest-first list as the store queried it before
// this benchmark's scenarios were made fast: an EXISTS over variants per row
// for in_stock, and a count(*) rescanning every match, in one batch. The
// benchmark measures it in the same run as the reference for the list.
func referenceProducts(ctx context.Context, pool *pgxpool.Pool, page domain.Page) ([]domain.Product, int64, error) {
	q := `SELECT p.id, p.slug, p.name, p.description, p.category_id, c.slug,
			coalesce(p.brand_id::text, ''), coalesce(b.slug, ''), coalesce(b.name, ''),
			p.price_amount, p.currency, p.available, p.archived_at IS NOT NULL, p.image_urls, p.options,
			EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.stock > 0),
			p.review_count, p.rating_sum, p.sold_count, p.created_at, p.updated_at
		FROM products p JOIN categories c ON c.id = p.category_id LEFT JOIN brands b ON b.id = p.brand_id
		WHERE p.archived_at IS NULL ORDER BY p.created_at DESC, p.id DESC
		LIMIT ` + strconv.Itoa(page.Size) + ` OFFSET ` + strconv.Itoa(page.Offset())
	const count = `SELECT count(*) FROM products p LEFT JOIN brands b ON b.id = p.brand_id WHERE p.archived_at IS NULL`
	batch := &pgx.Batch{}
	batch.Queue(q)
	batch.Queue(count)
	res := pool.SendBatch(ctx, batch)
	defer res.Close()
	rows, err := res.Query()
	if err != nil {
		return nil, 0, err
	}
	products, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Product, error) {
		var (
			p    domain.Product
			opts []struct {
				Name   string   `json:"name"`
				Values []string `json:"values"`
			}
		)
		err := r.Scan(&p.ID, &p.Slug, &p.Name, &p.Description, &p.CategoryID, &p.CategorySlug,
			&p.BrandID, &p.BrandSlug, &p.BrandName, &p.Price.Amount, &p.Price.Currency, &p.Available,
			&p.Archived, &p.ImageURLs, &opts, &p.InStock, &p.ReviewCount, &p.RatingSum, &p.SoldCount,
			&p.CreatedAt, &p.UpdatedAt)
		for _, o := range opts {
			p.Options = append(p.Options, domain.Option{Name: o.Name, Values: o.Values})
		}
		return p, err
	})
	if err != nil {
		return nil, 0, err
	}
	var total int64
	err = res.QueryRow().Scan(&total)
	return products, total, err
}
