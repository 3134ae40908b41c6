package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/jangteo/jangteo/platform/grpcserver"
	"github.com/jangteo/jangteo/platform/idempotency"
)

// handleOutside is a use case that runs outside the key's transaction: its
// effect's id is derived from the key, so a second run finds the first's
// row and answers from it, or refuses a key reused for another item.
func (r *rig) handleOutside(ctx context.Context, req *structpb.Struct) (any, error) {
	r.calls.Add(1)
	f := req.GetFields()
	item := f["item"].GetStringValue()
	time.Sleep(time.Duration(f["sleep_ms"].GetNumberValue()) * time.Millisecond)
	if f["fail"].GetStringValue() == "not_found" {
		return nil, errNoSuchItem
	}
	id, ok := idempotency.Derive(ctx, "effect")
	if !ok {
		return nil, errors.New("no call in the handler's context")
	}
	if _, in := idempotency.KeyFrom(ctx); !in {
		return nil, errors.New("no key in the handler's context")
	}
	var made string
	err := r.pool.QueryRow(ctx, `WITH ins AS (INSERT INTO derived_effects (id, item) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING item)
		SELECT item FROM ins UNION ALL SELECT item FROM derived_effects WHERE id = $1`, id, item).Scan(&made)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	if made != item {
		return nil, idempotency.ErrKeyReused
	}
	grpcserver.SetHTTPCode(ctx, 201)
	return structpb.NewStruct(map[string]any{"id": id, "item": item})
}

// waitRecorded waits until key's outcome is in idempotency_keys.
func (r *rig) waitRecorded(t *testing.T, key string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var n int
		if err := r.pool.QueryRow(t.Context(), `SELECT count(*) FROM idempotency_keys WHERE key = $1`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outcome of %s was never recorded", key)
		}
	}
}

func (r *rig) derivedEffects(t *testing.T) int {
	t.Helper()
	var n int
	if err := r.pool.QueryRow(t.Context(), `SELECT count(*) FROM derived_effects`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOutsideCallIsReplayedWithoutRunningAgain(t *testing.T) {
	r := newRig(t)
	token := r.issuer.Token("u-outside", "customer")
	first := r.call(t, outside, token, "k-out-1", map[string]any{"item": "apple"})
	if first.err != nil {
		t.Fatal(first.err)
	}
	if got := first.header.Get("x-http-code"); len(got) != 1 || got[0] != "201" {
		t.Fatalf("first answer's x-http-code %v, want 201", got)
	}
	again := r.call(t, outside, token, "k-out-1", map[string]any{"item": "apple"})
	if again.err != nil {
		t.Fatal(again.err)
	}
	if again.resp.Fields["id"].GetStringValue() != first.resp.Fields["id"].GetStringValue() {
		t.Fatalf("replayed %v, first %v", again.resp, first.resp)
	}
	if got := again.header.Get(idempotency.ReplayedHeader); len(got) != 1 || got[0] != "true" {
		t.Fatalf("replay not marked: %v", again.header)
	}
	if got := again.header.Get("x-http-code"); len(got) != 1 || got[0] != "201" {
		t.Fatalf("replay's x-http-code %v, want 201", got)
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
	// Written a moment after the answer, the outcome is replayed from the
	// table as it was from memory.
	r.waitRecorded(t, "k-out-1")
	fromTable := r.call(t, outside, token, "k-out-1", map[string]any{"item": "apple"})
	if fromTable.err != nil || fromTable.resp.Fields["id"].GetStringValue() != first.resp.Fields["id"].GetStringValue() || r.calls.Load() != 1 {
		t.Fatalf("replayed from the table %v %v after %d runs", fromTable.resp, fromTable.err, r.calls.Load())
	}
	other := r.call(t, outside, token, "k-out-1", map[string]any{"item": "pear"})
	if why, _, _, _ := reason(other.err); why != "IDEMPOTENCY_KEY_REUSED" {
		t.Fatalf("same key, other item: %v, want IDEMPOTENCY_KEY_REUSED", other.err)
	}
	if n := r.derivedEffects(t); n != 1 {
		t.Fatalf("%d effects, want 1", n)
	}
}

// The process dies after the effect committed and before its outcome was
// recorded: the retry runs the handler again, which finds the effect by its
// derived id and answers the same.
func TestOutsideCallLostRecordFindsItsEffect(t *testing.T) {
	r := newRig(t)
	token := r.issuer.Token("u-outside-2", "customer")
	first := r.call(t, outside, token, "k-out-2", map[string]any{"item": "fig"})
	if first.err != nil {
		t.Fatal(first.err)
	}
	// The outcome is written after the answer, a moment later.
	r.waitRecorded(t, "k-out-2")
	if _, err := r.pool.Exec(t.Context(), `DELETE FROM idempotency_keys WHERE key = 'k-out-2'`); err != nil {
		t.Fatal(err)
	}
	again := r.call(t, outside, token, "k-out-2", map[string]any{"item": "fig"})
	if again.err != nil {
		t.Fatal(again.err)
	}
	if again.resp.Fields["id"].GetStringValue() != first.resp.Fields["id"].GetStringValue() {
		t.Fatalf("retry answered %v, first %v", again.resp, first.resp)
	}
	if n := r.derivedEffects(t); n != 1 {
		t.Fatalf("%d effects, want 1", n)
	}
}

// Twenty requests with one key at once: one effect; every answer is the
// effect or 409 IDEMPOTENCY_KEY_IN_USE while it runs.
func TestOutsideCallParallelRequestsOneEffect(t *testing.T) {
	r := newRig(t)
	token := r.issuer.Token("u-outside-3", "customer")
	var wg sync.WaitGroup
	results := make([]result, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = r.call(t, outside, token, "k-out-3", map[string]any{"item": "kiwi", "sleep_ms": 50})
		}()
	}
	wg.Wait()
	ok := 0
	for _, res := range results {
		if res.err == nil {
			ok++
			continue
		}
		if why, _, _, _ := reason(res.err); why != "IDEMPOTENCY_KEY_IN_USE" {
			t.Fatalf("unexpected answer %v", res.err)
		}
	}
	if ok == 0 {
		t.Fatal("no request succeeded")
	}
	if n := r.derivedEffects(t); n != 1 {
		t.Fatalf("%d effects, want 1", n)
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
}

// Closing the keys writes every outcome still waiting.
func TestOutsideOutcomesAreWrittenOnClose(t *testing.T) {
	r := newRig(t)
	token := r.issuer.Token("u-outside-5", "customer")
	for i := range 30 {
		if res := r.call(t, outside, token, fmt.Sprint("k-out-5-", i), map[string]any{"item": fmt.Sprint("i", i)}); res.err != nil {
			t.Fatal(res.err)
		}
	}
	r.keys.Close()
	var n int
	if err := r.pool.QueryRow(t.Context(), `SELECT count(*) FROM idempotency_keys WHERE key LIKE 'k-out-5-%'`).Scan(&n); err != nil || n != 30 {
		t.Fatalf("%d outcomes recorded after Close (%v), want 30", n, err)
	}
}

// A final error outside the key's transaction is recorded and replayed too.
func TestOutsideFinalErrorIsReplayed(t *testing.T) {
	r := newRig(t)
	token := r.issuer.Token("u-outside-4", "customer")
	for range 2 {
		res := r.call(t, outside, token, "k-out-4", map[string]any{"item": "x", "fail": "not_found"})
		if why, _, _, _ := reason(res.err); why != "ITEM_NOT_FOUND" {
			t.Fatalf("answer %v, want ITEM_NOT_FOUND", res.err)
		}
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1", n)
	}
}
