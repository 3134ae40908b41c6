package gateway

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"go.uber.org/zap"
)

// An 8 MiB upload is read into one buffer and decoded once: the gateway
// allocates a small multiple of the body (the bytes, their base64-decoded
// copy), not the ~25× that decoding through encoding/json first cost.
func TestUploadMemoryIsBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MetricsAddr = ""
	cfg.CatalogEndpoint = "127.0.0.1:1"
	g, err := New(t.Context(), cfg, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	body := `{"content_type":"image/png","data":"` + strings.Repeat("A", 8<<20-100) + `"}`
	run := func() {
		r := httptest.NewRequest("POST", "/v1/products/x/images", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		g.Handler().ServeHTTP(w, r)
		if w.Code == 413 {
			t.Fatal(w.Code)
		}
	}
	run() // warm up: connections, buffers, the route table
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	run()
	runtime.ReadMemStats(&b)
	ratio := float64(b.TotalAlloc-a.TotalAlloc) / float64(len(body))
	t.Logf("allocated per 8 MiB upload: %.1f MiB (%.1f× the body)", float64(b.TotalAlloc-a.TotalAlloc)/(1<<20), ratio)
	if ratio > 4 {
		t.Fatalf("an upload allocates %.1f× its size", ratio)
	}
}
