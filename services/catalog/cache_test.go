package catalog_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/gateway"
	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/services/catalog"
)

// gatewayFor runs a gateway in front of e's catalog, with its response cache
// listening to e's NATS, and returns its URL.
func gatewayFor(t *testing.T, e env) string {
	t.Helper()
	cfg := gateway.DefaultConfig()
	down := testkitClosedPort(t)
	cfg.IdentityEndpoint, cfg.CartEndpoint, cfg.OrderEndpoint, cfg.PaymentEndpoint, cfg.CommunityEndpoint = down, down, down, down, down
	cfg.CatalogEndpoint, cfg.NATSURL, cfg.MetricsAddr = e.addr, e.cfg.NATSURL, ""
	gw, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })
	return srv.URL
}

type reply struct {
	code int
	etag string
	raw  string
	body map[string]any
}

func call(t *testing.T, method, url, token, body string, header ...string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{code: resp.StatusCode, etag: resp.Header.Get("ETag"), raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	if resp.StatusCode == http.StatusOK && strings.HasPrefix(url[strings.Index(url, "/v1/"):], "/v1/products") && method == "GET" && token == "" {
		if cc := resp.Header.Get("Cache-Control"); cc != "public, no-cache" || r.etag == "" {
			t.Fatalf("GET %s: Cache-Control %q, ETag %q", url, cc, r.etag)
		}
	}
	return r
}

func priceOf(t *testing.T, r reply) string {
	t.Helper()
	p, _ := r.body["product"].(map[string]any)
	price, _ := p["price"].(map[string]any)
	amount, _ := price["amount"].(string)
	if r.code != http.StatusOK || amount == "" {
		t.Fatalf("no price in %d %s", r.code, r.raw)
	}
	return amount
}

// TestPublicReadsFreshThroughCache reads products through two gateways (two
// replicas with their response caches) while the catalog changes: a change
// made through a gateway shows on that gateway's next read, a change made
// anywhere shows on every gateway once the catalog's event arrives, ETags
// revalidate (304), and the cache does answer (a change made behind the
// catalog's back stays unseen until an event drops it).
func TestPublicReadsFreshThroughCache(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := e.iss.Token("staff-1", "staff")
	gwA, gwB := gatewayFor(t, e), gatewayFor(t, e)

	changes := catalogEvents(t, e.js, "catalog.product_changed")
	created := call(t, "POST", gwA+"/v1/products", staff, `{"name":"에어 러너","category_id":"`+f.sneakers.GetId()+
		`","price":{"amount":"99000","currency":"KRW"},"options":[{"name":"size","values":["260","270"]}],"stock":1}`)
	if created.code != http.StatusCreated {
		t.Fatalf("create = %d %s", created.code, created.raw)
	}
	product := created.body["product"].(map[string]any)
	id, slug := product["id"].(string), product["slug"].(string)

	// Once the creation's event has passed (it drops what the gateways hold),
	// read through both (filling their caches), then revalidate.
	nextEvent(t, changes, &catalogv1.ProductChanged{})
	time.Sleep(200 * time.Millisecond) // the gateways hear it at the same time
	first := call(t, "GET", gwB+"/v1/products/"+slug, "", "")
	if priceOf(t, first) != "99000" {
		t.Fatalf("price %s", first.raw)
	}
	if again := call(t, "GET", gwB+"/v1/products/"+slug, "", "", "If-None-Match", first.etag); again.code != http.StatusNotModified || again.raw != "" {
		t.Fatalf("revalidation = %d %q, want 304 without a body", again.code, again.raw)
	}
	if other := call(t, "GET", gwB+"/v1/products/"+slug, "", "", "If-None-Match", `"other", `+first.etag); other.code != http.StatusNotModified {
		t.Fatalf("If-None-Match with a list = %d", other.code)
	}
	_ = call(t, "GET", gwA+"/v1/products/"+slug, "", "")
	listA := call(t, "GET", gwA+"/v1/products?q=%EB%9F%AC%EB%84%88", "", "") // 러너
	if listA.body["total_count"] != 1.0 {
		t.Fatalf("list %s", listA.raw)
	}

	// The cache answers: a change behind the catalog's back is not seen …
	pool, err := postgres.Connect(t.Context(), e.cfg.DatabaseURL, catalog.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), `UPDATE products SET description = 'behind the back' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if r := call(t, "GET", gwB+"/v1/products/"+slug, "", ""); r.etag != first.etag {
		t.Fatalf("a cached read changed without an event: %s", r.raw)
	}

	// … a change through gateway A shows on A's next read …
	if r := call(t, "PATCH", gwA+"/v1/products/"+id, staff, `{"price":{"amount":"89000","currency":"KRW"}}`); r.code != http.StatusOK {
		t.Fatalf("patch = %d %s", r.code, r.raw)
	}
	if r := call(t, "GET", gwA+"/v1/products/"+slug, "", ""); priceOf(t, r) != "89000" {
		t.Fatalf("gateway A after its own write: %s", r.raw)
	}
	// … and on B's once the catalog's product_changed arrives, with a new ETag.
	eventually(t, "gateway B to see the new price", func() bool {
		r := call(t, "GET", gwB+"/v1/products/"+slug, "", "", "If-None-Match", first.etag)
		return r.code == http.StatusOK && priceOf(t, r) == "89000" && r.etag != first.etag &&
			r.body["product"].(map[string]any)["description"] == "behind the back"
	})

	// A change made on the catalog directly (stock sold out by reservations,
	// no gateway involved) reaches both through stock_changed.
	var variants []string
	for _, v := range product["variants"].([]any) {
		variants = append(variants, v.(map[string]any)["id"].(string))
	}
	for _, v := range variants {
		_, err := e.client.ReserveStock(internal(e), &catalogv1.ReserveStockRequest{
			OrderId: newID(), Lines: []*catalogv1.ReserveLine{{VariantId: v, Quantity: 1}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, gw := range []string{gwA, gwB} {
		eventually(t, "the list to show the product sold out", func() bool {
			r := call(t, "GET", gw+"/v1/products?q=%EB%9F%AC%EB%84%88", "", "")
			items, _ := r.body["products"].([]any)
			return len(items) == 1 && items[0].(map[string]any)["in_stock"] == false
		})
		eventually(t, "the product to show no stock", func() bool {
			r := call(t, "GET", gw+"/v1/products/"+slug, "", "")
			return r.body["product"].(map[string]any)["in_stock"] == false
		})
	}

	// Signed-in reads are never answered from the cache (the token is checked).
	if r := call(t, "GET", gwA+"/v1/products/"+slug, "not-a-token", ""); r.code != http.StatusUnauthorized {
		t.Fatalf("bad token on a public read = %d", r.code)
	}
}

// TestListItemsCarryVariants checks list items against GetProduct: each
// carries its variants (no "variants": [] on a product that has some),
// while empty lists that mean something stay in the JSON.
func TestListItemsCarryVariants(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	staff := as(e.iss.Token("staff-1", "staff"))
	for _, name := range []string{"러닝화", "토트백"} {
		_, err := e.client.CreateProduct(staff, &catalogv1.CreateProductRequest{
			Name: name, CategoryId: f.sneakers.GetId(), Price: krw(50000), Stock: 2,
			Options: []*catalogv1.ProductOptionInput{{Name: "size", Values: []string{"260", "270", "280"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	gw := gatewayFor(t, e)
	list := call(t, "GET", gw+"/v1/products", "", "")
	items, _ := list.body["products"].([]any)
	if list.code != http.StatusOK || len(items) != 2 {
		t.Fatalf("list = %d %s", list.code, list.raw)
	}
	for _, it := range items {
		item := it.(map[string]any)
		one := call(t, "GET", gw+"/v1/products/"+item["slug"].(string), "", "")
		want := one.body["product"].(map[string]any)["variants"]
		if got := item["variants"]; mustJSON(got) != mustJSON(want) || len(got.([]any)) != 3 {
			t.Fatalf("list item variants %v, GetProduct's %v", got, want)
		}
		if urls, ok := item["image_urls"].([]any); !ok || len(urls) != 0 {
			t.Fatalf("image_urls = %#v, want [] kept", item["image_urls"])
		}
	}
}

func testkitClosedPort(t *testing.T) string {
	t.Helper()
	l := httptest.NewServer(http.NotFoundHandler())
	addr := l.Listener.Addr().String()
	l.Close()
	return addr
}
