package gateway_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/jangteo/jangteo/gateway"
)

// field returns the first field violation's field, or "".
func (r response) field() string {
	for _, d := range r.body["details"].([]any) {
		if fv, ok := d.(map[string]any)["field_violations"].([]any); ok && len(fv) > 0 {
			return fv[0].(map[string]any)["field"].(string)
		}
	}
	return ""
}

// Every malformed input is a 400 naming the field in product words: bytes in
// the path and query, JSON bodies with unknown fields, trailing data, wrong
// types or numbers out of range, and NUL in any string.
func TestBadInputIsA400NamingTheField(t *testing.T) {
	t.Parallel()
	s := start(t)
	staff := s.iss.Token("0190a5e0-0000-7000-8000-000000000001", "staff")
	customer := s.iss.Token("0190a5e0-0000-7000-8000-000000000002", "customer")

	tests := []struct {
		name, method, path, token, body string
		field                           string
		message                         string // a substring of the message
	}{
		{"NUL in a query value", "GET", "/v1/products?q=%00", "", "", "q", "NUL"},
		{"invalid UTF-8 in a query value", "GET", "/v1/products?q=%ff", "", "", "q", "UTF-8"},
		{"invalid UTF-8 in a path parameter", "GET", "/v1/brands/%ff%fe", "", "", "slug", "UTF-8"},
		{"NUL in a path parameter", "GET", "/v1/products/a%00b", "", "", "slug", "NUL"},
		{"a query value of the wrong type", "GET", "/v1/products?page_size=abc", "", "", "page_size", "must be an integer"},
		{"a query value out of range", "GET", "/v1/products?page_size=99999999999", "", "", "page_size", "must be an integer between"},
		{"NUL in a JSON string", "POST", "/v1/categories", staff, `{"name":"a\u0000b"}`, "name", "NUL"},
		{"an unknown field", "POST", "/v1/categories", staff, `{"nmae":"x"}`, "nmae", "not a known field"},
		{"an unknown nested field", "POST", "/v1/products", staff, `{"name":"x","price":{"amont":1}}`, "price.amont", "not a known field"},
		{"trailing garbage", "POST", "/v1/categories", staff, `{"name":"x"} garbage`, "body", "not valid JSON"},
		{"two objects", "POST", "/v1/categories", staff, `{"name":"x"}{"name":"y"}`, "body", "not valid JSON"},
		{"not JSON", "POST", "/v1/categories", staff, `name=x`, "body", "not valid JSON"},
		{"cut short", "POST", "/v1/categories", staff, `{"name":"x"`, "body", "ends too early"},
		{"wrong type in a nested field", "POST", "/v1/products", staff, `{"name":"x","price":{"amount":"lots"}}`, "price.amount", "must be an integer"},
		{"a list item's field", "POST", "/v1/products", staff, `{"name":"x","variants":[{},{"stock":"many"}]}`, "variants[1].stock", "must be an integer"},
		{"int64 past its range", "POST", "/v1/products", staff, `{"name":"x","stock":9223372036854775808}`, "stock", "between"},
		{"a huge rating", "PUT", "/v1/products/x/reviews/mine", customer, `{"rating":1e20,"title":"t","body":"b"}`, "rating", ""},
		{"an infinite rating", "PUT", "/v1/products/x/reviews/mine", customer, `{"rating":"Infinity","title":"t","body":"b"}`, "rating", "finite"},
		{"a rating past float64", "PUT", "/v1/products/x/reviews/mine", customer, `{"rating":1e400,"title":"t","body":"b"}`, "rating", "finite"},
		{"an unknown field on PATCH /v1/me", "PATCH", "/v1/categories/0190a5e0-0000-7000-8000-000000000009", staff, `{"nmae":"x"}`, "nmae", "not a known field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, tt.method, tt.path, tt.token, tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("= %d %s; want 400", r.status, r.raw)
			}
			if got := r.field(); got != tt.field {
				t.Fatalf("field = %q, want %q: %s", got, tt.field, r.raw)
			}
			msg, _ := r.body["message"].(string)
			if !strings.Contains(msg, tt.message) || strings.Contains(msg, "proto:") || strings.Contains(msg, "strconv") {
				t.Fatalf("message = %q; want product words containing %q", msg, tt.message)
			}
			if !strings.Contains(r.raw, `"reason":"INVALID_ARGUMENT"`) {
				t.Fatalf("no ErrorInfo reason: %s", r.raw)
			}
		})
	}
}

func TestMethodsAndBodyLimits(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *gateway.Config) { c.MaxUploadBodyBytes = 1 << 20 })
	staff := s.iss.Token("0190a5e0-0000-7000-8000-000000000001", "staff")

	r := s.do(t, "DELETE", "/v1/products", staff, "")
	if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD, POST" {
		t.Fatalf("DELETE /v1/products = %d Allow %q %s; want 405 with Allow: GET, HEAD, POST", r.status, r.header.Get("Allow"), r.raw)
	}
	head := s.do(t, "HEAD", "/v1/products", "", "")
	if head.status != http.StatusOK || head.raw != "" || head.header.Get("Content-Type") != "application/json" {
		t.Fatalf("HEAD /v1/products = %d %q %v", head.status, head.raw, head.header)
	}
	// A form POST to a GET-only route does not run the GET.
	req, _ := http.NewRequest("POST", s.url+"/v1/products/x/reviews", strings.NewReader("page_size=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("form POST to a GET route = %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}

	// 64 KiB is the cap (start sets it) except where files are uploaded.
	big := `{"name":"` + strings.Repeat("x", 100<<10) + `"}`
	if r := s.do(t, "POST", "/v1/categories", staff, big); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("100 KiB category = %d; want 413", r.status)
	}
	upload := `{"content_type":"image/png","data":"` + strings.Repeat("A", 100<<10) + `"}`
	if r := s.do(t, "POST", "/v1/products/no-such/images", staff, upload); r.status == http.StatusRequestEntityTooLarge {
		t.Fatalf("100 KiB upload = 413; uploads may be bigger")
	}
	// A chunked body (no Content-Length) over the cap is a 413 too.
	req, _ = http.NewRequest("POST", s.url+"/v1/categories", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+staff)
	req.ContentLength = -1
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || len(req.TransferEncoding) == 0 && req.ContentLength != -1 {
		t.Fatalf("chunked 100 KiB = %d; want 413", resp.StatusCode)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *gateway.Config) {
		c.RateLimits.Read = gateway.Limit{Burst: 3, Window: time.Minute}
		c.RateLimits.Auth = gateway.Limit{Burst: 1, Window: time.Minute}
		c.TrustProxyHeaders = true
	})
	get := func(ip, token string) *http.Response {
		req, _ := http.NewRequest("GET", s.url+"/v1/products/none", nil)
		req.Header.Set("X-Forwarded-For", ip)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 3 {
		resp := get("203.0.113.1", "")
		if resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d limited", i)
		}
		if want := fmt.Sprintf(`"read";r=%d;`, 2-i); !strings.HasPrefix(resp.Header.Get("RateLimit"), want) {
			t.Fatalf("RateLimit = %q, want %s…", resp.Header.Get("RateLimit"), want)
		}
	}
	resp := get("203.0.113.1", "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		resp.Header.Get("RateLimit-Policy") != `"read";q=3;w=60` {
		t.Fatalf("4th request = %d %v; want 429 with Retry-After and RateLimit-Policy", resp.StatusCode, resp.Header)
	}
	// Another address has its own bucket…
	if resp := get("203.0.113.2", ""); resp.StatusCode == http.StatusTooManyRequests {
		t.Fatal("another address was limited")
	}
	// …but one user has one bucket, whatever address they come from.
	user := s.iss.Token("0190a5e0-0000-7000-8000-000000000005", "customer")
	for i := range 3 {
		if resp := get(fmt.Sprintf("198.51.100.%d", i), user); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("user request %d limited", i)
		}
	}
	if resp := get("198.51.100.99", user); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("user's 4th request from a new address = %d; want 429", resp.StatusCode)
	}
	// Auth routes have their own, stricter group.
	if r := s.do(t, "POST", "/v1/auth/login", "", `{}`); r.status == http.StatusTooManyRequests {
		t.Fatal("first login limited")
	}
	if r := s.do(t, "POST", "/v1/auth/login", "", `{}`); r.status != http.StatusTooManyRequests {
		t.Fatalf("second login = %d; want 429", r.status)
	}
}

func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *gateway.Config) { c.HSTS = 365 * 24 * time.Hour })
	r := s.do(t, "GET", "/v1/products", "", "")
	for k, v := range map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"X-Frame-Options":           "DENY",
		"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if r.header.Get("Cache-Control") == "no-store" {
		t.Error("public catalog marked no-store")
	}
	for k := range r.header {
		if strings.HasPrefix(strings.ToLower(k), "grpc-") {
			t.Errorf("leaked %s: %s", k, r.header.Get(k))
		}
	}
	for _, path := range []string{"/v1/auth/login", "/v1/me"} {
		if got := s.do(t, "POST", path, "", `{}`).header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s Cache-Control = %q, want no-store", path, got)
		}
	}
	if r := s.do(t, "GET", "/metrics", "", ""); r.status != http.StatusNotFound {
		t.Errorf("/metrics on the public port = %d, want 404", r.status)
	}
	// A backend that is down: 503 with a reason and Retry-After.
	down := s.do(t, "GET", "/v1/boards", "", "")
	if down.status != http.StatusServiceUnavailable || down.header.Get("Retry-After") == "" || !strings.Contains(down.raw, "SERVICE_UNAVAILABLE") {
		t.Errorf("down backend = %d %v %s", down.status, down.header, down.raw)
	}
}

func TestCORSAnyOriginOnlyInDev(t *testing.T) {
	t.Parallel()
	cfg := gateway.DefaultConfig()
	cfg.CORSOrigins = []string{"*"}
	if _, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t)); err == nil {
		t.Fatal(`CORS_ORIGINS "*" accepted outside dev`)
	}
	cfg.Dev = true
	g, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
}

// A body that trickles in is cut off by the read timeout, and metrics are
// served on their own port.
func TestSlowBodyTimesOut(t *testing.T) {
	t.Parallel()
	cfg := gateway.DefaultConfig()
	cfg.ReadTimeout = time.Second
	cfg.MetricsAddr = closedPort(t)
	g, err := gateway.New(t.Context(), cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Serve(ctx, lis) }()
	t.Cleanup(func() { cancel(); <-done })

	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for range 20 { // one byte a second, as a slowloris would
		if _, err := conn.Write([]byte(" ")); err != nil {
			break
		}
		if _, err := bufio.NewReader(conn).ReadByte(); err != nil || time.Since(start) > 5*time.Second {
			break
		}
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("slow body held the connection for %s", elapsed)
	}
	var resp *http.Response
	for range 50 {
		if resp, err = http.Get("http://" + cfg.MetricsAddr + "/metrics"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics port: %v", err)
	}
	resp.Body.Close()
}
