package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jangteo/jangteo/platform/testkit"
)

// TestDevStack boots the whole system the way `jangteo dev` does — every
// service, the gateway, embedded NATS, demo data and the dev admin — on a test
// database and free ports, and walks the skeleton through REST.
func TestDevStack(t *testing.T) {
	cfg := defaultDevConfig()
	cfg.DatabaseURL = testkit.Database(t)
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	cfg.ports = map[string]int{}
	for name := range defaultPorts {
		cfg.ports[name] = 0
	}
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
	if !strings.Contains(out.String(), cfg.AdminEmail) || !strings.Contains(out.String(), cfg.AdminPassword) {
		t.Fatalf("banner does not print the dev admin:\n%s", out.String())
	}

	get := func(path string, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		raw, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(raw, &body)
		return resp.StatusCode, body
	}
	post := func(path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body := get("/readyz", "")
		if code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz = %d %v", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	code, list := get("/v1/products?page_size=100", "")
	if code != http.StatusOK {
		t.Fatalf("GET /v1/products = %d %v", code, list)
	}
	if n := len(list["products"].([]any)); n < 20 {
		t.Fatalf("demo products = %d, want at least 20", n)
	}
	_, cats := get("/v1/categories", "")
	if n := len(cats["categories"].([]any)); n < 3 {
		t.Fatalf("demo categories = %d, want at least 3", n)
	}

	code, login := post("/v1/auth/login", "", `{"email":"`+cfg.AdminEmail+`","password":"`+cfg.AdminPassword+`"}`)
	if code != http.StatusOK {
		t.Fatalf("admin login = %d %v", code, login)
	}
	token := login["access_token"].(string)
	code, me := get("/v1/me", token)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/me = %d %v", code, me)
	}
	categoryID := cats["categories"].([]any)[0].(map[string]any)["id"].(string)
	code, created := post("/v1/products", token, `{"name":"dev stack product","category_id":"`+categoryID+`","price":{"amount":1000,"currency":"KRW"}}`)
	if code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("admin POST /v1/products = %d %v", code, created)
	}
	if code, _ := get("/dev/mailbox", ""); code != http.StatusOK {
		t.Fatalf("/dev/mailbox = %d", code)
	}
}
