package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/nats-io/nats.go"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	catalogv1 "github.com/jangteo/jangteo/gen/go/jangteo/catalog/v1"
)

// The response cache keeps the bodies of the public product reads —
// GET /v1/products (any query) and GET /v1/products/{slug} — and answers
// them from memory, with a strong ETag and Cache-Control: public, no-cache,
// so browsers and CDNs may keep them but revalidate (If-None-Match → 304).
//
// It stays correct across replicas by listening to the catalog's events on
// NATS (a plain subscription to catalog.>, no consumer state):
// an event naming a product (product_changed, stock_changed) drops every list
// and the pages of that product; any other catalog event drops everything. A write to the catalog
// made through this gateway drops everything as soon as it answers, so the
// writer's next read is fresh without waiting for the event. Changes the
// catalog does not announce (taxonomy renames, reviews and units sold made
// on another replica) show after at most the TTL. While the subscription is
// down (NATS unreachable, reconnecting) nothing is cached, and the cache is
// emptied when it comes back, since events may have been missed meanwhile.
// A fill that started before an invalidation is not stored.
type responseCache struct {
	maxBytes int64
	ttl      time.Duration
	log      *zap.Logger

	mu        sync.Mutex
	gen       uint64 // moves on every invalidation; a fill stores only if it has not moved
	live      bool   // invalidations are being received
	size      int64
	entries   map[string]*cachedResponse
	inflight  map[string]inflight            // reads being fetched, shared by concurrent misses
	byProduct map[string]map[string]struct{} // product id → keys of its pages; "" → the lists
	nc        *nats.Conn
}

type inflight struct {
	gen  uint64
	done chan struct{}
}

type cachedResponse struct {
	body        []byte
	etag        string
	contentType string
	product     string // the product of a single-product page; "" for a list
	expires     time.Time
}

// cacheControl is what clients and shared caches are told about public reads:
// keep them, but ask again (with If-None-Match) before each use.
const cacheControl = "public, no-cache"

// newResponseCache returns the cache, subscribed to the catalog's events at
// natsURL. maxBytes <= 0 or an empty natsURL disables storing (ETags and 304s
// still work).
func newResponseCache(natsURL string, maxBytes int64, ttl time.Duration, log *zap.Logger) *responseCache {
	c := &responseCache{maxBytes: maxBytes, ttl: ttl, log: log.Named("cache"),
		entries: map[string]*cachedResponse{}, inflight: map[string]inflight{}, byProduct: map[string]map[string]struct{}{}}
	if maxBytes <= 0 || natsURL == "" || ttl <= 0 {
		return c
	}
	nc, err := nats.Connect(natsURL, nats.Name("jangteo-gateway-cache"),
		nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(time.Second),
		nats.ConnectHandler(func(*nats.Conn) { c.setLive(true) }),
		nats.ReconnectHandler(func(*nats.Conn) { c.setLive(true) }),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { c.setLive(false) }),
		nats.ClosedHandler(func(*nats.Conn) { c.setLive(false) }))
	if err != nil {
		c.log.Warn("response cache off: cannot reach NATS", zap.Error(err))
		return c
	}
	c.nc = nc
	if _, err := nc.Subscribe("catalog.>", c.onEvent); err != nil {
		c.log.Warn("response cache off: cannot subscribe to catalog events", zap.Error(err))
		nc.Close()
		return c
	}
	if nc.IsConnected() && nc.Flush() == nil {
		c.setLive(true)
	}
	return c
}

// Close stops listening; nothing is cached afterwards.
func (c *responseCache) Close() {
	if c.nc != nil {
		c.nc.Close()
	}
	c.setLive(false)
}

func (c *responseCache) setLive(live bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live = live
	c.clearLocked()
}

func (c *responseCache) clearLocked() {
	c.gen++
	c.size = 0
	clear(c.entries)
	clear(c.byProduct)
}

// flush drops everything.
func (c *responseCache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
}

// dropProduct drops every list and the pages of product id.
func (c *responseCache) dropProduct(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, tag := range []string{"", id} {
		for key := range c.byProduct[tag] {
			c.removeLocked(key, c.entries[key])
		}
	}
}

func (c *responseCache) removeLocked(key string, e *cachedResponse) {
	delete(c.entries, key)
	c.size -= int64(len(key) + len(e.body))
	if keys := c.byProduct[e.product]; keys != nil {
		delete(keys, key)
		if len(keys) == 0 {
			delete(c.byProduct, e.product)
		}
	}
}

// onEvent applies one catalog event: an event naming a product (a
// product_id field, as product_changed and stock_changed have) drops the
// lists and that product's pages; any other drops everything.
func (c *responseCache) onEvent(m *nats.Msg) {
	if id := productOf(m); id != "" {
		c.dropProduct(id)
		return
	}
	c.flush()
}

// eventTypeHeader is where the outbox relay puts an event's payload type
// (platform/events.HeaderType; the gateway does not link the relay).
const eventTypeHeader = "Jangteo-Type"

// productOf returns the product_id of the event in m ("" when it has none or
// cannot be read). The payload's type comes from the relay's header.
func productOf(m *nats.Msg) string {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(m.Header.Get(eventTypeHeader)))
	if err != nil {
		return ""
	}
	msg := mt.New()
	if err := proto.Unmarshal(m.Data, msg.Interface()); err != nil {
		return ""
	}
	fd := msg.Descriptor().Fields().ByName("product_id")
	if fd == nil || fd.Kind() != protoreflect.StringKind || fd.Cardinality() == protoreflect.Repeated {
		return ""
	}
	return msg.Get(fd).String()
}

// get returns the entry for key if it is fresh. Otherwise it returns the
// generation a fill must still see to be stored, and a leader channel when
// the caller is to fetch the answer itself: nil means the same read, started
// since the last invalidation, is already under way (wait on shared, then
// look again). Nothing is shared or stored while the cache is not live.
func (c *responseCache) get(key string) (*cachedResponse, uint64, chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e != nil && time.Now().After(e.expires) {
		c.removeLocked(key, e)
		e = nil
	}
	if e != nil {
		return e, c.gen, nil
	}
	if f, ok := c.inflight[key]; ok && c.live && f.gen == c.gen {
		return nil, c.gen, nil
	}
	ch := make(chan struct{})
	if c.live {
		c.inflight[key] = inflight{gen: c.gen, done: ch}
	}
	return nil, c.gen, ch
}

// peek returns the fresh entry for key, if any.
func (c *responseCache) peek(key string) *cachedResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil && time.Now().Before(e.expires) {
		return e
	}
	return nil
}

// shared returns what to wait on for the read of key under way since gen;
// a closed channel when there is none any more.
func (c *responseCache) shared(key string, gen uint64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.inflight[key]; ok && f.gen == gen {
		return f.done
	}
	closed := make(chan struct{})
	close(closed)
	return closed
}

// done ends the leader's read of key, waking those who wait for it.
func (c *responseCache) done(key string, leader chan struct{}) {
	c.mu.Lock()
	if f, ok := c.inflight[key]; ok && f.done == leader {
		delete(c.inflight, key)
	}
	c.mu.Unlock()
	close(leader)
}

// put stores e under key unless an invalidation happened since gen.
func (c *responseCache) put(key string, gen uint64, e *cachedResponse) {
	size := int64(len(key) + len(e.body))
	if size > c.maxBytes/16 {
		return // one huge answer must not push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || c.gen != gen {
		return
	}
	if old := c.entries[key]; old != nil {
		c.removeLocked(key, old)
	}
	for k, old := range c.entries { // map order is random: a random eviction
		if c.size+size <= c.maxBytes {
			break
		}
		c.removeLocked(k, old)
	}
	c.entries[key] = e
	c.size += size
	if c.byProduct[e.product] == nil {
		c.byProduct[e.product] = map[string]struct{}{}
	}
	c.byProduct[e.product][key] = struct{}{}
}

// cacheKey says whether r is a public product read and under which key its
// answer is kept: the path and the query as sent.
func cacheKey(r *http.Request) (string, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "", false
	}
	// A token must be checked by the service even on a public read, and a
	// cart token marks a private request.
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-Cart-Token") != "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/products")
	if !ok {
		return "", false
	}
	if rest != "" {
		slug, ok := strings.CutPrefix(rest, "/")
		if !ok || slug == "" || strings.ContainsAny(slug, "/:") {
			return "", false
		}
	}
	return r.URL.Path + "?" + r.URL.RawQuery, true
}

// fillKey carries, in a request's context, what the API handler learns while
// answering: the product of a single-product page.
type fillKey struct{}

type fill struct{ product string }

// middleware answers public product reads from the cache, and marks every
// answer to them with an ETag and Cache-Control.
func (c *responseCache) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := cacheKey(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		e, gen, leader := c.get(key)
		if e != nil {
			c.write(w, r, e)
			return
		}
		if leader == nil { // the same read is under way: share its answer
			<-c.shared(key, gen)
			if e = c.peek(key); e != nil {
				c.write(w, r, e)
				return
			}
		} else {
			defer c.done(key, leader)
		}
		f := &fill{}
		buf := &bufferedResponse{header: http.Header{}}
		next.ServeHTTP(buf, r.WithContext(context.WithValue(r.Context(), fillKey{}, f)))
		if buf.status != http.StatusOK {
			buf.copyTo(w)
			return
		}
		sum := sha256.Sum256(buf.body.Bytes())
		e = &cachedResponse{
			body: buf.body.Bytes(), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
			contentType: buf.header.Get("Content-Type"), product: f.product, expires: time.Now().Add(c.ttl),
		}
		if r.Method == http.MethodGet {
			c.put(key, gen, e)
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		c.write(w, r, e)
	})
}

// write answers with e, or 304 when the client already holds it.
func (c *responseCache) write(w http.ResponseWriter, r *http.Request, e *cachedResponse) {
	h := w.Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", cacheControl)
	if etagMatches(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", e.contentType)
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.body)
}

// etagMatches applies If-None-Match (RFC 9110 13.1.2, weak comparison): "*"
// or any listed tag equal to etag.
func etagMatches(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// forward runs on every API answer before it is written: it notes the
// product of a single-product page for its fill, and drops the cache when a
// catalog write answered through this gateway.
func (c *responseCache) forward(ctx context.Context, _ http.ResponseWriter, m proto.Message) error {
	if p, ok := m.(*catalogv1.GetProductResponse); ok {
		if f, _ := ctx.Value(fillKey{}).(*fill); f != nil {
			f.product = p.GetProduct().GetId()
		}
		return nil
	}
	method, ok := runtime.RPCMethod(ctx)
	if !ok || !strings.HasPrefix(method, "/jangteo.catalog.") {
		return nil
	}
	if name := method[strings.LastIndexByte(method, '/')+1:]; !strings.HasPrefix(name, "Get") && !strings.HasPrefix(name, "List") {
		c.flush()
	}
	return nil
}

// bufferedResponse keeps an answer in memory until it is known whether it
// may be stored.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) copyTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
