package idempotency

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
)

// lookups finds the recorded outcomes of calls run outside the key's
// transaction many at a time: the calls that arrive while one query runs
// are looked up together by the next, so under load a replica reads its keys
// in one statement per round trip instead of one per call.
type lookups struct {
	keys    *Keys
	mu      sync.Mutex
	waiting []*lookup
	running bool
}

type lookup struct {
	c    call
	done chan lookedUp
}

type lookedUp struct {
	out *outcome // nil: nothing recorded
	err error
}

// maxLookupBatch bounds the keys read in one statement.
const maxLookupBatch = 500

// find returns the outcome recorded for c, or nil.
func (l *lookups) find(ctx context.Context, c call) (*outcome, error) {
	w := &lookup{c: c, done: make(chan lookedUp, 1)}
	l.mu.Lock()
	l.waiting = append(l.waiting, w)
	if !l.running {
		l.running = true
		go l.run()
	}
	l.mu.Unlock()
	select {
	case r := <-w.done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *lookups) run() {
	for {
		l.mu.Lock()
		n := min(len(l.waiting), maxLookupBatch)
		if n == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		batch := append([]*lookup(nil), l.waiting[:n]...)
		l.waiting = append(l.waiting[:0], l.waiting[n:]...)
		l.mu.Unlock()
		found, err := l.read(batch)
		for _, w := range batch {
			w.done <- lookedUp{out: found[w.c.id()], err: err}
		}
	}
}

// read looks the batch's keys up in one statement.
func (l *lookups) read(batch []*lookup) (map[string]*outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	scopes, methods, keys := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
	for i, w := range batch {
		scopes[i], methods[i], keys[i] = w.c.scope, w.c.method, w.c.key
	}
	const q = `SELECT k.scope, k.method, k.key, k.fingerprint, k.code, k.response, k.response_type, k.header
		FROM unnest($1::text[], $2::text[], $3::text[]) AS w (scope, method, key)
		JOIN idempotency_keys k ON k.scope = w.scope AND k.method = w.method AND k.key = w.key
		WHERE k.expires_at > now()`
	rows, err := l.keys.calls.Query(ctx, q, scopes, methods, keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]*outcome{}
	for rows.Next() {
		var (
			c      call
			o      outcome
			code   int32
			header []byte
		)
		if err := rows.Scan(&c.scope, &c.method, &c.key, &o.fingerprint, &code, &o.body, &o.typ, &header); err != nil {
			return nil, err
		}
		o.code = codes.Code(code)
		if err := json.Unmarshal(header, &o.header); err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		found[c.id()] = &o
	}
	return found, rows.Err()
}
