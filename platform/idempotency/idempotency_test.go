package idempotency_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/jangteo/jangteo/platform/auth"
	"github.com/jangteo/jangteo/platform/errs"
	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/idempotency"
	"github.com/jangteo/jangteo/platform/postgres"
	"github.com/jangteo/jangteo/platform/testkit"
)

// The test service: idemtest.Orders/Create, /Quote and /Place require a key.
// Create writes an effect row in a use-case transaction and answers 201 with
// the row's id; the request's fields choose a failure.
const (
	create = "/idemtest.Orders/Create"
	quote  = "/idemtest.Orders/Quote"
	place  = "/idemtest.Orders/Place" // only the parallel test calls it, so its counts are its own
	// outside runs outside the key's transaction (RunOutside): its handler
	// derives its effect's id from the key (outside_test.go).
	outside = "/idemtest.Orders/Outside"
)

var errNoSuchItem = errs.New(errs.NotFound, "ITEM_NOT_FOUND", "no such item")

type rig struct {
	pool    *pgxpool.Pool
	conn    *grpc.ClientConn
	issuer  *testkit.Issuer
	keys    *idempotency.Keys
	calls   atomic.Int32  // handler runs
	started chan struct{} // a handler run began
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	// One connection: a handler reading through the service's pool while its
	// call holds a transaction must not wait for itself.
	url := testkit.Database(t)
	if strings.Contains(url, "?") {
		url += "&pool_max_conns=1"
	} else {
		url += "?pool_max_conns=1"
	}
	pool, err := postgres.Connect(ctx, url, "svc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool, idempotency.Migrations); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE effects (id bigserial PRIMARY KEY, item text NOT NULL);
		CREATE TABLE derived_effects (id uuid PRIMARY KEY, item text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	r := &rig{pool: pool, issuer: testkit.NewIssuer(), started: make(chan struct{}, 100)}
	keys, err := idempotency.New(pool, idempotency.Options{
		RetryAfter: 2 * time.Second,
		Required:   func(m string) bool { return m == create || m == quote || m == place || m == outside },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(keys.Close)
	keys.RunOutside(outside)
	r.keys = keys
	policy := auth.NewPolicy(auth.NewVerifier(auth.NewKeyCache(r.issuer.Fetch())))
	srv, err := grpcserver.New("svc", zaptest.NewLogger(t), policy, keys)
	if err != nil {
		t.Fatal(err)
	}
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "idemtest.Orders",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Create", Handler: r.method(create)},
			{MethodName: "Quote", Handler: r.method(quote)},
			{MethodName: "Place", Handler: r.method(place)},
			{MethodName: "Outside", Handler: r.method(outside)},
		},
	}, struct{}{})
	lis := testkit.Listen(t)
	testkit.Run(t, runner(func(ctx context.Context) error { return srv.ServeListener(ctx, lis) }))
	r.conn = testkit.Dial(t, lis.Addr().String())
	return r
}

type runner func(ctx context.Context) error

func (f runner) Run(ctx context.Context) error { return f(ctx) }

func (r *rig) method(name string) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	return func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		req := new(structpb.Struct)
		if err := dec(req); err != nil {
			return nil, err
		}
		return icpt(ctx, req, &grpc.UnaryServerInfo{FullMethod: name}, func(ctx context.Context, req any) (any, error) {
			if name == outside {
				return r.handleOutside(ctx, req.(*structpb.Struct))
			}
			return r.handle(ctx, req.(*structpb.Struct))
		})
	}
}

// handle is the use case: it owns its transaction through postgres.InTx, which
// joins the one the interceptor holds.
func (r *rig) handle(ctx context.Context, req *structpb.Struct) (any, error) {
	r.calls.Add(1)
	r.started <- struct{}{}
	f := req.GetFields()
	time.Sleep(time.Duration(f["sleep_ms"].GetNumberValue()) * time.Millisecond)
	if f["fail"].GetStringValue() == "not_found" {
		return nil, errNoSuchItem
	}
	var id int64
	err := postgres.InTx(ctx, r.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO effects (item) VALUES ($1) RETURNING id`, f["item"].GetStringValue()).Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	// Read-your-writes through the call's transaction.
	var n int
	if err := postgres.Querier(ctx, r.pool).QueryRow(ctx, `SELECT count(*) FROM effects WHERE id = $1`, id).Scan(&n); err != nil || n != 1 {
		return nil, errors.New("own write not visible")
	}
	// A read through the pool, as a store outside a transaction does.
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM effects`).Scan(&n); err != nil {
		return nil, err
	}
	switch f["fail"].GetStringValue() {
	case "unavailable":
		return nil, errs.New(errs.Unavailable, "STOCK_UNAVAILABLE", "try again")
	case "internal":
		return nil, errors.New("boom")
	case "conflict_after_effect":
		return nil, errs.New(errs.Conflict, "ALREADY_PAID", "already paid")
	case "crash":
		// The process dies before its transaction commits: its connection closes.
		// The timeout makes it wait until the backend is gone.
		if _, err := r.pool.Exec(context.Background(), `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'`); err != nil {
			return nil, err
		}
	}
	grpcserver.SetHTTPCode(ctx, 201)
	key, _ := idempotency.KeyFrom(ctx)
	provider, _ := idempotency.Derive(ctx, "provider")
	return structpb.NewStruct(map[string]any{"id": float64(id), "item": f["item"].GetStringValue(), "key": key, "provider_key": provider})
}

type result struct {
	resp   *structpb.Struct
	header metadata.MD
	err    error
}

func (r *rig) call(t *testing.T, method, token, key string, fields map[string]any) result {
	t.Helper()
	req, err := structpb.NewStruct(fields)
	if err != nil {
		t.Fatal(err)
	}
	md := metadata.MD{}
	if key != "-" {
		md.Set(idempotency.MetadataKey, key)
	}
	if token != "" {
		md.Set("authorization", "Bearer "+token)
	}
	ctx := metadata.NewOutgoingContext(t.Context(), md)
	var res result
	res.resp = new(structpb.Struct)
	res.err = r.conn.Invoke(ctx, method, req, res.resp, grpc.Header(&res.header))
	if res.err != nil {
		res.resp = nil
	}
	return res
}

func (r *rig) effects(t *testing.T) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(t.Context(), `SELECT count(*) FROM effects`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func reason(err error) (string, *errdetails.ErrorInfo, *errdetails.BadRequest, *errdetails.RetryInfo) {
	var info *errdetails.ErrorInfo
	var bad *errdetails.BadRequest
	var retry *errdetails.RetryInfo
	for _, d := range status.Convert(err).Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			info = d
		case *errdetails.BadRequest:
			bad = d
		case *errdetails.RetryInfo:
			retry = d
		}
	}
	return info.GetReason(), info, bad, retry
}

func TestMissingOrMalformedKeyIs400NamingTheHeader(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tests := []struct {
		name, key, reason string
	}{
		{"missing", "-", "IDEMPOTENCY_KEY_MISSING"},
		{"empty", "", "IDEMPOTENCY_KEY_INVALID"},
		{"empty structured string", `""`, "IDEMPOTENCY_KEY_INVALID"},
		{"too long", strings.Repeat("k", idempotency.MaxKeyLength+1), "IDEMPOTENCY_KEY_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.call(t, create, "", tt.key, map[string]any{"item": "a"})
			got, _, bad, _ := reason(res.err)
			if status.Code(res.err) != codes.InvalidArgument || got != tt.reason {
				t.Fatalf("err = %v (%s), want InvalidArgument %s", res.err, got, tt.reason)
			}
			if v := bad.GetFieldViolations(); len(v) != 1 || v[0].GetField() != idempotency.Header {
				t.Fatalf("field violations = %v, want one naming %s", v, idempotency.Header)
			}
		})
	}
	if r.calls.Load() != 0 || r.effects(t) != 0 {
		t.Fatalf("handler ran %d times, %d effects; want none", r.calls.Load(), r.effects(t))
	}
}

func TestTwoKeysAre400(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	req, _ := structpb.NewStruct(map[string]any{"item": "a"})
	ctx := metadata.AppendToOutgoingContext(t.Context(), idempotency.MetadataKey, "k1", idempotency.MetadataKey, "k2")
	err := r.conn.Invoke(ctx, create, req, new(structpb.Struct))
	if got, _, _, _ := reason(err); got != "IDEMPOTENCY_KEY_INVALID" {
		t.Fatalf("err = %v, want IDEMPOTENCY_KEY_INVALID", err)
	}
}

func TestStructuredFieldKeyIsTheSameKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	first := r.call(t, create, "", "8e03978e-40d5-43e8", map[string]any{"item": "a"})
	again := r.call(t, create, "", `"8e03978e-40d5-43e8"`, map[string]any{"item": "a"})
	if first.err != nil || again.err != nil || !proto.Equal(first.resp, again.resp) {
		t.Fatalf("first %v %v, quoted %v %v", first.resp, first.err, again.resp, again.err)
	}
}

func TestReplayReturnsTheFirstResponseAndStatus(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	token := r.issuer.Token("u1", auth.RoleCustomer)
	first := r.call(t, create, token, "key-1", map[string]any{"item": "a"})
	if first.err != nil {
		t.Fatal(first.err)
	}
	if got := first.header.Get(grpcserver.HTTPCodeHeader); len(got) != 1 || got[0] != "201" {
		t.Fatalf("first x-http-code = %v, want 201", got)
	}
	for range 3 {
		again := r.call(t, create, token, "key-1", map[string]any{"item": "a"})
		if again.err != nil {
			t.Fatal(again.err)
		}
		want, _ := proto.MarshalOptions{Deterministic: true}.Marshal(first.resp)
		got, _ := proto.MarshalOptions{Deterministic: true}.Marshal(again.resp)
		if string(got) != string(want) {
			t.Fatalf("replay = %v, want %v", again.resp, first.resp)
		}
		if h := again.header.Get(grpcserver.HTTPCodeHeader); len(h) != 1 || h[0] != "201" {
			t.Fatalf("replayed x-http-code = %v, want 201", h)
		}
		if h := again.header.Get(idempotency.ReplayedHeader); len(h) != 1 || h[0] != "true" {
			t.Fatalf("replayed header = %v", h)
		}
	}
	if r.calls.Load() != 1 || r.effects(t) != 1 {
		t.Fatalf("handler ran %d times, %d effects; want 1 and 1", r.calls.Load(), r.effects(t))
	}
}

func TestSameKeyOtherRequestIs422(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if res := r.call(t, create, "", "key-1", map[string]any{"item": "a"}); res.err != nil {
		t.Fatal(res.err)
	}
	res := r.call(t, create, "", "key-1", map[string]any{"item": "b"})
	got, info, _, _ := reason(res.err)
	if status.Code(res.err) != codes.FailedPrecondition || got != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("err = %v (%s), want FailedPrecondition IDEMPOTENCY_KEY_REUSED", res.err, got)
	}
	if info.GetMetadata()[errs.HTTPStatusKey] != "422" {
		t.Fatalf("ErrorInfo metadata = %v, want http_status 422", info.GetMetadata())
	}
	if r.effects(t) != 1 {
		t.Fatalf("%d effects, want 1", r.effects(t))
	}
}

func TestSameKeyInFlightIs409WithRetryAfter(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	slow := map[string]any{"item": "a", "sleep_ms": 700}
	done := make(chan result)
	go func() { done <- r.call(t, create, "", "key-1", slow) }()
	<-r.started

	res := r.call(t, create, "", "key-1", slow)
	got, _, _, retry := reason(res.err)
	if status.Code(res.err) != codes.AlreadyExists || got != "IDEMPOTENCY_KEY_IN_USE" {
		t.Fatalf("err = %v (%s), want AlreadyExists IDEMPOTENCY_KEY_IN_USE", res.err, got)
	}
	if retry.GetRetryDelay().AsDuration() != 2*time.Second {
		t.Fatalf("RetryInfo = %v, want 2s", retry)
	}
	first := <-done
	if first.err != nil {
		t.Fatal(first.err)
	}
	if again := r.call(t, create, "", "key-1", slow); again.err != nil || !proto.Equal(again.resp, first.resp) {
		t.Fatalf("after the first finished: %v %v, want %v", again.resp, again.err, first.resp)
	}
	if r.calls.Load() != 1 {
		t.Fatalf("handler ran %d times, want 1", r.calls.Load())
	}
}

func TestKeysAreScopedByCallerAndMethod(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	alice, bob := r.issuer.Token("alice", auth.RoleCustomer), r.issuer.Token("bob", auth.RoleCustomer)
	req := map[string]any{"item": "a"}
	var ids []float64
	var providerKeys []string
	for _, c := range []struct{ method, token string }{{create, alice}, {create, bob}, {create, ""}, {quote, alice}} {
		res := r.call(t, c.method, c.token, "shared-key", req)
		if res.err != nil || res.header.Get(idempotency.ReplayedHeader) != nil {
			t.Fatalf("%s: %v, replayed %v; want a fresh run", c.method, res.err, res.header.Get(idempotency.ReplayedHeader))
		}
		ids = append(ids, res.resp.GetFields()["id"].GetNumberValue())
		providerKeys = append(providerKeys, res.resp.GetFields()["provider_key"].GetStringValue())
		if res.resp.GetFields()["key"].GetStringValue() != "shared-key" {
			t.Fatalf("KeyFrom = %v", res.resp.GetFields()["key"])
		}
	}
	if r.effects(t) != 4 || ids[0] == ids[1] {
		t.Fatalf("%d effects (ids %v), want 4 distinct", r.effects(t), ids)
	}
	seen := map[string]bool{}
	for _, id := range providerKeys {
		seen[id] = true
	}
	if len(seen) != 4 {
		t.Fatalf("derived keys %v: want one per caller and method", providerKeys)
	}
}

func TestFinalErrorIsReplayed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, fail := range []string{"not_found", "conflict_after_effect"} {
		t.Run(fail, func(t *testing.T) {
			key := "key-" + fail
			first := r.call(t, create, "", key, map[string]any{"item": "a", "fail": fail})
			again := r.call(t, create, "", key, map[string]any{"item": "a", "fail": fail})
			if first.err == nil || !proto.Equal(status.Convert(first.err).Proto(), status.Convert(again.err).Proto()) {
				t.Fatalf("first %v, replay %v; want the same error", first.err, again.err)
			}
		})
	}
	// The effect written before ALREADY_PAID stays, once: it is what the first
	// call did, and the replay repeats only its answer.
	if r.calls.Load() != 2 || r.effects(t) != 1 {
		t.Fatalf("handler ran %d times, %d effects; want 2 and 1", r.calls.Load(), r.effects(t))
	}
}

func TestTransientFailureLeavesNothingAndFreesTheKey(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, fail := range []string{"unavailable", "internal", "crash"} {
		t.Run(fail, func(t *testing.T) {
			key := "key-" + fail
			res := r.call(t, create, "", key, map[string]any{"item": fail, "fail": fail})
			if res.err == nil {
				t.Fatal("want an error")
			}
			var n int
			_ = r.pool.QueryRow(t.Context(), `SELECT count(*) FROM effects WHERE item = $1`, fail).Scan(&n)
			if n != 0 {
				t.Fatalf("%d effects after a %s failure, want 0", n, fail)
			}
			_ = r.pool.QueryRow(t.Context(), `SELECT count(*) FROM idempotency_keys WHERE key = $1`, key).Scan(&n)
			if n != 0 {
				t.Fatalf("key recorded after a %s failure", fail)
			}
			// The retry runs the call again (and here it succeeds).
			retry := r.call(t, create, "", key, map[string]any{"item": fail})
			if retry.err != nil || retry.header.Get(idempotency.ReplayedHeader) != nil {
				t.Fatalf("retry: %v, replayed %v", retry.err, retry.header.Get(idempotency.ReplayedHeader))
			}
		})
	}
}

func TestTwentyParallelRequestsOneEffect(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	token := r.issuer.Token("u1", auth.RoleCustomer)
	const n = 20
	results := make([][]byte, n)
	var inUse atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for {
				res := r.call(t, place, token, "one-key", map[string]any{"item": "a", "sleep_ms": 200})
				if got, _, _, _ := reason(res.err); got == "IDEMPOTENCY_KEY_IN_USE" {
					inUse.Add(1)
					time.Sleep(20 * time.Millisecond) // shorter than Retry-After, to keep the test quick
					continue
				}
				if res.err != nil {
					t.Error(res.err)
					return
				}
				results[i], _ = proto.MarshalOptions{Deterministic: true}.Marshal(res.resp)
				return
			}
		})
	}
	wg.Wait()
	for i := range results {
		if string(results[i]) != string(results[0]) {
			t.Fatalf("response %d differs from response 0", i)
		}
	}
	if r.calls.Load() != 1 || r.effects(t) != 1 {
		t.Fatalf("handler ran %d times, %d effects; want 1 and 1", r.calls.Load(), r.effects(t))
	}
	if inUse.Load() == 0 {
		t.Fatal("no request saw the key in flight; the test proves nothing")
	}
	for outcome, want := range map[string]float64{"ran": 1, "replayed": n - 1, "in_flight": float64(inUse.Load())} {
		if got := counted(t, place, outcome); got != want {
			t.Errorf("jangteo_idempotency_calls_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
}

func TestExpiredKeysRunAgainAndArePurged(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if res := r.call(t, create, "", "old", map[string]any{"item": "a"}); res.err != nil {
		t.Fatal(res.err)
	}
	if res := r.call(t, create, "", "fresh", map[string]any{"item": "a"}); res.err != nil {
		t.Fatal(res.err)
	}
	var ttl float64
	if err := r.pool.QueryRow(t.Context(), `SELECT extract(epoch FROM expires_at - created_at) FROM idempotency_keys WHERE key = 'fresh'`).Scan(&ttl); err != nil {
		t.Fatal(err)
	}
	if time.Duration(ttl)*time.Second != idempotency.DefaultTTL {
		t.Fatalf("kept for %vs, want %v", ttl, idempotency.DefaultTTL)
	}
	if _, err := r.pool.Exec(t.Context(), `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`); err != nil {
		t.Fatal(err)
	}
	if res := r.call(t, create, "", "old", map[string]any{"item": "b"}); res.err != nil || res.header.Get(idempotency.ReplayedHeader) != nil {
		t.Fatalf("expired key: %v, replayed %v; want a fresh run", res.err, res.header.Get(idempotency.ReplayedHeader))
	}
	if _, err := r.pool.Exec(t.Context(), `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`); err != nil {
		t.Fatal(err)
	}
	purged, err := r.keys.Purge(t.Context())
	if err != nil || purged != 1 {
		t.Fatalf("Purge = %d, %v; want 1", purged, err)
	}
	var left []string
	rows, _ := r.pool.Query(t.Context(), `SELECT key FROM idempotency_keys`)
	left, _ = pgx.CollectRows(rows, pgx.RowTo[string])
	if len(left) != 1 || left[0] != "fresh" {
		t.Fatalf("left %v, want [fresh]", left)
	}
}

func TestCallsWithoutTheOptionPassThrough(t *testing.T) {
	t.Parallel()
	if idempotency.Required("/jangteo.catalog.v1.CatalogService/GetProduct") || idempotency.Required("/grpc.health.v1.Health/Check") {
		t.Fatal("Required is true for a method without the option")
	}
}

// counted reads jangteo_idempotency_calls_total for method and outcome.
func counted(t *testing.T, method, outcome string) float64 {
	t.Helper()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "jangteo_idempotency_calls_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
