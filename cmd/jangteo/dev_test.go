package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jangteo/jangteo/gateway"
	"github.com/jangteo/jangteo/platform/testkit"
)

// TestDevStack boots the whole system the way `jangteo dev` does — every
// service, the gateway, embedded NATS, demo data and the dev admin — on a test
// database and free ports, and walks the skeleton through REST.
func TestDevStack(t *testing.T) {
	cfg := testConfig(t)
	base, out := startStack(t, cfg)
	get, post := client(t, base)
	if !strings.Contains(out.String(), cfg.AdminEmail) || !strings.Contains(out.String(), cfg.AdminPassword) {
		t.Fatalf("banner does not print the dev admin:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "/admin is a fake admin login") {
		t.Fatalf("banner does not name the honeypot:\n%s", out.String())
	}
	waitReady(t, get)

	code, list := get("/v1/products?page_size=100", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /v1/products = %d %v", code, list)
	}
	if n := len(list["products"].([]any)); n < 20 {
		t.Fatalf("demo products = %d, want at least 20", n)
	}
	_, cats := get("/v1/categories", "", "")
	if n := len(cats["categories"].([]any)); n < 3 {
		t.Fatalf("demo categories = %d, want at least 3", n)
	}

	token := login(t, post, cfg)
	code, me := get("/v1/me", token, "")
	if code != http.StatusOK {
		t.Fatalf("GET /v1/me = %d %v", code, me)
	}
	categoryID := cats["categories"].([]any)[0].(map[string]any)["id"].(string)
	code, created := post("/v1/products", token, "", `{"name":"dev stack product","category_id":"`+categoryID+`","price":{"amount":1000,"currency":"KRW"}}`)
	if code != http.StatusCreated {
		t.Fatalf("admin POST /v1/products = %d %v", code, created)
	}
	if code, _ := get("/dev/mailbox", "", ""); code != http.StatusOK {
		t.Fatalf("/dev/mailbox = %d", code)
	}

	// The cart prices lines through the catalog's internal BatchGetVariants,
	// with the service token identity issued it for this run's secret.
	variant := ""
	for _, p := range list["products"].([]any) {
		_, product := get("/v1/products/"+p.(map[string]any)["slug"].(string), "", "")
		for _, v := range product["product"].(map[string]any)["variants"].([]any) {
			if v := v.(map[string]any); variant == "" && v["stock"] != float64(0) && v["stock"] != "0" {
				variant = v["id"].(string)
			}
		}
		if variant != "" {
			break
		}
	}
	code, cart := post("/v1/cart/items", token, "", `{"variant_id":"`+variant+`","quantity":1}`)
	if code/100 != 2 {
		t.Fatalf("POST /v1/cart/items = %d %v", code, cart)
	}
	line := cart["cart"].(map[string]any)["lines"].([]any)[0].(map[string]any)
	if price, _ := line["unit_price"].(map[string]any); price == nil || price["amount"] == "0" || price["amount"] == nil {
		t.Fatalf("cart line %v is not priced: the cart could not call the catalog", line)
	}

	// The community's demo: boards, a pinned notice, styles tagging demo products.
	_, boards := get("/v1/boards", "", "")
	if n := len(boards["boards"].([]any)); n < 5 {
		t.Fatalf("demo boards = %d, want at least 5", n)
	}
	_, notice := get("/v1/boards/notice/posts", "", "")
	if n := len(notice["pinned"].([]any)); n != 1 {
		t.Fatalf("pinned notices = %d", n)
	}
	_, styles := get("/v1/styles", "", "")
	if n := len(styles["posts"].([]any)); n != 2 {
		t.Fatalf("demo styles = %d, want 2", n)
	}

	if !strings.Contains(out.String(), "sandbox, kakaopay, paypal, toss") {
		t.Fatalf("banner does not list the payment providers:\n%s", out.String())
	}
	// The providers with webhooks are enabled against their fakes: an
	// unverifiable notification is refused (a disabled provider would be 404).
	for _, prov := range []string{"paypal", "toss"} {
		if code, body := post("/v1/webhooks/"+prov, "", "", `{"id":"forged"}`); code != http.StatusUnauthorized {
			t.Fatalf("forged %s webhook = %d %v", prov, code, body)
		}
	}

	// The market's demo: asks and bids on every size of the first sneaker,
	// read through the gateway's MarketService routes.
	sneaker := ""
	for _, p := range list["products"].([]any) {
		slug := p.(map[string]any)["slug"].(string)
		_, product := get("/v1/products/"+slug, "", "")
		for _, v := range product["product"].(map[string]any)["variants"].([]any) {
			if opts, _ := v.(map[string]any)["options"].(map[string]any); opts["size"] == "270" && sneaker == "" {
				sneaker = slug
			}
		}
		if sneaker != "" {
			break
		}
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(time.Second) {
		code, m := get("/v1/products/"+sneaker+"/market", "", "")
		if code != http.StatusOK {
			t.Fatalf("GET /v1/products/%s/market = %d %v", sneaker, code, m)
		}
		quoted := 0
		for _, v := range m["variants"].([]any) {
			if v := v.(map[string]any); v["lowest_ask"] != nil && v["highest_bid"] != nil {
				quoted++
			}
		}
		if quoted == len(m["variants"].([]any)) && quoted > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo market of %s is not quoted: %v", sneaker, m)
		}
	}
	// The product page shows each size's buy-now and sell-now prices, sizes
	// 230 to 290, projected by the catalog from the market's quote events.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Second) {
		_, product := get("/v1/products/"+sneaker, "", "")
		quoted, sizes := 0, map[any]bool{}
		variants := product["product"].(map[string]any)["variants"].([]any)
		for _, v := range variants {
			v := v.(map[string]any)
			sizes[v["options"].(map[string]any)["size"]] = true
			if v["buy_now_price"] != nil && v["sell_now_price"] != nil {
				quoted++
			}
		}
		if quoted == len(variants) && sizes["230"] && sizes["290"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the product page of %s shows no buy-now and sell-now prices for every size 230–290: %v", sneaker, product)
		}
	}

	// Space rental's demo: spaces across Seoul, a few slots taken.
	_, spaces := get("/v1/spaces?page_size=100", "", "")
	if n := len(spaces["spaces"].([]any)); n < 12 {
		t.Fatalf("demo spaces = %d, want at least 12", n)
	}
}

// TestHoneypotAndAdminPrefix runs identity behind the gateway: requests to the
// fake /admin are recorded, the address is blocked from the whole API after
// three, staff see the attempts and unblock it under the configured prefix,
// and the admin API is not served at its declared path.
func TestHoneypotAndAdminPrefix(t *testing.T) {
	cfg := testConfig(t)
	cfg.AdminPrefix = "/manage-7f3a"
	cfg.tune = func(g *gateway.Config) {
		g.TrustProxyHeaders = true // so the test can speak from several addresses
		g.BlocklistRefresh = 100 * time.Millisecond
	}
	base, _ := startStack(t, cfg)
	get, post := client(t, base)
	waitReady(t, get)
	token := login(t, post, cfg)

	if code, _ := get("/v1/admin/users", token, ""); code != http.StatusNotFound {
		t.Fatalf("admin API at its declared path = %d, want 404", code)
	}
	if code, body := get("/manage-7f3a/users", token, ""); code != http.StatusOK {
		t.Fatalf("admin API under the prefix = %d %v", code, body)
	}

	// In dev, loopback visitors of the honeypot are recorded but never
	// blocked: everyone on the machine is 127.0.0.1.
	for range 3 {
		post("/admin/login/", "", "", "username=admin&password=admin")
	}
	time.Sleep(300 * time.Millisecond) // a blocklist refresh
	if code, _ := get("/v1/products", "", ""); code != http.StatusOK {
		t.Fatalf("loopback after the honeypot = %d, want 200", code)
	}
	code, local := get("/manage-7f3a/honeypot/attempts?ip=127.0.0.1", token, "")
	if code != http.StatusOK || len(local["attempts"].([]any)) != 3 {
		t.Fatalf("loopback attempts = %d %v; want 3 recorded", code, local)
	}

	const attacker, bystander = "203.0.113.7", "198.51.100.9"
	for i := range 3 {
		code, _ := post("/admin/login/", "", attacker, "username=admin&password=admin"+string(rune('0'+i)))
		if code != http.StatusUnauthorized {
			t.Fatalf("honeypot POST = %d, want the fake 401", code)
		}
	}
	if code, _ := get("/v1/products", "", attacker); code != http.StatusForbidden {
		t.Fatalf("blocked address = %d, want 403", code)
	}
	if code, _ := get("/v1/products", "", bystander); code != http.StatusOK {
		t.Fatalf("other address = %d, want 200", code)
	}
	code, attempts := get("/manage-7f3a/honeypot/attempts?ip="+attacker, token, bystander)
	if code != http.StatusOK || len(attempts["attempts"].([]any)) != 3 {
		t.Fatalf("attempts = %d %v", code, attempts)
	}
	first := attempts["attempts"].([]any)[0].(map[string]any)
	if first["ip"] != attacker || first["user_agent"] == "" {
		t.Fatalf("attempt = %v", first)
	}
	if code, body := post("/manage-7f3a/honeypot/unblock", token, bystander, `{"ip":"`+attacker+`"}`); code != http.StatusOK {
		t.Fatalf("unblock = %d %v", code, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, _ := get("/v1/products", "", attacker)
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still blocked after unblock: %d", code)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testConfig(t *testing.T) devConfig {
	cfg := defaultDevConfig()
	cfg.DatabaseURL = testkit.Database(t)
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.NATSPort = 0
	cfg.LogLevel = "warn"
	cfg.MetricsAddr, cfg.PprofAddr = "", ""
	cfg.PoolMaxConns = 8 // the shared test server's connections are counted
	cfg.ports = map[string]int{}
	for name := range defaultPorts {
		cfg.ports[name] = 0
	}
	return cfg
}

// startStack runs startDev and returns the gateway's base URL and the banner.
func startStack(t *testing.T, cfg devConfig) (string, *strings.Builder) {
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	var out strings.Builder
	go func() { done <- startDev(ctx, cfg, &out, func(a string) { addr <- a }) }()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("dev stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("dev not ready in 60s")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev: %v", err)
		}
	})
	return base, &out
}

type getFunc func(path, token, ip string) (int, map[string]any)
type postFunc func(path, token, ip, body string) (int, map[string]any)

func client(t *testing.T, base string) (getFunc, postFunc) {
	do := func(method, path, token, ip, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if ip != "" {
			req.Header.Set("X-Forwarded-For", ip)
		}
		if strings.Contains(body, "=") && !strings.HasPrefix(body, "{") {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	get := func(path, token, ip string) (int, map[string]any) { return do("GET", path, token, ip, "") }
	post := func(path, token, ip, body string) (int, map[string]any) { return do("POST", path, token, ip, body) }
	return get, post
}

func waitReady(t *testing.T, get getFunc) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("/readyz?verbose", "", "")
		if code == http.StatusOK && allServing(body) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %v", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func allServing(body map[string]any) bool {
	states, _ := body["services"].(map[string]any)
	for _, s := range states {
		if s != "serving" {
			return false
		}
	}
	return len(states) > 0
}

func login(t *testing.T, post postFunc, cfg devConfig) string {
	code, body := post("/v1/auth/login", "", "", `{"email":"`+cfg.AdminEmail+`","password":"`+cfg.AdminPassword+`"}`)
	if code != http.StatusOK {
		t.Fatalf("admin login = %d %v", code, body)
	}
	return body["access_token"].(string)
}
