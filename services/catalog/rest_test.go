package catalog_test

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
)

// TestREST checks what only the gateway shows: option filters bound from the
// query string, 400s naming the parameter, 201 on creation.
func TestREST(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := newFixture(t, e)
	cfg := gateway.DefaultConfig()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	cfg.IdentityEndpoint, cfg.CartEndpoint, cfg.OrderEndpoint, cfg.PaymentEndpoint, cfg.CommunityEndpoint = down, down, down, down, down
	cfg.CatalogEndpoint = e.addr
	gw, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(func() { srv.Close(); gw.Close() })

	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.iss.Token("staff-1", "staff"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	code, _ := do("POST", "/v1/products", `{"name":"러닝화","category_id":"`+f.sneakers.GetId()+`","price":{"amount":99000,"currency":"KRW"},
		"options":[{"name":"size","values":["260","270"]}],"variants":[{"options":{"size":"270"},"stock":0}],"stock":3}`)
	if code != http.StatusCreated {
		t.Fatalf("create = %d", code)
	}
	for path, want := range map[string]float64{
		"/v1/products?options[size]=260&in_stock=true": 1,
		"/v1/products?options[size]=270&in_stock=true": 0,
		"/v1/products?q=" + "%EB%9F%AC%EB%8B%9D":       1, // 러닝
	} {
		code, body := do("GET", path, "")
		if code != 200 || body["total_count"] != want { // counts are JSON numbers
			t.Fatalf("GET %s = %d %v", path, code, body)
		}
	}
	for path, field := range map[string]string{
		"/v1/products?sort=cheapest": "sort",
		"/v1/products?min_price=-1":  "min_price",
		"/v1/products?page_size=101": "page_size",
	} {
		code, body := do("GET", path, "")
		if code != http.StatusBadRequest || !strings.Contains(mustJSON(body), `"`+field+`"`) {
			t.Fatalf("GET %s = %d %v", path, code, body)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
