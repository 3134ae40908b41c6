package gateway_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/platform/service"
	"github.com/jangteo/jangteo/platform/testkit"
	"github.com/jangteo/jangteo/services/catalog"
)

type stack struct {
	url string
	iss *testkit.Issuer
}

// start runs the real catalog service behind the real gateway; the other
// services' endpoints point at a closed port, as when they are down.
func start(t *testing.T, tune ...func(*gateway.Config)) stack {
	t.Helper()
	iss := testkit.NewIssuer()
	cfg := catalog.DefaultConfig()
	cfg.DatabaseURL, cfg.NATSURL, cfg.MetricsAddr = testkit.Database(t), testkit.NATS(t), ""
	lis := testkit.Listen(t)
	svc, err := catalog.New(t.Context(), cfg, zaptest.NewLogger(t), service.Options{Keys: iss.Fetch(), Listener: lis})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, svc)

	gcfg := gateway.DefaultConfig()
	down := closedPort(t)
	gcfg.IdentityEndpoint, gcfg.CartEndpoint, gcfg.OrderEndpoint = down, down, down
	gcfg.PaymentEndpoint, gcfg.CommunityEndpoint = down, down
	gcfg.CatalogEndpoint = lis.Addr().String()
	gcfg.CORSOrigins = []string{"https://shop.example"}
	gcfg.MaxBodyBytes = 64 << 10
	gcfg.MetricsAddr = ""
	gcfg.Keys = iss.Fetch()
	for _, f := range tune {
		f(&gcfg)
	}
	gw, err := gateway.New(t.Context(), gcfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() {
		srv.Close()
		gw.Close()
	})
	return stack{url: srv.URL, iss: iss}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (s stack) do(t *testing.T, method, path, token, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func TestProductsOverREST(t *testing.T) {
	t.Parallel()
	s := start(t)
	staff := s.iss.Token("0190a5e0-0000-7000-8000-000000000001", "staff")
	customer := s.iss.Token("0190a5e0-0000-7000-8000-000000000002", "customer")

	cat := s.do(t, "POST", "/v1/categories", staff, `{"name":"Sneakers"}`)
	if cat.status != http.StatusCreated {
		t.Fatalf("POST /v1/categories = %d %s", cat.status, cat.raw)
	}
	categoryID := cat.body["category"].(map[string]any)["id"].(string)
	product := `{"name":"에어 조던 1","category_id":"` + categoryID + `","price":{"amount":219000,"currency":"KRW"}}`

	t.Run("create needs a token", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/products", "", product)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Fatalf("status = %d %s; want 401 with WWW-Authenticate", r.status, r.raw)
		}
	})
	t.Run("create needs staff", func(t *testing.T) {
		if r := s.do(t, "POST", "/v1/products", customer, product); r.status != http.StatusForbidden {
			t.Fatalf("status = %d %s; want 403", r.status, r.raw)
		}
	})
	t.Run("bad input names the field", func(t *testing.T) {
		r := s.do(t, "POST", "/v1/products", staff, `{"name":"","category_id":"`+categoryID+`","price":{"amount":1,"currency":"KRW"}}`)
		if r.status != http.StatusBadRequest {
			t.Fatalf("status = %d %s; want 400", r.status, r.raw)
		}
		if r.body["code"] != float64(3) || r.body["message"] == "" {
			t.Fatalf("body = %s", r.raw)
		}
		if !strings.Contains(r.raw, `"field":"name"`) || !strings.Contains(r.raw, `"field_violations"`) {
			t.Fatalf("body does not name the field: %s", r.raw)
		}
	})

	created := s.do(t, "POST", "/v1/products", staff, product)
	if created.status != http.StatusCreated {
		t.Fatalf("POST /v1/products = %d %s", created.status, created.raw)
	}
	slug := created.body["product"].(map[string]any)["slug"].(string)
	if slug != "eeo-jodeon-1" {
		t.Fatalf("slug = %q", slug)
	}

	got := s.do(t, "GET", "/v1/products/"+slug, "", "")
	if got.status != http.StatusOK || got.body["product"].(map[string]any)["name"] != "에어 조던 1" {
		t.Fatalf("GET product = %d %s", got.status, got.raw)
	}
	// JSON uses the proto field names.
	if !strings.Contains(got.raw, `"category_id"`) || !strings.Contains(got.raw, `"image_urls"`) {
		t.Fatalf("fields not in proto names: %s", got.raw)
	}
	list := s.do(t, "GET", "/v1/products?page_size=10", "", "")
	if list.status != http.StatusOK || list.body["total_count"] != float64(1) {
		t.Fatalf("GET /v1/products = %d %s", list.status, list.raw)
	}
	if r := s.do(t, "GET", "/v1/products?page_size=500", "", ""); r.status != http.StatusBadRequest || !strings.Contains(r.raw, "page_size") {
		t.Fatalf("page_size over cap = %d %s; want 400 naming page_size", r.status, r.raw)
	}
	if r := s.do(t, "GET", "/v1/products/no-such-thing", "", ""); r.status != http.StatusNotFound {
		t.Fatalf("missing product = %d %s", r.status, r.raw)
	}
}

func TestGatewayPlumbing(t *testing.T) {
	t.Parallel()
	s := start(t)

	if r := s.do(t, "GET", "/healthz", "", ""); r.status != http.StatusOK {
		t.Fatalf("/healthz = %d", r.status)
	}
	// Five of six backends are down: the gateway can still serve (the
	// catalog's routes work), so it stays ready, and verbose says which are down.
	r := s.do(t, "GET", "/readyz", "", "")
	if r.status != http.StatusOK || r.body["services"] != nil {
		t.Fatalf("/readyz = %d %s; want 200 without details", r.status, r.raw)
	}
	r = s.do(t, "GET", "/readyz?verbose", "", "")
	states := r.body["services"].(map[string]any)
	if r.status != http.StatusOK || states["catalog"] != "serving" || states["identity"] != "unreachable" {
		t.Fatalf("/readyz?verbose = %d %v", r.status, states)
	}
	if r := s.do(t, "GET", "/v1/boards", "", ""); r.status != http.StatusServiceUnavailable {
		t.Fatalf("call to a down service = %d %s; want 503", r.status, r.raw)
	}

	doc := s.do(t, "GET", "/openapi.json", "", "")
	if doc.status != http.StatusOK || doc.body["openapi"] != "3.1.0" {
		t.Fatalf("/openapi.json = %d", doc.status)
	}
	paths := doc.body["paths"].(map[string]any)
	for _, p := range []string{"/v1/products", "/v1/products/{slug}", "/v1/auth/login", "/v1/cart", "/v1/orders", "/v1/boards"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("/openapi.json lacks %s", p)
		}
	}
	if page := s.do(t, "GET", "/docs", "", ""); page.status != http.StatusOK || !strings.Contains(page.raw, "redoc") {
		t.Fatalf("/docs = %d", page.status)
	}
	if js := s.do(t, "GET", "/docs/redoc.standalone.js", "", ""); js.status != http.StatusOK || len(js.raw) < 100000 {
		t.Fatalf("/docs/redoc.standalone.js = %d, %d bytes", js.status, len(js.raw))
	}

	// Request ids are echoed, or made up when absent.
	req, _ := http.NewRequest("GET", s.url+"/v1/products", nil)
	req.Header.Set("X-Request-Id", "req-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") != "req-123" {
		t.Fatalf("X-Request-Id = %q", resp.Header.Get("X-Request-Id"))
	}
	if id := s.do(t, "GET", "/v1/products", "", "").header.Get("X-Request-Id"); id == "" {
		t.Fatal("no X-Request-Id made up")
	}

	// CORS preflight from an allowed origin, and none for another.
	pre, _ := http.NewRequest("OPTIONS", s.url+"/v1/products", nil)
	pre.Header.Set("Origin", "https://shop.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	resp, err = http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Cart-Token") {
		t.Fatalf("preflight = %d %v", resp.StatusCode, resp.Header)
	}
	pre.Header.Set("Origin", "https://evil.example")
	resp, _ = http.DefaultClient.Do(pre)
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("CORS allowed an unknown origin")
	}

	// Bodies over the limit are refused before they reach a service.
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `"}`
	if r := s.do(t, "POST", "/v1/categories", "", big); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("big body = %d; want 413", r.status)
	}
}
