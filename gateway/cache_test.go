package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
	"github.com/jangteo/jangteo/platform/events"
)

// TestCacheEvents checks which entries each kind of catalog event drops,
// and that a fill begun before an invalidation is not stored.
func TestCacheEvents(t *testing.T) {
	if eventTypeHeader != events.HeaderType {
		t.Fatalf("eventTypeHeader %q, the relay writes %q", eventTypeHeader, events.HeaderType)
	}
	c := newResponseCache("", 1<<20, time.Minute, zap.NewNop())
	c.live = true
	fill := func(key, product string) {
		_, gen, _ := c.get(key)
		c.put(key, gen, &cachedResponse{body: []byte("{}"), product: product, expires: time.Now().Add(time.Minute)})
	}
	has := func(key string) bool { return c.peek(key) != nil }
	event := func(subject string, m proto.Message) {
		data, _ := proto.Marshal(m)
		msg := nats.NewMsg(subject)
		msg.Data = data
		msg.Header.Set(eventTypeHeader, string(m.ProtoReflect().Descriptor().FullName()))
		c.onEvent(msg)
	}
	fillAll := func() {
		fill("/v1/products?", "")
		fill("/v1/products/a?", "A")
		fill("/v1/products/"+"id-a?", "A")
		fill("/v1/products/b?", "B")
	}

	fillAll()
	event("catalog.stock_changed", &catalogv1.StockChanged{ProductId: "A"})
	if has("/v1/products?") || has("/v1/products/a?") || has("/v1/products/id-a?") || !has("/v1/products/b?") {
		t.Fatal("stock_changed of A must drop the lists and A's pages, and keep B's")
	}
	fillAll()
	event("catalog.product_changed", &catalogv1.ProductChanged{ProductId: "B"})
	if has("/v1/products?") || !has("/v1/products/a?") || has("/v1/products/b?") {
		t.Fatal("product_changed of B must drop the lists and B's page")
	}
	fillAll()
	c.onEvent(&nats.Msg{Subject: "catalog.something_new", Data: []byte{1, 2, 3}})
	if has("/v1/products/a?") || has("/v1/products/b?") {
		t.Fatal("an event the cache cannot read must drop everything")
	}

	// A read that started before an invalidation is not stored.
	_, gen, _ := c.get("/v1/products/a?")
	event("catalog.stock_changed", &catalogv1.StockChanged{ProductId: "A"})
	c.put("/v1/products/a?", gen, &cachedResponse{body: []byte("{}"), product: "A", expires: time.Now().Add(time.Minute)})
	if has("/v1/products/a?") {
		t.Fatal("a stale fill was stored")
	}
	// Nothing is stored while invalidations are not being received.
	c.setLive(false)
	fill("/v1/products/b?", "B")
	if has("/v1/products/b?") {
		t.Fatal("stored while not live")
	}
}

// TestCacheSharesConcurrentMisses checks that concurrent misses of one
// URL make one call, and that If-None-Match answers 304.
func TestCacheSharesConcurrentMisses(t *testing.T) {
	c := newResponseCache("", 1<<20, time.Minute, zap.NewNop())
	c.live = true
	calls := 0
	release := make(chan struct{})
	h := c.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"products":[]}`))
	}))
	done := make(chan *httptest.ResponseRecorder)
	for range 8 {
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/products?page=1", nil))
			done <- rec
		}()
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	var etag string
	for range 8 {
		rec := <-done
		if rec.Code != 200 || rec.Body.String() != `{"products":[]}` || rec.Header().Get("ETag") == "" {
			t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
		}
		etag = rec.Header().Get("ETag")
	}
	if calls != 1 {
		t.Fatalf("%d calls for 8 concurrent reads of one URL", calls)
	}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/v1/products?page=1", nil)
	r.Header.Set("If-None-Match", `W/"x", `+etag)
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("Cache-Control") != cacheControl {
		t.Fatalf("revalidation = %d %q %v", rec.Code, rec.Body, rec.Header())
	}
}
